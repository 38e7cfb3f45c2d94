"""Normalising and tokenising a reply without losing character offsets."""

from __future__ import annotations

import re
from typing import NamedTuple

# Word = letters, optionally joined by hyphens (вот-вот, трек-номер, QR-код).
_TOKEN_RE = re.compile(
    r"(?P<word>[^\W\d_]+(?:-[^\W\d_]+)*)"
    r"|(?P<num>\d+(?:[.,:]\d+)*)"
    r"|(?P<nl>\n+)"
    # A run of one mark («!!!», «)))», «...») is one token: pasted junk of 100,000 marks
    # must not become 100,000 tokens.
    r"|(?P<punct>(?P<mark>[^\w\s])(?P=mark)*)"
)
_QUOTE_LINE_RE = re.compile(r"(?m)^[ \t]*>.*$")
_SENTENCE_END = frozenset(".!?…")
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\t": " ", "\r": " "}


def normalise(text: str) -> str:
    """Lowercase, ё→е, odd spaces → space; always the same length as ``text``."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters (İ) lowercase to two code points; keep offsets exact.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    out = lowered.replace("ё", "е")
    if any(ch in out for ch in _SPACES):
        out = "".join(_SPACES.get(ch, ch) for ch in out)
    return out


def mask_quotes(text: str) -> str:
    """Blank out quoted buyer lines (``> …``) so nothing in them matches; offsets stay."""
    if ">" not in text:
        return text
    return _QUOTE_LINE_RE.sub(lambda m: "\n" * len(m.group(0)), text)


class Token(NamedTuple):
    # A named tuple, not a frozen dataclass: a 100,000-character text has ~17,000 tokens and
    # a frozen dataclass's __init__ cost most of the linting time there.
    start: int
    end: int
    norm: str
    kind: str  # word | num | punct | nl
    capitalised: bool
    sentence: int


def tokenise(norm: str, original: str) -> list[Token]:
    """Tokens of the normalised text; ``original`` supplies capitalisation."""
    # Hot loop (one pass per token of a possibly 100,000-character text): locals only, and
    # tuple.__new__ instead of the named tuple's Python-level constructor.
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__
    sentence = 0
    last_nl = True
    for m in _TOKEN_RE.finditer(norm):
        kind = m.lastgroup or "punct"
        start, end = m.span()
        value = m.group()
        if kind == "word":
            append(new(Token, (start, end, value, kind, original[start].isupper(), sentence)))
            last_nl = False
        elif kind == "nl":
            if not last_nl:
                sentence += 1
            last_nl = True
            append(new(Token, (start, end, value, kind, False, sentence)))
        else:
            append(new(Token, (start, end, value, kind, False, sentence)))
            last_nl = False
            if kind == "punct" and value[-1] in _SENTENCE_END:
                nxt = norm[end : end + 1]
                if nxt == "" or nxt.isspace() or nxt in _SENTENCE_END or nxt in '»")':
                    sentence += 1
    return tokens


def sentence_starts(tokens: list[Token]) -> set[int]:
    """Indexes of the first word-or-number token of each sentence."""
    starts: set[int] = set()
    seen: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok.kind in ("word", "num") and tok.sentence not in seen:
            seen.add(tok.sentence)
            starts.add(i)
    return starts


def sentence_spans(tokens: list[Token]) -> dict[int, tuple[int, int]]:
    """Character span of each sentence, from its first to its last non-newline token."""
    spans: dict[int, tuple[int, int]] = {}
    for tok in tokens:
        if tok.kind == "nl":
            continue
        lo, hi = spans.get(tok.sentence, (tok.start, tok.end))
        spans[tok.sentence] = (min(lo, tok.start), max(hi, tok.end))
    return spans
