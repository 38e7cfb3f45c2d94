"""DeepL API: ``POST https://api.deepl.com/v2/translate`` (``api-free.deepl.com`` for a free
key, which ends with ``:fx``).

Header ``Authorization: DeepL-Auth-Key <key>``. Body (JSON): ``text`` (list, at most 50),
``target_lang`` ("ZH-HANS", "RU"), ``source_lang`` ("ZH", "RU"), ``tag_handling: "xml"`` so
our tokens and line breaks stay tags. Answer: ``{"translations": [{"detected_source_language":
"RU", "text": "..."}]}``. Errors (``{"message": "..."}``): 400 bad request, 403 authorization
failed, 413 request too large (the body's limit is 128 KiB), 429 too many requests, 456 quota
exceeded (the month's characters), 5xx and 529 try again. Text leaves Russia: Settings says so.
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
    display_name,
)

PRO_URL = "https://api.deepl.com"
FREE_URL = "https://api-free.deepl.com"
METHOD = "/v2/translate"
MAX_TEXTS = 50
TARGETS = {"zh": "ZH-HANS", "ru": "RU"}
SOURCES = {"zh": "ZH", "ru": "RU"}


def default_url(key: str) -> str:
    return FREE_URL if key.endswith(":fx") else PRO_URL


class DeepL(HttpEngine):
    name = "deepl"
    # Characters of text per request: well under the 128 KiB body limit even for Chinese
    # (3 bytes a character in UTF-8) with the JSON around it.
    max_chars = 30_000

    def __init__(self, key: str, url: str = "", **kwargs: Any) -> None:
        base = (url or default_url(key)).rstrip("/")
        super().__init__(base if base.endswith(METHOD) else base + METHOD, **kwargs)
        self._key = key

    def refusal(self, response: httpx.Response, message: str) -> TranslationError:
        engine = display_name(self.name)
        if response.status_code == 403:
            return BadKey(
                _("{engine} refused the key: enter a valid authentication key in Settings → "
                  "Translation (a free key ends with :fx)").format(engine=engine)
            )
        if response.status_code == 456:
            return QuotaExhausted(
                _("the {engine} character quota of this month is used up: raise it in the "
                  "DeepL account, or wait for the next billing period").format(engine=engine)
            )
        if response.status_code == 413:
            return TranslationError(
                _("{engine} refused a text this long: translate it in parts").format(
                    engine=engine)
            )
        return super().refusal(response, message)

    def translate(self, texts: Sequence[str], target: Lang, source: Lang | None) -> list[str]:
        out: list[str] = []
        size = 0
        group: list[str] = []
        groups: list[list[str]] = []
        for text in texts:
            if group and (len(group) == MAX_TEXTS or size + len(text) > self.max_chars):
                groups.append(group)
                group, size = [], 0
            group.append(text)
            size += len(text)
        if group:
            groups.append(group)
        for group in groups:
            body: dict[str, Any] = {
                "text": group,
                "target_lang": TARGETS[target],
                "tag_handling": "xml",
            }
            if source:
                body["source_lang"] = SOURCES[source]
            answer = self.post(self.url, json=body,
                               headers={"Authorization": f"DeepL-Auth-Key {self._key}"})
            items = answer.get("translations") if isinstance(answer, dict) else None
            if not isinstance(items, list) or len(items) != len(group) or not all(
                isinstance(t, dict) and isinstance(t.get("text"), str) for t in items
            ):
                raise TranslationError(
                    _("{engine} answered without a translation: check the server address in "
                      "Settings → Translation").format(engine=display_name(self.name))
                )
            out.extend(item["text"] for item in items)
        return out
