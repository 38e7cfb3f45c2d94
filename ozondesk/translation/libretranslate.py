"""LibreTranslate (a self-hosted server): ``POST {url}/translate``.

Request (JSON): ``q`` (a string, or a list of strings for a batch), ``source`` ("ru", "zh" or
"auto"), ``target``, ``format`` ("text" | "html"), ``api_key`` (only when the server requires
keys). Answer: ``{"translatedText": "..."}`` (a list for a list ``q``; with ``source: auto`` also
``detectedLanguage``). Errors: ``{"error": "..."}`` with 400 (bad request, text over the server's
``--char-limit``), 403 (missing or wrong key, banned), 429 (slow down), 500 (translation failed).
The character limit is the server's own; 5,000 per request is a conservative default.
Simplified Chinese is "zh" on most servers and "zh-Hans" on newer ones (libretranslate.com): a
server that says "zh is not supported" is asked again with "zh-Hans", which is then kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from ozondesk.i18n import _
from ozondesk.translation.engine import (
    BadKey,
    HttpEngine,
    Lang,
    QuotaExhausted,
    TranslationError,
    batches,
    display_name,
)

DEFAULT_URL = "http://127.0.0.1:5000"


class LibreTranslate(HttpEngine):
    name = "libretranslate"
    max_chars = 5000

    def __init__(self, url: str = DEFAULT_URL, key: str = "", **kwargs: Any) -> None:
        super().__init__(url.rstrip("/"), **kwargs)
        self._key = key
        self._codes = {"ru": "ru", "zh": "zh"}

    def refusal(self, response: httpx.Response, message: str) -> TranslationError:
        if response.status_code == 403:
            return BadKey(
                _("the LibreTranslate server refused the key ({message}): enter the key it "
                  "issued in Settings → Translation").format(message=message)
            )
        if response.status_code == 400 and "limit" in message.lower():
            return QuotaExhausted(
                _("the LibreTranslate server refused a text this long ({message})").format(
                    message=message)
            )
        if response.status_code == 404:
            return TranslationError(
                _("{url} has no LibreTranslate /translate method: check the server address in "
                  "Settings → Translation").format(url=self.url)
            )
        return super().refusal(response, message)

    def translate(self, texts: Sequence[str], target: Lang, source: Lang | None) -> list[str]:
        out: list[str] = [""] * len(texts)
        for group in batches(texts, self.max_chars):
            # One text as a string: servers started with --batch-limit refuse lists.
            q: str | list[str] = texts[group[0]] if len(group) == 1 else [texts[i] for i in group]
            try:
                answer = self._request(q, target, source)
            except TranslationError as exc:
                if "zh" not in (target, source) or self._codes["zh"] != "zh" or (
                    "not supported" not in exc.message):
                    raise
                self._codes["zh"] = "zh-Hans"
                answer = self._request(q, target, source)
            translated = answer.get("translatedText") if isinstance(answer, dict) else None
            if isinstance(translated, str) and isinstance(q, str):
                translated = [translated]
            if not isinstance(translated, list) or len(translated) != len(group) or not all(
                isinstance(t, str) for t in translated
            ):
                raise TranslationError(
                    _("{engine} answered without a translation: check the server address in "
                      "Settings → Translation").format(engine=display_name(self.name))
                )
            for i, text in zip(group, translated, strict=True):
                out[i] = text
        return out

    def _request(self, q: str | list[str], target: Lang, source: Lang | None) -> Any:
        body: dict[str, Any] = {
            "q": q,
            "source": self._codes[source] if source else "auto",
            "target": self._codes[target],
            "format": "html",
        }
        if self._key:
            body["api_key"] = self._key
        return self.post(f"{self.url}/translate", json=body)
