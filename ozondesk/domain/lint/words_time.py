"""Times and dates written in words: «до шести вечера по МСК», «к 9 утра», «до полудня», «пятого декабря».

Buyers and agents write deadlines this way as often as «18:00»; without this grammar
such a reply counts as a promise with no deadline. The scanners return atoms in the
same shape as the digit patterns of deadlines.py (kind, start, end, groups), so
«завтра» + «до шести вечера» + «по МСК» join into one mention and resolve to one
Moscow instant. They run on normalised text (lowercase, ё→е).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from ozondesk.domain.lint.text_numbers import CARDINALS, ORDINALS

MONTHS_GEN = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

# Shared with deadlines.py: «МСК», «(МСК)», «по МСК», «по Москве», «по московскому времени».
TZ = r"(?P<tz>\s*(?:\(\s*мск\s*\)|(?:по\s+)?мск|по\s+(?:московскому|москве)(?:\s+времени)?|московского\s+времени))?"

_HOUR_WORDS = "|".join(
    sorted((w for w, n in CARDINALS.items() if 1 <= n <= 24), key=len, reverse=True)
)
_DAY_WORDS = "|".join(sorted(ORDINALS, key=len, reverse=True))
_PART = r"(?P<part>утра|дня|вечера|ночи)"
_HOUR_UNIT = r"(?:час(?:а|ов|ам|у|ом)?)"

# An hour needs something that makes it a clock time: «часов», a part of the day or a
# time zone; «до 5 штук» and «к двум заказам» are not times.
_CLOCK = re.compile(
    r"(?<![\w.:])(?P<prep>до|к|ко|в|во|с|со|около|после)\s+"
    r"(?P<h>\d{1,2}|" + _HOUR_WORDS + r")"
    r"(?:\s+" + _HOUR_UNIT + r"(?P<unit>)(?:\s+(?P<m>\d{1,2}|ноль\s+ноль)\s+минут\w*)?)?"
    r"(?:\s+" + _PART + r")?" + TZ + r"(?![\w])"
)
_NOON = re.compile(
    r"(?<![\w])(?:до|к|в|около|после)\s+(?P<word>полудня|полдень|полуночи|полночь|час\s+дня)"
    + TZ
    + r"(?![\w])"
)
_DAY = re.compile(
    r"(?<![\w])(?P<day>" + _DAY_WORDS + r")\s+(?P<month>" + "|".join(MONTHS_GEN) + r")(?![\w])"
)
# «до 5-го декабря», «к 25-му ноября»: digits with an ordinal ending.
_DAY_DIGITS = re.compile(
    r"(?<![\d.])(?P<day>0?[1-9]|[12]\d|3[01])-?(?:го|е|му|м)\s+(?P<month>"
    + "|".join(MONTHS_GEN)
    + r")(?![\w])"
)


# The longest text a month-anchored pattern may hold before the blanks and the month.
_DAY_REACH = max(len(w) for w in ORDINALS)
_DAY_DIGITS_REACH = len("31-го")


@lru_cache(maxsize=8)
def _after_digit(marks: tuple[str, ...]) -> re.Pattern[str]:
    # A mark's pattern has digits right before it.
    return re.compile(r"(?<=\d)(?:" + "|".join(re.escape(m) for m in marks) + ")")


def anchored(
    rx: re.Pattern[str], norm: str, anchors: Iterable[str], reach: int, blanks: bool
) -> Iterator[re.Match[str]]:
    """``rx.finditer(norm)`` for a pattern shaped «(at most ``reach`` characters)anchor…»,
    where an anchor is a month name (``blanks``: after one or more blanks) or a mark («:»)
    right after a digit.

    Such a pattern starts with a look-behind and an alternation, so the engine tries it
    at every position of the text; anchors are rare, so this tries only the positions
    where a match can begin: up to ``reach`` characters before each anchor (before its
    blanks). Those positions are tried in text order, and one left of a previous match's
    end is skipped as ``finditer`` skips it, so the matches are the same.
    """
    hits: list[int] = []
    if blanks:
        for anchor in anchors:
            at = norm.find(anchor)
            while at >= 0:
                hits.append(at)
                at = norm.find(anchor, at + 1)
        hits.sort()
    else:
        # Only the marks right after a digit, found by the engine: «a.» × 50,000 has none.
        hits = [m.start() for m in _after_digit(tuple(anchors)).finditer(norm)]
    edge = 0
    for at in hits:
        end = at
        if blanks:
            while end > 0 and norm[end - 1].isspace():  # str.isspace is re's \s
                end -= 1
            if end == at:
                continue
        for start in range(max(edge, end - reach), end):
            m = rx.match(norm, start)
            if m:
                edge = m.end()
                yield m
                break


# A match must contain one of these; without any, the scan is skipped (the usual reply).
_CLOCK_GUARDS = ("час", "утра", "дня", "вечера", "ночи", "мск", "москв", "москов")
_NOON_GUARDS = ("полд", "полуд", "полуноч", "полноч", "час")


def find_word_atoms(norm: str) -> Iterator[tuple[str, int, int, dict[str, str | None]]]:
    """(kind, start, end, groups) for every time or date written (partly) in words."""
    clock = any(g in norm for g in _CLOCK_GUARDS)
    for m in _CLOCK.finditer(norm) if clock else ():
        has_unit = m.group("unit") is not None
        if not (has_unit or m.group("part") or m.group("tz")):
            continue
        hour = _hour(m.group("h"), m.group("part"))
        if hour is None:
            continue
        minute = m.group("m")
        minutes = int(minute) if minute and minute.isdigit() and int(minute) < 60 else 0
        yield "time", m.start(), m.end(), {"h": str(hour), "m": str(minutes), "tz": m.group("tz")}
    for m in _NOON.finditer(norm) if any(g in norm for g in _NOON_GUARDS) else ():
        # «до полуночи» is the end of that day: 23:59 keeps it on the same date.
        word = m.group("word")
        h, mi = (
            ("12", "0")
            if word in ("полудня", "полдень")
            else ("13", "0")
            if word.startswith("час")
            else ("23", "59")
        )
        yield "time", m.start(), m.end(), {"h": h, "m": mi, "tz": m.group("tz")}
    if not any(month in norm for month in MONTHS_GEN):
        return
    for m in anchored(_DAY, norm, MONTHS_GEN, _DAY_REACH, blanks=True):
        day = str(ORDINALS[m.group("day")])
        yield "date", m.start(), m.end(), {"day": day, "month": m.group("month")}
    for m in anchored(_DAY_DIGITS, norm, MONTHS_GEN, _DAY_DIGITS_REACH, blanks=True):
        yield "date", m.start(), m.end(), {"day": m.group("day"), "month": m.group("month")}


def _hour(raw: str, part: str | None) -> int | None:
    value = int(raw) if raw.isdigit() else CARDINALS.get(raw)
    if value is None or not 0 <= value <= 24:
        return None
    if value == 24:
        return 0
    if part in ("вечера", "дня") and 1 <= value < 12:
        # «в час дня» is 13:00, «в шесть вечера» 18:00; «в 12 дня» stays noon.
        value += 12
    elif part == "ночи" and value == 12:
        value = 0
    return value if value <= 23 else None
