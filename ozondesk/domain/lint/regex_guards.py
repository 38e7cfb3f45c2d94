"""Literals a regex match must contain, so a rule regex whose literals are absent is not run.

Most rule regexes never match a given reply («whatsapp», «промокод», «))»), yet each
scan of a 1,000-character reply costs tens of microseconds in the ``regex`` module
(with its timeout); together they were a third of the linting time. A substring
test (``"whatsapp" in text``) is a C loop costing a microsecond, so each regex gets
*guards*: strings of which at least one occurs in every text the regex can match.
When none occurs, the regex's result is known to be empty without running it.

The guards are read off the pattern's parse tree (Python's own ``re`` parser; the
rule regexes use the ``regex`` module's V0 syntax, which it shares). Anything the
parser does not know, or reads differently from ``regex`` (POSIX classes, fuzzy
``{e<=1}``), gets no guard: the regex then simply always runs. A guard must never
be wrong, only sometimes absent.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from itertools import product
from typing import Any

# re's own parser: private, but the one parser of this syntax at hand (``sre_parse``, its
# public alias, warns that it is deprecated). It is only read from; a change in it costs
# guards (then regexes run), never results: every parse failure means "no guard".
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

# Flags that do not change which characters a literal matches (V0 and UNICODE are the
# defaults the rules are compiled with; MULTILINE/DOTALL only affect ^ $ .).
_V0 = 0x2000
_HARMLESS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.UNICODE | _V0
# Characters a guard may hold. Under IGNORECASE the ``regex`` module also matches «ſ» for
# «s», «İ» and «ı» for «i» and the old Cyrillic shapes U+1C80..U+1C88 for «в д о с т ъ»: those
# are FOLD_EXCEPTIONS; a text holding one is scanned by every case-insensitive regex, and
# for any other text a lowercase guard found in the lowercased text is exact.
# tests/domain/lint/test_regex_guards.py checks both sets against the engine over all of Unicode.
GUARD_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyz"
    "абвгдежзийклмнопрстуфхцчшщъыьэюяё"
    "0123456789"
    " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "₽№«»—–…❤♥♡"
)
FOLD_EXCEPTIONS = "ſİı\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86\u1c87\u1c88"
# A brace that is not a repeat count is a fuzzy match in ``regex`` («(?:cash){e<=1}»): then
# no literal of the pattern is certain to occur.
_NOT_A_REPEAT = re.compile(r"\{(?!\d*(?:,\d*)?\})")
_MAX_SET = 16  # a character set larger than this is not worth a guard
_MAX_ALTERNATIVES = 32

Guards = tuple[str, ...]


def guards_for(pattern: str, flags: int) -> Guards | None:
    """Strings one of which every match of ``pattern`` contains; None when that can't be told.

    With IGNORECASE (given or inline) the guards are lowercase and must be looked for in
    the text lowercased.
    """
    if flags & ~_HARMLESS or "[:" in pattern or _NOT_A_REPEAT.search(pattern):
        return None
    try:
        tree = sre_parse.parse(pattern, flags & (re.IGNORECASE | re.VERBOSE))
        fold = bool(tree.state.flags & re.IGNORECASE) or _has_scoped_ignorecase(tree.data)
        found = _required(tree.data, fold)
    except Exception:  # noqa: BLE001 - syntax only ``regex`` knows: no guard, the regex runs
        return None
    if not found:
        return None
    return tuple(sorted(found))


# Below this, case folding ties letters of many scripts together; above it, the scripts with
# case map to themselves under str.lower/upper, so a bound read off them holds for the engine.
_HIGH = 0x2000
# Ranges wider than this are not walked character by character for their lowest case form.
_MAX_RANGE = 0x20000


def lowest_char(pattern: str, flags: int) -> int | None:
    """A code point every match holds a character at or above, when that says something:
    «[🌀-🫿]» can't match a text whose highest character is below U+1F300 (``max(text)``
    costs far less than a scan by the engine). None when there is no such bound above U+2000.
    """
    if flags & ~_HARMLESS or "[:" in pattern or _NOT_A_REPEAT.search(pattern):
        return None
    try:
        tree = sre_parse.parse(pattern, flags & (re.IGNORECASE | re.VERBOSE))
        fold = bool(tree.state.flags & re.IGNORECASE) or _has_scoped_ignorecase(tree.data)
        bound = _bound(tree.data, fold)
    except Exception:  # noqa: BLE001 - syntax only ``regex`` knows: no bound, the regex runs
        return None
    return bound if bound is not None and bound >= _HIGH else None


def _low(code: int, fold: bool) -> int:
    if not fold:
        return code
    ch = chr(code)
    return min(code, *(ord(f[0]) for f in (ch.lower(), ch.upper(), ch.casefold()) if f))


def _range_low(first: int, last: int) -> int:
    # Whole-string case mappings: one C loop each instead of three calls per character.
    chars = "".join(map(chr, range(first, last + 1)))
    return min(first, *(ord(min(f)) for f in (chars.lower(), chars.upper(), chars.casefold())))


def _class_bound(av: Sequence[tuple[Any, Any]], fold: bool) -> int | None:
    low: int | None = None
    for op, val in av:
        if op is sre.LITERAL:
            here = _low(val, fold)
        elif op is sre.RANGE:
            first, last = val
            if last - first > _MAX_RANGE:
                return None
            here = _range_low(first, last) if fold else first
        else:
            return None  # a category (\w) or a negated set: any character may do
        low = here if low is None else min(low, here)
    return low


def _bound(items: Sequence[tuple[Any, Any]], fold: bool) -> int | None:
    """The highest lower bound any required item of ``items`` gives, or None."""
    best: int | None = None
    for op, av in items:
        found: int | None = None
        if op is sre.LITERAL:
            found = _low(av, fold)
        elif op is sre.IN:
            found = _class_bound(av, fold)
        elif op is sre.SUBPATTERN:
            found = _bound(av[3].data, fold)
        elif op is sre.ATOMIC_GROUP:
            found = _bound(av.data, fold)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if av[0] >= 1:
                found = _bound(av[2].data, fold)
        elif op is sre.BRANCH:
            lows = [_bound(b.data, fold) for b in av[1]]
            found = None if any(x is None for x in lows) else min(x for x in lows if x is not None)
        if found is not None and (best is None or found > best):
            best = found
    return best


def ignores_case(pattern: str, flags: int) -> bool:
    """Whether ``guards_for`` lowercased its guards (then match them in lowercased text)."""
    if flags & re.IGNORECASE:
        return True
    try:
        tree = sre_parse.parse(pattern, flags & re.VERBOSE)
        return bool(tree.state.flags & re.IGNORECASE) or _has_scoped_ignorecase(tree.data)
    except Exception:  # noqa: BLE001 - unknown syntax: say yes, the safe answer
        return True


def _has_scoped_ignorecase(items: Sequence[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is sre.SUBPATTERN:
            if av[1] & re.IGNORECASE or _has_scoped_ignorecase(av[3].data):
                return True
        elif op is sre.BRANCH:
            if any(_has_scoped_ignorecase(b.data) for b in av[1]):
                return True
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if _has_scoped_ignorecase(av[2].data):
                return True
        elif op in (sre.ATOMIC_GROUP,):
            if _has_scoped_ignorecase(av.data):
                return True
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            if _has_scoped_ignorecase(av[1].data):
                return True
        elif op is sre.GROUPREF_EXISTS:
            return True  # not looked into: say yes, the safe answer
    return False


def _char(code: int, fold: bool) -> str | None:
    """The character a literal contributes to a guard, or None when it can't be one."""
    ch = chr(code)
    if ch in "{}":
        return None  # «{e<=1}» is a fuzzy match in ``regex`` but literal text to re's parser
    if not fold:
        return ch
    low = ch.lower()
    return low if low in GUARD_CHARS else None


