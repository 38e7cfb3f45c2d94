"""One behaviour per test: each category, each trap from the spec, spans and messages."""

from __future__ import annotations

from datetime import datetime

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.lint import Finding, LintContext, blocking, lint
from ozondesk.i18n import set_language


def cats(text: str) -> set[str]:
    return {f.category for f in lint(text) if f.severity != "info"}


def only(text: str, category: str) -> list[Finding]:
    return [f for f in lint(text) if f.category == category]


def msk(*args: int) -> datetime:
    return MOSCOW.localize(datetime(*args))


# -- vague promises: every inflected form, no look-alikes ------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Мы постараемся помочь.", "постараемся"),
        ("Я постараюсь помочь.", "постараюсь"),
        ("Мы бы постарались помочь.", "постарались"),
        ("ПОСТАРАЕМСЯ ПОМОЧЬ.", "ПОСТАРАЕМСЯ"),
        ("Мы стараемся отвечать быстро.", "стараемся"),
        ("Попытаемся ускорить доставку.", "Попытаемся"),
        ("Попробуем найти размер.", "Попробуем"),
        ("Я попробую уточнить.", "попробую"),
        ("Разберёмся с вопросом.", "Разберёмся"),
        ("Мы разбираемся.", "разбираемся"),
    ],
)
def test_vague_promise_in_every_form(text: str, word: str) -> None:
    found = only(text, "vague-promise")
    assert [f.text for f in found] == [word]
    start = text.index(word)
    assert (found[0].start, found[0].end) == (start, start + len(word))
    assert found[0].severity == "warning"


@pytest.mark.parametrize(
    "text",
    [
        "Это старая модель.",
        "Ближайший пункт выдачи — на улице Ленина.",
        "Возможность возврата есть 7 дней.",
        "Скоропортящиеся товары возврату не подлежат.",
        "Скорость доставки зависит от региона.",
        "Попробовать товар можно при получении.",
        "Попробуйте обновить приложение.",
        "Здравствуйте, Надежда!",
        "Оформить возврат возможно в личном кабинете.",
        "Товар может быть повреждён при неправильной стирке.",
    ],
)
def test_look_alikes_are_not_flagged(text: str) -> None:
    assert cats(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "По возможности ответим до 18:00 МСК.",
        "Посмотрим, что можно сделать, до 18:00 МСК.",
        "Сделаем всё возможное до 18:00 МСК.",
        "Сделаем все возможное до 18:00 МСК.",
    ],
)
def test_vague_promise_idioms(text: str) -> None:
    assert cats(text) == {"vague-promise"}


def test_idiom_does_not_cross_punctuation() -> None:
    assert "vague-promise" not in cats("Оформите по, возможности, заранее.")
    assert "vague-time" not in cats("Напишем в ближайшее. Время доставки — 25 ноября.")


# -- vague time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Ответим в ближайшее время.", "в ближайшее время"),
        ("Вернём в кратчайшие сроки.", "в кратчайшие сроки"),
        ("Отправим как можно скорее.", "как можно скорее"),
        ("Заказ скоро придёт.", "скоро"),
        ("Посылка придёт на днях.", "на днях"),
        ("Напишем позже.", "позже"),
        ("Напишем чуть позже.", "чуть позже"),
        ("Подождите немного, пожалуйста.", "Подождите немного"),
        ("Доставка займёт ~3 дня.", "~3"),
        ("Доставка займёт примерно 5 дней.", "примерно 5 дней"),
    ],
)
def test_vague_time_span_is_the_whole_phrase(text: str, phrase: str) -> None:
    found = only(text, "vague-time")
    assert [f.text for f in found] == [phrase]
    assert found[0].start == text.index(phrase)


@pytest.mark.parametrize(
    "text",
    [
        "Вернуть товар можно не позже 28 ноября.",
        "Ответим не позднее 18:00 МСК.",
        "Пришлём позже, чем 25 ноября.",
    ],
)
def test_not_later_than_is_a_deadline(text: str) -> None:
    assert "vague-time" not in cats(text)


