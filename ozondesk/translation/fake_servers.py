"""Loopback stand-ins for the three engines' HTTP APIs, for tests, demos and scripts.

Each follows its provider's documented request and answer shapes and error shapes (see the
engine modules): Yandex Cloud ``/translate/v2/translate`` with ``Authorization: Api-Key``,
LibreTranslate ``/translate`` with ``api_key`` in the body, DeepL ``/v2/translate`` with
``Authorization: DeepL-Auth-Key``. The "translation" is ``fake_engine.fake_translate`` (a small
phrase book, tags kept). Faults are queued with ``inject(kind, times)``: "429", "500", "quota"
(the engine's quota answer), "badkey", "drop" (the connection closes without an answer).
``requests`` keeps every decoded request body, so a test sees exactly what left the desk.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ozondesk.translation.fake_engine import fake_translate

ENGINES = ("yandex", "libretranslate", "deepl")
FAULTS = ("429", "500", "quota", "badkey", "drop")
PATHS = {"yandex": "/translate/v2/translate", "libretranslate": "/translate",
         "deepl": "/v2/translate"}
MAX_BODY = 1 << 20


class _Reply(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body


class FakeTranslateServer:
    """``with FakeTranslateServer("deepl", key="k:fx") as fake: DeepL("k:fx", fake.url)``.

    ``key``: the key the fake accepts ("" for a LibreTranslate server without keys).
    ``zh_code``: how LibreTranslate spells Simplified Chinese ("zh", or "zh-Hans" on newer ones).
    ``char_limit``: LibreTranslate's ``--char-limit``.
    """

    def __init__(self, engine: str, port: int = 0, *, key: str = "", zh_code: str = "zh",
                 char_limit: int | None = None) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
        self.engine = engine
        self.key = key
        self.zh_code = zh_code
        self.char_limit = char_limit
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self.stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeTranslateServer:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"fake-{self.engine}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if not self.stopped.is_set():
            self.stopped.set()
            self._server.shutdown()
            self._server.server_close()

    def serve_until_stopped(self) -> None:
        self.start()
        try:
            while not self.stopped.wait(0.5):
                pass
        finally:
            self.stop()

    def __enter__(self) -> FakeTranslateServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject(self, kind: str, times: int = 1) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._faults.extend([kind] * times)

    def take_fault(self) -> str | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    # -- the engines' shapes -------------------------------------------------------------------
    def handle(self, headers: Any, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        return {"yandex": self._yandex, "libretranslate": self._libre,
                "deepl": self._deepl}[self.engine](headers, body, fault)

    def _yandex(self, headers: Any, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        def error(status: int, code: int, message: str) -> _Reply:
            return _Reply(status, {"code": code, "message": message, "details": []})

        auth = headers.get("Authorization", "")
        if fault == "badkey" or auth != f"Api-Key {self.key}":
            raise error(401, 16, "Unknown api key")
        if fault == "quota":
            raise error(429, 8, "limit on units was exceeded. Limit: 1000000, Interval: 1h0m0s")
        texts = body.get("texts")
        target = body.get("targetLanguageCode")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise error(400, 3, "texts: Field required")
        if target not in ("ru", "zh"):
            raise error(400, 3, f"unsupported target_language_code: {target}")
        if sum(len(t) for t in texts) > 10_000:
            raise error(400, 3, "texts length must be not greater than 10000")
        if body.get("format", "PLAIN_TEXT") not in ("PLAIN_TEXT", "HTML"):
            raise error(400, 3, "invalid format")
        return {"translations": [
            {"text": fake_translate(t, target), "detectedLanguageCode": _other(target)}
            for t in texts
        ]}

    def _libre(self, headers: Any, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        if fault == "badkey" or (self.key and body.get("api_key") != self.key):
            raise _Reply(403, {"error": "Invalid API key"})
        if fault == "quota":
            raise _Reply(429, {"error": "Slowdown: 80 per 1 minute"})
        q = body.get("q")
        codes = {"ru": "ru", self.zh_code: "zh"}
        target, source = body.get("target"), body.get("source")
        if q is None or q == "":
            raise _Reply(400, {"error": "Invalid request: missing q parameter"})
        if target not in codes:
            raise _Reply(400, {"error": f"{target} is not supported"})
        if source != "auto" and source not in codes:
            raise _Reply(400, {"error": f"{source} is not supported"})
        texts = q if isinstance(q, list) else [q]
        size = sum(len(str(t)) for t in texts)
        if self.char_limit is not None and size > self.char_limit:
            raise _Reply(400, {"error": f"Invalid request: request ({size}) exceeds text limit "
                                        f"({self.char_limit})"})
        done = [fake_translate(str(t), codes[target]) for t in texts]  # type: ignore[arg-type]
        return {"translatedText": done if isinstance(q, list) else done[0]}

    def _deepl(self, headers: Any, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        auth = headers.get("Authorization", "")
        if fault == "badkey" or auth != f"DeepL-Auth-Key {self.key}":
            raise _Reply(403, {"message": "Authorization failure, check auth_key"})
        if fault == "quota":
            raise _Reply(456, {"message": "Quota exceeded"})
        texts = body.get("text")
        target = {"ZH": "zh", "ZH-HANS": "zh", "RU": "ru"}.get(str(body.get("target_lang")))
        if not isinstance(texts, list) or not texts or len(texts) > 50:
            raise _Reply(400, {"message": "Bad request. Reason: Parameter 'text' not specified."})
        if target is None:
            raise _Reply(400, {"message": "Value for 'target_lang' not supported."})
        return {"translations": [
            {"detected_source_language": _other(target).upper(),
             "text": fake_translate(str(t), target)}  # type: ignore[arg-type]
            for t in texts
        ]}


def _other(lang: str) -> str:
    return "zh" if lang == "ru" else "ru"


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeTranslate/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # request lines carry no secrets, but tests want quiet servers

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        fake: FakeTranslateServer = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._json(413, {"message": "Request Entity Too Large"})
            return
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0] != PATHS[fake.engine]:
            self._json(404, {"error": "Not Found"} if fake.engine == "libretranslate"
                       else {"message": "Not Found"})
            return
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            self._json(400, {"error": "Invalid request"} if fake.engine == "libretranslate"
                       else {"code": 3, "message": "invalid JSON"})
            return
        with fake._lock:
            fake.requests.append(body)
            fake.headers.append(dict(self.headers.items()))
        fault = fake.take_fault()
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault in ("429", "500"):
            status = int(fault)
            self._json(status, {"error": "Too many requests"} if fake.engine == "libretranslate"
                       else {"message": "Too many requests" if status == 429 else "Internal error"})
            return
        try:
            self._json(200, fake.handle(self.headers, body, fault))
        except _Reply as reply:
            self._json(reply.status, reply.body)

    def _json(self, status: int, obj: dict[str, Any]) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
