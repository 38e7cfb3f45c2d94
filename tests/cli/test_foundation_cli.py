from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ozondesk.cli import main
from ozondesk.domain.clock import MOSCOW


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def run_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


# -- sla ------------------------------------------------------------------------------
def test_sla_contract_with_now(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(
        capsys, "sla", "--policy", "chat-first-response",
        "--received", "2025-11-04T08:50:00Z", "--now", "2025-11-04T12:00:00+03:00",
    )
    assert result == {
        "policy": "chat-first-response",
        "received": "2025-11-04T11:50:00+03:00",
        "deadline": "2025-11-04T12:05:00+03:00",
        "seconds_left": 300,
        "state": "ok",
    }


def test_sla_without_now_has_null_countdown(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, "sla", "--policy", "ozon-ticket", "--received", "2025-12-30T17:00+03:00")
    assert result["deadline"] == "2026-01-12T12:00:00+03:00"
    assert result["seconds_left"] is None and result["state"] is None


def test_sla_same_instant_in_beijing_and_utc(capsys: pytest.CaptureFixture[str]) -> None:
    a = run_json(capsys, "sla", "--policy", "verified-support", "--received", "2025-11-01T15:30:00+08:00")
    b = run_json(capsys, "sla", "--policy", "verified-support", "--received", "2025-11-01T07:30:00Z")
    assert a == b
    # 1 Nov 2025 is a working Saturday: counted 10:30–12:30 MSK.
    assert a["deadline"] == "2025-11-01T12:30:00+03:00"


def test_sla_due_soon_and_breached(capsys: pytest.CaptureFixture[str]) -> None:
    soon = run_json(capsys, "sla", "--policy", "chat-first-response",
                    "--received", "2025-11-04T12:00+03:00", "--now", "2025-11-04T12:13+03:00")
    assert soon["state"] == "due-soon" and soon["seconds_left"] == 120
    late = run_json(capsys, "sla", "--policy", "chat-first-response",
                    "--received", "2025-11-04T12:00+03:00", "--now", "2025-11-04T12:16+03:00")
    assert late["state"] == "breached" and late["seconds_left"] == -60


def test_sla_explain_lists_the_holiday(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, "sla", "--policy", "ozon-ticket", "--received", "2025-11-03T17:00+03:00",
                      "--explain")
    reasons = [seg["reason"] for seg in result["timeline"] if not seg["counted"]]
    assert any("Unity Day" in (r or "") for r in reasons), reasons


def test_sla_uses_a_leads_edited_policy_from_the_database(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from ozondesk.domain.policies import SlaPolicy
    from ozondesk.store.db import open_database
    from ozondesk.store.repos.policies import current_policies, save_policy

    db = open_database(str(db_path))
    with db.begin() as session:
        chat = current_policies(session)["chat-first-response"]
        save_policy(session, SlaPolicy(chat.name, chat.title, timedelta(minutes=30), chat.calendar),
                    effective_from=datetime(2025, 1, 1, tzinfo=UTC))
    db.dispose()
    result = run_json(capsys, "--db", str(db_path), "sla", "--policy", "chat-first-response",
                      "--received", "2025-11-04T12:00+03:00")
    assert result["deadline"] == "2025-11-04T12:30:00+03:00"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["sla", "--policy", "nope", "--received", "2025-11-01T10:00Z"], "unknown policy 'nope'"),
        (["sla", "--policy", "ozon-ticket", "--received", "yesterday"], "cannot read time 'yesterday'"),
        (["sla", "--policy", "ozon-ticket", "--received", "2025-13-01T10:00Z"], "cannot read time"),
        (["sla", "--policy", "ozon-ticket"], "--received"),
        (["sla", "--policy", "ozon-ticket", "--received", "2025-11-01T10:00Z", "--bogus"], "--bogus"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert needle in run_error(capsys, *argv)


# -- presence ---------------------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "presence.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_presence_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "timestamp,agent,status\n"
        "2026-11-21T06:00:00Z,王芳,online\n"        # 09:00 MSK
        "2026-11-21T09:00:00Z,王芳,offline\n"       # 12:00 MSK
        "2026-11-21T09:45:00Z,li,online\n"
        "2026-11-21T20:30:00Z,li,offline\n"
        "2026-11-22T14:00:00+08:00,li,online\n"     # 09:00 MSK
        "2026-11-23T06:10:00Z,li,away\n",
    )
    result = run_json(capsys, "presence", "--log", str(log), "--now", "2026-11-23T12:00:00+03:00")
    assert result == {
        "days": [
            {"date": "2026-11-21", "offline_minutes": 45.0, "breach": True, "unknown": False},
            {"date": "2026-11-22", "offline_minutes": 0.0, "breach": False, "unknown": False},
            {"date": "2026-11-23", "offline_minutes": 0.0, "breach": False, "unknown": False},
        ],
        "status": "ok",
        "minutes_left_today": 30.0,
        "known_from": "2026-11-21T09:00:00+03:00",
    }


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("timestamp,agent\n2026-11-21T06:00:00Z,li\n", "missing column(s) status"),
        ("timestamp,agent,status\n2026-11-21T06:00:00Z,li,busy\n", ":2: unknown presence status 'busy'"),
        ("timestamp,agent,status\nnot-a-time,li,online\n", ":2: cannot read time"),
        ("timestamp,agent,status\n2026-11-21T06:00:00Z,,online\n", "agent is empty"),
    ],
)
def test_presence_bad_logs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, needle: str
) -> None:
    assert needle in run_error(capsys, "presence", "--log", str(write(tmp_path, content)))


