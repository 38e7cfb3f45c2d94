"""Masking before a translation engine: what is kept home, what survives, and that restoring
gives back exactly the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozondesk.domain.translation_protect import (
    Protected,
    plain_preview,
    protect,
    restore,
    split_markup,
)


@pytest.mark.parametrize(("text", "sent", "masked"), [
    (
        "Здравствуйте, Анна! Ваш заказ 12345678-0001-1 отправим до 18:00 МСК сегодня. "
        "Звоните +7 (912) 345-67-89 или пишите anna.k@mail.ru.",
        "Здравствуйте, [name 1]! Ваш заказ [order_number 2] отправим [deadline 3]. "
        "Звоните [phone 4] или пишите [email 5].",
        ("email", "phone", "order_number", "name"),
    ),
    (
        "Меня зовут Иванов Пётр Сергеевич, адрес: 125009, г. Москва, ул. Тверская, д. 7, кв. 15. "
        "Доставка 4 декабря.",
        "Меня зовут [name 1], адрес: [address 2]. Доставка [deadline 3].",
        ("name", "address"),
    ),
    (
        "Получатель: Смирнова Ольга, тел. 8 916 123 45 67. Заказ 0123456789-0002 не пришёл",
        "Получатель: [name 1], тел. [phone 2]. Заказ [order_number 3] не пришёл",
        ("phone", "order_number", "name"),
    ),
    (
        "Деньги списали с карты 4276 1234 5678 9012, номер возврата 987654321",
        "Деньги списали с карты [card 1], номер возврата [number 2]",
        ("card", "number"),
    ),
    (
        "Ответим {deadline_msk}, номер отправления {posting_number}. С уважением, Ли Мин",
        "Ответим [placeholder 1], номер отправления [placeholder 2]. С уважением, [name 3]",
        ("name",),
    ),
    (
        "我们会在18:00前发货，请联系 +86 138 0013 8000 或 wang@example.cn",
        "我们会在[deadline 1]前发货，请联系 [phone 2] 或 [email 3]",
        ("email", "phone"),
    ),
    (
        "Вернём деньги до 9 декабря 2026 г., доставка 05.12.2026 к 12:00 по московскому времени",
        "Вернём деньги [deadline 1], доставка [deadline 2] [deadline 3]",
        (),
    ),
])
def test_realistic_messages(text: str, sent: str, masked: tuple[str, ...]) -> None:
    protected = protect(text)
    assert plain_preview(protected) == sent
    assert protected.masked == masked
    assert restore(protected.text, protected).text == text


def test_ordinary_words_are_not_taken_for_personal_data() -> None:
    text = "Покупатель не получил посылку, 5 человек ждут. Товар 2 шт по 350 руб."
    assert protect(text).text == text


def test_markup_characters_in_the_text_are_escaped_and_come_back() -> None:
    text = "Цена < 500 & скидка > 10%\nвторая строка"
    protected = protect(text)
    assert protected.text == "Цена &lt; 500 &amp; скидка &gt; 10%<br/>вторая строка"
    assert restore(protected.text, protected).text == text


def test_a_repeated_phone_gets_one_token() -> None:
    protected = protect("+7 912 345-67-89, повторю: +7 912 345-67-89")
    assert protected.text == '<x i="1"/>, повторю: <x i="1"/>'


def test_tokens_an_engine_respaced_or_closed_still_restore() -> None:
    protected = protect("Звоните +7 912 345-67-89 до 18:00 МСК")
    engine_said = '请拨打 <X i=1></X> ，在 < x i = "2" / > 前'
    assert restore(engine_said, protected).text == "请拨打 +7 912 345-67-89 ，在 до 18:00 МСК 前"


def test_a_dropped_token_is_appended_never_lost() -> None:
    protected = protect("Звоните +7 912 345-67-89 до 18:00 МСК")
    restored = restore("请拨打电话", protected)
    assert restored.text == "请拨打电话 +7 912 345-67-89 до 18:00 МСК"
    assert restored.lost == (1, 2)


def test_glossary_terms_are_replaced_by_the_other_side_with_russian_endings() -> None:
    glossary = [("пункт выдачи", "取货点"), ("трек-номер", "物流单号"), ("Ozon", "Ozon")]
    protected = protect("Посылка в пункте выдачи Ozon, трек-номера пока нет", glossary)
    assert plain_preview(protected) == "Посылка в [glossary 1] [glossary 2], [glossary 3] пока нет"
    assert restore(protected.text, protected).text == "Посылка в 取货点 Ozon, 物流单号 пока нет"
    assert protected.masked == ()


def test_chinese_glossary_terms_match_inside_a_sentence() -> None:
    protected = protect("请到取货点取件", [("取货点", "пункт выдачи")])
    assert protected.text == '请到<x i="1"/>取件'
    assert restore(protected.text, protected).text == "请到пункт выдачи取件"


@given(st.text(alphabet=st.sampled_from(list("абвгд АБВ0123456789+-:.,@{}<>&\n月日取货点xi=\"/")),
               max_size=120))
def test_restoring_the_untouched_markup_gives_back_the_text(text: str) -> None:
    protected = protect(text, [("取货点", "пункт выдачи")])
    expected = text
    for original, replacement, kind in zip(protected.originals, protected.replacements,
                                           protected.kinds, strict=True):
        if kind == "glossary":
            expected = expected.replace(original, replacement)
    assert restore(protected.text, protected).text == expected.replace("\r\n", "\n")


@given(st.lists(st.sampled_from(["Отправим завтра. ", '<x i="1"/>', "<br/>", "слово ",
                                 "Ещё одно предложение! ", "很长的句子。"]), max_size=60),
       st.integers(min_value=12, max_value=80))
def test_split_markup_keeps_every_piece_under_the_limit_and_tags_whole(
        parts: list[str], limit: int) -> None:
    markup = "".join(parts)
    pieces = split_markup(markup, limit)
    assert "".join(pieces) == markup
    assert all(len(p) <= limit for p in pieces)
    assert all(p.count("<") == p.count(">") for p in pieces)


def test_protected_is_a_plain_value() -> None:
    assert protect("") == Protected("", (), (), ())


def test_a_large_glossary_still_finds_its_terms() -> None:
    glossary = [(f"термин{i}", f"术语{i}") for i in range(500)] + [("пункт выдачи", "取货点")]
    protected = protect("Термин499 и пункты выдачи", glossary)
    assert restore(protected.text, protected).text == "术语499 и 取货点"


def test_a_latin_brand_matches_as_a_whole_word_even_beside_chinese() -> None:
    protected = protect("Ozon的Ozonator和OZON", [("Ozon", "Озон")])
    assert restore(protected.text, protected).text == "Озон的Ozonator和Озон"
