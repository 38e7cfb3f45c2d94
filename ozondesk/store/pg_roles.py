"""Who is connected to a team's PostgreSQL database, and which of its group roles they are in.

In team mode every person signs in with a database login of their own, named as their team
login (``agents.login``). Three group roles per database carry the rights (see
``ozondesk.store.pg_access``): ``<database>_agent``, ``<database>_lead`` and
``<database>_trainer`` — for the usual database ``ozondesk`` that is ``ozondesk_agent`` and so
on. Roles are cluster-wide while their rights are per database; naming them after the database
keeps an agent of one team's database out of another team's on the same server.

A person's login is put in the group of their role by ``ozondesk_sync_login(login)``, a
function the migration creates: it runs with its owner's (the administrator's) rights, so a
lead can add a person from their desk without being allowed to create or grant roles in
general. The team's service calls it after each change of a person, and every desk calls it
for its own login when it connects (which completes a person added before their login existed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from ozondesk.i18n import _
from ozondesk.store.errors import DatabaseKnownError

GROUP_ROLES = ("agent", "lead", "trainer")
# PostgreSQL cuts identifiers at 63 bytes; the longest suffix is "_trainer".
_NAME_BYTES = 63
PERMISSION_DENIED = "42501"  # insufficient_privilege, also what a row-level security refusal raises


def group_names(database: str) -> dict[str, str]:
    """The group role of each team role for ``database``: ``{"agent": "<database>_agent", …}``."""
    prefix = database.encode()[: _NAME_BYTES - len("_trainer")].decode(errors="ignore")
    return {role: f"{prefix}_{role}" for role in GROUP_ROLES}


def quote_ident(name: str) -> str:
    """``name`` as a PostgreSQL identifier: a login like ``wang.fang`` needs the quotes."""
    return '"' + name.replace('"', '""') + '"'


def is_permission_error(exc: BaseException) -> bool:
    """Whether a database error is the server refusing this login (a GRANT or a row policy)."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) == PERMISSION_DENIED


def current_login(connection: Any) -> str:
    return str(connection.execute(text("SELECT current_user")).scalar())


def groups(connection: Any) -> dict[str, str]:
    """This database's group roles, as its migration named them (a copy of a database made
    with ``CREATE DATABASE … TEMPLATE`` keeps the names its grants refer to)."""
    rows = connection.execute(
        text("SELECT r, ozondesk_group(r) FROM unnest(CAST(:roles AS text[])) AS r"),
        {"roles": list(GROUP_ROLES)},
    ).all()
    return {role: name for role, name in rows}


def may_migrate(connection: Any) -> bool:
    """Whether this login may create or upgrade the schema: a superuser, the owner of the
    schema's tables (or a member of that role), or on an empty database one allowed to create
    tables in it."""
    return bool(connection.execute(text(
        "SELECT r.rolsuper"
        " OR (t.tableowner IS NOT NULL AND pg_has_role(current_user, t.tableowner, 'MEMBER'))"
        " OR (t.tableowner IS NULL AND has_schema_privilege(current_schema(), 'CREATE'))"
        " FROM pg_roles r LEFT JOIN pg_tables t"
        " ON t.schemaname = current_schema() AND t.tablename = 'alembic_version'"
        " WHERE r.rolname = current_user"
    )).scalar())


def sync_login(connection: Any, login: str) -> str | None:
    """Put ``login`` in the group of its person's role, out of the others (all of them for a
    deactivated person or no person). Returns the group it is in now ("" for none), or None
    when no database login of that name exists yet: the administrator creates it (and a desk
    signing in with it later completes the membership itself).

    Runs inside the caller's transaction, so a change of a person and of their rights commit
    together. Only the login itself, a lead or the administrator may call it for a login.
    """
    value = connection.execute(text("SELECT ozondesk_sync_login(:login)"), {"login": login}).scalar()
    return None if value is None else str(value)


def person(connection: Any) -> tuple[int, str, str, str, str | None] | None:
    """(id, login, display name, role, shop name) of the active person whose login is this
    connection's, or None."""
    row = connection.execute(text(
        "SELECT a.id, a.login, a.display_name, a.role, s.name FROM agents a"
        " LEFT JOIN shops s ON s.id = a.shop_id"
        " WHERE a.login = current_user AND a.active"
    )).first()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4])


def admit(connection: Any, where: str) -> None:
    """Let a person's desk in, or refuse a login that is no active person of the team.

    The administrator (who may migrate) is always let in, a person or not: an empty team is
    set up from their desk. Anyone else first gets the group of their role (or loses all of
    them, when deactivated), then is refused unless they are an active person. The caller
    commits, so the membership holds for the desk's other connections too.
    """
    if may_migrate(connection):
        return
    login = current_login(connection)
    if not sync_login(connection, login):
        raise DatabaseKnownError(
            _("database login {login} is not an active person of the team at {where}: "
              "ask a team lead or the administrator to add you with this login").format(
                login=login, where=where
            )
        )
