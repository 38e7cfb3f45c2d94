"""A synced support chat's category from the seller's first message, in three languages."""

from __future__ import annotations

import pytest

from ozondesk.domain import tickets as T
from ozondesk.domain.ticket_categories import _RULES, category_from_text


@pytest.mark.parametrize(("text", "category"), [
    ("Здравствуйте, у нас заблокирован личный кабинет", "account-freeze"),
    ("Our account was suspended yesterday", "account-freeze"),
    ("店铺被封了，请帮忙", "account-freeze"),
    ("Не удалось вывести средства на счёт", "failed-withdrawal"),
    ("Withdrawal failed twice", "failed-withdrawal"),
    ("提现失败", "failed-withdrawal"),
    ("Средства за отправление удержаны, прошу разъяснить причину.", "payment-hold"),
    ("Средства заморожены с 1 декабря", "payment-hold"),  # funds frozen: a hold, not the account
    ("Funds are on hold since Monday", "payment-hold"),
    ("我们的资金冻结了", "payment-hold"),
    ("Товар снят с продажи, хотим обжаловать", "delisting-appeal"),
    ("商品被下架，请申诉", "delisting-appeal"),
    ("Трек-номер не обновляется пять дней", "tracking-anomaly"),
    ("物流轨迹异常", "tracking-anomaly"),
    ("Почему SKU 2001 исключён из акции?", "promotion-dispute"),
    ("Why was SKU 2001 removed from the promotion?", "promotion-dispute"),
    ("Просим компенсацию за потерянный товар", "compensation"),
    ("Откуда такая комиссия за хранение?", "commission"),
    ("Карточка товара не проходит модерацию", "product-card"),
    ("Склад Хоругвино не принимает поставку", "logistics"),
    ("仓库拒收", "logistics"),
    ("Транзакция не прошла", "other"),  # «акци» inside a word is no promotion
    ("Добрый день!", "other"),
    ("", "other"),
])
def test_the_first_message_names_the_category(text: str, category: str) -> None:
    assert category_from_text(text) == category


def test_every_rule_is_a_ticket_category() -> None:
    assert {c for c, _p in _RULES} <= set(T.CATEGORIES) - {"other"}


def test_only_the_opening_of_a_long_message_counts() -> None:
    assert category_from_text("Добрый день! " + "x " * 2000 + "комиссия") == "other"
