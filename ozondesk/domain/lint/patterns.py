"""Phrase patterns: parsed once, expanded with pymorphy3, stored in a token trie.

Pattern syntax (items separated by spaces):

* ``слово`` — that word form (case and ё ignored);
* ``~лемма`` — every form of the lemma; ``~лемма[1per,futr]`` only forms with
  all the listed grammemes, ``[impr|1per]`` means either; a part of speech in
  the brackets also picks which lemma is meant (``~дорогой[ADJF]``, not дорога);
* ``*`` any word, ``*Aa`` a capitalised word (a name), ``#`` any number, ``5`` that number;
* a punctuation character stands for itself (``возможно ,``) — without one a
  phrase never spans punctuation;
* ``^`` as the first item: only at the start of a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, product
from typing import Any

from ozondesk.domain.lint.morph import LemmaError, expand, known_grammemes
from ozondesk.domain.lint.text import Token, normalise
from ozondesk.i18n import _

ANY = "\x00*"
CAP = "\x00Aa"
NUM = "\x00#"
_END = "\x00$"
# A phrase whose slots multiply out past this is a mistake in the rule file
# (e.g. two unconstrained verb lexemes), not something to build a trie for.
MAX_EXPANSION = 20000

_LEMMA_RE = re.compile(r"^~([^\W\d_][\w-]*)(?:\[([^\]]*)\])?$")
_WORD_RE = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")
_PUNCT_RE = re.compile(r"^[^\w\s]$")


class PatternError(ValueError):
    pass


Slot = tuple[str, ...]


@dataclass(frozen=True)
class Pattern:
    source: str
    anchored: bool
    slots: tuple[Slot, ...]


def parse_pattern(source: str) -> Pattern:
    items = source.split()
    anchored = bool(items) and items[0] == "^"
    if anchored:
        items = items[1:]
    if not items:
        raise PatternError(_("empty phrase"))
    slots: list[Slot] = []
    for item in items:
        if item == "*":
            slots.append((ANY,))
        elif item == "*Aa":
            slots.append((CAP,))
        elif item == "#":
            slots.append((NUM,))
        elif item.startswith("~"):
            slots.append(tuple(sorted(_lemma_forms(item))))
        elif _WORD_RE.match(normalise(item)):
            slots.append((normalise(item),))
        elif item.isdigit():
            slots.append((item,))
        elif _PUNCT_RE.match(item):
            slots.append((item,))
        else:
            raise PatternError(
                _(
                    "cannot read {item!r}: a word, a number, ~lemma[...], *, *Aa, # or one punctuation mark"
                ).format(item=item)
            )
    size = 1
    for slot in slots:
        size *= len(slot)
    if size > MAX_EXPANSION:
        raise PatternError(
            _("expands to {size} word sequences (limit {limit}); constrain the lemmas").format(
                size=size, limit=MAX_EXPANSION
            )
        )
    return Pattern(source, anchored, tuple(slots))


def _lemma_forms(item: str) -> frozenset[str]:
    m = _LEMMA_RE.match(item)
    if not m:
        raise PatternError(_("cannot read lemma pattern {item!r}").format(item=item))
    lemma, raw = m.group(1), m.group(2)
    constraints: list[frozenset[str]] = []
    if raw:
        grammemes = known_grammemes()
        for part in raw.split(","):
            options = frozenset(g.strip() for g in part.split("|") if g.strip())
            unknown = sorted(options - grammemes)
            if unknown:
                raise PatternError(
                    _("unknown grammeme {g!r} in {item!r}").format(g=unknown[0], item=item)
                )
            if options:
                constraints.append(options)
    try:
        return expand(lemma, constraints)
    except LemmaError:
        raise PatternError(
            _("{lemma!r} is not a known lemma with {forms} forms").format(
                lemma=lemma, forms=raw or _("any")
            )
        ) from None


@dataclass(frozen=True, slots=True)
class Match:
    first: int  # token index
    last: int  # token index, exclusive
    payload: Any


class PhraseTrie:
    """Token trie; every form sequence of every pattern is a path."""

    def __init__(self) -> None:
        self._root: dict[str, Any] = {}
        self._first: frozenset[str] | None = None  # the root's words, as a set

    def add(self, pattern: Pattern, payload: Any) -> None:
        self._first = None
        for path in product(*pattern.slots):
            node = self._root
            for key in path:
                node = node.setdefault(key, {})
            node.setdefault(_END, []).append((payload, pattern.anchored))

    def __bool__(self) -> bool:
        return bool(self._root)

    def find(
        self,
        tokens: list[Token],
        starts: set[int],
        norms: list[str] | None = None,
        vocab: set[str] | None = None,
        positions: Callable[[], Mapping[str, list[int]]] | None = None,
    ) -> Iterator[Match]:
        """Every match at every position (overlaps included).

        ``norms`` (each token's ``norm``) and ``vocab`` (their set) may be passed in by a
        caller that runs several tries over one text, so each trie skips the text at once
        when none of its first words occur in it. ``positions`` gives, on first call, the
        token indexes of each word of ``vocab`` (ascending), shared by those tries.
        """
        root = self._root
        n = len(tokens)
        if ANY in root or CAP in root or NUM in root:
            candidates: Iterable[int] = (
                i for i, t in enumerate(tokens) if t.norm in root or _wild(root, t)
            )
        else:
            if self._first is None:
                self._first = frozenset(root)
            # set.isdisjoint walks the smaller of two sets (a dict it would walk whole).
            if vocab is not None and vocab.isdisjoint(self._first):
                return
            if positions is not None and vocab is not None:
                # The same ascending indexes as the scan below, without walking every token
                # once per trie: a 100,000-character reply has ~17,000 of them.
                index = positions()
                candidates = sorted(chain.from_iterable(index[w] for w in self._first & vocab))
            else:
                if norms is None:
                    norms = [t.norm for t in tokens]
                # Most tries start with a word: a set lookup per token, no wildcard checks.
                candidates = [i for i, w in enumerate(norms) if w in root]
        for i in candidates:
            tok = tokens[i]
            if tok.kind == "nl":
                continue
            stack: list[tuple[dict[str, Any], int]] = [(root, i)]
            while stack:
                node, j = stack.pop()
                ends = node.get(_END)
                if ends and j > i:
                    for payload, anchored in ends:
                        if not anchored or i in starts:
                            yield Match(i, j, payload)
                if j >= n:
                    continue
                t = tokens[j]
                if t.kind == "nl":
                    continue
                child = node.get(t.norm)
                if child is not None:
                    stack.append((child, j + 1))
                if t.kind == "word":
                    if ANY in node:
                        stack.append((node[ANY], j + 1))
                    if t.capitalised and CAP in node:
                        stack.append((node[CAP], j + 1))
                elif t.kind == "num" and NUM in node:
                    stack.append((node[NUM], j + 1))


def _wild(node: dict[str, Any], tok: Token) -> bool:
    if tok.kind == "word":
        return ANY in node or (tok.capitalised and CAP in node)
    return tok.kind == "num" and NUM in node


def leftmost_longest(matches: Iterable[Match]) -> list[Match]:
    """Non-overlapping matches, preferring the earliest start, then the longest."""
    chosen: list[Match] = []
    edge = -1
    for m in sorted(matches, key=lambda m: (m.first, -(m.last - m.first))):
        if chosen and (m.first, m.last) == (chosen[-1].first, chosen[-1].last):
            chosen.append(m)  # the same phrase in two rules: both report
        elif m.first >= edge:
            chosen.append(m)
            edge = m.last
    return chosen
