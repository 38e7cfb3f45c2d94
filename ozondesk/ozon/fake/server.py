"""A local stand-in for the Seller API on 127.0.0.1, with faults on request.

Faults are queued per path (or ``*``) through the constructor, ``inject()`` or
``POST /__fake__/fault {"path", "kind", "times"}`` (``POST /__fake__/clear_faults`` forgets them);
kinds are in ``FAULTS``. The server
is bounded: loopback only, at most ``max_concurrency`` requests handled at once, bodies
up to 1 MB, and with ``lifetime`` it stops by itself.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ozondesk.ozon.fake.questions_reviews import FeedbackWorld
from ozondesk.ozon.fake.questions_reviews import routes as feedback_routes
from ozondesk.ozon.fake.rfbs import register as register_rfbs
from ozondesk.ozon.fake.world import FakeWorld

FAULTS = (
    "500",  # Internal error
    "429",  # rate limited
    "circle",  # «Circle is open»
    "malformed",  # a 200 whose body is not JSON
    "bad_record",  # one record of the page with a wrong id type and one missing its key
    "drop",  # the connection closes half-way through the response; the method did not run
    "drop_after",  # the request is carried out, then the connection drops before the answer
    "obsolete",  # «Obsolete method cannot be used»
    "subscription",  # «not available with existing subscription»
    "forbidden",  # a bare 403
    "badkey",  # 404 code 5, as a wrong Api-Key gets
    "echo_key",  # 400 whose message repeats the request's Api-Key (a careless proxy or gateway)
)
MAX_BODY = 1 << 20


@dataclass
class Fault:
    kind: str
    path: str = "*"
    times: int = 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeOzon, port: int, max_concurrency: int) -> None:
        self.fake = fake
        self.slots = threading.BoundedSemaphore(max_concurrency)
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _offset(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(str(cursor).encode()).decode()[2:])
    except (ValueError, UnicodeDecodeError):
        raise _Reply(400, {"code": 3, "message": "invalid cursor"}) from None


PAGE_NOT_FOUND = "404 page not found"


class _Reply(Exception):
    """An answer other than the method's own; ``body`` a dict (JSON) or text (plain)."""

    def __init__(self, status: int, body: dict[str, Any] | str) -> None:
        self.status = status
        self.body = body


def _error(status: int, code: int, message: str) -> _Reply:
    return _Reply(status, {"code": code, "message": message, "details": []})


