"""Templates: placeholders from a fixed set, Russian formatting, and a starter library that lints clean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.lint import lint
from ozondesk.domain.packs import load_starter_pack
from ozondesk.domain.templates import (
    CATEGORIES,
    PLACEHOLDERS,
    SAMPLE_NOW,
    Template,
    TemplateError,
    check_body,
    format_date_ru,
    format_days,
    format_deadline_msk,
    format_in,
    format_rub,
    plural_ru,
    render,
    render_mapped,
    sample_values,
)
from ozondesk.errors import UserError
from ozondesk.i18n import set_language

NOW = MOSCOW.localize(datetime(2025, 11, 24, 10, 0))


def test_russian_dates_times_and_plurals() -> None:
    assert format_date_ru(date(2025, 11, 25)) == "25 ноября"
    assert format_date_ru(date(2026, 1, 5), now=NOW) == "5 января 2026 г."
    assert (
        format_deadline_msk(MOSCOW.localize(datetime(2025, 11, 24, 18, 0)), now=NOW) == "18:00 МСК"
    )
    assert (
        format_deadline_msk(MOSCOW.localize(datetime(2025, 11, 25, 9, 5)), now=NOW)
        == "25 ноября, 09:05 МСК"
    )
    # An instant given in UTC is shown in Moscow time.
    assert (
        format_deadline_msk(datetime.fromisoformat("2025-11-24T15:00:00+00:00"), now=NOW)
        == "18:00 МСК"
    )
    assert [plural_ru(n, ("день", "дня", "дней")) for n in (1, 2, 5, 11, 21, 22, 25, 111)] == [
        "день", "дня", "дней", "дней", "день", "дня", "дней", "дней",
    ]  # fmt: skip
    assert format_days(14) == "14\u00a0дней"
    assert format_in(3) == "через 3\u00a0дня"
    assert format_in(21) == "через 21\u00a0день"
    assert format_in(timedelta(hours=2)) == "через 2 часа"
    assert format_rub(1290) == "1\u00a0290\u00a0₽"
    assert format_rub(Decimal("99.5")).startswith("99,50")


def test_formatting_is_russian_whatever_the_interface_language() -> None:
    set_language("zh_CN")
    assert render(
        "Придёт {eta_date}, {eta_in}.", {"eta_date": date(2025, 11, 25), "eta_in": 3}
    ) == ("Придёт 25 ноября, через 3\u00a0дня.")


def test_render_from_a_dict_or_a_dataclass() -> None:
    @dataclass
    class Conversation:
        buyer_name: str
        order_number: str
        deadline_msk: datetime

    conv = Conversation("Анна", "123-1", MOSCOW.localize(datetime(2025, 11, 24, 18, 0)))
    body = "Здравствуйте, {buyer_name}! Проверим заказ {order_number} и ответим до {deadline_msk}."
    expected = "Здравствуйте, Анна! Проверим заказ 123-1 и ответим до 18:00 МСК."
    assert render(body, conv, now=NOW) == expected
    assert (
        render(
            body,
            {"buyer_name": "Анна", "order_number": "123-1", "deadline_msk": conv.deadline_msk},
            now=NOW,
        )
        == expected
    )


def test_unknown_and_unfilled_placeholders_are_errors_with_spans() -> None:
    body = "Здравствуйте, {buyer_name}! {foo} до {deadline_msk}."
    with pytest.raises(TemplateError) as info:
        render(body, {"buyer_name": "Анна"})
    problems = info.value.problems
    assert [(p.text, body[p.start : p.end]) for p in problems] == [
        ("{foo}", "{foo}"),
        ("{deadline_msk}", "{deadline_msk}"),
    ]
    assert "unknown placeholder {foo}" in problems[0].reason
    assert "no value for {deadline_msk}" in problems[1].reason
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [("a { b", "stray '{'"), ("a } b", "stray '}'"), ("{Buyer_Name}", "unknown")],
)
def test_malformed_braces(body: str, fragment: str) -> None:
    assert fragment in check_body(body)[0].reason


def test_literal_braces_and_empty_values() -> None:
    assert render("{{buyer_name}}", {}) == "{buyer_name}"
    with pytest.raises(TemplateError, match="no value"):
        render("{buyer_name}", {"buyer_name": "  "})
    with pytest.raises(TemplateError, match="expected a date"):
        render("{eta_date}", {"eta_date": 5})


def test_rendered_spans_map_back_to_the_body() -> None:
    body = "Вернём {refund_amount} до {deadline_msk}."
    rendered = render_mapped(body, sample_values(), now=SAMPLE_NOW)
    i = rendered.text.index("до")
    assert rendered.body_span(i, i + 2) == (body.index("до"), body.index("до") + 2)
    j = rendered.text.index("290")
    start, end = rendered.body_span(j, j + 3)
    assert body[start:end] == "{refund_amount}"


def test_template_validates_its_fields() -> None:
    Template(id="ok-1", title="T", category="returns", body="Текст.")
    with pytest.raises(UserError, match="category"):
        Template(id="ok-1", title="T", category="refunds", body="Текст.")
    with pytest.raises(UserError, match="id"):
        Template(id="Bad Id", title="T", category="returns", body="Текст.")
    with pytest.raises(UserError, match="unknown placeholder"):
        Template(id="ok-1", title="T", category="returns", body="{nope}")


def test_every_placeholder_has_a_sample() -> None:
    body = " ".join("{" + name + "}" for name in PLACEHOLDERS)
    assert "{" not in render(body, sample_values(), now=SAMPLE_NOW)


# -- the starter library ---------------------------------------------------------


def test_starter_library_is_big_and_covers_the_categories() -> None:
    pack = load_starter_pack()
    assert len(pack.templates) >= 30
    # Escalation e-mails are English and ship in their own pack (escalation-en.json).
    assert {t.category for t in pack.templates} >= set(CATEGORIES) - {"other", "escalation"}
    for t in pack.templates:
        assert t.language == "ru" and t.gloss_zh and t.title
        assert len(t.body) <= 1000


def test_starter_templates_lint_clean_once_filled() -> None:
    problems = []
    for t in load_starter_pack().templates:
        text = t.render(sample_values(), now=SAMPLE_NOW)
        for f in lint(text):
            if f.severity in ("error", "warning"):
                problems.append(f"{t.id}: {f.rule} {f.text!r}")
    assert problems == []


def test_starter_templates_promise_concrete_deadlines() -> None:
    # Where a template promises an action it names a deadline placeholder or a term.
    for t in load_starter_pack().templates:
        text = t.render(sample_values(), now=SAMPLE_NOW)
        assert not [f for f in lint(text) if f.category == "missing-deadline"], t.id


def test_without_the_buyers_name_the_greeting_goes_without_it() -> None:
    from ozondesk.domain.templates import fill_template

    body = "Здравствуйте, {buyer_name}! Заказ {order_number} в пути. Хорошего дня, {buyer_name}."
    filled = fill_template(body, {"order_number": "123-1"})
    assert (filled.text, filled.unfilled) == ("Здравствуйте! Заказ 123-1 в пути. Хорошего дня.", ())
    assert fill_template(body, {"buyer_name": "  ", "order_number": "1"}).unfilled == ()
    assert fill_template(body, {"buyer_name": "Анна", "order_number": "1"}).text == (
        "Здравствуйте, Анна! Заказ 1 в пути. Хорошего дня, Анна.")
    # Anywhere else the name stays a placeholder to fill: the sentence needs it.
    assert fill_template("Спасибо {buyer_name} за отзыв", {}).unfilled == ("buyer_name",)


def test_every_starter_template_fills_without_the_buyers_name() -> None:
    from ozondesk.domain.templates import fill_template, sample_values

    values = {k: v for k, v in sample_values().items() if k != "buyer_name"}
    templates = load_starter_pack().templates
    assert sum("{buyer_name}" in t.body for t in templates) == 8
    for template in templates:
        assert fill_template(template.body, values).unfilled == (), template.id
