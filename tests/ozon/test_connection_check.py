"""The setup assistant's connection test: one line naming the failure, for every way it fails."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.setup import check_connection, describe_failure


@pytest.mark.parametrize(
    ("fault", "path", "kind", "words"),
    [
        (None, None, "ok", "Connected"),
        ("badkey", "/v3/chat/list", "auth", "Invalid Api-Key, please check the key and try again, HTTP 404"),
        ("subscription", "/v3/chat/history", "subscription", "Premium Plus or Premium Pro"),
        ("forbidden", "/v3/chat/history", "subscription", "/v3/chat/history"),
        ("obsolete", "/v3/chat/list", "obsolete", "update OzonDesk"),
        ("500", "/v3/chat/list", "server", "Internal error (HTTP 500)"),
        ("circle", "/v3/chat/history", "server", "try again in a few minutes"),
    ],
)
def test_the_fake_answers_each_check_with_its_kind(
    fake: FakeOzon, make_client: Callable[..., OzonClient], fault: str | None, path: str | None,
    kind: str, words: str,
) -> None:
    if fault is not None:
        fake.inject(fault, path or "*", times=10)
    check = check_connection(make_client(retries=1))
    assert check.kind == kind and check.ok == (kind == "ok")
    assert words in check.line and "\n" not in check.line


def test_a_closed_port_is_no_network(make_client: Callable[..., OzonClient]) -> None:
    client = OzonClient("123456", "k", "http://127.0.0.1:9", rate=None, retries=0, timeout=2.0)
    check = check_connection(client)
    client.close()
    assert check.kind == "network" and check.line.startswith("No connection to Ozon")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (E.OzonError("Unauthorized", status=401, path="/v3/chat/list"), "auth"),
        (E.AuthError("Api-key is deactivated, use another one", status=403), "auth"),
        (E.PermissionDenied("Api-Key is missing a required role for a method", status=403,
                            path="/v3/chat/history"), "permission"),
        (E.RateLimited("You have reached request rate limit per second", status=429), "server"),
        (E.BadRequest("limit must be between 1 and 100", status=400), "refused"),
    ],
)
def test_every_error_class_has_its_line(error: E.OzonError, kind: str) -> None:
    check = describe_failure(error)
    assert check.kind == kind
    assert ("/v3/chat/history" if kind == "permission" else error.message) in check.line
