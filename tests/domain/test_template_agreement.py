"""Every shipped template reads right with any number: «в течение 21 дня», «Срок возврата — 2 дня».

A number placeholder renders as «21 день» (nominative); the words around it decide
the case the noun needs. Each template is rendered with 1, 2, 5, 11, 21, 22 and 25
in every number placeholder, and pymorphy3 says which form the noun must take after
that number in that case (``inflect`` to the case, then ``make_agree_with_number``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ozondesk.domain.lint.morph import analyzer
from ozondesk.domain.templates import PLACEHOLDERS, SAMPLE_NOW, render, sample_values
from ozondesk.resources import resource_path

NUMBERS = (1, 2, 5, 11, 21, 22, 25)
NUMBER_KINDS = ("days", "relative")
# The case a preposition (or phrase) right before the placeholder requires of «N день».
GOVERNS = {
    "в течение": "gent", "после": "gent", "до": "gent", "около": "gent", "от": "gent",
    "без": "gent", "для": "gent", "из": "gent", "более": "gent", "больше": "gent",
    "менее": "gent", "меньше": "gent", "не более": "gent", "не менее": "gent",
    "через": "accs", "на": "accs", "за": "accs", "спустя": "accs", "в": "accs",
}  # fmt: skip
_LAST_WORDS = re.compile(r"([^\W\d_]+(?:\s+[^\W\d_]+)?)\s*$")


def _packs() -> list[Path]:
    return sorted(resource_path("templates").glob("*.json"))


def _templates() -> list[tuple[str, str]]:
    out = []
    for path in _packs():
        data = json.loads(path.read_text(encoding="utf-8"))
        out.extend((f"{path.stem}:{t['id']}", t["body"]) for t in data["templates"])
    return out


def _number_slots(body: str) -> list[tuple[str, str]]:
    """(placeholder, case it stands in) for each number placeholder of a body."""
    slots = []
    for m in re.finditer(r"\{([a-z_]+)\}", body):
        name = m.group(1)
        if name not in PLACEHOLDERS or PLACEHOLDERS[name].kind not in NUMBER_KINDS:
            continue
        if PLACEHOLDERS[name].kind == "relative":
            slots.append((name, "accs"))  # the value brings its own «через»
            continue
        before = body[: m.start()]
        words = _LAST_WORDS.search(before)
        case = "nomn"  # after «—», «:» or at a sentence start
        if words and before.rstrip().endswith(words.group(1)):
            two = words.group(1).lower()
            one = two.split()[-1]
            if two in GOVERNS:
                case = GOVERNS[two]
            elif one in GOVERNS:
                case = GOVERNS[one]
            else:
                pytest.fail(f"{{{name}}} after «{one}»: add the case it governs to GOVERNS")
        slots.append((name, case))
    return slots


def _expected(noun: str, n: int, case: str) -> str:
    parse = next(p for p in analyzer().parse(noun) if p.tag.POS == "NOUN")
    in_case = parse.inflect({case, "sing"})
    assert in_case is not None
    agreed = in_case.make_agree_with_number(n)
    assert agreed is not None
    return agreed.word


TEMPLATES = _templates()


def test_templates_with_numbers_are_checked() -> None:
    ids = [tid for tid, body in TEMPLATES if _number_slots(body)]
    assert "starter-ru:return-how-to" in ids and "starter-ru:order-at-pickup-point" in ids


@pytest.mark.parametrize(("tid", "body"), TEMPLATES, ids=[t for t, _ in TEMPLATES])
def test_number_and_noun_agree(tid: str, body: str) -> None:
    slots = _number_slots(body)
    for n in NUMBERS:
        values = sample_values()
        for name, _case in slots:
            values[name] = n
        text = render(body, values, now=SAMPLE_NOW)
        for name, case in slots:
            shown = re.search(rf"(?<!\d){n}\u00a0([^\W\d_]+)", text)
            assert shown, f"{tid}: {{{name}}}={n} not found in {text!r}"
            word = shown.group(1)
            assert word == _expected(word, n, case), (
                f"{tid}: «{n} {word}» should be «{n} {_expected(word, n, case)}» ({case}): {text}"
            )


@pytest.mark.parametrize(
    ("n", "case", "form"),
    [(1, "gent", "дня"), (2, "gent", "дней"), (21, "gent", "дня"), (5, "nomn", "дней"),
     (22, "nomn", "дня"), (11, "accs", "дней"), (21, "accs", "день")],
)  # fmt: skip
def test_the_oracle_itself(n: int, case: str, form: str) -> None:
    # «в течение 21 дня», «в течение 2 дней», «срок — 22 дня», «через 21 день».
    assert _expected("день", n, case) == form


def test_the_old_wording_would_fail() -> None:
    body = "Вернуть товар можно в течение {return_days} после получения."
    assert _number_slots(body) == [("return_days", "gent")]
    text = render(body, {**sample_values(), "return_days": 21}, now=SAMPLE_NOW)
    assert "21\u00a0день" in text and _expected("день", 21, "gent") == "дня"
