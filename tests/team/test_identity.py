"""Team mode: each desk is the person whose database login it signed in with."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from people import NOW, Team, make_team
from pgserver import PgServer
from sqlalchemy import select, text
from sqlalchemy.engine import URL
from support import MemoryKeyring

from ozondesk.services.claims import ClaimService
from ozondesk.services.compose import ComposeService
from ozondesk.services.desk_presence import DeskPresenceService
from ozondesk.services.drafts import DraftService
from ozondesk.services.preferences import desk_agent, desk_agents
from ozondesk.services.templates import TemplateService
from ozondesk.store import db as db_module
from ozondesk.store.db import PASSWORD_SERVICE, alembic_config, head_revision, open_database
from ozondesk.store.errors import DatabaseKnownError
from ozondesk.store.models import Message, TemplateRevision
from ozondesk.store.pg_roles import group_names, sync_login
from ozondesk.store.repos import outbox as outbox_repo


def members(team: Team, login: str) -> set[str]:
    """The group roles ``login`` is directly in."""
    with team.server.admin() as conn:
        rows = conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", (login,)
        ).fetchall()
    return {r[0] for r in rows}


def where(team: Team) -> str:
    return f"{team.server.host}:{team.server.port}/{team.url.database}"


def test_two_desks_with_two_logins_are_two_people(team: Team, memory_keyring: MemoryKeyring) -> None:
    wang_desk, li_desk = team.desk("wang.fang"), team.desk("li.na")
    wang, li = desk_agent(wang_desk), desk_agent(li_desk)
    assert wang is not None and li is not None
    assert (wang.login, wang.name, wang.role, wang.shop_name) == ("wang.fang", "王芳", "agent", "Yuexin")
    assert (li.login, li.name, li.role, li.shop_name) == ("li.na", "李娜", "agent", "Hongda")
    lead = desk_agent(team.desk("zhang.wei"))
    assert lead is not None and (lead.login, lead.role, lead.shop_name) == ("zhang.wei", "lead", None)
    # Each desk's password came from its own keyring entry, keyed by its login.
    host = f"{team.server.host}:{team.server.port}/{team.url.database}"
    assert {user for service, user in memory_keyring.entries if service == PASSWORD_SERVICE} == {
        f"{login}@{host}" for login in ("wang.fang", "li.na", "zhang.wei", "chen.jing")
    }
    # Connecting put each login in the group of its person's role.
    groups = group_names("ozondesk_template")  # the tests' databases are copies of this one
    assert members(team, "wang.fang") == {groups["agent"]}
    assert members(team, "zhang.wei") == {groups["lead"]}


def test_a_stored_desk_choice_does_not_change_who_a_team_desk_is(team: Team) -> None:
    from ozondesk.services.preferences import set_desk_agent

    wang_desk = team.desk("wang.fang")
    set_desk_agent(team.admin, "zhang.wei")  # what "Work as" stored on a shared desk
    agent = desk_agent(wang_desk)
    assert agent is not None and agent.login == "wang.fang"


def test_a_login_that_is_no_person_is_refused_in_one_line(team: Team) -> None:
    team.create_login("stranger")
    with pytest.raises(DatabaseKnownError) as refused:
        team.desk("stranger")
    assert str(refused.value) == (
        f"database login stranger is not an active person of the team at {where(team)}: "
        "ask a team lead or the administrator to add you with this login"
    )
    assert members(team, "stranger") == set()


def test_a_deactivated_person_loses_the_database_too(team: Team) -> None:
    team.desk("li.na").dispose()
    assert members(team, "li.na") != set()
    with team.admin.begin() as s:
        s.execute(text("UPDATE agents SET active = false WHERE login = 'li.na'"))
        sync_login(s.connection(), "li.na")  # what the team's service does after a change
    assert members(team, "li.na") == set()
    with pytest.raises(DatabaseKnownError, match="^database login li.na is not an active person"):
        team.desk("li.na")


def test_a_person_added_before_their_login_existed_gets_in(
    pg_server: PgServer, pg_url: URL, memory_keyring: MemoryKeyring
) -> None:
    team = make_team(pg_server, pg_url, logins=False)
    try:
        with team.admin.begin() as s:
            assert sync_login(s.connection(), "wang.fang") is None  # no such login yet
        team.create_login("wang.fang")  # the administrator, later, without any GRANT
        agent = desk_agent(team.desk("wang.fang"))
        assert agent is not None and agent.login == "wang.fang"
    finally:
        team.close()


def test_the_administrator_is_let_in_without_being_a_person(team: Team) -> None:
    assert desk_agent(team.admin) is None
    # There is nobody to "work as" on a team desk: the window gets no list of colleagues.
    assert [p.login for p in desk_agents(team.admin)] == list(team.people)


def test_an_agents_desk_does_its_days_work_under_the_servers_rules(team: Team) -> None:
    """Everything an agent's desk writes passes the row rules: presence, a claim, a draft, a
    reply, a template proposal, and a drill-free day's audit entries."""
    desk = team.desk("wang.fang")
    me = desk_agent(desk)
    assert me is not None
    conversation = team.conversations["Yuexin"]
    presence = DeskPresenceService(desk)
    presence.begin_session(me.id, me.login, NOW)
    presence.heartbeat(me.id, NOW)
    assert ClaimService(desk, clock=lambda: NOW).claim(conversation, me.id).mine
    DraftService(desk).save(conversation, me.id, "Здравствуйте!", NOW)
    compose = ComposeService(desk, clock=lambda: NOW)
    sent = compose.send(conversation, "Здравствуйте! Заказ в пути.", me.id, team.incoming["Yuexin"])
    assert sent.queued is not None
    # Any desk delivers the team's outbox, a colleague's replies too.
    li_desk = team.desk("li.na")
    li = desk_agent(li_desk)
    assert li is not None
    other = ComposeService(li_desk, clock=lambda: NOW).send(
        team.conversations["Hongda"], "Добрый день!", li.id, team.incoming["Hongda"]).queued
    assert other is not None
    lease = timedelta(minutes=5)
    with desk.begin() as s:
        for item in (sent.queued, other):
            assert outbox_repo.claim(s, item.id, "wang-desk", NOW, lease) is not None
            assert outbox_repo.begin_attempt(s, item.id, "wang-desk", NOW, lease)
            outbox_repo.mark_sent(s, item.id, f"ozon-{item.id}", NOW)
    templates = TemplateService(desk)
    rev = templates.create(me.id, slug="where-is-it", category="order-status", title="Где заказ",
                           body="Заказ в пути.", now=NOW)
    assert templates.submit(me.id, rev.id, NOW).status == "submitted"
    presence.end_session(me.id, me.login, NOW)
    with team.admin.begin() as s:
        replies = s.execute(select(Message.author_agent_id, Message.delivery_state)
                            .where(Message.side == "seller").order_by(Message.id)).all()
        assert [tuple(r) for r in replies] == [(me.id, "sent"), (li.id, "sent")]
        assert s.get(TemplateRevision, rev.id).status == "submitted"  # type: ignore[union-attr]


