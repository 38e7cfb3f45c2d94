"""`ozondesk tickets list|add`: the JSON contracts, exact deadlines on Ozon's working hours, and
one-line refusals with exit 2 that write nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ozondesk.cli import main
from ozondesk.store.db import open_database

FIELDS = ["id", "kind", "number", "category", "sent_at", "due_at", "state", "waiting_s"]


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "desk.sqlite"
    open_database(str(path)).dispose()
    monkeypatch.setenv("OZONDESK_DB", str(path))
    monkeypatch.setattr(sys, "stdin", None)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def listed(capsys: pytest.CaptureFixture[str], now: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "tickets", "list", "--now", now, "--format", "json")
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert list(body) == ["tickets"]
    return body["tickets"]  # type: ignore[no-any-return]


def test_an_urgent_ticket_entered_at_1730_msk_on_a_friday_is_due_monday_1030(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Friday 2026-12-04 17:30 MSK: 30 minutes count on Friday, 90 on Monday from 09:00.
    code, out, err = run(capsys, "tickets", "add", "--kind", "urgent", "--category", "payment-hold",
                         "--number", "SR-77001", "--sent-at", "2026-12-04T17:30",
                         "--order", "12345678-0001", "--order", "12345678-0002", "--format", "json")
    assert (code, err) == (0, "")
    ticket = json.loads(out)["ticket"]
    waited = ticket.pop("waiting_s")  # against the real clock: the ticket was sent in the past
    assert isinstance(waited, int) and waited > 0
    assert ticket == {"id": 1, "kind": "urgent", "number": "SR-77001", "category": "payment-hold",
                      "sent_at": "2026-12-04T17:30:00+03:00", "due_at": "2026-12-07T10:30:00+03:00",
                      "state": ticket["state"], "missing": ["shop_id", "error_code", "screenshot"]}
    # Saturday noon: still Ozon's time left (the weekend does not count).
    [row] = listed(capsys, "2026-12-05T12:00+03:00")
    assert list(row) == FIELDS
    assert (row["state"], row["waiting_s"]) == ("waiting", 18 * 3600 + 30 * 60)
    # Monday 10:12: less than 20% of the 2 hours left.
    assert listed(capsys, "2026-12-07T10:12+03:00")[0]["state"] == "due-soon"
    # Monday 10:30 exactly: Ozon is late.
    [late] = listed(capsys, "2026-12-07T10:30+03:00")
    assert (late["state"], late["due_at"]) == ("late", "2026-12-07T10:30:00+03:00")


def test_the_policy_follows_kind_and_category(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Tuesday 2026-12-01 10:00 MSK.
    for kind, category, number in [("support", "logistics", "A1"), ("support", "account-freeze", "A2"),
                                   ("consult", "other", "A3"), ("am", "commission", "A4")]:
        assert run(capsys, "tickets", "add", "--kind", kind, "--category", category, "--number", number,
                   "--sent-at", "2026-12-01T10:00+03:00")[0] == 0
    due = {t["number"]: t["due_at"] for t in listed(capsys, "2026-12-01T10:00+03:00")}
    assert due == {"A1": "2026-12-01T14:00:00+03:00",   # 4 working hours
                   "A2": "2026-12-01T12:00:00+03:00",   # an account freeze is urgent: 2 hours
                   "A3": "2026-12-04T10:00:00+03:00",   # consultation: 72 hours round the clock
                   "A4": "2026-12-01T12:00:00+03:00"}   # the account manager: 2 working hours


def test_the_list_puts_the_longest_waiting_first_and_answered_ones_last(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ozondesk.domain.clock import parse_instant
    from ozondesk.services.tickets import TicketService

    for number, sent in [("B1", "2026-12-01T10:00"), ("B2", "2026-11-30T10:00"), ("B3", "2026-12-02T10:00")]:
        assert run(capsys, "tickets", "add", "--kind", "support", "--category", "other", "--number",
                   number, "--sent-at", sent)[0] == 0
    db = open_database(str(desk))
    try:
        TicketService(db).set_status(1, "answered", parse_instant("2026-12-01T11:00"))
    finally:
        db.dispose()
    rows = listed(capsys, "2026-12-02T12:00+03:00")
    assert [(r["number"], r["state"], r["waiting_s"]) for r in rows] == [
        ("B2", "late", 2 * 86400 + 2 * 3600), ("B3", "waiting", 2 * 3600), ("B1", "answered", None)]


@pytest.mark.parametrize(("argv", "line"), [
    (["--kind", "ticket"], "argument --kind: invalid choice: 'ticket'"),
    (["--category", "refund"], "unknown ticket category 'refund'; use one of: account-freeze,"),
    (["--number", "SR 1"], "ticket number 'SR 1': give the platform's number"),
    (["--sent-at", "friday"], "cannot read time 'friday'"),
    (["--sent-at", "2099-01-01T10:00"], "the sent time 2099-01-01T07:00:00+00:00 is in the future"),
    (["--order", "12345678/1"], "order number '12345678/1': use digits and dashes"),
    (["--kind", "email", "--category", "failed-withdrawal"],
     "Failed withdrawal goes through a Seller Center ticket, not e-mail"),
    (["--number", "SR-1"], "ticket SR-1 is entered already"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    desk: Path, capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    base = {"--kind": "support", "--category": "logistics", "--number": "SR-2", "--sent-at": "2026-12-01T10:00"}
    assert run(capsys, "tickets", "add", "--kind", "support", "--category", "other", "--number", "SR-1",
               "--sent-at", "2026-12-01T09:00")[0] == 0
    before = listed(capsys, "2026-12-01T12:00")
    args = dict(base)
    extra: list[str] = []
    for key, value in zip(argv[::2], argv[1::2], strict=True):
        if key == "--order":
            extra += [key, value]
        else:
            args[key] = value
    code, out, err = run(capsys, "tickets", "add", *[x for kv in args.items() for x in kv], *extra)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and line in err and "Traceback" not in err
    assert listed(capsys, "2026-12-01T12:00") == before


def test_missing_argument_and_no_database(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZONDESK_DB", str(tmp_path / "none.sqlite"))
    code, out, err = run(capsys, "tickets", "add", "--kind", "support", "--category", "other",
                         "--number", "X1")
    assert (code, out) == (2, "") and "--sent-at" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "tickets", "list", "--format", "json")
    assert (code, out) == (2, "") and "no database at" in err
    assert not (tmp_path / "none.sqlite").exists()


def test_report_carries_ozons_answer_figures(desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tickets", "add", "--kind", "am", "--category", "commission", "--number", "AM-1",
               "--sent-at", "2026-12-01T16:00+03:00")[0] == 0
    code, out, err = run(capsys, "report", "--from", "2026-12-01", "--to", "2026-12-01",
                         "--now", "2026-12-01T18:00+03:00", "--format", "json")
    assert (code, err) == (0, "")
    tickets = json.loads(out)["tickets"]
    assert tickets["kinds"]["am"] == {"tickets": 1, "answered": 0, "within_target": 0, "late": 1,
                                      "avg_answer_s": None, "median_answer_s": None, "target_s": 7200,
                                      "on_target_rate": 0.0}
    assert (tickets["escalations"], tickets["returned_incomplete"]) == (0, 0)
