"""Issue 15: promises judged clause by clause, deadlines in words, promotion by intent."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.lint import LintContext, Linter, RuleFileError, lint
from ozondesk.domain.lint.deadlines import find_mentions, resolve
from ozondesk.domain.lint.linter import MAX_FINDINGS_PER_RULE
from ozondesk.domain.lint.text import normalise, tokenise

MON_10 = MOSCOW.localize(datetime(2025, 11, 24, 10, 0))
MESSAGE = {"en": "Offer.", "ru": "Предложение.", "zh_CN": "优惠。"}


def missing(text: str) -> list[str]:
    return [f.text for f in lint(text) if f.rule == "missing-deadline"]


# -- clause scope -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A dated fact does not lend its date to the promise after it.
        ("Посылка пришла в пункт выдачи 4 декабря. Деньги вернём.", ["вернём"]),
        ("Мы отправили заказ 1 декабря и обновим статус.", ["обновим"]),
        ("Мы передали заказ в доставку 30 ноября, сообщим новую дату.", ["сообщим"]),
        # The date of the event in a condition is not our deadline.
        ("Как только товар придёт 5 декабря, вернём деньги.", ["вернём"]),
        # Each chain without a deadline is reported once, at its first promise.
        ("Вернём деньги и пришлём чек. Проверим заказ.", ["Вернём", "Проверим"]),
        # «будут возвращены» promises without an agent.
        ("Деньги будут возвращены.", ["возвращены"]),
    ],
)
def test_a_promise_needs_its_own_deadline(text: str, flagged: list[str]) -> None:
    assert missing(text) == flagged


@pytest.mark.parametrize(
    "text",
    [
        "Проверим заказ и ответим до 18:00 МСК.",  # coordinated promises share the deadline
        "Если посылку не найдут, вернём деньги в течение 3 рабочих дней.",
        "Поможем подобрать размер, если пришлёте мерки до 18:00 МСК.",  # explicit «до …»
        "Проверим, почему цена отличается, и ответим до 15:00 МСК.",
        "Напишем вам, когда узнаем новую дату, не позже 17:00 МСК завтра.",
        "Завтра, до 12:00 МСК, пришлём фото.",
        "Деньги будут возвращены до 10 декабря.",
        "Мы отправили заказ 1 декабря.",
        "Когда мы получим товар, Ozon пришлёт уведомление.",
    ],
)
def test_a_promise_with_its_deadline_passes(text: str) -> None:
    assert missing(text) == []


def test_only_dates_a_promise_relies_on_are_checked_against_the_clock() -> None:
    context = LintContext(now=MON_10)
    past = [
        f
        for f in lint("Отправили 20 ноября, ответим до 18:00 МСК.", context)
        if f.category == "promise-check"
    ]
    assert past == []
    [f] = [
        f
        for f in lint("Посылка пришла 20 ноября. Вернём деньги 21 ноября.", context)
        if f.category == "promise-check"
    ]
    assert (f.rule, f.text) == ("promise-check.past", "21 ноября")


# -- deadlines in words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "day", "hour", "minute"),
    [
        ("до шести вечера по московскому времени", 24, 18, 0),
        ("до полудня по МСК", 24, 12, 0),
        ("до 18 часов по МСК", 24, 18, 0),
        ("к 9 утра", 24, 9, 0),
        ("завтра к девяти утра по МСК", 25, 9, 0),
        ("до двенадцати часов дня", 24, 12, 0),
        ("до конца рабочего дня — до 19:00", 24, 19, 0),
        ("в час дня", 24, 13, 0),
        ("к полуночи", 24, 23, 59),
        ("двадцать пятого ноября в 18 часов 30 минут МСК", 25, 18, 30),
        ("до 18:00 по МСК", 24, 18, 0),
    ],
)
def test_times_in_words_resolve_to_a_moscow_instant(
    phrase: str, day: int, hour: int, minute: int
) -> None:
    [mention] = find_mentions(normalise(phrase))
    resolved = resolve(mention, MON_10)
    assert resolved is not None and resolved.instant is not None
    assert resolved.instant == MOSCOW.localize(datetime(2025, 11, day, hour, minute))


@pytest.mark.parametrize("phrase", ["до пятого декабря", "до 5-го декабря", "к 5-му декабря"])
def test_a_date_in_words(phrase: str) -> None:
    [mention] = find_mentions(normalise(phrase))
    resolved = resolve(mention, MON_10)
    assert resolved is not None and (resolved.day, resolved.instant) == (date(2025, 12, 5), None)


@pytest.mark.parametrize("text", ["до 5 штук", "к двум заказам", "в трёх пунктах выдачи"])
def test_numbers_that_are_not_times(text: str) -> None:
    assert find_mentions(normalise(text)) == []


def test_a_deadline_in_words_is_compared_with_the_sla_deadline() -> None:
    text = "Ответим до шести вечера по МСК."
    late = LintContext(now=MON_10, deadline=MOSCOW.localize(datetime(2025, 11, 24, 17, 0)))
    assert [f.rule for f in lint(text, late)] == ["promise-check.after-deadline"]
    fine = LintContext(now=MON_10, deadline=MOSCOW.localize(datetime(2025, 11, 24, 18, 30)))
    assert lint(text, fine) == []


# -- soft commitments, advice, calques ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Вернём деньги до 5 декабря, если получится.",
        "Отправим замену до 5 декабря при возможности.",
        "Сделаем, что в наших силах, до 5 декабря.",
        "Постараимся ответить до 18:00 МСК.",
    ],
)
def test_soft_commitments_and_misspelt_hedges(text: str) -> None:
    assert [f.category for f in lint(text)] == ["vague-promise"]


@pytest.mark.parametrize(
    "text", ["Постарайтесь сохранить упаковку.", "Попробуйте перезагрузить приложение."]
)
def test_advice_to_the_buyer_is_not_our_vague_promise(text: str) -> None:
    assert lint(text) == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Доставка займёт некоторое время.", "vague-time"),
        ("Это не займёт много времени.", "vague-time"),
        ("Ответим в разумный срок до 5 декабря.", "vague-time"),
        ("Посылка придёт вот-вот.", "vague-time"),
    ],
)
def test_vague_durations(text: str, category: str) -> None:
    assert category in {f.category for f in lint(text)}


# -- promotion by intent, in a lead's own file ----------------------------------------------------


def test_a_lead_writes_an_intent_rule(tmp_path: Path) -> None:
    path = tmp_path / "team.json"
    rule = {
        "id": "team.gift",
        "category": "promotional",
        "severity": "error",
        "type": "intent",
        "phrases": ["~подарок"],
        "markers": ["~положить[1per,futr]"],
        "message": MESSAGE,
    }
    path.write_text(json.dumps({"version": "t1", "rules": [rule]}), encoding="utf-8")
    linter = Linter.from_files(path)
    [f] = [f for f in linter.lint("Положим подарок в посылку.") if f.rule == "team.gift"]
    assert f.text == "подарок"
    assert not [f for f in linter.lint("Подарок пришёл разбитым?") if f.rule == "team.gift"]


def test_an_intent_rule_without_markers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "team.json"
    rule = {
        "id": "team.gift",
        "category": "promotional",
        "severity": "error",
        "type": "intent",
        "phrases": ["~подарок"],
        "message": MESSAGE,
    }
    path.write_text(json.dumps({"version": "t1", "rules": [rule]}), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        Linter.from_files(path)
    assert info.value.problems == [
        f"{path}: rules[0].markers: an intent rule needs markers: the words that show the intent"
    ]


# -- long and odd input ------------------------------------------------------------------


def test_a_run_of_one_mark_is_one_token() -> None:
    text = "Ура!!! Вернём..."
    assert [(t.norm, t.sentence) for t in tokenise(normalise(text), text)] == [
        ("ура", 0), ("!!!", 0), ("вернем", 1), ("...", 1)
    ]  # fmt: skip


def test_findings_of_one_rule_are_capped() -> None:
    found = [f for f in lint("~ " * 5_000) if f.rule == "over-familiar.emoji"]
    assert len(found) == MAX_FINDINGS_PER_RULE
    assert found[0].start == 0


@pytest.mark.parametrize(
    "text", ["a." * 50_000, "@" * 100_000, "http://" + "." * 99_990, "a.ru." * 20_000]
)
def test_pathological_runs_still_lint(text: str) -> None:
    # Speed is measured in bench/bench_lint.py; here: these finish and report the length.
    assert "length.chat" in {f.rule for f in lint(text)}
