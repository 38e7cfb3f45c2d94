"""Decision buttons and the checks of what an agent filled in (pure: no Qt, no SQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ozondesk.domain import decisions as D
from ozondesk.errors import UserError

NEW_RETURN = [
    {"id": 1, "name": "Одобрить возврат"},
    {"id": -1, "name": "Отклонить"},
    {"id": 1020, "name": "Предложить частичную компенсацию"},
]
REASONS = D.reasons_of(
    [{"id": 11, "name": "Не та причина", "hint": "Фото", "comment_required": True}]
)


def test_a_new_return_offers_its_three_actions_with_our_labels() -> None:
    opts = D.options_for("return_request", NEW_RETURN)
    assert [(o.key, o.label, o.translated) for o in opts] == [
        ("rfbs:1", "Approve the return", True),
        ("rfbs:-1", "Reject the return", True),
        ("rfbs:1020", "Offer a partial refund", True),
    ]
    reject = opts[1]
    assert (reject.needs_reason, reject.needs_comment, reject.needs_amount) == (True, True, False)
    assert opts[2].needs_amount and not opts[2].needs_reason
    assert all(o.action == D.RFBS_ACTION for o in opts)


def test_an_action_the_spec_does_not_name_is_labelled_by_ozons_words_never_its_number() -> None:
    (known_words, unknown, nameless) = (
        {"id": 7, "name": "Вернуть деньги покупателю"},
        {"id": 8, "name": "Передать в арбитраж"},
        {"id": 9, "name": ""},
    )
    opts = D.options_for("return_request", [known_words, unknown, nameless])
    assert [(o.label, o.translated) for o in opts] == [
        ("Refund the money", True),
        ("Передать в арбитраж", False),
    ]
    assert opts[1].label_text() == "Передать в арбитраж"


def test_a_cancellation_offers_approve_and_reject_only_while_it_waits() -> None:
    waiting = D.options_for("cancellation", [{"id": "approve"}, {"id": "reject"}])
    assert [o.action for o in waiting] == [D.CANCELLATION_APPROVE, D.CANCELLATION_REJECT]
    assert waiting[1].needs_comment and not waiting[0].needs_comment
    assert D.options_for("cancellation", []) == ()
    assert D.options_for("buyer_chat", NEW_RETURN) == ()


def test_a_rejection_needs_a_reason_and_a_comment() -> None:
    reject = D.options_for("return_request", NEW_RETURN)[1]
    with pytest.raises(UserError, match="choose the reason"):
        D.check(reject, D.Decision(reject.key, comment="x"), REASONS, None)
    with pytest.raises(UserError, match="write a comment"):
        D.check(reject, D.Decision(reject.key, reason_id=11, comment="  "), REASONS, None)
    assert D.check(reject, D.Decision(reject.key, 11, " Фото не совпадает "), REASONS, None) == {
        "decision": "rfbs:-1",
        "action_id": -1,
        "rejection_reason_id": 11,
        "comment": "Фото не совпадает",
    }


@pytest.mark.parametrize(
    ("typed", "payload_amount"),
    [("150", "150"), ("150,50", "150.50"), ("1 290", "1290"), ("0.5", "0.5")],
)
def test_a_partial_refund_reads_amounts_as_agents_type_them(typed: str, payload_amount: str) -> None:
    offer = D.options_for("return_request", NEW_RETURN)[2]
    payload = D.check(offer, D.Decision(offer.key, amount=typed), (), Decimal("1290.00"))
    assert payload == {"decision": "rfbs:1020", "action_id": 1020, "compensation_amount": payload_amount}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "is not a number"),
        ("сто", "is not a number"),
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("1,234", "two digits"),
        ("1290.01", "more than the item's price"),
        ("NaN", "more than zero"),
    ],
)
def test_a_bad_amount_is_one_clear_line(typed: str, message: str) -> None:
    offer = D.options_for("return_request", NEW_RETURN)[2]
    with pytest.raises(UserError, match=message):
        D.check(offer, D.Decision(offer.key, amount=typed), (), Decimal("1290.00"))


def test_a_comment_over_the_limit_is_refused() -> None:
    approve = D.options_for("cancellation", [{"id": "approve"}])[0]
    with pytest.raises(UserError, match="at most 1000"):
        D.check(approve, D.Decision(approve.key, comment="я" * 1001), (), None)
    assert D.check(approve, D.Decision(approve.key), (), None) == {"decision": "cancellation:approve"}


def test_a_queued_decision_is_named_by_its_label() -> None:
    assert D.queued_label("cancellation", "cancellation:reject", []) == "Reject the cancellation"
    assert D.queued_label("return_request", "rfbs:-1", []) == "Reject the return"
    assert D.queued_label("return_request", "rfbs:1", NEW_RETURN) == "Approve the return"
    assert D.queued_label("return_request", "rfbs:77", []) == "a decision"
