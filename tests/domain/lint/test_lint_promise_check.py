"""Concrete promises resolved against a fixed Moscow clock, a business calendar and the SLA deadline."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fakes import FakeCalendar

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.lint import Finding, LintContext, lint

# Monday 24 November 2025 and the days around it.
MON_10 = MOSCOW.localize(datetime(2025, 11, 24, 10, 0))
MON_19 = MOSCOW.localize(datetime(2025, 11, 24, 19, 0))
FRI_15 = MOSCOW.localize(datetime(2025, 11, 21, 15, 0))


def checks(text: str, context: LintContext) -> list[Finding]:
    return [f for f in lint(text, context) if f.category == "promise-check"]


def test_promise_already_in_the_past() -> None:
    text = "Отправим замену до 18:00 МСК сегодня."
    [f] = checks(text, LintContext(now=MON_19))
    assert (f.rule, f.severity, f.text) == ("promise-check.past", "error", "18:00 МСК сегодня")
    assert text[f.start : f.end] == f.text


def test_past_date_without_time() -> None:
    [f] = checks("Вернём деньги 20 ноября.", LintContext(now=MON_10))
    assert f.rule == "promise-check.past"


def test_promise_on_a_weekend() -> None:
    context = LintContext(now=FRI_15, calendar=FakeCalendar())
    [f] = checks("Ответим завтра до 12:00 МСК.", context)
    assert (f.rule, f.severity, f.text) == (
        "promise-check.closed-day",
        "warning",
        "завтра до 12:00 МСК",
    )
    assert f.suggestion == "24 ноября"  # the next open day


def test_promise_on_a_holiday() -> None:
    calendar = FakeCalendar(closed=frozenset({date(2025, 11, 25)}))
    [f] = checks("Пришлём документы 25 ноября.", LintContext(now=MON_10, calendar=calendar))
    assert f.rule == "promise-check.closed-day"
    assert f.suggestion == "26 ноября"


def test_promise_after_the_sla_deadline() -> None:
    context = LintContext(now=MON_10, deadline=MOSCOW.localize(datetime(2025, 11, 24, 18, 0)))
    [f] = checks("Ответим завтра до 12:00 МСК.", context)
    assert (f.rule, f.severity) == ("promise-check.after-deadline", "error")
    assert f.suggestion == "до 18:00 МСК"


def test_promise_within_the_deadline_on_an_open_day_is_fine() -> None:
    context = LintContext(
        now=MON_10, deadline=MOSCOW.localize(datetime(2025, 11, 24, 18, 0)), calendar=FakeCalendar()
    )
    for text in (
        "Ответим до 16:00 МСК.",
        "Ответим в течение 2 часов.",
        "Ответим сегодня до 17:30 МСК.",
    ):
        assert checks(text, context) == [], text


@pytest.mark.parametrize(("deadline_day", "flagged"), [(25, True), (28, False)])
def test_working_days_use_the_calendar(deadline_day: int, flagged: bool) -> None:
    # Friday + 3 working days = Wednesday 26 November.
    context = LintContext(
        now=FRI_15,
        deadline=MOSCOW.localize(datetime(2025, 11, deadline_day, 18, 0)),
        calendar=FakeCalendar(),
    )
    found = checks("Вернём деньги в течение 3 рабочих дней.", context)
    assert bool(found) is flagged


def test_statements_of_fact_are_not_promises() -> None:
    context = LintContext(now=MON_10, calendar=FakeCalendar())
    assert checks("Посылка прибыла в пункт выдачи 20 ноября.", context) == []
    assert checks("Заказ доставят 29 ноября.", context) == []


def test_no_context_no_clock() -> None:
    assert [
        f
        for f in lint("Отправим до 18:00 МСК 1 января 2020 года.")
        if f.category == "promise-check"
    ] == []


def test_context_without_now_uses_the_current_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "ozondesk.domain.lint.linter.utcnow", lambda: MON_19.astimezone(MOSCOW).astimezone()
    )
    [f] = checks("Отправим до 18:00 МСК.", LintContext())
    assert f.rule == "promise-check.past"


def test_calendar_in_another_zone() -> None:
    # 23:30 Moscow on Friday is 04:30 Saturday in Beijing, when a Beijing team is closed.
    beijing = FakeCalendar(tz="Asia/Shanghai")
    [f] = checks("Ответим до 23:30 МСК.", LintContext(now=FRI_15, calendar=beijing))
    assert f.rule == "promise-check.closed-day"
    assert checks("Ответим до 17:30 МСК.", LintContext(now=FRI_15, calendar=beijing)) == []


def test_with_the_real_business_calendar() -> None:
    from ozondesk.domain.policies import DEFAULT_POLICIES

    calendar = DEFAULT_POLICIES["ozon-ticket"].calendar
    context = LintContext(now=FRI_15, calendar=calendar)
    assert [f.rule for f in checks("Ответим завтра до 12:00 МСК.", context)] == [
        "promise-check.closed-day"
    ]
    assert checks("Ответим в понедельник до 12:00 МСК.", context) == []
    # 4 November (Unity Day) is a public holiday in the production calendar.
    holiday = LintContext(now=MOSCOW.localize(datetime(2025, 11, 3, 10, 0)), calendar=calendar)
    assert [f.rule for f in checks("Пришлём документы 4 ноября.", holiday)] == [
        "promise-check.closed-day"
    ]