def test_the_owner_upgrades_and_an_agent_on_an_outdated_schema_is_told_to_ask(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    team.desk("wang.fang").dispose()
    # The owner can take the schema back and forth.
    with team.admin.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
    with pytest.raises(DatabaseKnownError) as before:
        team.desk("wang.fang")  # 0009 gave no login any rights
    assert str(before.value) == (
        f"database login wang.fang may not read the team database {where(team)}: "
        "ask a team lead or the administrator to add you with this login"
    )
    open_database(team.url).dispose()  # the administrator's desk upgrades it again
    agent = desk_agent(team.desk("wang.fang"))
    assert agent is not None and agent.login == "wang.fang"
    # A newer OzonDesk on an agent's desk: it does not try to migrate, it says whom to ask.
    head = head_revision()
    future = "9999"  # a revision no release has yet
    monkeypatch.setattr(db_module, "head_revision", lambda: future)
    monkeypatch.setattr(db_module, "_known_revisions", lambda: {future, head})
    monkeypatch.setattr(command, "upgrade", _never)
    with pytest.raises(DatabaseKnownError) as outdated:
        team.desk("wang.fang")
    assert str(outdated.value) == (
        f"the team database {where(team)} has schema {head}, this OzonDesk needs {future}: ask the "
        "administrator to start this version once with the database owner's login to upgrade it"
    )


def _never(*_args: Any, **_kwargs: Any) -> None:
    raise AssertionError("an agent's desk must not migrate")


def test_upgrading_needs_a_login_that_may_create_the_groups(
    pg_server: PgServer, memory_keyring: MemoryKeyring
) -> None:
    name = "no_createrole_team"
    with pg_server.admin() as conn:
        conn.execute('DROP ROLE IF EXISTS "desk.admin"')
        conn.execute('CREATE ROLE "desk.admin" LOGIN PASSWORD \'pw\'')
        conn.execute(f'CREATE DATABASE {name} OWNER "desk.admin"')
    url = URL.create("postgresql+psycopg", username="desk.admin", password="pw",
                     host=pg_server.host, port=pg_server.port, database=name)
    try:
        with pytest.raises(DatabaseKnownError) as refused:
            open_database(url)
        assert str(refused.value) == (
            'creating the team\'s group roles needs CREATEROLE: have the server\'s superuser run '
            'ALTER ROLE "desk.admin" CREATEROLE, then start OzonDesk again'
        )
        with pg_server.admin() as conn:
            conn.execute('ALTER ROLE "desk.admin" CREATEROLE')
        db = open_database(url)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        db.dispose()
    finally:
        pg_server.drop_database(name)
        with pg_server.admin() as conn:
            for group in group_names(name).values():
                conn.execute(f'DROP ROLE IF EXISTS "{group}"')
            conn.execute('DROP ROLE IF EXISTS "desk.admin"')


def test_an_agents_desk_syncs_a_shop_and_delivers_its_outbox(team: Team) -> None:
    from ozondesk.domain.clock import utcnow
    from ozondesk.ozon.client import OzonClient
    from ozondesk.ozon.fake import FakeOzon
    from ozondesk.services.outbox import OutboxService
    from ozondesk.services.sync import SyncService
    from ozondesk.store.models import Conversation

    with FakeOzon(port=0, chats=20, messages=3, lifetime=120) as fake:
        buyer = sum(fake.world.is_buyer_chat(i) for i in range(20))
        with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None) as client:
            SyncService(team.admin, client, "Fake")  # the shop, as the administrator set it up
            desk = team.desk("wang.fang")
            report = SyncService(desk, client, "Fake").run()
            assert report.errors == []
            assert report.created["chats"] == buyer
            with desk.begin() as s:
                chat = s.scalars(select(Conversation.id).where(Conversation.platform_id.is_not(None),
                                                               Conversation.kind == "buyer_chat")
                                 .order_by(Conversation.id.desc())).first()
            OutboxService(desk).queue(chat, "Ответ со стола агента")
            later = utcnow() + timedelta(minutes=10)
            OutboxService(desk, client, clock=lambda: later).deliver()
        assert [m["text"] for m in fake.world.sent] == ["Ответ со стола агента"]


