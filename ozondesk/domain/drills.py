"""Offline drills: mock tickets a trainee answers, and how an answer is scored.

A drill set is a JSON file (schema in docs/drill-set-schema.md). Parsing collects
every problem with its place (``drills[2].facts[0].terms: …``) and raises them
together as one :class:`DrillSetError`, so a trainer fixes a file in one pass and
a bad file changes nothing.

Scoring has four criteria, 25 points each; a drill passes only at 100:

* **lint** — the answer is not empty and the reply linter finds no error-level problem;
* **deadline** — the answer names a concrete deadline (see :func:`concrete_deadlines`);
* **facts** — every required fact is stated; points in proportion to the facts found.
  A fact is a list of terms, each a list of alternatives (a word, a number or a phrase);
  a term is found when some alternative's words appear in a row in the answer with a
  common normal form, so «вернём деньги» states the fact written as «вернуть деньги»;
* **time** — the answer was submitted within the drill's time limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeGuard

from ozondesk.domain.json_files import JsonFileError, parse_json, read_text, write_atomically
from ozondesk.domain.lint import LintContext, lint
from ozondesk.domain.lint.deadlines import find_mentions
from ozondesk.domain.lint.morph import analyzer, fold
from ozondesk.domain.lint.text import mask_quotes, normalise
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _, ngettext
from ozondesk.resources import resource_path

SCHEMA_VERSION = 1
Family = Literal["return-policy", "logistics-delay", "counterfeit"]
FAMILIES: tuple[Family, ...] = ("return-policy", "logistics-delay", "counterfeit")
FAMILY_LABELS: dict[str, str] = {
    "return-policy": N_("Return policy"),
    "logistics-delay": N_("Logistics delay"),
    "counterfeit": N_("Counterfeit complaint"),
}
SCHEMES = ("FBO", "FBS", "rFBS")
MAX_TIME_LIMIT_MINUTES = 240
PASS_SCORE = 100

CRITERIA = ("lint", "deadline", "facts", "time")
CRITERION_LABELS: dict[str, str] = {
    "lint": N_("No lint errors"),
    "deadline": N_("A concrete deadline"),
    "facts": N_("Required facts"),
    "time": N_("Within the time limit"),
}
_POINTS = 25

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SET_KEYS = ("schema_version", "id", "title", "version", "language", "description", "drills")
_DRILL_KEYS = ("id", "title", "family", "time_limit_minutes", "scenario_ru", "gloss_zh", "context",
               "facts")  # fmt: skip
_CONTEXT_KEYS = ("buyer_name", "order_number", "posting_number", "scheme", "status", "ordered_at",
                 "items", "logistics", "notes_zh")  # fmt: skip
_ITEM_KEYS = ("name", "quantity", "price_rub")
_EVENT_KEYS = ("date", "event")
_FACT_KEYS = ("id", "text", "gloss_zh", "terms")


# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MockItem:
    name: str
    quantity: int = 1
    price_rub: int = 0


@dataclass(frozen=True)
class LogisticsEvent:
    date: date
    event: str


@dataclass(frozen=True)
class MockContext:
    """The order around the buyer's message; invented, never a real buyer's."""

    order_number: str
    posting_number: str
    scheme: str
    status: str
    buyer_name: str = ""
    ordered_at: date | None = None
    items: tuple[MockItem, ...] = ()
    logistics: tuple[LogisticsEvent, ...] = ()
    notes_zh: str = ""


@dataclass(frozen=True)
class Fact:
    """Something a good answer must state. ``terms``: each a tuple of alternatives."""

    id: str
    text: str
    terms: tuple[tuple[str, ...], ...]
    gloss_zh: str = ""


@dataclass(frozen=True)
class Drill:
    id: str
    title: str
    family: str
    time_limit_minutes: int
    scenario_ru: str
    gloss_zh: str
    context: MockContext
    facts: tuple[Fact, ...]

    @property
    def time_limit(self) -> timedelta:
        return timedelta(minutes=self.time_limit_minutes)


@dataclass(frozen=True)
class DrillSet:
    id: str
    title: str
    drills: tuple[Drill, ...]
    version: str = "1.0.0"
    language: str = "ru"
    description: str = ""

    def get(self, drill_id: str) -> Drill | None:
        return next((d for d in self.drills if d.id == drill_id), None)


# -- to JSON -----------------------------------------------------------------------------


def context_to_dict(ctx: MockContext) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ctx.buyer_name:
        out["buyer_name"] = ctx.buyer_name
    out.update(order_number=ctx.order_number, posting_number=ctx.posting_number, scheme=ctx.scheme,
               status=ctx.status)  # fmt: skip
    if ctx.ordered_at is not None:
        out["ordered_at"] = ctx.ordered_at.isoformat()
    out["items"] = [{"name": i.name, "quantity": i.quantity, "price_rub": i.price_rub} for i in ctx.items]
    out["logistics"] = [{"date": e.date.isoformat(), "event": e.event} for e in ctx.logistics]
    if ctx.notes_zh:
        out["notes_zh"] = ctx.notes_zh
    return out


def fact_to_dict(fact: Fact) -> dict[str, Any]:
    out: dict[str, Any] = {"id": fact.id, "text": fact.text}
    if fact.gloss_zh:
        out["gloss_zh"] = fact.gloss_zh
    out["terms"] = [list(term) for term in fact.terms]
    return out


def drill_to_dict(drill: Drill) -> dict[str, Any]:
    return {
        "id": drill.id,
        "title": drill.title,
        "family": drill.family,
        "time_limit_minutes": drill.time_limit_minutes,
        "scenario_ru": drill.scenario_ru,
        "gloss_zh": drill.gloss_zh,
        "context": context_to_dict(drill.context),
        "facts": [fact_to_dict(f) for f in drill.facts],
    }


def set_to_dict(drill_set: DrillSet) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": drill_set.id,
        "title": drill_set.title,
        "version": drill_set.version,
        "language": drill_set.language,
    }
    if drill_set.description:
        out["description"] = drill_set.description
    out["drills"] = [drill_to_dict(d) for d in drill_set.drills]
    return out


def dumps_set(drill_set: DrillSet) -> str:
    return json.dumps(set_to_dict(drill_set), ensure_ascii=False, indent=2) + "\n"


def save_set(drill_set: DrillSet, path: Path | str) -> None:
    """Write atomically, so a crash never leaves half a file behind."""
    try:
        write_atomically(path, dumps_set(drill_set))
    except OSError as exc:
        raise UserError(
            _("cannot write {path}: {reason}").format(path=Path(path), reason=exc.strerror or exc)
        ) from None


# -- from JSON ---------------------------------------------------------------------------


class DrillSetError(JsonFileError):
    """A drill-set file that cannot be used; ``problems`` lists every issue with its place."""

    @staticmethod
    def summary(n: int, problems: str) -> str:
        return _("invalid drill set ({n} problems): {problems}").format(n=n, problems=problems)


class _Checker:
    """Reads fields of one object, noting each problem with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def bad(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    def keys(self, raw: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in sorted(set(raw) - set(allowed)):
            self.bad(f"{where}.{key}" if where else str(key), _("unknown key"))

    def object(
        self, raw: Any, allowed: Sequence[str], where: str, missing: str | None = None
    ) -> TypeGuard[Mapping[str, Any]]:
        """Whether ``raw`` is an object (if not, ``missing`` or "must be an object" is noted);
        its unknown keys are noted."""
        if not isinstance(raw, Mapping):
            self.bad(where, _("must be an object") if missing is None else missing)
            return False
        self.keys(raw, allowed, where)
        return True

    def text(self, raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = raw.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.bad(f"{where}.{key}" if where else key,
                     _("required, a non-empty text") if required else _("must be a text"))
            return ""
        return value

    def slug(self, raw: Mapping[str, Any], key: str, where: str, example: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not _SLUG.match(value):
            self.bad(f"{where}.{key}" if where else key,
                     _("required, a slug such as {example!r}").format(example=example))
            return ""
        return value

    def whole(self, raw: Mapping[str, Any], key: str, where: str, low: int, high: int,
              default: int | None = None) -> int:  # fmt: skip
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.bad(f"{where}.{key}",
                     _("required, a whole number from {low} to {high}").format(low=low, high=high))
            return low
        return value

    def day(self, value: Any, where: str) -> date | None:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.bad(where, _("must be a date written as YYYY-MM-DD"))
        return None

    def objects(self, raw: Mapping[str, Any], key: str, where: str, *, non_empty: bool) -> list[Any]:
        value = raw.get(key, [] if not non_empty else None)
        if not isinstance(value, list) or (non_empty and not value):
            self.bad(f"{where}.{key}" if where else key,
                     _("required, a non-empty list") if non_empty else _("must be a list"))
            return []
        return value


def parse_set(data: Any, source: str = "") -> DrillSet:
    """Validate a decoded JSON document and build a :class:`DrillSet`, or raise DrillSetError."""
    if not isinstance(data, Mapping):
        raise DrillSetError([_("the top level must be a JSON object")], source)
    problems: list[str] = []
    c = _Checker(problems)
    c.keys(data, _SET_KEYS, "")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        c.bad("schema_version", _("required, the whole number {n}").format(n=SCHEMA_VERSION))
    elif version > SCHEMA_VERSION:
        raise DrillSetError(
            [_("schema_version: {v} is newer than this OzonDesk reads ({n}); update OzonDesk").format(
                v=version, n=SCHEMA_VERSION)],
            source,
        )
    set_id = c.slug(data, "id", "", "starter-ru")
    title = c.text(data, "title", "")
    set_version = data.get("version", "1.0.0")
    if not isinstance(set_version, str) or not set_version.strip():
        c.bad("version", _('must be a non-empty text such as "1.0.0"'))
    if data.get("language", "ru") != "ru":
        c.bad("language", _('only "ru" drill sets are supported'))
    description = c.text(data, "description", "", required=False)
    drills: list[Drill] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(c.objects(data, "drills", "", non_empty=True)):
        where = f"drills[{i}]"
        drill = _parse_drill(raw, where, c)
        if drill is None:
            continue
        if drill.id in seen:
            c.bad(f"{where}.id", _("duplicate id {id!r} (also drills[{other}])").format(
                id=drill.id, other=seen[drill.id]))
        seen.setdefault(drill.id, i)
        drills.append(drill)
    if problems:
        raise DrillSetError(problems, source)
    return DrillSet(id=set_id, title=title, drills=tuple(drills), version=str(set_version),
                    language="ru", description=description)  # fmt: skip


def _parse_drill(raw: Any, where: str, c: _Checker) -> Drill | None:
    before = len(c.problems)
    if not c.object(raw, _DRILL_KEYS, where):
        return None
    drill_id = c.slug(raw, "id", where, "return-14-days")
    title = c.text(raw, "title", where)
    family = raw.get("family")
    if family not in FAMILIES:
        c.bad(f"{where}.family", _("must be one of {choices}").format(choices=", ".join(FAMILIES)))
    minutes = c.whole(raw, "time_limit_minutes", where, 1, MAX_TIME_LIMIT_MINUTES)
    scenario = c.text(raw, "scenario_ru", where)
    gloss = c.text(raw, "gloss_zh", where)
    context = _parse_context(raw.get("context"), f"{where}.context", c)
    facts: list[Fact] = []
    fact_ids: set[str] = set()
    for j, fraw in enumerate(c.objects(raw, "facts", where, non_empty=True)):
        fact = _parse_fact(fraw, f"{where}.facts[{j}]", c)
        if fact is None:
            continue
        if fact.id in fact_ids:
            c.bad(f"{where}.facts[{j}].id", _("duplicate fact id {id!r}").format(id=fact.id))
        fact_ids.add(fact.id)
        facts.append(fact)
    if len(c.problems) > before or context is None:
        return None
    return Drill(id=drill_id, title=title, family=str(family), time_limit_minutes=minutes,
                 scenario_ru=scenario, gloss_zh=gloss, context=context, facts=tuple(facts))  # fmt: skip


def _parse_context(raw: Any, where: str, c: _Checker) -> MockContext | None:
    before = len(c.problems)
    if not c.object(raw, _CONTEXT_KEYS, where, _("required, an object with the mock order")):
        return None
    order = c.text(raw, "order_number", where)
    posting = c.text(raw, "posting_number", where)
    scheme = raw.get("scheme")
    if scheme not in SCHEMES:
        c.bad(f"{where}.scheme", _("must be one of {choices}").format(choices=", ".join(SCHEMES)))
    status = c.text(raw, "status", where)
    buyer = c.text(raw, "buyer_name", where, required=False)
    notes = c.text(raw, "notes_zh", where, required=False)
    ordered_at = c.day(raw["ordered_at"], f"{where}.ordered_at") if "ordered_at" in raw else None
    items: list[MockItem] = []
    for k, item in enumerate(c.objects(raw, "items", where, non_empty=False)):
        at = f"{where}.items[{k}]"
        if not c.object(item, _ITEM_KEYS, at):
            continue
        items.append(MockItem(c.text(item, "name", at), c.whole(item, "quantity", at, 1, 10_000, 1),
                              c.whole(item, "price_rub", at, 0, 10_000_000, 0)))  # fmt: skip
    events: list[LogisticsEvent] = []
    for k, event in enumerate(c.objects(raw, "logistics", where, non_empty=False)):
        at = f"{where}.logistics[{k}]"
        if not c.object(event, _EVENT_KEYS, at):
            continue
        day = c.day(event.get("date"), f"{at}.date")
        text = c.text(event, "event", at)
        if day is not None:
            events.append(LogisticsEvent(day, text))
    if len(c.problems) > before:
        return None
    return MockContext(order_number=order, posting_number=posting, scheme=str(scheme), status=status,
                       buyer_name=buyer, ordered_at=ordered_at, items=tuple(items),
                       logistics=tuple(events), notes_zh=notes)  # fmt: skip


def _parse_fact(raw: Any, where: str, c: _Checker) -> Fact | None:
    before = len(c.problems)
    if not c.object(raw, _FACT_KEYS, where):
        return None
    fact_id = c.slug(raw, "id", where, "refund-term")
    text = c.text(raw, "text", where)
    gloss = c.text(raw, "gloss_zh", where, required=False)
    terms: list[tuple[str, ...]] = []
    raw_terms = raw.get("terms")
    if not isinstance(raw_terms, list) or not raw_terms:
        c.bad(f"{where}.terms", _("required, a non-empty list of terms, each a list of words"))
    else:
        for k, term in enumerate(raw_terms):
            if (
                not isinstance(term, list)
                or not term
                or not all(isinstance(a, str) and _words(a) for a in term)
            ):
                c.bad(f"{where}.terms[{k}]",
                      _("must be a non-empty list of alternatives, each a word, number or phrase"))
                continue
            terms.append(tuple(term))
    if len(c.problems) > before:
        return None
    return Fact(id=fact_id, text=text, terms=tuple(terms), gloss_zh=gloss)


def loads_set(text: str, source: str = "") -> DrillSet:
    return parse_set(parse_json(text, source, DrillSetError), source)


def load_set(path: Path | str) -> DrillSet:
    """Read and validate a drill-set file; a missing, non-UTF-8 or invalid file raises DrillSetError."""
    return loads_set(*read_text(path, DrillSetError))


def starter_set_path() -> Path:
    return resource_path("drills", "starter-ru.json")


def load_starter_set() -> DrillSet:
    return load_set(starter_set_path())


# -- lemmas ------------------------------------------------------------------------------

_WORD = re.compile(r"\d+|[^\W\d_]+(?:-[^\W\d_]+)*")
# Number words by lemma, so «четырнадцати» states the fact written «14» and a time can be
# written in words («до восемнадцати часов»).
_NUMERALS = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100,
}  # fmt: skip


def _words(text: str) -> list[str]:
    return [m.group(0) for m in _WORD.finditer(fold(text))]


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """Every normal form pymorphy3 offers for ``word`` (folded), plus the word itself.

    All parses count, not only the likeliest: «стали» is both сталь and стать, and the
    fact's own words go through the same door, so an ambiguous parse never hides a match.
    A number word also counts as its digits.
    """
    w = fold(word)
    if w.isdigit():
        return frozenset({str(int(w))})
    forms = {w} | {fold(p.normal_form) for p in analyzer().parse(w)}
    forms |= {str(_NUMERALS[f]) for f in forms if f in _NUMERALS}
    return frozenset(forms)


def _phrase_at(answer: Sequence[frozenset[str]], phrase: Sequence[frozenset[str]]) -> bool:
    n = len(phrase)
    return any(
        all(answer[i + j] & phrase[j] for j in range(n)) for i in range(len(answer) - n + 1)
    )


def fact_found(fact: Fact, answer_lemmas: Sequence[frozenset[str]]) -> bool:
    for term in fact.terms:
        alternatives = [[lemmas(w) for w in _words(alt)] for alt in term]
        if not any(_phrase_at(answer_lemmas, alt) for alt in alternatives if alt):
            return False
    return True


def answer_lemmas(text: str) -> list[frozenset[str]]:
    return [lemmas(w) for w in _words(mask_quotes(text))]


# -- deadlines ---------------------------------------------------------------------------

_NUMBER_WORD = r"(?:\d{1,2}|[а-я]+)"
_TZ = r"(?:\s*(?:\(\s*мск\s*\)|мск|по\s+(?:московскому|москве)(?:\s+времени)?))"
_DAYPART = r"(?:утра|дня|вечера|ночи)"
# «до восемнадцати часов», «к двенадцати часам тридцати минутам», «до 18 часов»,
# «до шести вечера», «к девяти часам утра»
_CLOCK_WORDS = re.compile(
    r"(?<![\w])(?:до|к|в|не\s+позднее|не\s+позже)\s+(?P<h>(?:" + _NUMBER_WORD + r"\s+)?"
    + _NUMBER_WORD + r")(?:\s+час(?:ам|ов|а|у)?(?![\w])(?:\s+(?P<m>(?:" + _NUMBER_WORD + r"\s+)?"
    + _NUMBER_WORD + r")\s+минут\w*)?(?:\s+" + _DAYPART + r")?|\s+" + _DAYPART + r")(?![\w])"
    + r"(?P<tz>" + _TZ + r")?"
)
_NOON = re.compile(r"(?<![\w])(?:до|к)\s+(?:полудня|полудню|полуночи)(?P<tz>" + _TZ + r")?")
# «в течение двадцати четырёх часов»: the linter reads a few number words; these read any.
_WITHIN_WORDS = re.compile(
    r"(?<![\w])(?:в\s+течение|через|не\s+позднее\s+чем\s+через)\s+(?P<n>(?:" + _NUMBER_WORD
    + r"\s+){0,2}" + _NUMBER_WORD + r")\s+(?:(?:рабоч|календарн)\w*\s+)?"
    r"(?:минут[уы]?|час(?:а|ов)?|суток|дн(?:я|ей)|день|недел[юиь]|недель)(?![\w])"
)


def number_from_words(words: str) -> int | None:
    """«двадцати трёх» → 23; None unless every word is a number word."""
    total = 0
    for word in words.split():
        values = [int(f) for f in lemmas(word) if f.isdigit()]
        if not values:
            return None
        total += values[0]
    return total


@dataclass(frozen=True)
class DeadlineHit:
    start: int
    end: int
    text: str


def concrete_deadlines(text: str) -> list[DeadlineHit]:
    """Concrete deadlines in ``text``: what the *deadline* criterion accepts.

    Concrete means a buyer can tell the moment or the day by which something happens:

    * a clock time, in digits or words: «до 18:00 МСК», «завтра до 12:00»,
      «до восемнадцати часов по московскому времени», «до 18 часов», «до шести вечера»,
      «до полудня»;
    * a calendar date: «25 ноября», «05.12.2026»;
    * a span with a number, in digits or words: «в течение 3 рабочих дней»,
      «в течение трёх рабочих дней», «через 24 часа».

    Not concrete: «сегодня», «завтра» or «до пятницы» with no clock time, «до конца дня»,
    «в течение дня» (no number), «в ближайшее время». Quoted buyer lines (``> …``) are skipped.
    """
    norm = normalise(mask_quotes(text))
    hits: list[DeadlineHit] = []
    for mention in find_mentions(norm):
        kinds = {a.kind for a in mention.atoms}
        numbered_within = any(a.kind == "within" and a.groups.get("n") for a in mention.atoms)
        if kinds & {"time", "date"} or numbered_within:
            hits.append(DeadlineHit(mention.start, mention.end, text[mention.start : mention.end]))
    for m in _CLOCK_WORDS.finditer(norm):
        # The greedy two-word hour may have taken a word too many: «до завтра восьми часов»,
        # «к девяти часам утра».
        words = m.group("h").split()
        hours = next((n for n in map(number_from_words, (" ".join(words), words[-1], words[0]))
                      if n is not None), None)  # fmt: skip
        minutes = number_from_words(m.group("m")) if m.group("m") else 0
        if hours is not None and minutes is not None and 0 <= hours <= 24 and 0 <= minutes < 60:
            hits.append(DeadlineHit(m.start(), m.end(), text[m.start() : m.end()]))
    for m in _NOON.finditer(norm):
        hits.append(DeadlineHit(m.start(), m.end(), text[m.start() : m.end()]))
    for m in _WITHIN_WORDS.finditer(norm):
        if number_from_words(m.group("n")):
            hits.append(DeadlineHit(m.start(), m.end(), text[m.start() : m.end()]))
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[DeadlineHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


# -- scoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of a score. ``detail`` never names the facts, so a trainee may see it."""

    name: str
    passed: bool
    points: int
    max_points: int
    detail: str = ""


@dataclass(frozen=True)
class Score:
    criteria: tuple[CriterionResult, ...]
    facts_found: tuple[str, ...] = ()
    facts_missing: tuple[str, ...] = ()
    lint_errors: tuple[str, ...] = ()
    deadlines: tuple[str, ...] = ()
    elapsed_seconds: int = 0

    @property
    def total(self) -> int:
        return sum(c.points for c in self.criteria)

    @property
    def passed(self) -> bool:
        return self.total == PASS_SCORE and all(c.passed for c in self.criteria)

    def criterion(self, name: str) -> CriterionResult:
        return next(c for c in self.criteria if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "passed": self.passed,
            "criteria": [
                {"name": c.name, "passed": c.passed, "points": c.points,
                 "max_points": c.max_points, "detail": c.detail}  # fmt: skip
                for c in self.criteria
            ],
            "facts_found": list(self.facts_found),
            "facts_missing": list(self.facts_missing),
            "lint_errors": list(self.lint_errors),
            "deadlines": list(self.deadlines),
            "elapsed_seconds": self.elapsed_seconds,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        return cls(
            criteria=tuple(
                CriterionResult(c["name"], bool(c["passed"]), int(c["points"]),
                                int(c["max_points"]), str(c.get("detail", "")))  # fmt: skip
                for c in data.get("criteria", [])
            ),
            facts_found=tuple(data.get("facts_found", ())),
            facts_missing=tuple(data.get("facts_missing", ())),
            lint_errors=tuple(data.get("lint_errors", ())),
            deadlines=tuple(data.get("deadlines", ())),
            elapsed_seconds=int(data.get("elapsed_seconds", 0)),
        )


def score_answer(drill: Drill, answer: str, elapsed: timedelta,
                 lint_context: LintContext | None = None) -> Score:  # fmt: skip
    """Score ``answer`` to ``drill``, submitted ``elapsed`` after the drill started."""
    text = answer.strip()
    errors = [f for f in lint(answer, lint_context) if f.severity == "error"] if text else []
    lint_ok = bool(text) and not errors
    lint_detail = (
        _("empty answer") if not text
        else ngettext("{n} error", "{n} errors", len(errors)).format(n=len(errors)) if errors
        else ""
    )  # fmt: skip

    deadlines = concrete_deadlines(answer) if text else []
    words = answer_lemmas(answer)
    found = [f.id for f in drill.facts if fact_found(f, words)]
    missing = [f.id for f in drill.facts if f.id not in found]
    total_facts = len(drill.facts)
    fact_points = _POINTS * len(found) // total_facts if total_facts else _POINTS
    over = elapsed > drill.time_limit
    seconds = max(0, int(elapsed.total_seconds()))
    criteria = (
        CriterionResult("lint", lint_ok, _POINTS if lint_ok else 0, _POINTS, lint_detail),
        CriterionResult("deadline", bool(deadlines), _POINTS if deadlines else 0, _POINTS),
        CriterionResult("facts", not missing, fact_points, _POINTS,
                        f"{len(found)}/{total_facts}"),  # fmt: skip
        CriterionResult("time", not over, 0 if over else _POINTS, _POINTS,
                        f"{seconds // 60}:{seconds % 60:02d} / {drill.time_limit_minutes}:00"),
    )
    return Score(
        criteria=criteria,
        facts_found=tuple(found),
        facts_missing=tuple(missing),
        lint_errors=tuple(f"{f.rule}: {f.text}" for f in errors),
        deadlines=tuple(h.text for h in deadlines),
        elapsed_seconds=seconds,
    )
