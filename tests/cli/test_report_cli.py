"""`ozondesk report`: JSON and CSV figures per agent and in total; bad dates are one line, exit 2."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ozondesk.cli import main
from ozondesk.domain.clock import MOSCOW
from ozondesk.store.db import open_database
from ozondesk.store.models import Agent, Conversation, Shop


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite"
    db = open_database(str(path))
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=msk(1, 9))
        s.add(shop)
        s.flush()
        wang = Agent(shop_id=shop.id, login="wang", display_name="王芳", role="agent")
        li = Agent(shop_id=shop.id, login="li", display_name="李伟", role="agent")
        s.add_all([wang, li])
        s.flush()
        rows = [
            (wang, msk(19, 10), msk(19, 10, 5), msk(19, 11)),  # in SLA, 300 s, resolved
            (wang, msk(19, 10), msk(19, 10, 20), None),  # late, 1200 s
            (li, msk(19, 10), msk(19, 10, 10), None),  # in SLA, 600 s
            (li, msk(19, 11), None, None),  # overdue: a miss
            (None, msk(19, 12), msk(19, 12, 1), None),  # unassigned, in SLA, 60 s
            (li, msk(20, 11, 55), None, None),  # not due yet at --now
        ]
        for n, (agent, received, reply, resolved) in enumerate(rows):
            s.add(Conversation(shop_id=shop.id, kind="buyer_chat", platform_id=str(n),
                               sla_policy="chat-first-response", received_at=received,
                               first_response_at=reply, resolved_at=resolved,
                               assignee_id=agent.id if agent else None))
    db.dispose()
    return path


def report(capsys: pytest.CaptureFixture[str], desk: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["--db", str(desk), "report", "--from", "2026-11-19", "--to", "2026-11-20",
                 "--now", "2026-11-20T12:00+03:00", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    code, out, _err = report(capsys, desk, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["from"], data["to"]) == ("2026-11-19", "2026-11-20")
    total = data["total"]
    assert total["conversations"] == 6 and total["due"] == 5
    assert total["frr"] == 60.0  # 3 of 5 due in SLA
    assert total["response_rate"] == 80.0
    assert total["avg_first_response_s"] == 540.0  # (300 + 1200 + 600 + 60) / 4
    assert total["median_first_response_s"] == 450.0
    assert total["p90_first_response_s"] == 1200.0
    assert total["resolved_48h_rate"] == 100.0  # only the resolved one is due
    assert total["commission_penalty_pct"] == 0.5  # 30 points under 90: capped
    assert total["breaches"] == {"out_of_hours": 0, "unassigned": 0, "waiting_on_warehouse": 0,
                                 "slow_reply": 2}
    agents = {a["agent"]: a for a in data["agents"]}
    assert list(agents) == ["li", "wang", None]
    assert (agents["li"]["name"], agents["li"]["frr"], agents["li"]["conversations"]) == ("李伟", 50.0, 3)
    assert (agents["wang"]["frr"], agents["wang"]["avg_first_response_s"]) == (50.0, 750.0)
    assert (agents[None]["frr"], agents[None]["commission_penalty_pct"]) == (100.0, 0.0)
    assert data["targets"]["frr"] == 90.0


def test_csv_has_a_row_per_agent_and_a_total(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    code, out, _err = report(capsys, desk, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["scope"], r["agent"]) for r in rows] == [
        ("agent", "li"), ("agent", "wang"), ("unassigned", ""), ("total", "")]
    assert rows[-1]["frr"] == "60.0" and rows[-1]["breaches_slow_reply"] == "2"
    assert rows[0]["name"] == "李伟"


def test_table(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    code, out, _err = report(capsys, desk)
    assert code == 0
    assert out.splitlines()[-1].split()[:3] == ["total", "6", "60.0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-11-20"], "--from: cannot read date '2026-13-01'"),
        (["--from", "2026-11-01", "--to", "20.11.2026"], "--to: cannot read date '20.11.2026'"),
        (["--from", "2026-11-20", "--to", "2026-11-19"], "swap the dates"),
    ],
)
def test_bad_dates_are_one_line(capsys: pytest.CaptureFixture[str], desk: Path, args: list[str], message: str) -> None:
    assert main(["--db", str(desk), "report", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and len(err.strip().splitlines()) == 1


def test_without_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--from", "2026-11-01", "--to", "2026-11-02"]) == 2
    assert "--db" in capsys.readouterr().err


def test_empty_period_reports_no_rates(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    assert main(["--db", str(desk), "report", "--from", "2026-10-01", "--to", "2026-10-02",
                 "--format", "json"]) == 0
    total = json.loads(capsys.readouterr().out)["total"]
    assert (total["conversations"], total["frr"], total["commission_penalty_pct"]) == (0, None, 0.0)
