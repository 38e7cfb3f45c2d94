"""What every translation engine offers, and the HTTP plumbing they share: retries with backoff
on 429 and 5xx, and one line in the interface language for a bad key, a used-up quota or no
network."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

import httpx

from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

log = logging.getLogger("ozondesk.translation")

Lang = Literal["ru", "zh"]
ENGINE_NAMES = ("yandex", "libretranslate", "deepl")
# Display names, translated where they are shown.
DISPLAY_NAMES = {
    "yandex": N_("Yandex Cloud Translate"),
    "libretranslate": N_("LibreTranslate"),
    "deepl": N_("DeepL"),
    "fake": N_("Test translator"),
}
RETRIES = 3  # attempts after the first, on 429, 5xx and dropped connections
TIMEOUT = 20.0


class TranslationError(UserError):
    """An engine refused or could not be reached; the message says what to do."""


class BadKey(TranslationError):
    pass


class QuotaExhausted(TranslationError):
    pass


class Unreachable(TranslationError):
    pass


class Engine(Protocol):
    """Translates markup (text with ``<x i="1"/>`` tokens and ``<br/>``) keeping every tag."""

    name: str
    max_chars: int  # per request, from the provider's documented limits

    def translate(self, texts: Sequence[str], target: Lang, source: Lang | None) -> list[str]: ...

    def close(self) -> None: ...


def display_name(engine: str) -> str:
    return _(DISPLAY_NAMES[engine]) if engine in DISPLAY_NAMES else engine


def one_line(text: Any, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class HttpEngine:
    """A JSON-over-HTTPS engine: a client, retries and the error lines; subclasses say how
    their requests and answers look."""

    name = ""
    max_chars = 5000

    def __init__(
        self,
        url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        pause: Callable[[float], None] = time.sleep,
        backoff: float = 0.5,
        timeout: float = TIMEOUT,
    ) -> None:
        self.url = url
        self._pause = pause
        self._backoff = backoff
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), transport=transport,
            headers={"User-Agent": "OzonDesk"},
        )

    def close(self) -> None:
        self._http.close()

    # -- subclasses --------------------------------------------------------------------------
    def refusal(self, response: httpx.Response, message: str) -> TranslationError:
        """The error for a final non-2xx answer (``message``: the provider's error text)."""
        if response.status_code in (401, 403):
            return BadKey(
                _("{engine} refused the key: enter a valid key in Settings → Translation").format(
                    engine=display_name(self.name)
                )
            )
        if response.status_code == 429:
            return TranslationError(
                _("{engine} is busy (too many requests): try again in a minute").format(
                    engine=display_name(self.name)
                )
            )
        return TranslationError(
            _("{engine} refused the text ({status}): {message}").format(
                engine=display_name(self.name), status=response.status_code,
                message=one_line(message) or "-",
            )
        )

    @staticmethod
    def error_message(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return one_line(response.text)
        if isinstance(body, dict):
            for key in ("message", "error", "detail"):
                if body.get(key):
                    return one_line(body[key])
        return one_line(response.text)

    # -- shared ------------------------------------------------------------------------------
    def post(self, url: str, **kwargs: Any) -> Any:
        """POST with retries on 429, 5xx and dropped connections; the decoded JSON answer."""
        for attempt in range(RETRIES + 1):
            try:
                response = self._http.post(url, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt == RETRIES:
                    raise Unreachable(
                        _("cannot reach {engine} at {url}: check the network or the server "
                          "address in Settings → Translation").format(
                            engine=display_name(self.name), url=self._host(url))
                    ) from None
                log.info("%s: %s, retrying", self.name, type(exc).__name__)
                self._pause(self._backoff * 2**attempt)
                continue
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise Unreachable(
                        _("{engine} did not answer ({reason}): try again later").format(
                            engine=display_name(self.name), reason=type(exc).__name__)
                    ) from None
                self._pause(self._backoff * 2**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt < RETRIES:
                    self._pause(self._wait(response, attempt))
                    continue
            if response.status_code >= 400:
                raise self.refusal(response, self.error_message(response))
            try:
                return response.json()
            except ValueError:
                raise TranslationError(
                    _("{engine} answered with something that is not a translation: check the "
                      "server address in Settings → Translation").format(
                        engine=display_name(self.name))
                ) from None
        raise AssertionError("unreachable")

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        after = response.headers.get("Retry-After", "")
        if after.isdigit():
            return min(float(after), 10.0)
        return self._backoff * 2**attempt

    @staticmethod
    def _host(url: str) -> str:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            return url
        return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")


def batches(texts: Sequence[str], limit: int) -> list[list[int]]:
    """Indexes of ``texts`` grouped so no group holds more than ``limit`` characters."""
    groups: list[list[int]] = []
    size = 0
    for i, text in enumerate(texts):
        if groups and size + len(text) <= limit:
            groups[-1].append(i)
            size += len(text)
        else:
            groups.append([i])
            size = len(text)
    return groups


def check_url(url: str) -> str:
    """An http(s) URL, or a UserError saying what a server address looks like."""
    url = url.strip()
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise UserError(
            _("the translation server address {url!r} is not an http(s) URL, "
              "e.g. http://127.0.0.1:5000").format(url=url)
        )
    return url.rstrip("/")
