"""Who works at a team desk: the person whose login is the desk's database login.

On PostgreSQL each person signs in with a database login of their own, named as their team
login, so the desk's agent follows from the connection and cannot be chosen ("Work as" is
for a single SQLite desk that several people share). The server enforces the same identity:
its row-level security matches ``current_user`` to ``agents.login`` (see
``ozondesk.store.pg_access``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ozondesk.services.preferences import DeskAgent
from ozondesk.store import pg_roles
from ozondesk.store.db import Database


def login_agent(db: Database) -> DeskAgent | None:
    """The active person signed in on this connection; None for a login that is none (the
    administrator's, who may set up a team without being one of its people)."""
    with db.engine.connect() as connection:
        row = pg_roles.person(connection)
    if row is None:
        return None
    person_id, login, name, role, shop = row
    return DeskAgent(person_id, login, name, shop, role)


def acting_login(session: Session) -> str | None:
    """Who acts through ``session`` when nobody is named: on a team server the person of the
    login (so the services check their role), None for the administrator's login and on a
    single SQLite desk (whose command line is the administrator's)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    connection = session.connection()
    return None if pg_roles.may_migrate(connection) else pg_roles.current_login(connection)