def test_tilde_before_number_is_vagueness_not_familiarity() -> None:
    assert cats("Доставка ~3 дня.") == {"vague-time"}
    assert cats("Спасибо за заказ~") == {"over-familiar"}


def test_vague_time_suggestion_uses_the_context_deadline() -> None:
    context = LintContext(now=msk(2025, 11, 24, 10, 0), deadline=msk(2025, 11, 24, 18, 0))
    found = [f for f in lint("Ответим в ближайшее время.", context) if f.category == "vague-time"]
    assert found[0].suggestion == "до 18:00 МСК"
    other_day = LintContext(now=msk(2025, 11, 24, 10, 0), deadline=msk(2025, 11, 25, 12, 0))
    found = [f for f in lint("Ответим в ближайшее время.", other_day) if f.category == "vague-time"]
    assert found[0].suggestion == "до 25 ноября, 12:00 МСК"


def test_suggestion_keeps_the_placeholder_without_a_deadline() -> None:
    assert only("Ответим в ближайшее время.", "vague-time")[0].suggestion == "до {deadline_msk}"


# -- hedges ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Наверное, посылка задерживается.", "Наверное"),
        ("Возможно, курьер опоздал.", "Возможно"),
        ("Заказ, возможно, на таможне.", "возможно"),
        ("Скорее всего, это брак.", "Скорее всего"),
        ("Надеемся на понимание.", "Надеемся"),
        ("Надеюсь, всё хорошо.", "Надеюсь"),
    ],
)
def test_hedges(text: str, word: str) -> None:
    found = only(text, "hedge")
    assert [f.text for f in found] == [word]


# -- missing deadline ------------------------------------------------------------


@pytest.mark.parametrize(
    "deadline",
    [
        "до 18:00 МСК",
        "в течение 2 часов",
        "25 ноября",
        "завтра до 12:00",
        "в течение 3 рабочих дней",
        "05.12.2025",
        "в пятницу до 15.00",
        "до 12:00 по московскому времени",
        "через 24 часа",
    ],
)
def test_concrete_deadlines_satisfy_a_promise(deadline: str) -> None:
    assert "missing-deadline" not in cats(f"Отправим замену {deadline}.")


@pytest.mark.parametrize(
    "text",
    [
        "Отправим замену.",
        "Мы проверим заказ и ответим вам.",
        "Я передам вопрос менеджеру.",
        "Вернём деньги после проверки.",
        "Свяжемся с вами после проверки.",
    ],
)
def test_promise_without_deadline(text: str) -> None:
    found = only(text, "missing-deadline")
    assert len(found) == 1
    assert found[0].text in text and found[0].severity == "warning"


@pytest.mark.parametrize(
    "text",
    [
        "Мы не сможем заменить товар.",
        "Напомним, что возврат бесплатный.",
        "Можем ли мы помочь?",
        "Мы будем рады помочь.",
        "Заказ доставят курьером.",
        "Пришлите фото, пожалуйста.",
    ],
)
def test_no_promise_no_missing_deadline(text: str) -> None:
    assert "missing-deadline" not in cats(text)


def test_missing_deadline_suggestion_names_the_verb() -> None:
    context = LintContext(now=msk(2025, 11, 24, 10, 0), deadline=msk(2025, 11, 24, 18, 0))
    [f] = [f for f in lint("Мы вернём деньги.", context) if f.category == "missing-deadline"]
    assert (f.text, f.suggestion) == ("вернём", "вернём до 18:00 МСК")


def test_bare_time_without_zone_is_info_only() -> None:
    findings = lint("Ответим до 18:00.")
    assert [(f.category, f.severity, f.text) for f in findings] == [("time-zone", "info", "18:00")]
    assert not blocking(findings)
    assert lint("Ответим до 18:00 МСК.") == []


