"""Public-reply rules: what an answer to a product question or a review comment must not show."""

from __future__ import annotations

import pytest

from ozondesk.domain.lint import lint
from ozondesk.domain.lint.public import PublicContext, lint_public, lint_reply_for

TEAM = PublicContext(buyer_name="Анна Смирнова", team_names=("Ли Мин", "li.ming", "Ван Фан"))


def found(text: str, context: PublicContext = TEAM) -> list[tuple[str, str]]:
    return [(f.rule, f.text) for f in lint_public(text, context)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Позвоните нам: +7 (912) 345-67-89.", [("public.personal-data.phone", "+7 (912) 345-67-89")]),
        ("Звоните 89123456789", [("public.personal-data.phone", "89123456789")]),
        ("Пишите на anna.s@mail.ru", [("public.personal-data.email", "anna.s@mail.ru")]),
        ("Иванов Пётр Сергеевич, спасибо!", [("public.personal-data.full-name", "Иванов Пётр Сергеевич")]),
        ("Мария Петровна Козлова, извините", [("public.personal-data.full-name", "Мария Петровна Козлова")]),
        ("Анна Смирнова, спасибо за отзыв!", [("public.personal-data.buyer-name", "Анна Смирнова")]),
        ("Ваш заказ 38429571-0012 уже едет", [("public.order-number", "заказ 38429571-0012")]),
        ("Отправление 38429571-0012-1 в пути", [("public.order-number", "38429571-0012-1")]),
        ("Трек-номер: OZ100000123RU", [("public.tracking-number", "Трек-номер: OZ100000123RU")]),
        ("Посылка RA123456789CN прибудет завтра", [("public.tracking-number", "RA123456789CN")]),
        ("С уважением, Ли Мин", [("public.internal-name", "Ли Мин")]),
        ("Ответил li.ming", [("public.internal-name", "li.ming")]),
        ("Вы сами виноваты.", [("public.blame", "Вы сами виноваты")]),
        ("Читайте внимательнее описание!", [("public.blame", "Читайте внимательнее")]),
        ("Вы неправильно выбрали размер.", [("public.blame", "Вы неправильно")]),
        ("Это ваша ошибка, а не наша.", [("public.blame", "Это ваша ошибка")]),
        ("Не выдумывайте, товар исправен.", [("public.blame", "Не выдумывайте")]),
        ("Надо было читать карточку.", [("public.blame", "Надо было читать")]),
    ],
)
def test_each_rule_finds_what_it_is_for(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте! Размер M подойдёт при росте 170 см. Стирать при 30 градусах.",
        "Спасибо за отзыв! Нам жаль, что размер не подошёл: напишите нам в чат заказа, поможем с обменом.",
        "Пользователь OZON, спасибо за вопрос!",  # the platform's stand-in, not a name
        "Комплект полный: 2 наволочки 50×70 и простыня 220×240.",
        "Доставка 1–3 дня, с 9:00 до 21:00 по московскому времени.",
        "Артикул 12345 есть в синем цвете.",  # a short article number is no order number
        "Синий цвет — SKU 1649246352, размер M — артикул: 1649246353.",  # product codes
        "Анна, спасибо!",  # a first name alone is no full name
        "Вы правы, размер маломерит — берите на размер больше.",
        "Вам подойдёт, если внимательно свериться с таблицей размеров.",
        "> Вы сами виноваты\nСпасибо за отзыв!",  # a quoted line is the buyer's, not ours
    ],
)
def test_ordinary_public_replies_pass(text: str) -> None:
    assert found(text) == []


def test_a_buyer_shown_as_ozon_user_is_not_personal_data() -> None:
    context = PublicContext(buyer_name="Пользователь OZON")
    assert found("Пользователь OZON, здравствуйте!", context) == []


def test_findings_are_errors_with_offsets_into_the_text() -> None:
    text = "Спасибо! Ваш заказ 38429571-0012, Ли Мин"
    findings = lint_public(text, TEAM)
    assert [f.severity for f in findings] == ["error", "error"]
    for f in findings:
        assert text[f.start : f.end] == f.text
        assert f.message


def test_the_public_rules_apply_only_to_questions_and_reviews() -> None:
    text = "Ваш заказ 38429571-0012 уже едет"
    chat = lint_reply_for("buyer_chat", lint(text), text, TEAM)
    question = lint_reply_for("question", lint(text), text, TEAM)
    review = lint_reply_for("review", lint(text), text, TEAM)
    assert not any(f.rule.startswith("public.") for f in chat)
    assert [f.rule for f in question if f.rule.startswith("public.")] == ["public.order-number"]
    assert [f.rule for f in review if f.rule.startswith("public.")] == ["public.order-number"]


def test_the_starter_question_and_review_templates_are_fit_for_a_product_page() -> None:
    import json

    from ozondesk.domain.lint import blocking
    from ozondesk.domain.templates import PLACEHOLDERS, fill_template, sample_values
    from ozondesk.resources import resource_path

    pack = json.loads(resource_path("templates", "starter-ru.json").read_text(encoding="utf-8"))
    public = [t for t in pack["templates"] if t["category"] in ("question", "review")]
    assert sorted({t["category"] for t in public}) == ["question", "review"]
    assert len(public) == 12 and all(t["channel"] == t["category"] for t in public)
    private = {"buyer_name", "order_number", "posting_number", "tracking_number", "agent_name"}
    for t in public:
        assert t["gloss_zh"] and t["title"]
        names = {n for n in PLACEHOLDERS if "{" + n + "}" in t["body"]}
        assert not names & private, t["id"]
        filled = fill_template(t["body"], sample_values()).text
        assert not blocking(lint(filled)), t["id"]
        assert lint_public(filled, TEAM) == [], t["id"]
