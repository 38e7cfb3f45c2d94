"""The server enforces the roles too: an agent's login bypassing the services is refused."""

from __future__ import annotations

import pytest
from people import NOW, Team
from psycopg import errors as pg_errors
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from ozondesk.domain import roles
from ozondesk.services.preferences import desk_agent
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, OutboxEntry, ShopCredentialRef, TemplateRevision
from ozondesk.store.pg_roles import group_names


def submitted_revision(team: Team) -> int:
    """A revision wang.fang wrote and sent for review, through his own desk."""
    desk = team.desk("wang.fang")
    me = team.people["wang.fang"]
    templates = TemplateService(desk)
    rev = templates.create(me, slug="where-is-it", category="order-status", title="Где заказ",
                           body="Заказ в пути.", now=NOW)
    return templates.submit(me, rev.id, NOW).id


def refused(db: Database, sql: str, **params: object) -> str:
    """Run ``sql`` on ``db`` and return the server's refusal (it must be one)."""
    with pytest.raises(ProgrammingError) as caught:
        with db.begin() as s:
            s.execute(text(sql), params)
    assert isinstance(caught.value.orig, pg_errors.InsufficientPrivilege)
    return str(caught.value.orig).splitlines()[0]


def status(team: Team, revision: int) -> str:
    with team.admin.begin() as s:
        return s.get(TemplateRevision, revision).status  # type: ignore[union-attr]


