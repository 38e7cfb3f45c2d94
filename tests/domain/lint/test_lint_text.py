"""Normalising, tokenising and finding time references keep offsets exact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.lint import lint
from ozondesk.domain.lint.deadlines import find_mentions, resolve
from ozondesk.domain.lint.text import mask_quotes, normalise, tokenise

NOW = MOSCOW.localize(datetime(2025, 11, 24, 10, 0))


def test_normalise_keeps_length() -> None:
    text = "ЁЛКА\u00a0İstanbul Разберёмся"
    out = normalise(text)
    assert len(out) == len(text)
    assert out.startswith("елка ")
    assert "разберемся" in out


def test_quotes_are_masked_in_place() -> None:
    text = "Ответ:\n> вопрос покупателя\n  > ещё\nКонец"
    masked = mask_quotes(text)
    assert len(masked) == len(text)
    assert "вопрос" not in masked and masked.endswith("\nКонец")


def test_tokens_carry_offsets_and_sentences() -> None:
    text = "Вот-вот придёт. Трек-номер: RU1!"
    tokens = tokenise(normalise(text), text)
    words = [(t.norm, t.sentence) for t in tokens if t.kind == "word"]
    assert words == [("вот-вот", 0), ("придет", 0), ("трек-номер", 1), ("ru", 1)]
    for t in tokens:
        assert normalise(text[t.start : t.end]) == t.norm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("до 18:00 МСК", "2025-11-24T15:00:00+00:00"),
        ("завтра до 12:00", "2025-11-25T09:00:00+00:00"),
        ("25 ноября, 18:00 МСК", "2025-11-25T15:00:00+00:00"),
        ("в течение 2 часов", "2025-11-24T09:00:00+00:00"),
        ("в пятницу до 15.00", "2025-11-28T12:00:00+00:00"),
        ("28 ноября с 10:00 до 18:00 по московскому времени", "2025-11-28T15:00:00+00:00"),
    ],
)
def test_mentions_resolve_to_instants(text: str, expected: str) -> None:
    [mention] = find_mentions(normalise(text))
    resolved = resolve(mention, NOW)
    assert resolved is not None and resolved.instant is not None
    assert resolved.instant.astimezone(UTC).isoformat() == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("25 ноября", "2025-11-25"),
        ("05.12.2025", "2025-12-05"),
        ("5 января", "2026-01-05"),
        ("в течение 3 рабочих дней", "2025-11-27"),
        ("2025-12-01", "2025-12-01"),
    ],
)
def test_mentions_resolve_to_days(text: str, day: str) -> None:
    [mention] = find_mentions(normalise(text))
    resolved = resolve(mention, NOW)
    assert resolved is not None and resolved.day.isoformat() == day


@pytest.mark.parametrize(
    "text", ["в ближайшее время", "как можно скорее", "24,5 см", "39092844-0015-1", "31 ноября"]
)
def test_not_a_concrete_time(text: str) -> None:
    mentions = find_mentions(normalise(text))
    assert all(resolve(m, NOW) is None for m in mentions)


_ALPHABET = st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁ abcCoOXx0123456789.,:;!?-~()>«»\n@+/")
    + ["😊", "您", "\u00a0", "İ"]
)
_PIECES = st.sampled_from(
    [
        "постараемся ",
        "в ближайшее время",
        " до 18:00 МСК",
        "возможно, ",
        "Дорогой ",
        "скидка ",
        "+7 999 123-45-67",
        "\n> цитата\n",
        "не ",
        "извините ",
        "25 ноября ",
        "вернём ",
    ]
)


@given(st.lists(st.one_of(_ALPHABET, _PIECES), max_size=80).map("".join))
def test_findings_always_point_into_the_text(text: str) -> None:
    findings = lint(text)
    assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.rule))
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.text == text[f.start : f.end]
        assert f.severity in ("error", "warning", "info")
        assert f.message
