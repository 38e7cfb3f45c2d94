"""Yandex Cloud Translate, API v2: ``POST https://translate.api.cloud.yandex.net/translate/v2/translate``.

Headers ``Authorization: Api-Key <key>`` (a service account's API key). Body (JSON):
``folderId`` (only needed with a user account's token; sent when the team set one), ``texts``
(list), ``targetLanguageCode``, ``sourceLanguageCode``, ``format`` ("PLAIN_TEXT" | "HTML").
Answer: ``{"translations": [{"text": "...", "detectedLanguageCode": "ru"}]}``. Errors are
``{"code": <gRPC code>, "message": "...", "details": [...]}``: 400 code 3 (invalid argument),
401 code 16 (unknown key), 403 code 7 (no permission: the account lacks the ai.translate.user
role or the folder is wrong), 429 code 8 (request rate or characters per hour exceeded), 5xx.
Limit: 10,000 characters per request in all its texts. Data is processed in Russia.
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

DEFAULT_URL = "https://translate.api.cloud.yandex.net"
METHOD = "/translate/v2/translate"


class YandexTranslate(HttpEngine):
    name = "yandex"
    max_chars = 10_000

    def __init__(self, key: str, folder_id: str = "", url: str = "", **kwargs: Any) -> None:
        base = (url or DEFAULT_URL).rstrip("/")
        super().__init__(base if base.endswith(METHOD) else base + METHOD, **kwargs)
        self._key = key
        self._folder = folder_id

    def refusal(self, response: httpx.Response, message: str) -> TranslationError:
        engine = display_name(self.name)
        if response.status_code == 401:
            return BadKey(
                _("{engine} refused the key: enter a valid API key in Settings → "
                  "Translation").format(engine=engine)
            )
        if response.status_code == 403:
            return BadKey(
                _("{engine} denied access ({message}): the service account needs the "
                  "ai.translate.user role, and the folder id must be its folder").format(
                    engine=engine, message=message)
            )
        if response.status_code == 429:
            return QuotaExhausted(
                _("{engine} quota is used up (requests or characters per hour): try again "
                  "later, or raise the quota in the Yandex Cloud console").format(engine=engine)
            )
        return super().refusal(response, message)

    def translate(self, texts: Sequence[str], target: Lang, source: Lang | None) -> list[str]:
        out: list[str] = [""] * len(texts)
        for group in batches(texts, self.max_chars):
            body: dict[str, Any] = {
                "texts": [texts[i] for i in group],
                "targetLanguageCode": target,
                "format": "HTML",
            }
            if source:
                body["sourceLanguageCode"] = source
            if self._folder:
                body["folderId"] = self._folder
            answer = self.post(self.url, json=body,
                               headers={"Authorization": f"Api-Key {self._key}"})
            items = answer.get("translations") if isinstance(answer, dict) else None
            if not isinstance(items, list) or len(items) != len(group) or not all(
                isinstance(t, dict) and isinstance(t.get("text"), str) for t in items
            ):
                raise TranslationError(
                    _("{engine} answered without a translation: check the server address in "
                      "Settings → Translation").format(engine=display_name(self.name))
                )
            for i, item in zip(group, items, strict=True):
                out[i] = item["text"]
        return out
