"""Concrete times and dates in a reply, and what instant each one promises.

The regexes are the project's own (see shared/ru-reply-style.md §4); they run on
normalised text (lowercase, ё→е). Adjacent pieces such as «завтра» + «до 12:00»
or «25 ноября» + «18:00 МСК» form one mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ozondesk.domain.clock import MOSCOW, as_utc, to_msk
from ozondesk.domain.lint.model import CalendarLike
from ozondesk.domain.lint.text_numbers import CARDINALS
from ozondesk.domain.lint.words_time import TZ, anchored, find_word_atoms

MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
_WEEKDAYS_ACC = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье")
_WEEKDAYS_GEN = (
    "понедельника",
    "вторника",
    "среды",
    "четверга",
    "пятницы",
    "субботы",
    "воскресенья",
)
_WEEKDAY_STEMS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")
_NUMBER_WORDS = {
    "одного": 1, "одной": 1, "один": 1, "одну": 1, "одни": 1, "одних": 1,
    "двух": 2, "два": 2, "две": 2, "трех": 3, "три": 3, "четырех": 4, "четыре": 4,
    "пяти": 5, "пять": 5, "шести": 6, "шесть": 6, "семи": 7, "семь": 7,
    "десяти": 10, "десять": 10, "пятнадцати": 15, "тридцати": 30, "полутора": 1,
}  # fmt: skip
_NUMBER_WORDS = {**CARDINALS, **_NUMBER_WORDS}
_NUM_WORDS_RE = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

_TZ = TZ
# Each pattern with the words or marks a match must contain: a pattern whose guards are all
# absent is not run at all (most replies have no «:» and no weekday), which is most of the
# time a reply spends here.
# These three start with a look-behind and digits, so they are scanned only at the digits
# just before their anchor (words_time.anchored): «5 декабря», «05.12», «18:00».
_DOTTED_DATE = re.compile(
    r"(?<![\d.:,])(?P<day>0?[1-9]|[12]\d|3[01])\.(?P<mon>0?[1-9]|1[0-2])"
    r"(?:\.(?P<year>(?:20)?\d\d))?(?![\d:]|\.\d)"
)
_CLOCK_TIME = re.compile(r"(?<![\d.:])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])" + _TZ)
_DATE_MONTH = re.compile(
    r"(?<![\d.])(?P<day>0?[1-9]|[12]\d|3[01])\s+(?P<month>" + "|".join(MONTHS) + r")"
    r"(?:\s+(?P<year>20\d\d)(?:\s*г(?:ода|\.)?)?)?(?![а-я])"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("date", _DATE_MONTH, MONTHS),
    ("date", _DOTTED_DATE, (".",)),
    (
        "date",
        re.compile(r"(?<!\d)(?P<year>20\d\d)-(?P<mon>0[1-9]|1[0-2])-(?P<day>[0-2]\d|3[01])(?!\d)"),
        ("-",),
    ),
    ("time", _CLOCK_TIME, (":",)),
    (
        "time",
        # A dotted time only after a preposition, so 05.12 stays a date.
        re.compile(r"(?<![\w])(?:в|до|к|с)\s+(?P<h>[01]?\d|2[0-3])\.(?P<m>[0-5]\d)(?![\d.])" + _TZ),
        (".",),
    ),
    (
        "relday",
        re.compile(r"(?<![\w-])(?P<rel>сегодня|завтра|послезавтра)(?![\w-])"),
        ("сегодня", "завтра"),
    ),
    (
        "weekday",
        re.compile(
            r"(?<![\w])(?:во?|до|к|ко)\s+(?P<wd>"
            + "|".join(_WEEKDAYS_ACC + _WEEKDAYS_GEN)
            + r")(?![\w])"
        ),
        _WEEKDAY_STEMS,
    ),
    (
        "endof",
        re.compile(
            r"(?<![\w])до\s+конца\s+(?P<what>(?:этого\s+|сегодняшнего\s+)?(?:рабочего\s+)?(?:дня|недели))(?![\w])"
        ),
        ("конца",),
    ),
    (
        "within",
        re.compile(
            r"(?<![\w])(?:в\s+течение|через|не\s+позднее\s+чем\s+через|не\s+позже\s+чем\s+через)\s+"
            r"(?:(?P<n>\d+|" + _NUM_WORDS_RE + r")\s+)?"
            r"(?:(?P<work>рабоч\w*)\s+|календарн\w*\s+)?"
            r"(?P<unit>минут[уы]?|час(?:а|ов)?|суток|сутки|дн(?:я|ей)|день|недел[юиь]|недель)(?![\w])"
        ),
        ("течение", "через"),
    ),
)
_JOIN_GAP = re.compile(r"^[\s,(–—-]*(?:(?:до|в|во|к|с|по|не\s+позднее|не\s+позже)\s*)?[\s,]*$")


@dataclass(frozen=True, slots=True)
class _Atom:
    kind: str
    start: int
    end: int
    groups: dict[str, str | None]


@dataclass(frozen=True)
class Mention:
    """A concrete time reference: one or more adjacent atoms."""

    start: int
    end: int
    atoms: tuple[_Atom, ...]

    @property
    def has_clock_time(self) -> bool:
        return any(a.kind == "time" for a in self.atoms)

    @property
    def has_time_zone(self) -> bool:
        return any(a.kind == "time" and a.groups.get("tz") for a in self.atoms)

    def last_time_span(self) -> tuple[int, int] | None:
        times = [a for a in self.atoms if a.kind == "time"]
        return (times[-1].start, times[-1].end) if times else None


@dataclass(frozen=True)
class Resolved:
    """What a mention promises: a day (Moscow), and an instant when a clock time is known."""

    day: date
    instant: datetime | None  # aware, UTC


def find_mentions(norm: str) -> list[Mention]:
    atoms: list[_Atom] = []
    for kind, regex, guards in _PATTERNS:
        if not any(g in norm for g in guards):
            continue
        if regex is _DATE_MONTH:
            found: Iterable[re.Match[str]] = anchored(regex, norm, MONTHS, 2, blanks=True)
        elif regex is _DOTTED_DATE or regex is _CLOCK_TIME:
            found = anchored(regex, norm, guards, 2, blanks=False)
        else:
            found = regex.finditer(norm)
        for m in found:
            atoms.append(_Atom(kind, m.start(), m.end(), m.groupdict()))
    for kind, start, end, groups in find_word_atoms(norm):
        atoms.append(_Atom(kind, start, end, groups))
    atoms.sort(key=lambda a: (a.start, -(a.end - a.start)))
    kept: list[_Atom] = []
    for atom in atoms:
        if kept and atom.start < kept[-1].end:
            continue  # «05.12.2025» is one date, not a date and a time
        kept.append(atom)
    mentions: list[Mention] = []
    group: list[_Atom] = []
    for atom in kept:
        if group and len(norm) and _joinable(norm[group[-1].end : atom.start]):
            group.append(atom)
            continue
        if group:
            mentions.append(Mention(group[0].start, group[-1].end, tuple(group)))
        group = [atom]
    if group:
        mentions.append(Mention(group[0].start, group[-1].end, tuple(group)))
    return mentions


def _joinable(gap: str) -> bool:
    return len(gap) <= 16 and bool(_JOIN_GAP.match(gap))


def resolve(
    mention: Mention, now: datetime, calendar: CalendarLike | None = None
) -> Resolved | None:
    """The day and instant a mention promises, seen from ``now``; None if it cannot be placed."""
    now_msk = to_msk(now)
    today = now_msk.date()
    day: date | None = None
    clock: time | None = None
    for atom in mention.atoms:
        g = atom.groups
        if atom.kind == "date":
            day = _date_of(g, today)
            if day is None:
                return None
        elif atom.kind == "relday":
            day = today + timedelta(days=("сегодня", "завтра", "послезавтра").index(g["rel"] or ""))
        elif atom.kind == "weekday":
            name = g["wd"] or ""
            target = (_WEEKDAYS_ACC + _WEEKDAYS_GEN).index(name) % 7
            day = today + timedelta(days=(target - today.weekday()) % 7)
        elif atom.kind == "endof":
            what = g["what"] or ""
            day = today if what.endswith("дня") else today + timedelta(days=6 - today.weekday())
            clock = clock or time(23, 59)
        elif atom.kind == "time":
            clock = time(int(g["h"] or 0), int(g["m"] or 0))
        elif atom.kind == "within":
            return _within(g, now, today, calendar)
    if clock is not None:
        day = day or today
        instant = MOSCOW.localize(datetime.combine(day, clock)).astimezone(UTC)
        return Resolved(day, instant)
    if day is not None:
        return Resolved(day, None)
    return None


def _date_of(g: dict[str, str | None], today: date) -> date | None:
    day = int(g["day"] or 0)
    month = MONTHS.index(g["month"]) + 1 if g.get("month") else int(g.get("mon") or 0)
    year_raw = g.get("year")
    if year_raw:
        year = int(year_raw) + (2000 if len(year_raw) == 2 else 0)
        try:
            return date(year, month, day)
        except ValueError:
            return None
    # No year: the occurrence nearest to today (28 декабря → 5 января is next year).
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - today).days))


def _within(
    g: dict[str, str | None], now: datetime, today: date, calendar: CalendarLike | None
) -> Resolved:
    raw = g.get("n")
    n = 1 if not raw else int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = g.get("unit") or ""
    if unit.startswith(("минут", "час")):
        delta = timedelta(minutes=n) if unit.startswith("минут") else timedelta(hours=n)
        instant = as_utc(now) + delta
        return Resolved(to_msk(instant).date(), instant)
    if unit.startswith("недел"):
        return Resolved(today + timedelta(days=7 * n), None)
    if unit in ("суток", "сутки"):
        instant = as_utc(now) + timedelta(days=n)
        return Resolved(to_msk(instant).date(), instant)
    if g.get("work") and calendar is not None:
        return Resolved(calendar.add_working_days(today, n), None)
    return Resolved(today + timedelta(days=n), None)