# -- policy: promotion, contacts, length -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Дарим скидку 10%.",
        "Воспользуйтесь нашей акцией до пятницы.",
        "Ваш промокод: SALE.",
        "Дарим купон.",
        "Подпишитесь на наш магазин.",
        "Подписывайтесь на нас!",
        "Дадим вам скидку на следующий заказ.",
        "Добавьте наш магазин в избранное.",
        "За отзыв с пятью звёздами вернём 200 ₽.",
        "Этот товар есть в нашем магазине на Wildberries.",
        "Закажите у нас на AliExpress.",
    ],
)
def test_promotional(text: str) -> None:
    found = only(text, "promotional")
    assert found and all(f.severity == "error" for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "Скидку на товар устанавливает Ozon.",
        "Цена изменилась, потому что закончилась акция Ozon.",
        "Итоговая сумма учитывает скидку Ozon и списанные баллы.",
        "Спасибо за отзыв! Деньги вернём до 5 декабря.",
        "Товар, купленный на Wildberries, вернуть через Ozon нельзя.",
    ],
)
def test_prices_ozon_runs_and_thanks_for_a_review_are_not_promotion(text: str) -> None:
    assert "promotional" not in cats(text)


def test_discount_card_adjective_is_not_a_discount() -> None:
    assert "promotional" not in cats("Сохранить скидочную карту нельзя.")


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("Пишите в WhatsApp.", "WhatsApp"),
        ("Мы есть в Telegram.", "Telegram"),
        ("Добавьте нас в WeChat.", "WeChat"),
        ("Звоните: +7 (999) 123-45-67.", "+7 (999) 123-45-67"),
        ("Звоните: 8 912 345 67 89.", "8 912 345 67 89"),
        ("Сайт: https://shop.example.ru/a.", "https://shop.example.ru/a"),
        ("Почта: help@shop.ru.", "help@shop.ru"),
        ("Ник: @shop_help.", "@shop_help"),
        ("Напишите в вотсап.", "вотсап"),
    ],
)
def test_off_platform(text: str, contact: str) -> None:
    found = only(text, "off-platform")
    assert contact in [f.text for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "Номер отправления: 39092844-0015-1.",
        "Заказ 12345678-0001.",
        "Ссылка на товар: https://www.ozon.ru/product/123/.",
    ],
)
def test_order_numbers_and_ozon_links_are_not_contacts(text: str) -> None:
    assert "off-platform" not in cats(text)


def test_length_limit() -> None:
    ok = "Заказ передан в доставку. " * 40
    ok = ok[:1000]
    assert "length" not in cats(ok)
    too_long = ok + "Ж"
    [f] = only(too_long, "length")
    assert (f.severity, f.start, f.end, f.text) == ("error", 1000, 1001, "Ж")
    assert "1001" in f.message


# -- tone, machine translation, script -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Дорогой покупатель, заказ в пути.",
        "Дорогая Анна, спасибо.",
        "Дорогие покупатели, пишите!",
        "Привет! Заказ в пути.",
        "Спасибо 😊😊",
        "Спасибо :)",
        "Спасибо)))",
        "Ваш заказик в пути.",
    ],
)
def test_over_familiar(text: str) -> None:
    assert "over-familiar" in cats(text)


def test_one_emoji_passes_two_are_a_warning() -> None:
    assert lint("Спасибо 😊") == []
    [f] = lint("Спасибо 😊😊")
    assert (f.rule, f.severity, f.text) == ("over-familiar.emoji-many", "warning", "😊😊")


@pytest.mark.parametrize(
    "text",
    ["Это дорогой товар.", "Товар дорогой, но качественный.", "Дорогая модель, но надёжная."],
)
def test_expensive_is_not_an_address(text: str) -> None:
    assert "over-familiar" not in cats(text)


def test_chinese_characters_are_errors() -> None:
    [f] = only("Заказ 您好 отправлен.", "mt-artifact")
    assert (f.text, f.severity) == ("您好", "error")


