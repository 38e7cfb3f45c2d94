"""Ozon's official examples against the client and its parsers (see contract_harness.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from contract_harness import (
    examples,
    load,
    load_hooks,
    method_path,
    present,
    record_errors,
    type_mismatches,
    with_value,
    without,
)

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.errors import OzonError, RecordError

RESPONSES, REQUESTS = load_hooks()
RESP = ".resp200.json"
REQ = ".req.json"


def test_every_example_has_a_hook_and_every_hook_an_example() -> None:
    assert sorted(RESPONSES) == examples(RESP)
    assert sorted(REQUESTS) == examples(REQ)


@pytest.mark.parametrize("name", examples(RESP))
def test_the_parser_reads_the_whole_response_example(name: str) -> None:
    result = RESPONSES[name].parse(load(name, RESP))
    assert record_errors(result) == []
    assert result is not None


FIELDS = [(name, p, v) for name in sorted(RESPONSES) for p, v in RESPONSES[name].paths()]


def _differs(hook: Any, example: Any, whole: Any) -> bool:
    try:
        result = hook.parse(example)
    except (RecordError, OzonError):
        return True  # refused: the field is required
    return result != whole or bool(record_errors(result))


@pytest.mark.parametrize("name, path, value", FIELDS, ids=[f"{n}:{p}" for n, p, _v in FIELDS])
def test_each_field_the_desk_reads_is_in_the_example_and_read(
    name: str, path: str, value: Any
) -> None:
    example = load(name, RESP)
    assert present(example, path), f"{name}: the official example no longer has {path}"
    hook = RESPONSES[name]
    whole = hook.parse(example)
    assert _differs(hook, without(example, path), whole) or _differs(
        hook, with_value(example, path, value), whole
    ), f"{name}: neither deleting nor changing {path} changes what the parser returns"


def _client(name: str, sent: list[dict[str, Any]]) -> OzonClient:
    answer = load(name, RESP) if (name + RESP) in {n + RESP for n in examples(RESP)} else {}

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == method_path(name)
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=answer or {"unread_count": 0})

    return OzonClient("1", "k", "http://ozon.test", rate=None, transport=httpx.MockTransport(handle))


@pytest.mark.parametrize("name", examples(REQ))
def test_the_request_body_has_the_example_types(name: str) -> None:
    sent: list[dict[str, Any]] = []
    with _client(name, sent) as client:
        REQUESTS[name].call(client)
    assert len(sent) == 1
    problems = [
        p for p in type_mismatches(sent[0], load(name, REQ))
        if p.split(":")[0] not in REQUESTS[name].extra
    ]
    assert problems == []


def test_the_harness_catches_a_field_nobody_reads_and_one_gone_missing() -> None:
    from contract_harness import ResponseHook

    example = load("v3_chat_list", RESP)
    blind = ResponseHook(lambda body: len(body.get("chats", [])), ("total_unread_count",))
    whole = blind.parse(example)
    assert not _differs(blind, without(example, "total_unread_count"), whole)
    assert not _differs(blind, with_value(example, "total_unread_count", 99), whole)
    assert not present(without(example, "chats[].chat.chat_id"), "chats[].chat.chat_id")
    assert type_mismatches({"from_message_id": "1"}, {"from_message_id": 1}) == [
        "from_message_id: sent string, the example has integer"
    ]
