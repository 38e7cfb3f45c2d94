"""`ozondesk policy list|set`: the new kinds' policies are listed; only a lead changes a budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ozondesk.cli import main
from ozondesk.store.db import open_database
from ozondesk.store.models import Agent, AuditEntry
from ozondesk.store.repos.policies import current_policies


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite"
    db = open_database(str(path))
    with db.begin() as s:
        s.add_all([
            Agent(login="zhao.ting", display_name="赵婷", role="lead", active=True),
            Agent(login="li.ming", display_name="李明", role="agent", active=True),
        ])
    db.dispose()
    return path


def policies(capsys: pytest.CaptureFixture[str], desk: Path) -> dict[str, dict[str, object]]:
    assert main(["--db", str(desk), "policy", "list", "--format", "json"]) == 0
    return {p["name"]: p for p in json.loads(capsys.readouterr().out)["policies"]}


def test_the_decision_policies_are_listed_with_their_defaults(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = policies(capsys, desk)
    assert listed["return-request"] == {
        "name": "return-request", "title": "rFBS return request: decision",
        "budget_seconds": 86400, "calendar": "round-the-clock",
    }
    assert listed["cancellation-request"]["budget_seconds"] == 86400


def test_a_lead_changes_a_budget_and_it_is_audited(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", str(desk), "policy", "set", "return-request", "--budget-minutes", "720",
                 "--as", "zhao.ting", "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["policies"][0]["budget_seconds"] == 43200
    assert policies(capsys, desk)["return-request"]["budget_seconds"] == 43200
    db = open_database(str(desk))
    with db.read() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "policy.edit")).all()
        assert (entry.subject, entry.detail) == (
            "policy:return-request", {"old_seconds": 86400, "new_seconds": 43200}
        )
        assert current_policies(s)["cancellation-request"].budget.total_seconds() == 86400
    db.dispose()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["return-request", "--budget-minutes", "60", "--as", "li.ming"],
         "only a team lead can change an SLA policy"),
        (["return-request", "--budget-minutes", "0", "--as", "zhao.ting"],
         "whole number of minutes above zero"),
        (["no-such", "--budget-minutes", "60", "--as", "zhao.ting"], "unknown policy 'no-such'"),
        (["return-request", "--as", "zhao.ting"], "policy set needs NAME, --budget-minutes"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    desk: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["--db", str(desk), "policy", "set", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert policies(capsys, desk)["return-request"]["budget_seconds"] == 86400