def test_a_leads_team_changes_move_the_login_between_the_groups(team: Team) -> None:
    from ozondesk.services.team import TeamService

    groups = group_names("ozondesk_template")
    team.create_login("zhao.ting")  # the administrator made the login; nobody granted anything
    lead = TeamService(team.desk("zhang.wei"))
    lead.add("zhao.ting", "赵婷", "agent", actor="zhang.wei")
    assert members(team, "zhao.ting") == {groups["agent"]}
    lead.set_role("zhao.ting", "trainer", actor="zhang.wei")
    assert members(team, "zhao.ting") == {groups["trainer"]}
    lead.deactivate("zhao.ting", actor="zhang.wei")
    assert members(team, "zhao.ting") == set()
    lead.reactivate("zhao.ting", actor="zhang.wei")
    lead.set_role("zhao.ting", "lead", actor="zhang.wei")
    assert members(team, "zhao.ting") == {groups["lead"]}
    assert desk_agent(team.desk("zhao.ting")).role == "lead"  # type: ignore[union-attr]


def test_an_agents_login_cannot_act_as_the_administrator(team: Team) -> None:
    from ozondesk.domain.roles import PermissionDenied
    from ozondesk.services.team import TeamService

    # actor=None is the administrator's command line; on a team server the login says who acts.
    with pytest.raises(PermissionDenied, match="^only a team lead can add people"):
        TeamService(team.desk("wang.fang")).set_role("wang.fang", "lead", actor=None)
    assert members(team, "wang.fang") == {group_names("ozondesk_template")["agent"]}
    # The administrator's login (the owner) still is the administrator.
    TeamService(team.admin).set_role("li.na", "trainer", actor=None)
    assert members(team, "li.na") == {group_names("ozondesk_template")["trainer"]}
