"""The fake server's control paths that scripts and bench_faults use between trials."""

from __future__ import annotations

import json
import urllib.request

from ozondesk.ozon.fake import FakeOzon


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_queued_faults_are_forgotten_on_request() -> None:
    with FakeOzon(port=0, chats=3, lifetime=60) as fake:
        assert _post(fake.url + "/__fake__/fault", {"kind": "500", "path": "*", "times": 3}) == {
            "result": "ok"}
        _post(fake.url + "/__fake__/fault", {"kind": "drop", "path": "/v3/chat/list", "times": 2})
        assert fake.pending_faults() == 5
        assert _post(fake.url + "/__fake__/clear_faults", {}) == {"result": "ok"}
        assert fake.pending_faults() == 0
        assert fake.take_fault("/v3/chat/list") is None
