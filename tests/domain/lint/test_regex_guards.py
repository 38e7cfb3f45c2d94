"""The shortcuts that make linting fast never change what it finds.

regex_guards.py skips a rule regex when a literal every match needs is absent;
words_time.anchored scans the deadline patterns only next to their anchors. Both
must give exactly what a plain ``finditer`` gives, on any text.
"""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from ozondesk.domain.lint import default_linter
from ozondesk.domain.lint.deadlines import _CLOCK_TIME, _DATE_MONTH, _DOTTED_DATE, MONTHS
from ozondesk.domain.lint.regex_guards import (
    FOLD_EXCEPTIONS,
    GUARD_CHARS,
    guards_for,
    lowest_char,
)
from ozondesk.domain.lint.words_time import (
    _DAY,
    _DAY_DIGITS,
    _DAY_DIGITS_REACH,
    _DAY_REACH,
    MONTHS_GEN,
    anchored,
)

ICASE = regex.V0 | regex.IGNORECASE


@pytest.mark.parametrize(
    ("pattern", "flags", "guards"),
    [
        (r"(?<![\w])cash\s?back(?![\w])", ICASE, ("cash",)),
        (r"(?:https?://|www\.)[^\s]*", ICASE, ("http", "www.")),
        (r"\){2,}|\({2,}", ICASE, ("((", "))")),
        (r"[!?]{2,}", regex.V0, ("!!", "!?", "?!", "??")),
        (r"(?<=\.(?:ru|com))x", regex.V0, ("com", "ru")),
        (r"WhatsApp", regex.V0, ("WhatsApp",)),  # case-sensitive: as written
        (r"WhatsApp", ICASE, ("whatsapp",)),  # case-insensitive: lowercase
        (r"(?i:Viber)", regex.V0, ("viber",)),  # inline flag counts too
        (r"[а-я]{4,}", ICASE, None),  # a range: no guard
        (r"\w+@", ICASE, ("@",)),
        (r"a|", ICASE, None),  # an empty branch matches anywhere
        (r"x*", ICASE, None),
        (r"(?:cash){e<=1}", ICASE, None),  # fuzzy matching is ``regex`` syntax
        (r"[[:alpha:]]+", ICASE, None),  # so are POSIX classes
        (r"\p{Han}+", ICASE, None),  # and properties: re's parser refuses them
        (r"(?r)abc", ICASE, None),
    ],
)
def test_guards_read_off_the_pattern(
    pattern: str, flags: int, guards: tuple[str, ...] | None
) -> None:
    assert guards_for(pattern, flags) == guards


def test_case_folding_tables_match_the_engine() -> None:
    # Every character a guard may hold, in both cases, must match under IGNORECASE only
    # characters that lowercase to it, or one of FOLD_EXCEPTIONS (which turn guards off).
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for ch in sorted(GUARD_CHARS):
        for form in {ch, ch.upper()}:
            if len(form) != 1:
                continue
            matched = set(regex.compile(regex.escape(form), ICASE).findall(everything))
            odd = {m for m in matched if m.lower() != ch and m not in FOLD_EXCEPTIONS}
            assert not odd, (ch, sorted(odd))
    # Lowercasing never produces an exception character from an ordinary one.
    made = {c.lower() for c in everything} & set(FOLD_EXCEPTIONS)
    assert made <= {c.lower() for c in FOLD_EXCEPTIONS}


@pytest.mark.parametrize(
    ("pattern", "flags", "lowest"),
    [
        ("[🌀-🫿☀-➿]", ICASE, 0x2600),
        ("x[⺀-⿟]+", ICASE, 0x2E80),
        ("₽|€", ICASE, 0x20AC),
        ("[⺀-⿟]|a", ICASE, None),  # «a» alone is a match
        ("[Ａ-Ｚ]", ICASE, 0xFF21),
        ("[Ω-Ω]", ICASE, None),  # the Ohm sign folds to ω, U+03C9: too low to tell
        (r"\w+", ICASE, None),
    ],
)
def test_lowest_character_read_off_the_pattern(
    pattern: str, flags: int, lowest: int | None
) -> None:
    assert lowest_char(pattern, flags) == lowest


