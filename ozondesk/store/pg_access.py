"""What each person may do in a team's PostgreSQL database, enforced by the server itself.

The services check every action against the actor's role (``ozondesk.domain.roles``); a
modified client skips those checks, so the server checks again. Migration 0010 installs:

- three group roles (``ozondesk.store.pg_roles``): every person's desk syncs, keeps its
  presence and answers, so the agent group holds what every desk needs; the lead and trainer
  groups are members of it and add their own rights;
- table privileges per group, down to the columns an agent may change (nobody but a lead can
  change who reviewed a revision; nobody can change who wrote a reply);
- row-level security where one table holds rows of several people or roles: a template
  revision only a lead may approve or reject, drafts and claims and presence of one's own,
  the shop credential references of one's own shop (all shops for a person without one).

Rows are matched to the connected person by ``current_user`` = ``agents.login`` through the
functions below. The tables' owner (the administrator's login, which ran the migrations) is
exempt from row-level security and keeps every right.

A later migration that adds a table grants it itself: ``tests/team/test_roles.py`` fails for
a table no group may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from ozondesk.i18n import _
from ozondesk.store.errors import DatabaseKnownError
from ozondesk.store.pg_roles import GROUP_ROLES, group_names, quote_ident


@dataclass(frozen=True)
class Policy:
    """One row-level security policy; ``{me}`` is the connected person's id, ``{role}`` their
    role, ``{lead}`` whether they are a lead."""

    name: str
    command: str  # SELECT, INSERT, UPDATE, DELETE
    using: str | None = None
    check: str | None = None


@dataclass(frozen=True)
class Access:
    """Privileges of each group on one table (the lead and trainer groups also hold the agent's)."""

    agent: str = "SELECT"
    trainer: str = ""
    lead: str = ""
    policies: tuple[Policy, ...] = field(default=())


READ_ALL = Policy("ozondesk_read", "SELECT", using="true")
UPDATE_ANY = Policy("ozondesk_update", "UPDATE", using="true", check="true")


def _insert_own(column: str, *, or_none: bool = True) -> Policy:
    """Rows written in one's own name only (or, with ``or_none``, in nobody's: the sync's)."""
    own = f"{column} = {{me}}"
    return Policy("ozondesk_insert_own", "INSERT",
                  check=f"{column} IS NULL OR {own}" if or_none else own)


_OWN_ROWS = "agent_id = {me}"
SYNCED = Access(agent="SELECT, INSERT, UPDATE, DELETE")  # what any desk's sync stores
LEADS_WRITE = Access(lead="INSERT, UPDATE, DELETE")

ACCESS: dict[str, Access] = {
    "shops": LEADS_WRITE,
    # People are deactivated, never deleted: their name stays in the history.
    "agents": Access(lead="INSERT, UPDATE"),
    "business_calendars": LEADS_WRITE,
    "calendar_overrides": LEADS_WRITE,
    "sla_policy_revisions": LEADS_WRITE,
    "postings": SYNCED,
    "posting_items": SYNCED,
    "returns": SYNCED,
    "products": SYNCED,
    "sync_cursors": SYNCED,
    "conversations": Access(agent="SELECT, INSERT, UPDATE"),
    "status_changes": Access(agent="SELECT, INSERT", policies=(READ_ALL, _insert_own("agent_id"))),
    # Any desk delivers the outbox and syncs, so any may move a reply's delivery state; who
    # wrote a message is set once and never changed.
    "messages": Access(
        agent="SELECT, INSERT, UPDATE (platform_message_id, side, text, attachments, created_at,"
              " delivery_state)",
        policies=(READ_ALL, _insert_own("author_agent_id"), UPDATE_ANY),
    ),
    "outbox": Access(
        agent="SELECT, INSERT, UPDATE (chat_id, text, state, attempts, last_error, next_attempt_at,"
              " attempt_started_at, sent_at, platform_message_id)",
        policies=(READ_ALL, _insert_own("author_agent_id"), UPDATE_ANY),
    ),
    "presence_events": Access(agent="SELECT, INSERT",
                              policies=(READ_ALL, _insert_own("agent_id", or_none=False))),
    # Heartbeats are each person's own; the presence rules are the leads'.
    "settings": Access(
        agent="SELECT, INSERT, UPDATE, DELETE",
        policies=(
            READ_ALL,
            Policy("ozondesk_insert", "INSERT", check="{schema}.ozondesk_may_write_setting(key)"),
            Policy("ozondesk_update", "UPDATE", using="{schema}.ozondesk_may_write_setting(key)",
                   check="{schema}.ozondesk_may_write_setting(key)"),
            Policy("ozondesk_delete", "DELETE", using="{schema}.ozondesk_may_write_setting(key)"),
        ),
    ),
    "audit_log": Access(agent="SELECT, INSERT", policies=(READ_ALL, _insert_own("agent_id"))),
    "templates": Access(
        agent="SELECT, INSERT, UPDATE (category, tags, gloss_zh, usage_count)",
        lead="UPDATE",
        policies=(READ_ALL, UPDATE_ANY,
                  Policy("ozondesk_insert", "INSERT", check="{lead} OR created_by = {me}")),
    ),
    # Anyone who edits templates writes and submits the revision in work; only a lead moves
    # one to approved or rejected, or touches one that was reviewed.
    "template_revisions": Access(
        agent="SELECT, INSERT, UPDATE (title, body, status, submitted_at, effective_at)",
        lead="UPDATE",
        policies=(
            READ_ALL,
            Policy("ozondesk_insert", "INSERT",
                   check="{lead} OR (author_id = {me} AND status IN ('draft', 'submitted')"
                         " AND reviewed_by IS NULL AND reviewed_at IS NULL)"),
            Policy("ozondesk_update", "UPDATE",
                   using="{lead} OR status IN ('draft', 'submitted')",
                   check="{lead} OR status IN ('draft', 'submitted')"),
        ),
    ),
    "shop_credentials": Access(
        lead="INSERT, UPDATE, DELETE",
        policies=tuple(
            Policy(f"ozondesk_{command.lower()}", command,
                   using=None if command == "INSERT" else "{schema}.ozondesk_sees_shop(shop_id)",
                   check="{schema}.ozondesk_sees_shop(shop_id)" if command in ("INSERT", "UPDATE")
                   else None)
            for command in ("SELECT", "INSERT", "UPDATE", "DELETE")
        ),
    ),
    "drafts": Access(
        agent="SELECT, INSERT, UPDATE, DELETE",
        policies=(
            Policy("ozondesk_read", "SELECT", using=_OWN_ROWS),
            Policy("ozondesk_insert", "INSERT", check=_OWN_ROWS),
            Policy("ozondesk_update", "UPDATE", using=_OWN_ROWS, check=_OWN_ROWS),
            Policy("ozondesk_delete", "DELETE", using=_OWN_ROWS),
        ),
    ),
    "template_uses": Access(agent="SELECT, INSERT", policies=(READ_ALL, _insert_own("agent_id"))),
    "drill_sets": Access(trainer="INSERT, UPDATE", lead="INSERT, UPDATE"),
    "drills": Access(trainer="INSERT, UPDATE", lead="INSERT, UPDATE"),
    # A trainee scores their own attempt once; a trainer comments on anyone's.
    "drill_attempts": Access(
        agent="SELECT, INSERT, UPDATE (submitted_at, answer, elapsed_seconds, score, passed, result)",
        trainer="UPDATE (comment, commented_by, commented_at)",
        policies=(
            READ_ALL,
            _insert_own("agent_id", or_none=False),
            Policy("ozondesk_update", "UPDATE",
                   using="{role} = 'trainer' OR (agent_id = {me} AND submitted_at IS NULL)",
                   check="{role} = 'trainer' OR agent_id = {me}"),
        ),
    ),
    # Anyone may let a stale claim go; a claim is only ever taken in one's own name.
    "claims": Access(
        agent="SELECT, INSERT, UPDATE, DELETE",
        policies=(
            READ_ALL,
            Policy("ozondesk_insert", "INSERT", check=_OWN_ROWS),
            Policy("ozondesk_update", "UPDATE", using="true", check=_OWN_ROWS),
            Policy("ozondesk_delete", "DELETE", using="true"),
        ),
    ),
}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _functions(schema: str, names: dict[str, str]) -> list[str]:
    """The helpers the policies call. Every table is named with its schema and search_path is
    pinned: a login may create temporary tables, and a temporary ``agents`` must not stand
    in for the real one."""
    s = quote_ident(schema)
    pinned = "SET search_path = pg_catalog, pg_temp"
    cases = " ".join(f"WHEN {_literal(r)} THEN {_literal(names[r])}" for r in GROUP_ROLES)
    return [
        f"CREATE OR REPLACE FUNCTION {s}.ozondesk_group(role text) RETURNS text"
        f" LANGUAGE sql IMMUTABLE {pinned} AS $$ SELECT CASE role {cases} END $$",
        f"CREATE OR REPLACE FUNCTION {s}.ozondesk_person_id() RETURNS integer"
        f" LANGUAGE sql STABLE {pinned}"
        f" AS $$ SELECT id FROM {s}.agents WHERE login = current_user AND active $$",
        f"CREATE OR REPLACE FUNCTION {s}.ozondesk_person_role() RETURNS text"
        f" LANGUAGE sql STABLE {pinned}"
        f" AS $$ SELECT role FROM {s}.agents WHERE login = current_user AND active $$",
        # A person without a shop serves every shop.
        f"CREATE OR REPLACE FUNCTION {s}.ozondesk_sees_shop(shop integer) RETURNS boolean"
        f" LANGUAGE sql STABLE {pinned} AS $$ SELECT EXISTS (SELECT 1 FROM {s}.agents"
        f" WHERE login = current_user AND active AND (shop_id IS NULL OR shop_id = shop)) $$",
        f"CREATE OR REPLACE FUNCTION {s}.ozondesk_may_write_setting(setting text) RETURNS boolean"
        f" LANGUAGE sql STABLE {pinned} AS $$ SELECT CASE"
        f" WHEN starts_with(setting, 'presence.heartbeat.')"
        f" THEN setting = 'presence.heartbeat.' || {s}.ozondesk_person_id()"
        f" WHEN setting = 'presence.rules' THEN {s}.ozondesk_person_role() = 'lead'"
        f" ELSE {s}.ozondesk_person_id() IS NOT NULL END $$",
        # With its owner's rights (the administrator's): GRANT and REVOKE of the team's groups
        # only, for the caller's own login, or any login when a lead or the owner calls.
        f"""CREATE OR REPLACE FUNCTION {s}.ozondesk_sync_login(who text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER {pinned} AS $fn$
DECLARE
    caller text := session_user;
    admin text;
    wanted text;
    grp text;
    direct boolean;
BEGIN
    SELECT tableowner INTO admin FROM pg_tables
     WHERE schemaname = {_literal(schema)} AND tablename = 'agents';
    IF who IS DISTINCT FROM caller AND NOT pg_has_role(caller, admin, 'MEMBER')
       AND NOT EXISTS (SELECT 1 FROM {s}.agents a
                        WHERE a.login = caller AND a.active AND a.role = 'lead') THEN
        RAISE EXCEPTION 'only a team lead or the administrator changes the rights of login %', who
              USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who) THEN
        RETURN NULL;
    END IF;
    SELECT {s}.ozondesk_group(a.role) INTO wanted FROM {s}.agents a WHERE a.login = who AND a.active;
    FOREACH grp IN ARRAY ARRAY[{", ".join(f"{s}.ozondesk_group({_literal(r)})" for r in GROUP_ROLES)}] LOOP
        SELECT EXISTS (SELECT 1 FROM pg_auth_members m
                         JOIN pg_roles g ON g.oid = m.roleid
                         JOIN pg_roles u ON u.oid = m.member
                        WHERE g.rolname = grp AND u.rolname = who) INTO direct;
        IF grp = wanted AND NOT direct THEN
            EXECUTE format('GRANT %I TO %I', grp, who);
        ELSIF grp IS DISTINCT FROM wanted AND direct THEN
            EXECUTE format('REVOKE %I FROM %I', grp, who);
        END IF;
    END LOOP;
    RETURN coalesce(wanted, '');
END
$fn$""",
    ]


FUNCTIONS = ("ozondesk_sync_login(text)", "ozondesk_may_write_setting(text)",
             "ozondesk_sees_shop(integer)", "ozondesk_person_role()", "ozondesk_person_id()",
             "ozondesk_group(text)")


def _ensure_groups(connection: Any, names: dict[str, str]) -> None:
    """Create the group roles that do not exist yet; a role of the same name that can log in
    is someone's login, not our group, and is refused."""
    rows = dict(connection.execute(
        text("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY(:names)"),
        {"names": list(names.values())},
    ).all())
    logins = sorted(name for name, can_login in rows.items() if can_login)
    if logins:
        raise DatabaseKnownError(
            _("the team's group role {role} already exists as a login: rename that login, "
              "then upgrade again").format(role=logins[0])
        )
    missing = [name for name in names.values() if name not in rows]
    if not missing:
        return
    allowed = connection.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not allowed:
        login = connection.execute(text("SELECT current_user")).scalar()
        raise DatabaseKnownError(
            _("creating the team's group roles needs CREATEROLE: have the server's superuser run "
              "ALTER ROLE {login} CREATEROLE, then start OzonDesk again").format(
                login=quote_ident(str(login))
            )
        )
    for name in missing:
        # Another database's upgrade may create it at the same moment (roles are cluster-wide).
        connection.execute(text(
            "DO $$ BEGIN CREATE ROLE " + quote_ident(name) + " NOLOGIN;"
            " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))


def _expand(sql: str, schema: str) -> str:
    s = quote_ident(schema)
    me = f"(SELECT {s}.ozondesk_person_id())"
    role = f"(SELECT {s}.ozondesk_person_role())"
    return sql.format(schema=s, me=me, role=role, lead=f"coalesce({role} = 'lead', false)")


def install(connection: Any) -> None:
    """Everything above, in the connected database's current schema (migration 0010)."""
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    database = str(connection.execute(text("SELECT current_database()")).scalar())
    names = group_names(database)
    _ensure_groups(connection, names)
    s = quote_ident(schema)
    agent, lead, trainer = (quote_ident(names[r]) for r in GROUP_ROLES)
    statements = [
        # Leads and trainers run desks too: syncing, presence, claims are every desk's work.
        f"GRANT {agent} TO {lead}",
        f"GRANT {agent} TO {trainer}",
        *_functions(schema, names),
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {agent}, {lead}, {trainer}",
        f"GRANT USAGE ON SCHEMA {s} TO {agent}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {agent}",
        # A desk reads the schema's revision before it knows anything else, even the login
        # of a person not added yet: so it can say what to do instead of "permission denied".
        f"GRANT SELECT ON {s}.alembic_version TO PUBLIC",
    ]
    for table, access in ACCESS.items():
        t = f"{s}.{quote_ident(table)}"
        for group, privileges in ((agent, access.agent), (trainer, access.trainer),
                                  (lead, access.lead)):
            if privileges:
                statements.append(f"GRANT {privileges} ON {t} TO {group}")
        if access.policies:
            statements.append(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        for policy in access.policies:
            sql = f"CREATE POLICY {policy.name} ON {t} FOR {policy.command}"
            if policy.using is not None:
                sql += f" USING ({_expand(policy.using, schema)})"
            if policy.check is not None:
                sql += f" WITH CHECK ({_expand(policy.check, schema)})"
            statements.append(sql)
    for statement in statements:
        connection.execute(text(statement))
    # People added before this upgrade whose logins already exist get their group now.
    connection.execute(text(f"SELECT {s}.ozondesk_sync_login(login) FROM {s}.agents"))


def uninstall(connection: Any) -> None:
    """Undo ``install`` in this database. The group roles stay: they are the cluster's, and
    another database (a copy of this one) may still grant them rights."""
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    s = quote_ident(schema)
    groups = [str(g) for g in connection.execute(text(
        f"SELECT {s}.ozondesk_group(r) FROM unnest(ARRAY['agent', 'lead', 'trainer']) AS r"
    )).scalars()]
    agent, lead, trainer = (quote_ident(g) for g in groups)
    statements = []
    for table, access in ACCESS.items():
        t = f"{s}.{quote_ident(table)}"
        statements += [f"DROP POLICY IF EXISTS {p.name} ON {t}" for p in access.policies]
        if access.policies:
            statements.append(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
    statements += [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {agent}, {lead}, {trainer}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {agent}",
        f"REVOKE SELECT ON {s}.alembic_version FROM PUBLIC",
        f"REVOKE USAGE ON SCHEMA {s} FROM {agent}",
        *(f"DROP FUNCTION IF EXISTS {s}.{f}" for f in FUNCTIONS),
    ]
    for statement in statements:
        connection.execute(text(statement))
