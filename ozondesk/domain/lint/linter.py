"""The engine: runs a compiled rule set over one reply."""

from __future__ import annotations

import bisect
import gc
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytz

from ozondesk.domain.clock import as_utc, msk_date, utcnow
from ozondesk.domain.lint.clauses import promise_chains
from ozondesk.domain.lint.deadlines import Mention, Resolved, find_mentions, resolve
from ozondesk.domain.lint.intent import IntentMatcher
from ozondesk.domain.lint.model import CalendarLike, Finding, LintContext
from ozondesk.domain.lint.morph import first_person_future, passive_participle, states_a_fact
from ozondesk.domain.lint.patterns import Match, PhraseTrie, leftmost_longest
from ozondesk.domain.lint.regex_guards import (
    FOLD_EXCEPTIONS,
    Guards,
    guards_for,
    ignores_case,
    lowest_char,
)
from ozondesk.domain.lint.rules import (
    REGEX_TIMEOUT_S,
    Rule,
    RuleSet,
    default_rules_path,
    load_rules,
    pick,
)
from ozondesk.domain.lint.text import (
    Token,
    mask_quotes,
    normalise,
    sentence_starts,
    tokenise,
)

log = logging.getLogger("ozondesk.lint")

_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_SCRIPT_SEAM = re.compile(r"[a-z][а-яё]|[а-яё][a-z]")
_HOMOGLYPHS = str.maketrans("aceopxykmthbACEOPXYKMTHB", "асеорхукмтнвАСЕОРХУКМТНВ")
_FIELD_RE = re.compile(r"\{([a-z_]+)\}")
_FOLD_EXCEPTION_RE = re.compile("[" + FOLD_EXCEPTIONS + "]")


def _search(rx: Any, text: str) -> list[Any]:
    """Every match of a rule's regex, or none when it runs past the time limit: one slow rule
    must not freeze the composer (rules.py refuses the slow patterns it can foresee)."""
    try:
        return list(rx.finditer(text, timeout=REGEX_TIMEOUT_S))
    except TimeoutError:
        log.warning(
            "lint rule regex %r passed its time limit on a %d-character text; skipped",
            rx.pattern,
            len(text),
        )
        return []


# Cheap pre-filter before asking pymorphy3: сделаем, сделаю, вернёмся, вернусь.
_FIRST_PERSON_ENDINGS = ("м", "у", "ю", "мся", "усь", "юсь")
# Nobody reads more than this many underlines of one rule; pasted junk («~» × 100,000)
# would otherwise build one finding per character.
MAX_FINDINGS_PER_RULE = 100
# A mention may begin a little before the clause it bounds («до» is not in the clause).
_MENTION_LOOKBEHIND = 64
# How far ahead to look for the next open day before giving up on suggesting one.
_NEXT_OPEN_LOOKAHEAD = 31


@dataclass(frozen=True)
class _Occurrence:
    rule: Rule
    trie: PhraseTrie


class Linter:
    """A compiled rule set; build once (it expands lexemes), then call :meth:`lint` freely."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._phrases = PhraseTrie()
        self._regex_rules: list[Rule] = []
        self._occurrences: list[_Occurrence] = []
        self._intents: list[tuple[Rule, IntentMatcher]] = []
        self._by_type: dict[str, list[Rule]] = {}
        self._guards: dict[tuple[str, int], tuple[Guards | None, bool, int | None]] = {}
        for rule in ruleset.rules:
            self._by_type.setdefault(rule.type, []).append(rule)
            if rule.type in ("existence", "substitution"):
                for pattern in rule.patterns:
                    self._phrases.add(pattern, (rule, None))
                for pattern, replacement in rule.swaps:
                    self._phrases.add(pattern, (rule, replacement))
                for pattern in rule.exceptions:
                    # A longer, harmless phrase («не позже») wins over the match it contains.
                    self._phrases.add(pattern, (None, None))
                if rule.regexes:
                    self._regex_rules.append(rule)
            elif rule.type == "intent":
                triggers, markers = PhraseTrie(), PhraseTrie()
                for pattern in rule.patterns:
                    triggers.add(pattern, rule)
                for pattern in rule.exceptions:
                    triggers.add(pattern, None)  # «спасибо за отзыв» is not «за отзыв»
                for pattern in rule.params["markers"]:
                    markers.add(pattern, rule)
                matcher = IntentMatcher(
                    triggers, markers, rule.regexes, tuple(rule.params["markers_regex"])
                )
                self._intents.append((rule, matcher))
            elif rule.type == "occurrence":
                trie = PhraseTrie()
                for pattern in rule.patterns:
                    trie.add(pattern, rule)
                self._occurrences.append(_Occurrence(rule, trie))
        excluded: set[str] = set()
        for rule in self._by_type.get("conditional", []):
            excluded |= rule.params["exclude_lemmas"]
        self._excluded_lemmas = frozenset(excluded)

    def guards(self, rx: Any) -> tuple[Guards | None, bool, int | None]:
        """The regex's guards (regex_guards.py), whether they are lowercase, and the lowest
        character a match must hold; computed once per pattern."""
        key = (rx.pattern, rx.flags)
        found = self._guards.get(key)
        if found is None:
            found = self._guards[key] = (
                guards_for(rx.pattern, rx.flags),
                ignores_case(rx.pattern, rx.flags),
                lowest_char(rx.pattern, rx.flags),
            )
        return found

    @classmethod
    def from_files(cls, *extra: Path | str, base: Path | str | None = None) -> Linter:
        """The shipped rules (or ``base``) with a lead's ``extra`` files merged on top."""
        return cls(load_rules([base or default_rules_path(), *extra]))

    @property
    def version(self) -> str:
        return self.ruleset.version

    def lint(self, text: str, context: LintContext | None = None) -> list[Finding]:
        # A long text allocates up to one token tuple per character; every 700 allocations
        # start a cycle-collector pass and, now and then, a pass over the whole heap (the
        # rule tries included): a sixth of the time on «a.» × 50,000. The run's objects are
        # freed by reference counting, so the collector is paused for the run's length only
        # and left as it was found (a caller that turned it off keeps it off).
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            run = _Run(self, text, context)
            return run.findings()
        finally:
            if paused:
                gc.enable()


