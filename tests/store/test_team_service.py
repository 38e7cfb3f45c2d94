"""The team's people: validation, the lead's permission, the last lead, and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ozondesk.domain.roles import PermissionDenied
from ozondesk.errors import UserError
from ozondesk.services.preferences import desk_agents
from ozondesk.services.team import Person, TeamService
from ozondesk.store.db import Database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def service(db: Database) -> TeamService:
    return TeamService(db, clock=lambda: NOW)


def view(people: list[Person]) -> list[tuple[str, str, str, bool]]:
    return [(p.login, p.name, p.role, p.active) for p in people]


def history(team: TeamService) -> list[tuple[str | None, str, str, dict]]:
    return [(e.agent, e.action, e.subject, e.detail) for e in team.history()]


def test_the_administrator_builds_a_team_and_a_lead_manages_it(db: Database) -> None:
    team = service(db)
    zhao = team.add("zhao.ting", "赵婷", "lead", actor=None)
    assert zhao == Person("zhao.ting", "赵婷", "lead", True, zhao.id)
    team.add("wang.fang", "王芳", "agent", actor="zhao.ting")
    team.add("sun.qiang", "孙强", "trainer", actor="zhao.ting")
    assert team.rename("wang.fang", "  王芳 (Fang)  ", actor="zhao.ting").name == "王芳 (Fang)"
    assert team.set_role("wang.fang", "lead", actor="zhao.ting").role == "lead"
    assert team.deactivate("sun.qiang", actor="wang.fang").active is False
    assert view(team.people()) == [
        ("zhao.ting", "赵婷", "lead", True),
        ("wang.fang", "王芳 (Fang)", "lead", True),
        ("sun.qiang", "孙强", "trainer", False),
    ]
    assert [p.login for p in team.people(include_inactive=False)] == ["zhao.ting", "wang.fang"]
    # People without a shop work at every desk of the team.
    assert [(p.login, p.shop_name) for p in desk_agents(db)] == [("zhao.ting", None), ("wang.fang", None)]
    assert team.reactivate("sun.qiang", actor=None).active is True
    assert history(team) == [
        (None, "team.add", "person:zhao.ting",
         {"by": "administrator", "old": None, "new": {"name": "赵婷", "role": "lead"}}),
        ("赵婷", "team.add", "person:wang.fang",
         {"by": "zhao.ting", "old": None, "new": {"name": "王芳", "role": "agent"}}),
        ("赵婷", "team.add", "person:sun.qiang",
         {"by": "zhao.ting", "old": None, "new": {"name": "孙强", "role": "trainer"}}),
        ("赵婷", "team.rename", "person:wang.fang", {"by": "zhao.ting", "old": "王芳", "new": "王芳 (Fang)"}),
        ("赵婷", "team.role", "person:wang.fang", {"by": "zhao.ting", "old": "agent", "new": "lead"}),
        ("王芳 (Fang)", "team.deactivate", "person:sun.qiang", {"by": "wang.fang", "old": True, "new": False}),
        (None, "team.reactivate", "person:sun.qiang", {"by": "administrator", "old": False, "new": True}),
    ]
    assert all(e.at == NOW for e in team.history())


def test_a_change_to_the_same_value_is_no_change_and_not_audited(db: Database) -> None:
    team = service(db)
    team.add("zhao", "赵婷", "lead", actor=None)
    team.add("wang", "王芳", "agent", actor=None)
    team.rename("wang", "王芳", actor=None)
    team.set_role("wang", "agent", actor=None)
    team.reactivate("wang", actor=None)
    assert [e.action for e in team.history()] == ["team.add", "team.add"]


@pytest.mark.parametrize(
    ("login", "name", "role", "message"),
    [
        ("Wang", "王芳", "agent", "login 'Wang': use 1 to 64 lowercase letters, digits, dots, dashes or underscores"),
        ("wang fang", "王芳", "agent", "login 'wang fang': use 1 to 64"),
        ("", "王芳", "agent", "login '': use 1 to 64"),
        ("a" * 65, "王芳", "agent", "use 1 to 64"),
        ("wang@shop", "王芳", "agent", "use 1 to 64"),
        ("wang", "   ", "agent", "the name is empty: give the person's display name"),
        ("wang", "x" * 101, "agent", "the name is 101 characters long; at most 100 fit"),
        ("wang", "王芳", "admin", "unknown role 'admin'; use agent, lead or trainer"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    db: Database, login: str, name: str, role: str, message: str
) -> None:
    team = service(db)
    with pytest.raises(UserError) as caught:
        team.add(login, name, role, actor=None)
    assert message in caught.value.message and "\n" not in caught.value.message
    assert team.people() == [] and team.history() == []


def test_logins_are_unique_even_among_people_who_left(db: Database) -> None:
    team = service(db)
    team.add("zhao", "赵婷", "lead", actor=None)
    team.add("wang", "王芳", "agent", actor=None)
    with pytest.raises(UserError, match="login 'wang' is taken by 王芳"):
        team.add("wang", "Wang Two", "agent", actor=None)
    team.deactivate("wang", actor=None)
    with pytest.raises(UserError, match="login 'wang' belongs to 王芳, who is inactive: reactivate them instead"):
        team.add("wang", "Wang Two", "agent", actor=None)
    assert len(team.people()) == 2


def test_an_unknown_login_is_named(db: Database) -> None:
    team = service(db)
    team.add("zhao", "赵婷", "lead", actor=None)
    for change in (lambda: team.rename("ghost", "Ghost", actor=None),
                   lambda: team.set_role("ghost", "lead", actor=None),
                   lambda: team.deactivate("ghost", actor=None),
                   lambda: team.reactivate("ghost", actor="zhao")):
        with pytest.raises(UserError, match="nobody in the team has the login 'ghost'"):
            change()


def test_only_an_active_lead_may_manage_the_team(db: Database) -> None:
    team = service(db)
    team.add("zhao", "赵婷", "lead", actor=None)
    team.add("wang", "王芳", "agent", actor=None)
    team.add("sun", "孙强", "trainer", actor=None)
    team.add("old", "Old Lead", "lead", actor=None)
    team.deactivate("old", actor=None)
    refusals = {
        "wang": "only a team lead can add people or change their names and roles",
        "sun": "only a team lead can add people or change their names and roles",
        "old": "'old' is not an active member of the team",
        "nobody": "'nobody' is not an active member of the team",
    }
    for actor, message in refusals.items():
        with pytest.raises(PermissionDenied, match=message):
            team.add("li", "李伟", "agent", actor=actor)
        with pytest.raises(PermissionDenied, match=message):
            team.set_role("wang", "lead", actor=actor)
    assert [p.login for p in team.people()] == ["zhao", "wang", "sun", "old"]
    assert team.people()[1].role == "agent"
    assert len(team.history()) == 5


def test_the_last_active_lead_stays(db: Database) -> None:
    team = service(db)
    team.add("zhao", "赵婷", "lead", actor=None)
    team.add("wang", "王芳", "agent", actor=None)
    for change in (lambda: team.set_role("zhao", "agent", actor="zhao"),
                   lambda: team.deactivate("zhao", actor=None)):
        with pytest.raises(UserError, match="赵婷 is the team's only active lead: make someone else a lead first"):
            change()
    team.set_role("wang", "lead", actor="zhao")
    team.deactivate("zhao", actor="wang")  # now there is another lead
    with pytest.raises(UserError, match="王芳 is the team's only active lead"):
        team.set_role("wang", "trainer", actor="wang")
    assert view(team.people()) == [("zhao", "赵婷", "lead", False), ("wang", "王芳", "lead", True)]


def test_a_team_without_any_lead_yet_can_still_be_built(db: Database) -> None:
    # The first-run assistant may add agents before the lead.
    team = service(db)
    team.add("wang", "王芳", "agent", actor=None)
    team.set_role("wang", "trainer", actor=None)
    team.deactivate("wang", actor=None)
    assert view(team.people()) == [("wang", "王芳", "trainer", False)]
