"""The Ozon Seller API client: the current methods only, with limits, retries and typed parsing.

Idempotent reads are retried on 429, 5xx, timeouts and dropped connections. Sending a
message is not idempotent: it is retried here only when the platform certainly did not
process it (rate limited, or the connection never opened); anything uncertain goes back to
the outbox, which checks the chat history first. «Circle is open» is not retried at all: Ozon
blocks the method for minutes, so the client refuses that method for ``CIRCLE_BACKOFF`` seconds.

A response whose shape is not the documented one (an array where an object belongs) raises
``MalformedResponse``; it never reads as an empty page.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar

import httpx

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.ratelimit import DEFAULT_RATE, TokenBucket, bucket_for
from ozondesk.ozon.records import (
    ChatListPage,
    ChatMessage,
    HistoryPage,
    PostingInfo,
    PostingPage,
    ProductInfo,
    ReturnPage,
    parse_chat_list,
    parse_fbo_posting,
    parse_fbs_posting,
    parse_history,
    parse_posting_page,
    parse_products,
    parse_return_page,
)

log = logging.getLogger("ozondesk.sync")

BASE_URL = "https://api-seller.ozon.ru"
CHAT_LIST_MAX = 100
HISTORY_MAX = 1000
RETURNS_MAX = 500
PRODUCTS_MAX = 1000
ORDER_FILTER_MAX = 50
# «Circle is open» blocks a method "for a few minutes" (the API's error list); waiting five
# before the next call of it keeps the block from being extended by our own retries.
CIRCLE_BACKOFF = 300.0
# Posting fields the desk reads that the API only sends when asked (delivery dates).
POSTING_WITH = {"analytics_data": True}
R = TypeVar("R")

# Methods refused with «Circle is open»: (client id, base url, path) -> monotonic time the
# block ends. Shared by every client of a shop, as the sync and the outbox each have one.
_circuits: dict[tuple[str, str, str], float] = {}
_circuits_lock = threading.Lock()


class PlanGate(Protocol):
    """Per-shop knowledge of which methods the shop's plan allows (services/capabilities.py)."""

    def check(self, path: str) -> None:
        """Raise ``NotInPlan`` when ``path`` was refused for the plan and is not due a re-check."""

    def refused(self, path: str, err: E.SubscriptionRequired) -> E.OzonError:
        """Note a refusal; returns the error to raise."""

    def allowed(self, path: str) -> None:
        """Note that ``path`` answered."""