def test_an_agent_cannot_approve_a_revision_even_past_the_services_check(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    revision = submitted_revision(team)
    wang = team.desk("wang.fang")
    monkeypatch.setattr(roles, "require", lambda role, permission: None)  # a modified client
    with pytest.raises(ProgrammingError) as caught:
        TemplateService(wang).approve(team.people["wang.fang"], revision, NOW)
    assert isinstance(caught.value.orig, pg_errors.InsufficientPrivilege)
    assert str(caught.value.orig).startswith("permission denied for table template_revisions")
    # Raw SQL: the status alone passes the column grant and fails the row rule.
    assert refused(wang, "UPDATE template_revisions SET status = 'approved' WHERE id = :id",
                   id=revision) == ('new row violates row-level security policy for table '
                                    '"template_revisions"')
    assert refused(wang, "UPDATE template_revisions SET status = 'rejected' WHERE id = :id",
                   id=revision).startswith("new row violates row-level security policy")
    # Writing an approved revision straight in is refused too.
    assert refused(wang, "INSERT INTO template_revisions (template_id, number, title, body, status,"
                         " author_id, created_at, effective_at) SELECT template_id, 2, 'x', 'y',"
                         " 'approved', author_id, now(), now() FROM template_revisions WHERE id = :id",
                   id=revision).startswith("new row violates row-level security policy")
    assert status(team, revision) == "submitted"


def test_an_agent_cannot_change_a_reviewed_revision(team: Team) -> None:
    revision = submitted_revision(team)
    TemplateService(team.desk("zhang.wei")).approve(team.people["zhang.wei"], revision, NOW)
    wang = team.desk("wang.fang")
    with wang.begin() as s:
        changed = s.execute(text("UPDATE template_revisions SET body = 'Купите у нас' WHERE id = :id"),
                            {"id": revision}).rowcount
    assert changed == 0  # the row rule hides an approved revision from an agent's UPDATE
    with team.admin.begin() as s:
        assert s.get(TemplateRevision, revision).body == "Заказ в пути."  # type: ignore[union-attr]


def test_a_lead_approves_and_rejects(team: Team) -> None:
    revision = submitted_revision(team)
    lead = team.desk("zhang.wei")
    approved = TemplateService(lead).approve(team.people["zhang.wei"], revision, NOW, "ок")
    assert (approved.status, approved.reviewed_by) == ("approved", "张伟")
    assert status(team, revision) == "approved"


def test_a_temporary_people_table_does_not_make_an_agent_a_lead(team: Team) -> None:
    revision = submitted_revision(team)
    wang = team.desk("wang.fang")
    with pytest.raises(ProgrammingError) as caught:
        with wang.begin() as s:
            s.execute(text("CREATE TEMP TABLE agents (id int, login text, role text, active bool,"
                           " shop_id int)"))
            s.execute(text("INSERT INTO agents VALUES (:id, current_user, 'lead', true, NULL)"),
                      {"id": team.people["wang.fang"]})
            s.execute(text("UPDATE template_revisions SET status = 'approved' WHERE id = :id"),
                      {"id": revision})
    assert isinstance(caught.value.orig, pg_errors.InsufficientPrivilege)
    assert status(team, revision) == "submitted"


def test_an_agent_cannot_edit_people_or_policies(team: Team) -> None:
    wang = team.desk("wang.fang")
    assert refused(wang, "INSERT INTO agents (login, display_name, role, active)"
                         " VALUES ('boss', 'Boss', 'lead', true)") == "permission denied for table agents"
    assert refused(wang, "UPDATE agents SET role = 'lead' WHERE login = current_user") == (
        "permission denied for table agents")
    assert refused(wang, "UPDATE sla_policy_revisions SET snapshot = '{}'") == (
        "permission denied for table sla_policy_revisions")
    assert refused(wang, "DELETE FROM business_calendars") == "permission denied for table business_calendars"
    with team.admin.begin() as s:
        assert s.scalars(select(Agent.role).where(Agent.login == "wang.fang")).one() == "agent"


def test_the_presence_rules_are_the_leads(team: Team) -> None:
    wang = team.desk("wang.fang")
    with wang.begin() as s:
        # The row rule hides the row from an agent's UPDATE, and refuses a new one.
        assert s.execute(text("UPDATE settings SET value = '{}' WHERE key = 'presence.rules'")).rowcount == 0
    assert refused(wang, "INSERT INTO settings (key, value) VALUES ('presence.rules', '{}')"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value").startswith(
        "new row violates row-level security policy")
    # A heartbeat is one's own: wang's desk may not write li's.
    assert refused(wang, "INSERT INTO settings (key, value) VALUES (:k, '{}')",
                   k=f"presence.heartbeat.{team.people['li.na']}").startswith(
        "new row violates row-level security policy")
    with team.desk("zhang.wei").begin() as s:
        assert s.execute(text("UPDATE settings SET value = value WHERE key = 'presence.rules'")).rowcount == 1


def test_a_lead_may_add_people(team: Team) -> None:
    with team.desk("zhang.wei").begin() as s:
        s.add(Agent(login="zhao.ting", display_name="赵婷", role="agent", shop_id=None))
    with team.admin.begin() as s:
        assert s.scalars(select(Agent.display_name).where(Agent.login == "zhao.ting")).one() == "赵婷"


def test_credential_references_of_another_shop_stay_hidden(team: Team) -> None:
    def visible(db: Database) -> list[int]:
        with db.begin() as s:
            return sorted(s.scalars(select(ShopCredentialRef.shop_id)))

    yuexin, hongda = team.shops["Yuexin"], team.shops["Hongda"]
    wang = team.desk("wang.fang")
    assert visible(wang) == [yuexin]
    assert visible(team.desk("li.na")) == [hongda]
    assert visible(team.desk("zhang.wei")) == [yuexin, hongda]  # no shop: every shop
    with wang.begin() as s:
        assert s.execute(text("SELECT keyring_user FROM shop_credentials WHERE shop_id = :id"),
                         {"id": hongda}).all() == []
    assert refused(wang, "UPDATE shop_credentials SET keyring_user = 'x'") == (
        "permission denied for table shop_credentials")


def test_drafts_claims_and_presence_are_written_in_ones_own_name_only(team: Team) -> None:
    wang, li = team.desk("wang.fang"), team.desk("li.na")
    conversation = team.conversations["Hongda"]
    li_id = team.people["li.na"]
    from ozondesk.services.drafts import DraftService

    DraftService(li).save(conversation, li_id, "Черновик Ли", NOW)
    with wang.begin() as s:
        assert s.execute(text("SELECT text FROM drafts")).all() == []  # another's draft is private
        assert s.execute(text("UPDATE drafts SET text = 'x'")).rowcount == 0
    assert refused(wang, "INSERT INTO presence_events (agent_id, status, at) VALUES (:a, 'online', now())",
                   a=li_id).startswith("new row violates row-level security policy")
    assert refused(wang, "INSERT INTO claims (conversation_id, agent_id, claimed_at, renewed_at)"
                         " VALUES (:c, :a, now(), now())",
                   c=conversation, a=li_id).startswith("new row violates row-level security policy")
    assert refused(wang, "INSERT INTO messages (conversation_id, side, author_agent_id, text, attachments,"
                         " created_at, delivery_state) VALUES (:c, 'seller', :a, 'x', '[]', now(), 'queued')",
                   c=conversation, a=li_id).startswith("new row violates row-level security policy")
    assert refused(wang, "UPDATE messages SET author_agent_id = :a", a=li_id) == (
        "permission denied for table messages")


def test_every_table_is_granted_to_the_teams_groups(team: Team) -> None:
    """A table a later migration adds without granting it would lock every desk out of it."""
    agent = group_names("ozondesk_template")["agent"]
    with team.admin.engine.connect() as conn:
        missing = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND NOT has_table_privilege(:group, format('%I.%I', schemaname, tablename), 'SELECT')"
            " ORDER BY tablename"), {"group": agent}).scalars().all()
    assert missing == []
    assert desk_agent(team.desk("chen.jing")) is not None