def test_presence_missing_and_binary_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "does not exist" in run_error(capsys, "presence", "--log", str(tmp_path / "nope.csv"))
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x80\x81")
    assert "not UTF-8" in run_error(capsys, "presence", "--log", str(binary))


# -- demo -------------------------------------------------------------------------------
def test_demo_fills_every_kind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    result = run_json(capsys, "demo", "--db", str(path), "--size", "200")
    conn = sqlite3.connect(path)
    stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert result["conversations"] == 200 and result["messages"] == stored
    assert stored >= 200  # each conversation opens with at least one message
    kinds = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM conversations")}
    assert kinds == {"buyer_chat", "buyer_ticket", "ozon_ticket", "account_manager",
                     "question", "review", "return_request", "cancellation"}
    names = {n for (n,) in conn.execute("SELECT display_name FROM agents")}
    assert "王芳" in names
    buyer_text = conn.execute("SELECT text FROM messages WHERE side='buyer' LIMIT 1").fetchone()[0]
    assert any("а" <= ch <= "я" for ch in buyer_text.lower())
    delayed = conn.execute("SELECT count(*) FROM postings WHERE carrier_status LIKE 'Задерживается%'")
    assert delayed.fetchone()[0] > 0
    # Thirty days of shifts before today (stored in UTC: 05:50-20:05, the Moscow day's own
    # date); today's only once its first shift has begun.
    days = {date.fromisoformat(d) for (d,) in conn.execute("SELECT DISTINCT date(at) FROM presence_events")}
    today = datetime.now(MOSCOW).date()
    assert days - {today} == {today - timedelta(days=k) for k in range(1, 31)}
    conn.close()


def test_demo_refuses_a_database_with_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    run_json(capsys, "demo", "--db", str(path), "--size", "5")
    before = sqlite3.connect(path).execute("SELECT count(*) FROM conversations").fetchone()[0]
    assert "already holds 5 conversations" in run_error(capsys, "demo", "--db", str(path), "--size", "5")
    assert sqlite3.connect(path).execute("SELECT count(*) FROM conversations").fetchone()[0] == before


def test_demo_bad_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "--size" in run_error(capsys, "demo", "--db", str(tmp_path / "d.sqlite"), "--size", "0")
    assert "--db" in run_error(capsys, "demo")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello " * 100)
    assert "not a SQLite database" in run_error(capsys, "demo", "--db", str(text_file))
    assert text_file.read_text() == "hello " * 100


def test_no_traceback_reaches_the_user_from_the_real_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ozondesk.cli", "sla", "--policy", "x", "--received", "bad"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_table_output_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sla", "--policy", "chat-first-response", "--received", "2025-11-04T12:00+03:00"]) == 0
    out = capsys.readouterr().out
    assert "deadline" in out and "2025-11-04T12:15:00+03:00" in out


def test_sla_text_names_the_policy_and_state_while_json_keeps_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """#17: no raw codes in the readable output."""
    assert main(["sla", "--policy", "chat-first-response", "--received", "2025-11-04T08:50:00Z",
                 "--now", "2025-11-04T12:10:00+03:00"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "policy        Chat: first response"
    assert lines[-1] == "state         breached"