def check_base_url(value: str) -> str:
    """``value`` without a trailing slash, or a one-line ``UserError`` saying what is wrong."""
    try:
        url = httpx.URL(value)
        url.port  # noqa: B018 - httpx checks the port only when it is read
    except (httpx.InvalidURL, ValueError, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise UserError(
            _("cannot use Seller API address {url!r}: give one like https://api-seller.ozon.ru").format(
                url=value
            )
        )
    return value.rstrip("/")


def check_api_key(value: str) -> str:
    """Seller API keys are printable ASCII (a UUID); anything else was pasted wrong."""
    if not value or not value.isascii() or not value.isprintable() or " " in value.strip():
        raise UserError(
            _("the API key holds characters an Ozon key never has: copy it again from the seller cabinet")
        )
    return value.strip()


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def classify(status: int, body: bytes, path: str, retry_after: float | None = None) -> E.OzonError:
    """Turn an error response into the matching ``OzonError``."""
    code: int | None = None
    message = ""
    try:
        data = json.loads(body or b"{}")
        if isinstance(data, dict):
            code = data.get("code") if isinstance(data.get("code"), int) else None
            message = str(data.get("message") or data.get("error") or "")
    except ValueError:
        message = body[:200].decode("utf-8", "replace")
    message = message or f"HTTP {status}"
    low = message.lower()
    kw: dict[str, Any] = {"status": status, "code": code, "path": path}
    if "obsolete method" in low or status == 410:
        return E.ObsoleteMethod(message, **kw)
    if status == 404 and code is None and "page not found" in low:
        # The gateway's own plain-text answer for a path it has no route for.
        return E.ObsoleteMethod(message, **kw)
    if "circle is open" in low:
        seconds = max(CIRCLE_BACKOFF, retry_after or 0.0)
        return E.CircuitOpen(
            message,
            until=seconds,
            minutes=math.ceil(seconds / 60),
            retry_after=seconds,
            **kw,
        )
    if "rate limit" in low or status == 429 or code == 8:
        return E.RateLimited(message, retry_after=retry_after, **kw)
    if "subscription" in low or "premium" in low:
        return E.SubscriptionRequired(message, **kw)
    # A wrong key gets 404 with code 5 (NOT_FOUND), like a missing object: the message tells them apart.
    if "api-key" in low or "api key" in low or "client-id" in low:
        if "required role" in low:
            return E.PermissionDenied(message, **kw)
        return E.AuthError(message, **kw)
    if status == 403:
        if "offer not signed" in low or "role" in low or "not allowed" in low:
            return E.PermissionDenied(message, **kw)
        # A bare 403 on the chat methods is how a missing Premium subscription shows.
        return E.SubscriptionRequired(message, **kw)
    if status >= 500:
        return E.TransientError(message, **kw)
    if status == 404:
        return E.NotFound(message, **kw)
    return E.BadRequest(message, **kw)


class OzonClient:
    """One shop's connection. Thread-safe: the sync fetches histories from a few threads."""

    def __init__(
        self,
        client_id: str,
        api_key: str,
        base_url: str = BASE_URL,
        *,
        timeout: float = 20.0,
        retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        rate: float | None = DEFAULT_RATE,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        base_url = check_base_url(base_url)
        api_key = check_api_key(api_key)
        self.client_id = str(client_id)
        self._api_key = api_key
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._monotonic = monotonic
        self._base_url = base_url
        # Set by the sync to skip methods the shop's plan lacks (services/capabilities.py).
        self.gate: PlanGate | None = None
        self._bucket: TokenBucket | None = bucket_for(self.client_id, rate) if rate else None
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Client-Id": self.client_id,
                "Api-Key": api_key,
                "Content-Type": "application/json",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )
        self.requests = 0

    @property
    def api_key(self) -> str:
        """The key this client sends; callers register it for redaction, never print it."""
        return self._api_key

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OzonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------------

    def _delay(self, attempt: int, err: E.TransientError) -> float:
        if err.retry_after is not None:
            return min(err.retry_after, self.max_backoff)
        return min(self.max_backoff, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)

    def post(self, path: str, body: dict[str, Any], *, idempotent: bool = True) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return self._once(path, body)
            except E.CircuitOpen:
                raise
            except E.TransientError as err:
                certain_not_processed = isinstance(err, E.RateLimited) or (
                    isinstance(err, E.ConnectionFailed) and not err.sent
                )
                if attempt >= self.retries or not (idempotent or certain_not_processed):
                    raise
                delay = self._delay(attempt, err)
                log.info("%s failed (%s); retry %d in %.2fs", path, err.message, attempt + 1, delay)
                self._sleep(delay)
                attempt += 1

    def _circuit_check(self, path: str) -> None:
        key = (self.client_id, self._base_url, path)
        with _circuits_lock:
            until = _circuits.get(key)
        if until is None:
            return
        left = until - self._monotonic()
        if left <= 0:
            with _circuits_lock:
                _circuits.pop(key, None)
            return
        raise E.CircuitOpen(
            "Circle is open", until=until, minutes=math.ceil(left / 60), path=path, retry_after=left
        )

    def _once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.gate is not None:
            self.gate.check(path)
        self._circuit_check(path)
        if self._bucket is not None:
            self._bucket.acquire()
        self.requests += 1
        try:
            response = self._http.post(path, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise E.ConnectionFailed(f"cannot connect: {exc}", sent=False, path=path) from None
        except httpx.TransportError as exc:
            # Read timeouts and connections dropped mid-response: the request may have been handled.
            raise E.ConnectionFailed(
                f"connection lost: {type(exc).__name__}", sent=True, path=path
            ) from None
        log.debug("POST %s -> %d", path, response.status_code)
        if response.status_code != 200:
            err = classify(response.status_code, response.content, path, _retry_after(response))
            if isinstance(err, E.CircuitOpen):
                err.until = self._monotonic() + float(err.retry_after or CIRCLE_BACKOFF)
                with _circuits_lock:
                    _circuits[(self.client_id, self._base_url, path)] = err.until
                log.warning("%s: circle is open; not called again for %d min", path, err.minutes)
            if isinstance(err, E.SubscriptionRequired) and self.gate is not None:
                err = self.gate.refused(path, err)
            raise self._scrub(err)
        try:
            data = response.json()
        except ValueError:
            raise E.MalformedResponse("the answer is not JSON", status=200, path=path) from None
        if not isinstance(data, dict):
            raise E.MalformedResponse("the answer is not a JSON object", status=200, path=path)
        if self.gate is not None:
            self.gate.allowed(path)
        return data

    def _read(self, path: str, body: dict[str, Any], parse: Callable[[dict[str, Any]], R]) -> R:
        """POST and parse; a page whose shape is not the documented one is an error."""
        data = self.post(path, body)
        try:
            return parse(data)
        except E.RecordError as exc:
            raise E.MalformedResponse(
                f"unexpected answer shape: {exc.problem}", status=200, path=path
            ) from None

    def _scrub(self, err: E.OzonError) -> E.OzonError:
        # A gateway may echo the request's headers: keep our key out of every message we raise.
        if self._api_key and self._api_key in err.message:
            err.message = err.message.replace(self._api_key, "***")
            err.args = (err.message,)
        return err

    # -- chats -----------------------------------------------------------------------------

    def chat_list(
        self, cursor: str | None = None, *, unread_only: bool = False, limit: int = CHAT_LIST_MAX
    ) -> ChatListPage:
        body: dict[str, Any] = {
            "filter": {"unread_only": unread_only},
            "limit": min(limit, CHAT_LIST_MAX),
        }
        if cursor:
            body["cursor"] = cursor
        return self._read("/v3/chat/list", body, parse_chat_list)

    def chat_history(
        self,
        chat_id: str,
        from_message_id: int | None = None,
        *,
        direction: str = "Backward",
        limit: int = HISTORY_MAX,
    ) -> HistoryPage:
        body: dict[str, Any] = {
            "chat_id": chat_id,
            "direction": direction,
            "limit": min(limit, HISTORY_MAX),
        }
        if from_message_id is not None:
            # uint64: a JSON number, as in the official request example. Python's int keeps all
            # digits; only JavaScript clients lose precision above 2^53.
            body["from_message_id"] = int(from_message_id)
        return self._read("/v3/chat/history", body, parse_history)

    def history_since(
        self, chat_id: str, after: int | None = None, *, page_size: int = HISTORY_MAX
    ) -> tuple[list[ChatMessage], list[E.RecordError]]:
        """Messages newer than ``after`` (all when None), oldest first, each once.

        Walks backwards from the newest; whether ``from_message_id`` is inclusive is not
        documented, so pages are deduplicated by id.
        """
        seen: dict[int, ChatMessage] = {}
        errors: list[E.RecordError] = []
        cursor: int | None = None
        while True:
            page = self.chat_history(chat_id, cursor, limit=page_size)
            errors.extend(page.errors)
            fresh = [m for m in page.messages if m.message_id not in seen]
            for m in fresh:
                if after is None or m.message_id > after:
                    seen[m.message_id] = m
            oldest = min((m.message_id for m in page.messages), default=None)
            reached = after is not None and oldest is not None and oldest <= after
            if not page.has_next or not fresh or reached or oldest is None:
                break
            cursor = oldest
        return sorted(seen.values(), key=lambda m: m.message_id), errors

    def send_message(self, chat_id: str, text: str) -> None:
        data = self.post(
            "/v1/chat/send/message", {"chat_id": chat_id, "text": text}, idempotent=False
        )
        if str(data.get("result", "")).lower() != "success":
            raise E.MalformedResponse(
                f"unexpected answer {data!r:.100}", status=200, path="/v1/chat/send/message"
            )

    def read_chat(self, chat_id: str, from_message_id: int) -> int:
        data = self.post(
            "/v2/chat/read", {"chat_id": chat_id, "from_message_id": int(from_message_id)}
        )
        value = data.get("unread_count", 0)
        return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0

    def start_chat(self, posting_number: str) -> str:
        data = self.post("/v1/chat/start", {"posting_number": posting_number}, idempotent=False)
        result = data.get("result")
        chat_id = result.get("chat_id") if isinstance(result, dict) else None
        if not isinstance(chat_id, str) or not chat_id:
            raise E.MalformedResponse("no chat_id in the answer", status=200, path="/v1/chat/start")
        return chat_id

    # -- postings, returns, products -------------------------------------------------------

    def fbs_get(self, posting_number: str) -> PostingInfo:
        body = {"posting_number": posting_number, "with": dict(POSTING_WITH)}
        return self._read("/v3/posting/fbs/get", body, lambda d: parse_fbs_posting(d.get("result")))

    def fbo_get(self, posting_number: str) -> PostingInfo:
        body = {"posting_number": posting_number, "with": dict(POSTING_WITH)}
        return self._read("/v2/posting/fbo/get", body, lambda d: parse_fbo_posting(d.get("result")))

    def fbs_list(
        self,
        order_numbers: Iterable[str],
        since: datetime,
        to: datetime,
        cursor: str | None = None,
        limit: int = 100,
    ) -> PostingPage:
        return self._posting_list(
            "/v4/posting/fbs/list", parse_fbs_posting, order_numbers, since, to, cursor, limit
        )

    def fbo_list(
        self,
        order_numbers: Iterable[str],
        since: datetime,
        to: datetime,
        cursor: str | None = None,
        limit: int = 100,
    ) -> PostingPage:
        return self._posting_list(
            "/v3/posting/fbo/list", parse_fbo_posting, order_numbers, since, to, cursor, limit
        )

    def _posting_list(
        self,
        path: str,
        parse_one: Any,
        order_numbers: Iterable[str],
        since: datetime,
        to: datetime,
        cursor: str | None,
        limit: int,
    ) -> PostingPage:
        body: dict[str, Any] = {
            "filter": {"since": _iso(since), "to": _iso(to), "order_numbers": list(order_numbers)},
            "limit": limit,
            "sort_dir": "ASC",
            "with": dict(POSTING_WITH),
        }
        if cursor:
            body["cursor"] = cursor
        return self._read(path, body, lambda d: parse_posting_page(d, parse_one))

    def returns_list(
        self, posting_numbers: Iterable[str], last_id: int = 0, limit: int = RETURNS_MAX
    ) -> ReturnPage:
        body = {
            "filter": {"posting_numbers": list(posting_numbers)},
            "limit": min(limit, RETURNS_MAX),
            "last_id": last_id,
        }
        return self._read("/v1/returns/list", body, parse_return_page)

    def product_info(self, skus: Iterable[int]) -> tuple[list[ProductInfo], list[E.RecordError]]:
        return self._read("/v3/product/info/list", {"sku": [str(s) for s in skus]}, parse_products)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