def _set_chars(av: Sequence[tuple[Any, Any]], fold: bool) -> set[str] | None:
    chars: set[str] = set()
    for op, code in av:
        if op is not sre.LITERAL:
            return None  # ranges, classes, negation: too many characters to look for
        ch = _char(code, fold)
        if ch is None:
            return None
        chars.add(ch)
    return chars if 0 < len(chars) <= _MAX_SET else None


def _single_chars(items: Sequence[tuple[Any, Any]], fold: bool) -> set[str] | None:
    """The characters of a one-character item (a literal or a small set), else None."""
    if len(items) != 1:
        return None
    op, av = items[0]
    if op is sre.LITERAL:
        ch = _char(av, fold)
        return {ch} if ch is not None else None
    if op is sre.IN:
        return _set_chars(av, fold)
    return None


def _score(alternatives: set[str]) -> tuple[int, int]:
    # The rarer the better: longer strings first, then fewer of them.
    return (min(len(s) for s in alternatives), -len(alternatives))


def _required(items: Sequence[tuple[Any, Any]], fold: bool) -> set[str] | None:
    """Alternatives one of which occurs in every match of the sequence ``items``."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            ch = _char(av, fold)
            if ch is not None:
                run.append(ch)
                continue
            flush()
            continue
        flush()
        found: set[str] | None = None
        if op is sre.SUBPATTERN:
            found = _required(av[3].data, fold)
        elif op is sre.ATOMIC_GROUP:
            found = _required(av.data, fold)
        elif op is sre.ASSERT:
            # A positive lookaround's text is in the subject too (before or after the match).
            found = _required(av[1].data, fold)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                chars = _single_chars(sub.data, fold)
                times = min(low, 2)
                if chars is not None and len(chars) ** times <= _MAX_SET:
                    found = {"".join(p) for p in product(sorted(chars), repeat=times)}
                else:
                    found = _required(sub.data, fold)
        elif op is sre.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                part = _required(branch.data, fold)
                if part is None:
                    union = set()
                    break
                union |= part
            found = union if 0 < len(union) <= _MAX_ALTERNATIVES else None
        elif op is sre.IN:
            found = _set_chars(av, fold)
        if found:
            candidates.append(found)
    flush()
    if not candidates:
        return None
    return max(candidates, key=_score)