@pytest.mark.parametrize(
    "text",
    [
        "Пожалуйста, терпеливо ждите.",
        "Спасибо за вашу поддержку.",
        "Желаем вам счастливой жизни!",
        "Дадим удовлетворительный ответ до 18:00 МСК.",
        "Сожалеем за задержку.",
        "Не волнуйтесь, заказ в пути.",
        "Уважаемый клиент, заказ в пути.",
        "Пожалуйста, свяжитесь с нами в любое время.",
    ],
)
def test_calques(text: str) -> None:
    assert "mt-artifact" in cats(text)


@pytest.mark.parametrize(
    "text",
    [
        "Приносим извинения за доставленные вам неудобства.",
        "Приносим извинения за неудобства, причинённые вам.",
        "Сожалеем о задержке.",
        "Уважаемый покупатель, заказ в пути.",
    ],
)
def test_native_formulas_are_not_calques(text: str) -> None:
    assert "mt-artifact" not in cats(text)


def test_mixed_script_points_at_the_word_and_suggests_the_fix() -> None:
    text = "Cпасибо, заказ дoставлен."
    found = only(text, "mixed-script")
    assert [(f.text, f.suggestion) for f in found] == [
        ("Cпасибо", "Спасибо"),
        ("дoставлен", "доставлен"),
    ]
    assert text[found[1].start : found[1].end] == "дoставлен"


@pytest.mark.parametrize(
    "text", ["QR-код в приложении.", "SMS-уведомление придёт.", "Для iPhone 15 подходит."]
)
def test_latin_words_and_hyphenated_terms_are_fine(text: str) -> None:
    assert "mixed-script" not in cats(text)


def test_over_apology_counts_per_reply() -> None:
    assert "over-apology" not in cats("Приносим извинения за задержку.")
    [f] = only("Извините за задержку. Приносим извинения.", "over-apology")
    assert f.text == "Извините за задержку. Приносим извинения"
    assert "2" in f.message


def test_negation_density_per_sentence() -> None:
    assert "negation" not in cats(
        "Товар не подлежит обмену, но его можно вернуть. Нет, это не брак."
    )
    assert "negation" in cats("Мы не можем помочь, товар не наш и возврата нет.")


# -- quoting, normalisation, messages ---------------------------------------------


def test_quoted_buyer_text_is_not_linted() -> None:
    text = "> Постарайтесь скорее, дорогой продавец 😊\n> мой телефон +7 999 123-45-67\nОтправим замену до 18:00 МСК."
    assert lint(text) == []


def test_spans_after_a_quote_point_into_the_original_text() -> None:
    text = "> когда?\nОтветим в ближайшее время."
    [f] = only(text, "vague-time")
    assert text[f.start : f.end] == "в ближайшее время"


def test_nbsp_and_yo_are_normalised() -> None:
    text = "Разберёмся\u00a0в\u00a0ближайшее\u00a0время."
    found = lint(text)
    assert {f.category for f in found} >= {"vague-promise", "vague-time"}
    assert {text[f.start : f.end] for f in found} >= {"Разберёмся", "в\u00a0ближайшее\u00a0время"}


def test_longest_match_wins() -> None:
    [f] = only("Напишем в самое ближайшее время.", "vague-time")
    assert f.text == "в самое ближайшее время"


@pytest.mark.parametrize(
    ("lang", "fragment"),
    [("en", "Vague time"), ("ru", "Размытый срок"), ("zh_CN", "时间含糊")],
)
def test_message_in_interface_language(lang: str, fragment: str) -> None:
    set_language(lang)
    [f] = only("Ответим в ближайшее время.", "vague-time")
    assert fragment in f.message


def test_finding_is_frozen_with_the_contract_fields() -> None:
    [f] = only("Заказ скоро придёт.", "vague-time")
    assert list(f.to_dict()) == [
        "rule",
        "category",
        "severity",
        "start",
        "end",
        "text",
        "message",
        "suggestion",
    ]
    with pytest.raises(AttributeError):
        f.start = 0  # type: ignore[misc]
