"""Russian numerals written in words, in every case, as the time grammar needs them.

Spelled out here rather than asked of pymorphy3 at run time: the set is small and
closed, and a lookup table keeps the deadline scan free of per-word analysis.
Forms are normalised (ё→е).
"""

from __future__ import annotations

_UNITS: dict[int, tuple[str, ...]] = {
    1: ("один", "одного", "одному", "одним", "одном", "одна", "одной", "одну", "одно"),
    2: ("два", "две", "двух", "двум", "двумя"),
    3: ("три", "трех", "трем", "тремя"),
    4: ("четыре", "четырех", "четырем", "четырьмя"),
}
# Numerals declined like «пять»: nominative, oblique «-и», instrumental «-ью».
_SOFT = {
    5: "пят", 6: "шест", 7: "сем", 8: "восем", 9: "девят", 10: "десят", 11: "одиннадцат",
    12: "двенадцат", 13: "тринадцат", 14: "четырнадцат", 15: "пятнадцат", 16: "шестнадцат",
    17: "семнадцат", 18: "восемнадцат", 19: "девятнадцат", 20: "двадцат", 30: "тридцат",
}  # fmt: skip


def _soft_forms(n: int, stem: str) -> tuple[str, ...]:
    if n == 8:
        return ("восемь", "восьми", "восемью", "восьмью")
    return (stem + "ь", stem + "и", stem + "ью")


def _cardinals() -> dict[str, int]:
    out: dict[str, int] = {}
    for n, forms in _UNITS.items():
        for f in forms:
            out[f] = n
    for n, stem in _SOFT.items():
        for f in _soft_forms(n, stem):
            out[f] = n
    for tens in (20,):
        for t in _soft_forms(tens, _SOFT[tens]):
            for n, forms in _UNITS.items():
                for f in forms:
                    out[f"{t} {f}"] = tens + n
    out["полутора"] = 1  # «в течение полутора часов» rounds down: a promise is not extended
    return out


_ORDINAL_STEMS = {
    1: "перв", 2: "втор", 4: "четверт", 5: "пят", 6: "шест", 7: "седьм", 8: "восьм", 9: "девят",
    10: "десят", 11: "одиннадцат", 12: "двенадцат", 13: "тринадцат", 14: "четырнадцат",
    15: "пятнадцат", 16: "шестнадцат", 17: "семнадцат", 18: "восемнадцат", 19: "девятнадцат",
    20: "двадцат", 30: "тридцат",
}  # fmt: skip
_ORDINAL_ENDINGS = ("ого", "ое", "ому", "ым", "ом")
_THIRD = ("третьего", "третье", "третьему", "третьим", "третьем")


def _ordinal_forms(n: int) -> tuple[str, ...]:
    if n == 3:
        return _THIRD
    return tuple(_ORDINAL_STEMS[n] + e for e in _ORDINAL_ENDINGS)


def _ordinals() -> dict[str, int]:
    out: dict[str, int] = {}
    for n in list(_ORDINAL_STEMS) + [3]:
        for f in _ordinal_forms(n):
            out[f] = n
    for tens, word in ((20, "двадцать"), (30, "тридцать")):
        for n in range(1, 10 if tens == 20 else 2):
            for f in _ordinal_forms(n):
                out[f"{word} {f}"] = tens + n
    return out


CARDINALS: dict[str, int] = _cardinals()
ORDINALS: dict[str, int] = _ordinals()