class FakeOzon:
    """``with FakeOzon(port=0) as fake: client = OzonClient(fake.client_id, fake.api_key, fake.url)``."""

    def __init__(
        self,
        port: int = 0,
        *,
        seed: int = 1,
        chats: int = 50,
        messages: int = 6,
        client_id: str = "123456",
        api_key: str = "fake-api-key",
        rate_limit: int | None = None,
        faults: Iterable[Fault] = (),
        lifetime: float | None = None,
        max_concurrency: int = 32,
        questions: int = 0,
        reviews: int = 0,
    ) -> None:
        self.world = FakeWorld(seed=seed, chats=chats, messages=messages)
        self.feedback = FeedbackWorld(seed, questions, reviews, self.world.now)
        self.client_id = client_id
        self.api_key = api_key
        self.rate_limit = rate_limit
        self.lifetime = lifetime
        self._faults: list[Fault] = list(faults)
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self.calls: dict[str, int] = {}
        self._server = _Server(self, port, max_concurrency)
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self.stopped = threading.Event()
        self.routes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "/v3/chat/list": self._chat_list,
            "/v3/chat/history": self._chat_history,
            "/v1/chat/send/message": self._send_message,
            "/v2/chat/read": self._chat_read,
            "/v1/chat/start": self._chat_start,
            "/v3/posting/fbs/get": self._fbs_get,
            "/v2/posting/fbo/get": self._fbo_get,
            "/v4/posting/fbs/list": self._fbs_list,
            "/v3/posting/fbo/list": self._fbo_list,
            "/v1/returns/list": self._returns_list,
            "/v3/product/info/list": self._product_info,
        }
        self.routes.update(feedback_routes(self.feedback, _error))
        # rFBS returns, conditional cancellations and chat files (ozon/fake/rfbs.py).
        self.rfbs = register_rfbs(self)
        self.started: list[str] = []  # posting numbers /v1/chat/start was called for, in order
        self.obsolete = {
            "/v2/chat/list",
            "/v2/chat/history",
            "/v1/chat/list",
            "/v1/chat/history",
            "/v3/posting/fbs/list",
            "/v2/posting/fbo/list",
        }

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeOzon:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-ozon", daemon=True
        )
        self._thread.start()
        if self.lifetime:
            self._timer = threading.Timer(self.lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        if self._timer is not None:
            self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def serve_until_stopped(self) -> None:
        self.start()
        try:
            while not self.stopped.wait(0.5):
                pass
        finally:
            self.stop()

    def __enter__(self) -> FakeOzon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults -------------------------------------------------------------------------------

    def inject(self, kind: str, path: str = "*", times: int = 1) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._faults.append(Fault(kind, path, times))

    def take_fault(self, path: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.path in ("*", path):
                    fault.times -= 1
                    return fault.kind
        return None

    def clear_faults(self) -> None:
        """Forget every queued fault: the platform is healthy again."""
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.times for f in self._faults)

    def over_rate(self, now: float) -> bool:
        if not self.rate_limit:
            return False
        with self._lock:
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.rate_limit:
                return True
            self._recent.append(now)
            return False

    # -- methods ------------------------------------------------------------------------------

    def _chat_list(self, body: dict[str, Any]) -> dict[str, Any]:
        w = self.world
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise _error(400, 3, "limit must be between 1 and 100")
        flt = body.get("filter") or {}
        unread_only = bool(flt.get("unread_only"))
        # [S1] spells the values All/Opened/Closed, [S2] ALL/OPENED/CLOSED: accept both.
        status = str(flt.get("chat_status") or "ALL").upper()
        if status not in ("ALL", "OPENED", "CLOSED"):
            raise _error(400, 3, "filter.chat_status must be ALL, OPENED or CLOSED")

        def wanted(i: int) -> bool:
            return (status == "ALL" or w.chat_status(i) == status) and (
                not unread_only or bool(w.unread(i))
            )

        i = _offset(body.get("cursor"))
        chats = []
        while i < w.n_chats and len(chats) < limit:
            if wanted(i):
                chats.append(w.chat_json(i))
            i += 1
        if unread_only or status != "ALL":
            while i < w.n_chats and not wanted(i):
                i += 1
        has_next = i < w.n_chats
        page = i // 100
        return {
            "chats": chats,
            # Over all the shop's chats, not this page (the documented meaning).
            "total_unread_count": w.total_unread(),
            "cursor": _cursor(i),
            # The official example sends has_next as a string; do so on every other page.
            "has_next": ("true" if has_next else "false") if page % 2 else has_next,
        }

    def _chat_index(self, body: dict[str, Any]) -> int:
        i = self.world.chat_index(body.get("chat_id"))
        if i is None:
            raise _error(404, 5, "chat not found")
        return i

    def _chat_history(self, body: dict[str, Any]) -> dict[str, Any]:
        w = self.world
        i = self._chat_index(body)
        limit = body.get("limit", 50)
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise _error(400, 3, "limit must be between 1 and 1000")
        msgs = w.messages(i)
        wanted = (body.get("filter") or {}).get("message_ids")
        upto = w.read_upto.get(i, w.default_read_upto(i))
        if wanted:
            ids = {int(x) for x in wanted}
            chosen = [m for m in msgs if m.message_id in ids]
            return {"has_next": False, "messages": [w.message_json(i, m, upto) for m in chosen]}
        raw_from = body.get("from_message_id")
        direction = str(body.get("direction", "Backward")).lower()
        if direction == "forward":
            if raw_from is None:
                raise _error(400, 3, "from_message_id is required for Forward")
            start = int(raw_from)
            # from_message_id is inclusive here, so clients must deduplicate.
            chosen = [m for m in msgs if m.message_id >= start]
            page, more = chosen[:limit], len(chosen) > limit
        else:
            start = int(raw_from) if raw_from is not None else msgs[-1].message_id
            chosen = [m for m in reversed(msgs) if m.message_id <= start]
            page, more = chosen[:limit], len(chosen) > limit
        return {
            "has_next": "true" if more and i % 2 else more,
            "messages": [w.message_json(i, m, upto) for m in page],
        }

    def _send_message(self, body: dict[str, Any]) -> dict[str, Any]:
        i = self._chat_index(body)
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 1000:
            raise _error(400, 3, "text must be 1 to 1000 characters")
        if not self.world.is_buyer_chat(i):
            raise _error(403, 7, "not available with existing subscription")
        msg = self.world.add_message(i, "Seller", text)
        with self._lock:
            self.world.sent.append(
                {"chat_id": self.world.chat_id(i), "text": text, "message_id": str(msg.message_id)}
            )
        return {"result": "success"}

    def _chat_read(self, body: dict[str, Any]) -> dict[str, Any]:
        i = self._chat_index(body)
        try:
            upto = int(body.get("from_message_id") or 0)
        except (TypeError, ValueError):
            raise _error(400, 3, "from_message_id must be a number") from None
        return {"unread_count": self.world.mark_read(i, upto)}

    def _chat_start(self, body: dict[str, Any]) -> dict[str, Any]:
        i = self.world.index_of_posting(str(body.get("posting_number", "")))
        if i is None:
            raise _error(404, 5, "posting not found")
        if self.world.scheme(i) == "FBO":
            raise _error(400, 9, "only the buyer can start a chat for FBO postings")
        # As Ozon: only while the posting's available_actions hold can_create_chat.
        if "can_create_chat" not in self.world.posting_json(i, list_shape=False)["available_actions"]:
            raise _error(400, 3, "chat creation is not available for this posting")
        # The posting's chat (Ozon answers with the existing one when the buyer already wrote).
        self.started.append(self.world.posting_number(i))
        return {"result": {"chat_id": self.world.chat_id(i)}}

    def _posting_get(self, body: dict[str, Any], scheme: str) -> dict[str, Any]:
        i = self.world.index_of_posting(str(body.get("posting_number", "")))
        if i is None or self.world.scheme(i) != scheme:
            raise _error(404, 5, "posting not found")
        analytics = bool((body.get("with") or {}).get("analytics_data"))
        return {"result": self.world.posting_json(i, list_shape=False, analytics=analytics)}

    def _fbs_get(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._posting_get(body, "FBS")

    def _fbo_get(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._posting_get(body, "FBO")

    def _posting_list(self, body: dict[str, Any], scheme: str) -> dict[str, Any]:
        flt = body.get("filter") or {}
        if scheme == "FBS" and not (flt.get("since") and flt.get("to")):
            raise _error(400, 3, "filter.since and filter.to are required")
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise _error(400, 3, "limit is required")
        numbers = flt.get("order_numbers") or []
        found = [i for i in (self.world.index_of_order(str(n)) for n in numbers) if i is not None]
        found = sorted(i for i in found if self.world.scheme(i) == scheme)
        start = _offset(body.get("cursor"))
        page = found[start : start + limit]
        more = start + limit < len(found)
        analytics = bool((body.get("with") or {}).get("analytics_data"))
        return {
            "postings": [
                self.world.posting_json(i, list_shape=True, analytics=analytics) for i in page
            ],
            "cursor": _cursor(start + limit) if more else "",
            "has_next": more,
        }

    def _fbs_list(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._posting_list(body, "FBS")

    def _fbo_list(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._posting_list(body, "FBO")

    def _returns_list(self, body: dict[str, Any]) -> dict[str, Any]:
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 500:
            raise _error(400, 3, "limit must be between 1 and 500")
        numbers = (body.get("filter") or {}).get("posting_numbers") or []
        if len(numbers) > 50:
            raise _error(400, 3, "at most 50 posting numbers")
        last_id = int(body.get("last_id") or 0)
        found = [self.world.index_of_posting(str(n)) for n in numbers]
        rets = sorted(
            (
                self.world.return_json(i)
                for i in found
                if i is not None and self.world.has_return(i)
            ),
            key=lambda r: r["id"],
        )
        rets = [r for r in rets if r["id"] > last_id]
        return {"returns": rets[:limit], "has_next": len(rets) > limit}

    def _product_info(self, body: dict[str, Any]) -> dict[str, Any]:
        skus = body.get("sku") or []
        if len(skus) > 1000:
            raise _error(400, 3, "at most 1000 identifiers")
        items = []
        for raw in skus:
            sku = int(raw)
            if self.world.is_product(sku):
                items.append(self.world.product_json(sku))
        return {"items": items}

    # -- one request --------------------------------------------------------------------------

    def handle(self, path: str, headers: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        client_id = headers.get("Client-Id", "")
        if not client_id.isdigit() or int(client_id) <= 0:
            raise _error(400, 3, "Client-Id header value should be positive integer")
        if client_id != self.client_id or headers.get("Api-Key") != self.api_key:
            raise _error(404, 5, "Invalid Api-Key, please check the key and try again")
        if self.over_rate(time.monotonic()):
            raise _error(429, 8, "You have reached request rate limit per second")
        if path in self.obsolete:
            raise _error(410, 9, "Obsolete method cannot be used")
        route = self.routes.get(path)
        if route is None:
            # The gateway's own answer for a path it has no route for: plain text, not rpcStatus.
            raise _Reply(404, PAGE_NOT_FOUND)
        return 200, route(body)


_BAD_RECORDS = {
    "chats": [{"chat": {"chat_type": "BUYER_SELLER"}}, {"chat": {"chat_id": 12.5}}],
    "messages": [
        {"message_id": 3.0e18, "created_at": "2026-01-01T00:00:00Z", "data": ["float id"]},
        {"created_at": "2026-01-01T00:00:00Z", "data": ["no id"]},
    ],
    "postings": [{"order_number": "no posting number"}],
    "returns": [{"id": "not-a-number", "posting_number": "x"}],
    "items": [{"name": "no sku"}],
    "questions": [{"id": "no-sku", "text": "?", "published_at": "2026-01-01T00:00:00Z"}],
    "reviews": [{"id": "no-rating", "sku": 1, "published_at": "2026-01-01T00:00:00Z"}],
    "result": [{"posting_number": "no cancellation id"}],
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, delayed ACKs add 40 ms a request.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, status: int, payload: bytes, fault: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if fault in ("drop", "drop_after"):
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(payload)

    def _json(self, status: int, obj: dict[str, Any], fault: str | None = None) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode(), fault)

    def _reply(self, reply: _Reply) -> None:
        if isinstance(reply.body, str):
            payload = reply.body.encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        else:
            self._json(reply.status, reply.body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        fake = self.server.fake
        if self.path == "/__fake__/sent":
            with fake._lock:
                self._json(200, {"sent": list(fake.world.sent)})
        elif self.path == "/__fake__/calls":
            with fake._lock:
                self._json(200, {"calls": dict(fake.calls)})
        else:
            self._reply(_Reply(404, PAGE_NOT_FOUND))

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._json(413, {"code": 3, "message": "request body too large"})
            return
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            self._json(400, {"code": 3, "message": "the body must be a JSON object"})
            return
        if self.path.startswith("/__fake__/"):
            self._control(body)
            return
        with fake._lock:
            fake.calls[self.path] = fake.calls.get(self.path, 0) + 1
        fault = fake.take_fault(self.path)
        try:
            if fault == "echo_key":
                key = self.headers.get("Api-Key", "")
                raise _error(400, 3, f"invalid request from key {key}: filter rejected")
            pre = _fault_reply(fault)
            if pre is not None:
                raise pre
            if fault == "malformed":
                self._send(200, b'{"chats": [{"chat": {"chat_id": ')
                return
            if fault == "drop":
                # Dropped before the method ran: nothing happened on the platform.
                self._send(200, b'{"result": "success", "padding": "' + b"x" * 64 + b'"}', "drop")
                return
            status, obj = fake.handle(self.path, self.headers, body)
            if fault == "bad_record":
                for key, bad in _BAD_RECORDS.items():
                    if isinstance(obj.get(key), list):
                        obj[key] = obj[key] + bad
            self._json(status, obj, fault)
        except _Reply as reply:
            self._reply(reply)

    def _control(self, body: dict[str, Any]) -> None:
        fake = self.server.fake
        try:
            if self.path == "/__fake__/fault":
                fake.inject(
                    str(body.get("kind")), str(body.get("path") or "*"), int(body.get("times") or 1)
                )
            elif self.path == "/__fake__/clear_faults":
                fake.clear_faults()  # the platform is healthy again (bench_faults between trials)
            elif self.path == "/__fake__/buyer_message":
                i = fake.world.chat_index(body.get("chat_id"))
                if i is None:
                    raise ValueError("unknown chat_id")
                msg = fake.world.add_message(
                    i, "Customer", str(body.get("text") or "Здравствуйте!")
                )
                self._json(200, {"message_id": str(msg.message_id)})
                return
            elif self.path == "/__fake__/buyer_image":
                i = fake.world.chat_index(body.get("chat_id"))
                if i is None:
                    raise ValueError("unknown chat_id")
                mid = fake.rfbs.buyer_image(
                    i, str(body.get("name") or "photo.jpg"), str(body.get("status") or "SUCCESS")
                )
                self._json(200, {"message_id": str(mid)})
                return
            elif self.path == "/__fake__/stop":
                self._json(200, {"result": "stopping"})
                threading.Thread(target=fake.stop, daemon=True).start()
                return
            else:
                raise ValueError("unknown control path")
        except (ValueError, TypeError) as exc:
            self._json(400, {"code": 3, "message": str(exc)})
            return
        self._json(200, {"result": "ok"})


def _fault_reply(fault: str | None) -> _Reply | None:
    return {
        "500": _error(500, 13, "Internal error"),
        "429": _error(429, 8, "You have reached request rate limit per second"),
        "circle": _error(503, 14, "Circle is open"),
        "obsolete": _error(410, 9, "Obsolete method cannot be used"),
        "subscription": _error(403, 7, "not available with existing subscription"),
        "forbidden": _error(403, 7, "Forbidden"),
        "badkey": _error(404, 5, "Invalid Api-Key, please check the key and try again"),
    }.get(fault or "")
