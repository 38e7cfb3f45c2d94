"""Codes become names in one place (#17 part 3); unknown codes show as themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ozondesk.domain import display_names as names
from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.domain.templates import CATEGORIES
from ozondesk.i18n import set_language


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("en")


def test_every_built_in_category_has_a_name() -> None:
    assert set(CATEGORIES) <= set(names.CATEGORY_NAMES)
    assert names.category_name("logistics-delay") == "Logistics delay"
    assert names.category_name("returns") == "Returns"


def test_a_lead_s_own_category_shows_its_own_title_and_none_shows_nothing() -> None:
    assert names.category_name("ковры-ручной-работы") == "ковры-ручной-работы"
    assert names.category_name(None) == names.category_name("") == ""


def test_names_follow_the_interface_language(chinese: None) -> None:
    assert names.category_name("logistics-delay") == "物流延误"
    assert names.severity_name("warning") == "警告"
    assert names.posting_status_name("delivered") == "已送达"
    assert names.policy_name("chat-first-response") == "聊天：首次回复"


def test_policies_statuses_and_deadline_kinds() -> None:
    for code, policy in DEFAULT_POLICIES.items():
        assert names.policy_name(code) == policy.title
    assert names.policy_name("chat-first-response", "Our own chat rule") == "Our own chat rule"
    assert names.policy_name("made-up") == "made-up"
    assert names.status_name("waiting_buyer") == "waiting for the buyer"
    assert names.posting_status_name("delivering") == "on its way"
    assert names.deadline_kind_of_policy("resolution-48h") == names.RESOLVE
    assert names.deadline_kind_of_policy("chat-first-response") == names.REPLY
    assert [names.deadline_label(k) for k in (names.REPLY, names.RESOLVE, names.WINDOW)] == [
        "Next reply due", "Resolve by", "Reply window closes"]
    assert names.ticket_state_name("late") == "Ozon is late"
