"""The wire's drifts, read by the record parsers: ids, enums, booleans, bad records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ozondesk.ozon.errors import RecordError
from ozondesk.ozon.fields import norm_enum, parse_bool, parse_decimal, parse_id
from ozondesk.ozon.records import parse_chat, parse_chat_list, parse_history, parse_message

BIG = 3_000_000_000_000_000_017  # 19 digits, above 2**53


@pytest.mark.parametrize("raw", [BIG, str(BIG), f" {BIG} "])
def test_19_digit_ids_keep_every_digit_as_number_or_string(raw: object) -> None:
    assert parse_id(raw) == BIG


@pytest.mark.parametrize("raw", [3.0e18, float(BIG), True, "3.0e18", "-5", -5, "", None, [1]])
def test_ids_refuse_floats_and_junk(raw: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        parse_id(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Buyer_Seller", "BUYER_SELLER"),
        ("BUYER_SELLER", "BUYER_SELLER"),
        ("buyer_seller_select", "BUYER_SELLER_SELECT"),
        ("\u0421ustomer", "CUSTOMER"),  # Cyrillic С, as in Ozon's own example
        ("customer", "CUSTOMER"),
        ("Opened", "OPENED"),
    ],
)
def test_enum_casing_and_cyrillic_lookalikes_normalize(raw: str, expected: str) -> None:
    assert norm_enum(raw) == expected


@pytest.mark.parametrize(
    "raw, expected", [(True, True), ("true", True), ("false", False), ("False", False), (0, False)]
)
def test_has_next_as_bool_or_string(raw: object, expected: bool) -> None:
    assert parse_bool(raw) is expected


def test_price_as_string_number_or_object() -> None:
    assert parse_decimal("1290.0000") == Decimal("1290")
    assert parse_decimal({"amount": "99.50", "currency": "RUB"}) == Decimal("99.50")
    with pytest.raises(ValueError):
        parse_decimal("cheap")


def test_message_side_from_drifting_user_type_and_context() -> None:
    msg = parse_message(
        {
            "message_id": str(BIG),
            "created_at": "2026-01-05T10:00:00.123456789Z",
            "user": {"id": "1", "type": "\u0421ustomer"},
            "data": ["Где заказ?"],
            "context": {"order_number": "123-0001", "sku": "200000001"},
            "unknown": {"nested": [1, 2]},
        }
    )
    assert (msg.message_id, msg.side, msg.text, msg.sku) == (BIG, "buyer", "Где заказ?", 200000001)
    assert msg.created_at.tzinfo is not None and msg.created_at.microsecond == 123456


def test_a_bad_record_is_an_error_for_that_record_only() -> None:
    page = parse_history(
        {
            "has_next": "false",
            "messages": [
                {"message_id": 1, "created_at": "2026-01-05T10:00:00Z", "data": ["ok"]},
                {"message_id": 3.0e18, "created_at": "2026-01-05T10:00:00Z", "data": ["float"]},
                {"message_id": 2, "data": ["no time"]},
                "not even an object",
            ],
        }
    )
    assert [m.message_id for m in page.messages] == [1]
    assert len(page.errors) == 3 and page.has_next is False
    assert "floating-point" in page.errors[0].problem
    assert "created_at" in str(page.errors[1])


def test_chat_list_accepts_nested_and_flat_items_and_string_has_next() -> None:
    page = parse_chat_list(
        {
            "chats": [
                {
                    "chat": {"chat_id": "a", "chat_type": "Buyer_Seller"},
                    "last_message_id": str(BIG),
                },
                {"chat_id": "b", "chat_type": "SELLER_SUPPORT", "unread_count": "2"},
                {"chat": {"chat_type": "BUYER_SELLER"}},
            ],
            "has_next": "true",
            "cursor": "abc",
        }
    )
    assert [c.chat_id for c in page.chats] == ["a", "b"]
    assert page.chats[0].is_buyer_chat and not page.chats[1].is_buyer_chat
    assert page.chats[0].last_message_id == BIG and page.chats[1].unread_count == 2
    assert page.has_next is True and page.cursor == "abc"
    assert isinstance(page.errors[0], RecordError) and "chat_id" in page.errors[0].problem


def test_parse_chat_refuses_non_objects() -> None:
    with pytest.raises(RecordError):
        parse_chat(["chat"])
