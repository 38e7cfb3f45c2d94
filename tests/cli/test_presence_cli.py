"""`ozondesk presence` on a log that begins recently: earlier days are unknown, never breaches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ozondesk.cli import main


def presence(capsys: pytest.CaptureFixture[str], log: Path, now: str, *extra: str) -> tuple[int, str]:
    code = main(["presence", "--log", str(log), "--now", now, *extra])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def test_a_day_before_the_logs_first_entry_is_unknown_not_a_breach(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "presence.csv"
    log.write_text("timestamp,agent,status\n2026-11-23T14:00:00+03:00,wang,online\n", encoding="utf-8")
    code, out = presence(capsys, log, "2026-11-23T16:00:00+03:00", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "days": [
            # Before: 840 offline minutes, a breach, and "demotion" with today's 300.
            {"date": "2026-11-22", "offline_minutes": 0.0, "breach": False, "unknown": True},
            {"date": "2026-11-23", "offline_minutes": 0.0, "breach": False, "unknown": False},
        ],
        "status": "ok",
        "minutes_left_today": 30.0,
        "known_from": "2026-11-23T14:00:00+03:00",
    }
    code, out = presence(capsys, log, "2026-11-23T16:00:00+03:00")
    rows = [line.split() for line in out.splitlines()]
    assert rows[2] == ["2026-11-22", "no", "record"] and rows[3] == ["2026-11-23", "0.0"]
    assert "status              Shop presence OK" in out.splitlines()  # names the code "ok" (#17)


def test_an_empty_log_knows_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "presence.csv"
    log.write_text("timestamp,agent,status\n", encoding="utf-8")
    code, out = presence(capsys, log, "2026-11-23T16:00:00+03:00", "--format", "json")
    result = json.loads(out)
    assert code == 0 and result["status"] == "ok" and result["known_from"] is None
    assert [(d["unknown"], d["breach"]) for d in result["days"]] == [(True, False), (True, False)]


def test_the_help_says_what_unknown_means(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["presence", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "days before the log's first entry are unknown (JSON \"unknown\": true), never breaches" in text
