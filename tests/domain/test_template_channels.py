"""Which template channels each conversation kind offers."""

from __future__ import annotations

import pytest

from ozondesk.domain.template_channels import fits
from ozondesk.domain.templates import CHANNELS
from ozondesk.store.models import CONVERSATION_KINDS


@pytest.mark.parametrize(
    ("kind", "offered"),
    [
        ("question", {"question"}),
        ("review", {"review"}),
        ("buyer_chat", {"chat", "ticket"}),
        ("ozon_ticket", {"chat", "ticket"}),
        ("return_request", {"chat", "ticket"}),
        ("cancellation", {"chat", "ticket"}),
    ],
)
def test_each_kind_offers_its_channels(kind: str, offered: set[str]) -> None:
    assert {c for c in CHANNELS if fits(c, kind)} == offered


def test_every_kind_offers_some_channel() -> None:
    assert all(any(fits(c, kind) for c in CHANNELS) for kind in CONVERSATION_KINDS)
