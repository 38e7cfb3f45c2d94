"""A deterministic stand-in translator for tests and demos: no network, no key.

Russian → Chinese and Chinese → Russian by a small phrase book; words it does not know are
kept and the result is marked with «[zh]» / «[ru]» at the start so a test (and a person
looking at a demo) can tell it is machine-made. Markup tags (``<x i="1"/>``, ``<br/>``) are
kept in place, as the real engines keep them. ``calls`` counts the requests, so tests see
when the cache answered instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from ozondesk.translation.engine import Lang, TranslationError

RU_ZH = {
    "здравствуйте": "您好",
    "спасибо": "谢谢",
    "заказ": "订单",
    "ваш заказ": "您的订单",
    "отправим": "我们将发货",
    "доставка": "配送",
    "посылка": "包裹",
    "товар": "商品",
    "возврат": "退货",
    "где мой заказ": "我的订单在哪里",
    "извините": "抱歉",
    "пожалуйста": "请",
    "да": "是",
    "нет": "不",
}
ZH_RU = {zh: ru for ru, zh in RU_ZH.items()}
_TAG = re.compile(r"(<[^<>]*>)")


def _translate_plain(text: str, book: dict[str, str]) -> str:
    # Longest phrases first, whole words only for Russian.
    out = text
    for phrase in sorted(book, key=len, reverse=True):
        if re.search(r"[а-яё]", phrase):
            out = re.sub(r"(?<![а-яё])" + re.escape(phrase) + r"(?![а-яё])", book[phrase], out,
                         flags=re.I)
        else:
            out = out.replace(phrase, book[phrase])
    return out


def fake_translate(markup: str, target: Lang) -> str:
    book = RU_ZH if target == "zh" else ZH_RU
    parts = _TAG.split(markup)
    done = "".join(p if _TAG.fullmatch(p) else _translate_plain(p, book) for p in parts)
    return f"[{target}] {done}"


class FakeEngine:
    """An engine object for ``TranslationService(engine=...)``; ``fail`` makes the next calls
    raise (a test of error paths)."""

    name = "fake"
    max_chars = 10_000

    def __init__(self) -> None:
        self.calls = 0
        self.sent: list[str] = []
        self.fail: TranslationError | None = None
        self._lock = threading.Lock()

    def translate(self, texts: Sequence[str], target: Lang, source: Lang | None) -> list[str]:
        with self._lock:
            self.calls += 1
            self.sent.extend(texts)
            if self.fail is not None:
                raise self.fail
        return [fake_translate(text, target) for text in texts]

    def close(self) -> None:
        pass