def test_an_agent_keys_in_their_shops_api_key_but_only_a_lead_adds_a_shop(team: Team) -> None:
    from support import MemoryKeyring

    from ozondesk.errors import UserError
    from ozondesk.services.credentials import KEYRING_SERVICE, CredentialStore

    wangs_keyring = MemoryKeyring()
    wang = CredentialStore(team.desk("wang.fang"), backend=wangs_keyring)
    wang.save("Yuexin", "1001", "key-of-yuexin")  # the same shop: only this desk's keyring changes
    assert wang.load("Yuexin").api_key == "key-of-yuexin"
    assert [s.name for s in wang.shops()] == ["Yuexin"]  # Hongda's reference stays hidden
    with pytest.raises(UserError) as refused:
        wang.save("Новый магазин", "3003", "key-of-new")
    assert str(refused.value) == (
        "only a team lead can add or change a shop; its key is kept in this desk's keyring")
    lead = CredentialStore(team.desk("zhang.wei"), backend=MemoryKeyring())
    lead.save("Новый магазин", "3003", "key-of-new")
    assert [s.name for s in lead.shops()] == ["Hongda", "Yuexin", "Новый магазин"]
    assert wangs_keyring.entries[(KEYRING_SERVICE, "1001")] == "key-of-yuexin"


def test_a_trainer_builds_and_comments_drills_that_an_agent_takes(team: Team) -> None:
    from ozondesk.domain.drills import load_starter_set
    from ozondesk.services.drills import DrillService

    trainer_id, wang_id = team.people["chen.jing"], team.people["wang.fang"]
    trainer = DrillService(team.desk("chen.jing"), clock=lambda: NOW)
    trainer.import_set(trainer_id, load_starter_set())
    wang_db = team.desk("wang.fang")
    wang = DrillService(wang_db, clock=lambda: NOW)
    drill = wang.drills(wang_id)[0]
    attempt = wang.start(wang_id, drill.id).attempt_id
    wang.submit(wang_id, attempt, "Здравствуйте! Проверим ваш заказ.")
    # Once scored, the trainee's own attempt is closed to him, even by raw SQL.
    with wang_db.begin() as s:
        assert s.execute(text("UPDATE drill_attempts SET score = 100 WHERE id = :id"),
                         {"id": attempt}).rowcount == 0
    assert refused(wang_db, "UPDATE drill_attempts SET comment = 'отлично' WHERE id = :id",
                   id=attempt) == "permission denied for table drill_attempts"
    review = trainer.comment(trainer_id, attempt, "Назовите номер заказа.")
    assert review.comment == "Назовите номер заказа."


def test_an_agents_desk_claims_and_releases_an_outbox_reply(team: Team) -> None:
    """Migration 0012's columns are granted like the rest of the outbox: any desk delivers."""
    from datetime import timedelta

    from ozondesk.services.outbox import OutboxService
    from ozondesk.store.repos import outbox as outbox_repo

    desk = team.desk("wang.fang")
    conversation = team.conversations["Yuexin"]
    item = OutboxService(desk, clock=lambda: NOW).queue(conversation, "Отправим сегодня.",
                                                        team.people["wang.fang"])
    lease = timedelta(minutes=5)
    claimed = desk.write(lambda s: outbox_repo.claim(s, item.id, "desk-1", NOW, lease))
    assert claimed is not None and (claimed.state, claimed.attempts) == ("sending", 0)
    assert desk.write(lambda s: outbox_repo.begin_attempt(s, item.id, "desk-1", NOW, lease))
    assert desk.write(lambda s: outbox_repo.mark_retry(s, item.id, "desk-1", "offline", NOW))
    with team.admin.read() as s:
        row = s.get(OutboxEntry, item.id)
        assert row is not None
        assert (row.state, row.attempts, row.claimed_by, row.lease_until) == ("pending", 1, None, None)


def test_an_agents_login_enters_tickets_and_a_leads_sets_the_escalation_address(team: Team) -> None:
    """Tickets to Ozon (#14) on a team server: migration 0014's grants let every desk write them."""
    from ozondesk.services.tickets import TicketService

    wang = TicketService(team.desk("wang.fang"), clock=lambda: NOW)
    ticket = wang.add(kind="support", category="logistics", number="SR-PG-1", sent_at=None,
                      shop_ref="123", orders=["1-1"], error_code="E1", actor="wang.fang")
    wang.attach(ticket.id, "s.png", "image/png", b"png")
    assert wang.mark_sent(ticket.id, NOW, "wang.fang").status == "pending_review"
    wang.record_escalation(ticket.id, "wang.fang")
    with pytest.raises(roles.PermissionDenied):
        wang.set_escalation_address("x@example.com", "wang.fang")
    TicketService(team.desk("zhang.wei")).set_escalation_address("x@example.com", "zhang.wei")
    assert wang.escalation_address() == "x@example.com"
