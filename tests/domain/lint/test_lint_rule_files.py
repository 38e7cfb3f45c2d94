"""Rule files are data: versioned, extendable by a lead, validated with every problem located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ozondesk.domain.lint import Linter, RuleFileError, default_linter, default_rules_path
from ozondesk.domain.lint.morph import expand
from ozondesk.errors import UserError


def write(tmp_path: Path, doc: Any, name: str = "extra.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


MESSAGE = {"en": "Call-back promise.", "ru": "Обещание перезвонить.", "zh_CN": "承诺回电。"}


def test_shipped_rules_are_versioned() -> None:
    doc = json.loads(default_rules_path().read_text(encoding="utf-8"))
    assert doc["version"]
    assert default_linter().version == doc["version"]
    assert len(doc["rules"]) >= 20


def test_every_shipped_message_has_three_languages() -> None:
    doc = json.loads(default_rules_path().read_text(encoding="utf-8"))
    for rule in doc["rules"]:
        assert set(rule["message"]) == {"en", "ru", "zh_CN"}, rule["id"]


def test_a_lead_adds_a_phrase_rule_without_code(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        {
            "version": "team-1",
            "rules": [
                {
                    "id": "team.call-back",
                    "category": "off-platform",
                    "severity": "error",
                    "type": "existence",
                    "phrases": ["~перезвонить[1per]", "~созвониться"],
                    "message": MESSAGE,
                }
            ],
        },
    )
    linter = Linter.from_files(extra)
    assert linter.version == f"{default_linter().version}+team-1"
    for text, word in [
        ("Перезвоним вам.", "Перезвоним"),
        ("Я перезвоню.", "перезвоню"),
        ("Давайте созвонимся.", "созвонимся"),
    ]:
        found = [f for f in linter.lint(text) if f.rule == "team.call-back"]
        assert [f.text for f in found] == [word]
    assert not [f for f in linter.lint("Перезвоните в банк.") if f.rule == "team.call-back"]


def test_a_lead_overrides_and_disables_shipped_rules(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        {
            "version": 2,
            "rules": [
                {"id": "vague-time.soon", "severity": "info"},
                {"id": "hedge.maybe", "disabled": True},
            ],
        },
    )
    linter = Linter.from_files(extra)
    findings = linter.lint("Наверное, ответим в ближайшее время.")
    assert {(f.rule, f.severity) for f in findings if f.category == "vague-time"} == {
        ("vague-time.soon", "info")
    }
    assert not [f for f in findings if f.category == "hedge"]


def test_every_problem_is_reported_with_its_place(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        {
            "version": "1",
            "colour": "red",
            "rules": [
                {
                    "id": "a",
                    "category": "x",
                    "severity": "fatal",
                    "type": "existence",
                    "phrases": ["~попробовать[futur]"],
                    "message": MESSAGE,
                },
                {
                    "id": "b",
                    "category": "x",
                    "severity": "error",
                    "type": "existence",
                    "phrases": ["~абырвалг"],
                    "message": {"ru": "нет en"},
                },
                {
                    "id": "c",
                    "category": "x",
                    "severity": "error",
                    "type": "existence",
                    "regex": ["(unclosed"],
                    "message": MESSAGE,
                    "typo": 1,
                },
                {
                    "id": "c",
                    "category": "x",
                    "severity": "error",
                    "type": "existence",
                    "phrases": ["x"],
                    "message": MESSAGE,
                },
                {
                    "id": "d",
                    "category": "x",
                    "severity": "error",
                    "type": "magic",
                    "message": MESSAGE,
                },
            ],
        },
    )
    with pytest.raises(RuleFileError) as info:
        Linter.from_files(extra)
    problems = "\n".join(info.value.problems)
    name = str(extra)
    for expected in [
        f"{name}: unknown key 'colour'",
        f"{name}: rules[0].severity: must be one of error, warning, info",
        f"{name}: rules[0].phrases[0]: unknown grammeme 'futur'",
        f"{name}: rules[1].phrases[0]: 'абырвалг' is not a known lemma",
        f"{name}: rules[1].message: required",
        f"{name}: rules[2].regex[0]: bad regex",
        f"{name}: rules[2].typo: unknown key",
        f"{name}: rules[3].id: duplicate id 'c' (also rules[2])",
        f"{name}: rules[4].type: must be one of",
    ]:
        assert expected in problems, expected
    assert isinstance(info.value, UserError) and info.value.exit_code == 2


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "top level"),
        (b'{"rules": []}', "version"),
    ],
)
def test_unreadable_rule_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(RuleFileError, match=fragment):
        Linter.from_files(path)


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="missing.json"):
        Linter.from_files(tmp_path / "missing.json")


def test_a_phrase_that_expands_too_far_is_rejected(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        {
            "version": "1",
            "rules": [
                {
                    "id": "huge",
                    "category": "x",
                    "severity": "info",
                    "type": "existence",
                    "phrases": ["~делать ~сделать ~переделать"],
                    "message": MESSAGE,
                }
            ],
        },
    )
    with pytest.raises(RuleFileError, match="expands to"):
        Linter.from_files(extra)


def test_lemma_expansion_picks_the_part_of_speech() -> None:
    # parse('дорогой')[0] is the noun дорога; the adjective must not bring road forms.
    adjective = expand("дорогой", [frozenset({"ADJF"})])
    assert {"дорогой", "дорогая", "дорогие", "дорогого"} <= adjective
    assert not {"дорога", "дорогам", "дорогу"} & adjective
    assert expand("попробовать", [frozenset({"1per"}), frozenset({"futr"})]) == {
        "попробую",
        "попробуем",
    }


def test_occurrence_and_length_rules_from_a_file(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        {
            "version": "1",
            "rules": [
                {"id": "length.chat", "max": 20},
                {
                    "id": "team.thanks",
                    "category": "tone",
                    "severity": "warning",
                    "type": "occurrence",
                    "scope": "reply",
                    "max": 1,
                    "phrases": ["спасибо", "~благодарить[1per]"],
                    "message": {"en": "{count} thanks"},
                },
            ],
        },
    )
    linter = Linter.from_files(extra)
    findings = linter.lint("Спасибо! Благодарим за заказ.")
    assert {(f.rule, f.message) for f in findings} >= {("team.thanks", "2 thanks")}
    assert [f.start for f in findings if f.rule == "length.chat"] == [20]


def test_disabling_an_unknown_rule_is_reported(tmp_path: Path) -> None:
    extra = write(tmp_path, {"version": "1", "rules": [{"id": "vague-time.son", "disabled": True}]})
    with pytest.raises(RuleFileError, match="no rule 'vague-time.son' to disable"):
        Linter.from_files(extra)


def _regex_rule(pattern: str) -> dict[str, Any]:
    return {"version": "team-2", "rules": [{
        "id": "team.slow", "category": "tone", "severity": "warning", "type": "existence",
        "regex": [pattern], "message": MESSAGE}]}


def test_a_regex_that_backtracks_for_ever_is_refused_when_loaded(tmp_path: Path) -> None:
    extra = write(tmp_path, _regex_rule("^(а|аа)+$"))
    with pytest.raises(RuleFileError) as caught:
        Linter.from_files(extra)
    assert "rules[0].regex[0]: this regex takes too long on some texts" in caught.value.message


def test_the_classic_nested_repeat_runs_in_bounded_time_and_still_matches(tmp_path: Path) -> None:
    # «^(а+)+$» hangs Python's re on «ааа…а!»; the regex module answers it at once.
    linter = Linter.from_files(write(tmp_path, _regex_rule("^(а+)+$")))
    assert [f.rule for f in linter.lint("а" * 60 + "!") if f.rule == "team.slow"] == []
    assert [f.text for f in linter.lint("аааа") if f.rule == "team.slow"] == ["аааа"]


def test_a_search_past_its_time_limit_is_skipped_not_hung(caplog: pytest.LogCaptureFixture) -> None:
    import regex

    from ozondesk.domain.lint.linter import _search

    slow = regex.compile("^(a|aa)+$")
    assert _search(slow, "a" * 64 + "!") == []
    assert "passed its time limit" in caplog.text
    assert [m.group() for m in _search(slow, "aaaa")] == ["aaaa"]


def test_long_runs_without_spaces_lint_with_the_shipped_rules() -> None:
    # One long URL or «8» × 50,000 backtracked quadratically in the e-mail pattern under re.
    linter = default_linter()
    assert {f.rule for f in linter.lint("8" * 50_000)} == {"length.chat"}
    assert {f.rule for f in linter.lint("a" * 50_000)} == {"length.chat"}
    assert {f.rule for f in linter.lint("https://" + "a" * 50_000)} == {"length.chat", "off-platform.contact"}