def test_no_match_of_a_shipped_regex_lies_below_its_lowest_character() -> None:
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    checked = 0
    for rx in _shipped_regexes():
        lowest = lowest_char(rx.pattern, rx.flags)
        if lowest is None:
            continue
        checked += 1
        for m in rx.finditer(everything):
            assert ord(max(m.group().lower())) >= lowest, (rx.pattern, m.group()[:5])
    assert checked >= 3


def _shipped_regexes() -> list[regex.Pattern[str]]:
    out = []
    for rule in default_linter().ruleset.rules:
        out.extend(rule.regexes)
        out.extend(rule.exception_regexes)
        out.extend(rule.params.get("markers_regex", ()))
    return out


_FRAGMENTS = [
    "WhatsApp", "whats app", "Телеграм", "вотсап", "промокод", "ПРОМО-КОД", "кэшбэк", "CashBack",
    "8 900 123-45-67", "+7 (900) 123 45 67", "a@b.ru", "@shop_ru", "http://x.ru/a", "www.x.com",
    "shop.ru", "ozon.ru/t/1", "заказик", "минуточку", ":)", ";-(", "))", "((", "^^", "<3", "xD",
    "~", "~ 3", "❤", "😊", "中文", "ПВЗ", "СРОЧНО", "!!", "?!", "₽", "5 %", "руб.", "ſ", "İ",
    "\u1c82", "K", "ı", "ё", "Ё", " ", ". ", "\n", "> цитата\n",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=4), max_size=12))
def test_a_guarded_regex_is_skipped_only_when_it_cannot_match(parts: list[str]) -> None:
    text = "".join(parts)
    for subject in (text, text.lower().replace("ё", "е")):
        for rx in _shipped_regexes():
            guards = guards_for(rx.pattern, rx.flags)
            if guards is None or not list(rx.finditer(subject)):
                continue
            folded = rx.flags & regex.IGNORECASE
            if folded and re.search("[" + FOLD_EXCEPTIONS + "]", subject):
                continue  # the linter scans such a text without guards
            view = subject.lower() if folded else subject
            assert any(g in view for g in guards), (rx.pattern, subject)
        for rx in _shipped_regexes():
            lowest = lowest_char(rx.pattern, rx.flags)
            if lowest is not None and list(rx.finditer(subject)):
                assert ord(max(subject.lower())) >= lowest, (rx.pattern, subject)


def test_linting_is_the_same_with_and_without_guards() -> None:
    linter = default_linter()
    text = "Пишите в WhatsApp +7 900 123-45-67 или на shop.ru :) Промокод SALE!! ~3 дня " * 3
    with_guards = linter.lint(text)
    unguarded = type(linter)(linter.ruleset)
    unguarded.guards = lambda rx: (None, False, None)  # type: ignore[method-assign]
    assert with_guards == unguarded.lint(text)
    assert {f.rule for f in with_guards} >= {
        "off-platform.messenger",
        "off-platform.contact",
        "promotional.words",
    }


_DEADLINE_FRAGMENTS = [
    "5", "05", "31", "1", "2026", "г.", " ", "  ", "\n", ".", ":", ",", "-", "-го", "го", "е",
    "декабря", "января", "мая", "маяк", "пятого", "двадцать", "первого", "двадцать первого",
    "третьего", "18", "00", "30", "а", "до ", "к ", "по мск",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_DEADLINE_FRAGMENTS), max_size=16))
def test_anchored_scans_find_what_finditer_finds(parts: list[str]) -> None:
    text = "".join(parts)
    cases = [
        (_DAY, MONTHS_GEN, _DAY_REACH, True),
        (_DAY_DIGITS, MONTHS_GEN, _DAY_DIGITS_REACH, True),
        (_DATE_MONTH, MONTHS, 2, True),
        (_DOTTED_DATE, (".",), 2, False),
        (_CLOCK_TIME, (":",), 2, False),
    ]
    for rx, anchors, reach, blanks in cases:
        expected = [(m.span(), m.groupdict()) for m in rx.finditer(text)]
        got = [(m.span(), m.groupdict()) for m in anchored(rx, text, anchors, reach, blanks)]
        assert got == expected, (rx.pattern[:40], text)
