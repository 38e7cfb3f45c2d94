"""Which deadline belongs to which promise: a light clause split of each sentence.

One date anywhere in a reply used to clear every promise in it, so «Посылка пришла
4 декабря. Деньги вернём.» passed. Here a sentence is cut into clauses at
punctuation, coordinating conjunctions (и, а, но) and subordinators (если, когда,
как только, чтобы, который …). Consecutive clauses form a *chain* that shares a
deadline («Проверим заказ и ответим до 18:00 МСК» promises both by 18:00), and
a clause stating a fact (a past or third-person verb: «отправили 4 декабря»)
ends the chain, so its date does not count for the promise after it.
Subordinate clauses are transparent: a condition («если посылку не найдут») is
not a promise, and a date in it («как только товар придёт 5 декабря») is the
event's date, not ours.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from ozondesk.domain.lint.text import Token

_SENTENCE = attrgetter("sentence")
_BREAK_PUNCT = frozenset(',;:—–()[]"«»')
_COORDINATORS = frozenset({"и", "а", "но", "или", "либо", "зато", "затем", "потом", "однако"})
_SUBORDINATORS = frozenset(
    {
        "если", "когда", "пока", "чтобы", "хотя", "где", "куда", "откуда", "поскольку",
        "что", "чем", "как", "почему", "зачем", "сколько", "ли",
        "который", "которая", "которое", "которые", "которого", "которой", "которому",
        "которым", "котором", "которую", "которых", "которыми",
    }
)  # fmt: skip
# Two-word subordinators: the first word opens a subordinate clause only before the second.
_SUBORDINATOR_PAIRS = frozenset(
    {("как", "только"), ("потому", "что"), ("так", "как"), ("после", "того"), ("до", "того"),
     ("перед", "тем"), ("в", "случае"), ("при", "условии")}
)  # fmt: skip


@dataclass
class _Clause:
    start: int = -1  # character span
    end: int = -1
    subordinate: bool = False
    promises: list[int] = field(default_factory=list)
    fact: bool = False

    def take(self, tok: Token) -> None:
        if self.start < 0:
            self.start = tok.start
        self.end = tok.end


@dataclass
class Chain:
    """Promises that share a deadline, and the character spans where that deadline may stand."""

    promises: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    until: list[tuple[int, int]] = field(default_factory=list)  # subordinate clauses nearby

    def bounds(self) -> tuple[int, int]:
        """The first and last character any of the chain's spans reaches."""
        spans = self.spans + self.until
        return min(s for s, _ in spans), max(e for _, e in spans)

    def covers(self, start: int, end: int, text: str = "") -> bool:
        """Whether a time mention at ``start:end`` of normalised ``text`` bounds these promises."""
        if any(s < end and start < e for s, e in self.spans):
            return True
        explicit = text[start:end].startswith("до ") or text[max(0, start - 3) : start] == "до "
        return explicit and any(s <= start < e for s, e in self.until)


def clauses_of(
    sentence: list[tuple[int, Token]], promises: set[int], is_fact: Callable[[str], bool]
) -> list[_Clause]:
    """The clauses of one sentence (``sentence`` = (token index, token) pairs in order)."""
    out: list[_Clause] = []
    cur = _Clause()
    n = len(sentence)
    for k, (i, tok) in enumerate(sentence):
        if tok.kind == "nl":
            continue
        if tok.kind == "punct" and tok.norm in _BREAK_PUNCT:
            out.append(cur)
            cur = _Clause()
            continue
        if tok.kind == "word":
            nxt = sentence[k + 1][1].norm if k + 1 < n else ""
            if tok.norm in _COORDINATORS:
                out.append(cur)
                cur = _Clause()
                continue
            if tok.norm == "ли" and cur.start >= 0:
                cur.subordinate = True  # «есть ли размер» is an indirect question
            elif tok.norm in _SUBORDINATORS or (tok.norm, nxt) in _SUBORDINATOR_PAIRS:
                out.append(cur)
                cur = _Clause(subordinate=True)
                cur.take(tok)
                continue
            if i in promises:
                cur.promises.append(i)
            elif not cur.fact and is_fact(tok.norm):
                # Once a clause states a fact, its other words need no (pymorphy3) look.
                cur.fact = True
        cur.take(tok)
    out.append(cur)
    return [c for c in out if c.start >= 0]


def promise_chains(
    tokens: list[Token], promises: Iterable[int], is_fact: Callable[[str], bool]
) -> list[Chain]:
    """Chains of the sentences that hold promises, in text order."""
    wanted = set(promises)
    if not wanted:
        return []
    sentences = {tokens[i].sentence for i in wanted}
    # tokenise() numbers sentences in token order, so each sentence is one run of tokens,
    # found by bisection instead of a walk over all ~17,000 tokens of a 100,000-char text.
    by_sentence: dict[int, list[tuple[int, Token]]] = {}
    for s in sentences:
        lo = bisect.bisect_left(tokens, s, key=_SENTENCE)
        hi = bisect.bisect_right(tokens, s, lo=lo, key=_SENTENCE)
        by_sentence[s] = list(enumerate(tokens[lo:hi], lo))
    chains: list[Chain] = []
    for s in sorted(by_sentence):
        chain: Chain | None = None
        pending: list[tuple[int, int]] = []
        pending_until: list[tuple[int, int]] = []
        for clause in clauses_of(by_sentence[s], wanted, is_fact):
            if clause.subordinate:
                # An explicit «до …» in a condition («если пришлёте мерки до 18:00 МСК»)
                # still bounds the promise; a bare date there is the event's own.
                if chain is not None:
                    chain.until.append((clause.start, clause.end))
                else:
                    pending_until.append((clause.start, clause.end))
                continue
            span = (clause.start, clause.end)
            if clause.promises:
                if chain is None:
                    chain = Chain(spans=pending, until=pending_until)
                    pending, pending_until = [], []
                    chains.append(chain)
                chain.promises.extend(clause.promises)
                chain.spans.append(span)
            elif clause.fact:
                chain, pending, pending_until = None, [], []
            elif chain is not None:
                chain.spans.append(span)
            else:
                pending.append(span)
    return chains