class _Run:
    """State for linting one text; lazily computed views shared by the checks."""

    def __init__(self, linter: Linter, text: str, context: LintContext | None) -> None:
        self.linter = linter
        self.text = text
        self.context = context
        self.masked = mask_quotes(text)
        self.norm = normalise(self.masked)
        self.tokens = tokenise(self.norm, self.masked)
        self.starts = sentence_starts(self.tokens)
        self.norms = [t.norm for t in self.tokens]
        self.vocab = set(self.norms)
        self._token_starts = [t.start for t in self.tokens]
        self.mentions: list[Mention] = find_mentions(self.norm)
        self.out: list[Finding] = []
        self._seen: set[tuple[str, int, int]] = set()
        self._per_rule: dict[str, int] = {}
        self._scans: dict[tuple[str, int, bool], list[Any]] = {}
        self._views: dict[tuple[bool, bool], str | None] = {}
        self._tops: dict[int, int] = {}  # by id() of a view, which self._views keeps alive
        self._positions: dict[str, list[int]] | None = None

    def positions(self) -> dict[str, list[int]]:
        """Token indexes of each token norm, ascending; built only when a trie has words to find
        (pasted junk such as «a.» × 50,000 shares no first word with any trie)."""
        if self._positions is None:
            index: dict[str, list[int]] = {}
            for i, w in enumerate(self.norms):
                at = index.get(w)
                if at is None:
                    index[w] = [i]
                else:
                    at.append(i)
            self._positions = index
        return self._positions

    # -- helpers -------------------------------------------------------------

    def search(self, rx: Any, text: str) -> list[Any]:
        """:func:`_search`, once per pattern and text: two rules may share a pattern (one
        emoji is a note, many a warning)."""
        is_norm = text is self.norm
        key = (rx.pattern, rx.flags, is_norm)
        found = self._scans.get(key)
        if found is None:
            guards, fold, lowest = self.linter.guards(rx)
            if guards is not None or lowest is not None:
                view = self._view(text, is_norm, fold)
                if view is not None and (
                    (guards is not None and not any(g in view for g in guards))
                    or (lowest is not None and self._top(view) < lowest)
                ):
                    found = self._scans[key] = []  # what every match needs is absent
                    return found
            found = self._scans[key] = _search(rx, text)
        return found

    def _top(self, view: str) -> int:
        """The highest code point in ``view`` (one of the few views of this run)."""
        top = self._tops.get(id(view))
        if top is None:
            top = self._tops[id(view)] = ord(max(view)) if view else 0
        return top

    def _view(self, text: str, is_norm: bool, fold: bool) -> str | None:
        """The text to look for guards in: lowercased for a case-insensitive regex, or None
        when the text holds a character that case folding ties to a guard letter («ſ»)."""
        key = (is_norm, fold)
        if key not in self._views:
            if not fold:
                self._views[key] = text
            elif _FOLD_EXCEPTION_RE.search(text):
                self._views[key] = None
            else:
                self._views[key] = text.lower()
        return self._views[key]

    def add(
        self, rule: Rule, start: int, end: int, suggestion: str | None = None, **fields: Any
    ) -> None:
        key = (rule.id, start, end)
        if key in self._seen:
            return
        count = self._per_rule.get(rule.id, 0)
        if count >= MAX_FINDINGS_PER_RULE:
            return
        self._per_rule[rule.id] = count + 1
        self._seen.add(key)
        matched = self.text[start:end]
        values = {"match": matched, **fields}
        raw = suggestion if suggestion is not None else pick(rule.suggestion)
        self.out.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                start=start,
                end=end,
                text=matched,
                message=self._fill(pick(rule.message), values),
                suggestion=self._fill(raw, values),
            )
        )

    def _fill(self, template: str, values: Mapping[str, Any]) -> str:
        if "{" not in template:
            return template

        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in values:
                return str(values[name])
            if name == "deadline_msk" and self.context and self.context.deadline:
                from ozondesk.domain.templates import format_deadline_msk

                return format_deadline_msk(self.context.deadline, now=self.now)
            return m.group(0)  # left for the agent, or for a template to fill

        return _FIELD_RE.sub(one, template)

    @property
    def now(self) -> datetime | None:
        if self.context is None:
            return None
        return as_utc(self.context.now) if self.context.now else utcnow()

    def token_at(self, char: int) -> int:
        return max(bisect.bisect_right(self._token_starts, char) - 1, 0)

    def sentence_of(self, char: int) -> int:
        i = bisect.bisect_right(self._token_starts, char) - 1
        return self.tokens[max(i, 0)].sentence if self.tokens else 0

    def span(self, m: Match) -> tuple[int, int]:
        first, last = m.first, m.last - 1
        # «возможно ,» needs the comma to match, but the finding is the word.
        while first < last and self.tokens[first].kind == "punct":
            first += 1
        while last > first and self.tokens[last].kind == "punct":
            last -= 1
        return self.tokens[first].start, self.tokens[last].end

    # -- checks --------------------------------------------------------------

    def findings(self) -> list[Finding]:
        self.phrases()
        self.regexes()
        self.occurrences()
        for rule, matcher in self.linter._intents:
            for start, end in matcher.spans(
                self.tokens,
                self.starts,
                self.norm,
                self.sentence_of,
                self.search,
                self.norms,
                self.vocab,
                self.positions,
            ):
                self.add(rule, start, end)
        by_type = self.linter._by_type
        for rule in by_type.get("length", []):
            limit = rule.params["max"]
            if len(self.text) > limit:
                self.add(rule, limit, len(self.text), length=len(self.text), max=limit)
        for rule in by_type.get("script", []):
            self.mixed_script(rule)
        for rule in by_type.get("time-zone", []):
            self.time_zone(rule)
        promises = self.promise_tokens()
        chains = promise_chains(self.tokens, promises, states_a_fact) if promises else []
        attached: set[int] = set()  # indexes into self.mentions that some promise relies on
        mention_starts = [m.start for m in self.mentions]
        for chain in chains:
            # Only the mentions near the chain's sentence; scanning all of them per chain was
            # quadratic on a long text.
            lo, hi = chain.bounds()
            first = bisect.bisect_left(mention_starts, lo - _MENTION_LOOKBEHIND)
            last = bisect.bisect_right(mention_starts, hi)
            found = [
                k
                for k in range(first, last)
                if chain.covers(self.mentions[k].start, self.mentions[k].end, self.norm)
            ]
            attached.update(found)
            if found:
                continue
            tok = self.tokens[chain.promises[0]]
            for rule in by_type.get("conditional", []):
                self.add(rule, tok.start, tok.end)
        checks = by_type.get("promise-check", [])
        now = self.now
        if checks and self.context is not None and now is not None and attached:
            self.promise_check(checks, self.context, now, attached)
        return sorted(self.out, key=lambda f: (f.start, f.end, f.rule))

    def phrases(self) -> None:
        for m in leftmost_longest(
            self.linter._phrases.find(self.tokens, self.starts, self.norms, self.vocab, self.positions)
        ):
            rule, replacement = m.payload
            if rule is not None:
                start, end = self.span(m)
                self.add(rule, start, end, suggestion=replacement)

    def regexes(self) -> None:
        for rule in self.linter._regex_rules:
            excluded = [
                m.span() for rx in rule.exception_regexes for m in self.search(rx, self.norm)
            ]
            subject = self.masked if rule.regexes[0].flags & re.IGNORECASE == 0 else self.norm
            for rx in rule.regexes:
                for m in self.search(rx, subject):
                    start, end = m.span("m") if "m" in rx.groupindex else m.span()
                    if start == end or any(s < end and start < e for s, e in excluded):
                        continue
                    self.add(rule, start, end)

    def occurrences(self) -> None:
        for occ in self.linter._occurrences:
            rule = occ.rule
            hits = [
                self.span(m)
                for m in leftmost_longest(
                    occ.trie.find(self.tokens, self.starts, self.norms, self.vocab, self.positions)
                )
            ]
            for rx in rule.regexes:
                hits.extend(m.span() for m in self.search(rx, self.norm))
            groups: dict[int, list[tuple[int, int]]] = {}
            for start, end in hits:
                scope = self.sentence_of(start) if rule.params["scope"] == "sentence" else 0
                groups.setdefault(scope, []).append((start, end))
            for spans in groups.values():
                if len(spans) > rule.params["max"]:
                    spans.sort()
                    self.add(
                        rule, spans[0][0], spans[-1][1], count=len(spans), max=rule.params["max"]
                    )

    def mixed_script(self, rule: Rule) -> None:
        # Only the words where a Latin and a Cyrillic letter touch, found by one scan of the
        # text instead of two regex searches per word.
        picked = sorted({self.token_at(m.start()) for m in _SCRIPT_SEAM.finditer(self.norm)})
        for i in picked:
            tok = self.tokens[i]
            if tok.kind != "word":
                continue
            offset = tok.start
            for part in tok.norm.split("-"):
                if _LATIN.search(part) and _CYRILLIC.search(part):
                    original = self.text[offset : offset + len(part)]
                    fixed = original.translate(_HOMOGLYPHS)
                    suggestion = fixed if not _LATIN.search(fixed.lower()) else None
                    self.add(rule, offset, offset + len(part), suggestion=suggestion)
                offset += len(part) + 1

    def time_zone(self, rule: Rule) -> None:
        for mention in self.mentions:
            span = mention.last_time_span()
            if span and not mention.has_time_zone:
                self.add(rule, *span)

    def promise_tokens(self) -> list[int]:
        """Token indexes of first-person future verbs that promise something."""
        questions = {t.sentence for t in self.tokens if t.kind == "punct" and t.norm == "?"}
        out: list[int] = []
        prev_word: Token | None = None
        for i, tok in enumerate(self.tokens):
            if tok.kind != "word":
                continue
            if (
                tok.sentence not in questions
                and not (
                    prev_word
                    and prev_word.norm in ("не", "ни")
                    and prev_word.sentence == tok.sentence
                )
                and (
                    (
                        tok.norm.endswith(_FIRST_PERSON_ENDINGS)
                        and first_person_future(tok.norm, self.linter._excluded_lemmas)
                    )
                    # «Деньги будут возвращены»: a promise without an agent.
                    or (
                        prev_word is not None
                        and prev_word.norm in ("будет", "будут")
                        and prev_word.sentence == tok.sentence
                        and passive_participle(tok.norm)
                    )
                )
            ):
                out.append(i)
            prev_word = tok
        return out

    def promise_check(
        self, rules: Iterable[Rule], ctx: LintContext, now: datetime, attached: set[int]
    ) -> None:
        today = msk_date(now)
        by_check = {r.params["check"]: r for r in rules}
        for k, mention in enumerate(self.mentions):
            if k not in attached:
                continue  # «Посылка прибыла 24 ноября» states a fact, it promises nothing
            resolved = resolve(mention, now, ctx.calendar)
            if resolved is None:
                continue
            span = (mention.start, mention.end)
            past = resolved.instant < now if resolved.instant else resolved.day < today
            if past and "past" in by_check:
                self.add(by_check["past"], *span)
                continue
            rule = by_check.get("after-deadline")
            if rule and ctx.deadline is not None and _after(resolved, as_utc(ctx.deadline)):
                self.add(rule, *span)
            rule = by_check.get("closed-day")
            if rule and ctx.calendar is not None:
                local_day = _local_day(resolved, ctx.calendar.tz)
                if not ctx.calendar.is_open_day(local_day):
                    nxt = _next_open_day(ctx.calendar, local_day)
                    self.add(
                        rule, *span, next_open_day=_format_day(nxt) if nxt else "{next_open_day}"
                    )


def _after(resolved: Resolved, deadline: datetime) -> bool:
    if resolved.instant is not None:
        return resolved.instant > deadline
    return resolved.day > msk_date(deadline)


def _local_day(resolved: Resolved, tz: str) -> date:
    if resolved.instant is None:
        return resolved.day
    return resolved.instant.astimezone(pytz.timezone(tz)).date()


def _next_open_day(calendar: CalendarLike, day: date) -> date | None:
    for n in range(1, _NEXT_OPEN_LOOKAHEAD + 1):
        candidate = day + timedelta(days=n)
        if calendar.is_open_day(candidate):
            return candidate
    return None


def _format_day(day: date) -> str:
    from ozondesk.domain.templates import format_date_ru

    return format_date_ru(day)
