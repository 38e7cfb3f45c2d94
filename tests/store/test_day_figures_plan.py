"""The conversations' day figures are the same whichever way SQLite reads the period's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from ozondesk.domain.clock import MOSCOW
from ozondesk.services.metrics import period_bounds
from ozondesk.store.db import Database
from ozondesk.store.repos import sla_figures

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)


def figures(db: Database, first: date, last: date) -> tuple[object, object, str]:
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.read() as s:
            counts, seconds = sla_figures.day_figures(s, *period_bounds(first, last), NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    grouped = next(st for st in statements if "GROUP BY" in st)
    key = repr  # None and numbers mixed: order by their text
    return sorted(counts, key=key), sorted(seconds, key=key), grouped


@pytest.mark.parametrize(("first", "last"), [(date(2026, 11, 1), date(2026, 11, 23)),
                                             (date(2026, 11, 21), date(2026, 11, 22))])
def test_table_scan_and_index_give_the_same_figures(
    db: Database, monkeypatch: pytest.MonkeyPatch, first: date, last: date
) -> None:
    from ozondesk.services.demo import generate

    generate(db, size=600, now=NOW)
    monkeypatch.setattr(sla_figures, "SCAN_SHARE", 0.0)  # always read the table in order
    counts_scan, seconds_scan, scanned = figures(db, first, last)
    monkeypatch.setattr(sla_figures, "SCAN_SHARE", 2.0)  # never: the receipt index
    counts_index, seconds_index, indexed = figures(db, first, last)
    assert counts_scan and seconds_scan
    assert (counts_scan, seconds_scan) == (counts_index, seconds_index)
    if db.engine.dialect.name == "sqlite":
        assert "+ conversations.received_at" in scanned
        assert "+ conversations.received_at" not in indexed
    else:  # PostgreSQL's planner decides with its statistics: one statement
        assert scanned == indexed


def test_the_share_decides_on_sqlite(db: Database) -> None:
    from ozondesk.services.demo import generate

    generate(db, size=600, now=NOW)
    month = figures(db, date(2026, 11, 1), date(2026, 11, 23))[2]
    day = figures(db, date(2026, 11, 2), date(2026, 11, 2))[2]
    if db.engine.dialect.name == "sqlite":
        # The whole demo lies in November: a month is all of the table, a day a small part.
        assert "+ conversations.received_at" in month
        assert "+ conversations.received_at" not in day
    else:  # PostgreSQL plans with its own statistics: the plain statement both times
        assert "+ conversations" not in month and "+ conversations" not in day
