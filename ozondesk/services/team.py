"""The team's people: add, rename, change role, deactivate and reactivate, each audited.

Nobody is ever deleted: replies, drafts, reviews and drill attempts keep pointing at the
person, so history keeps their name after they leave. A person added here has no shop and
serves every shop of the team.

Who may change the team: a lead (``actor`` is their login, checked against the
``team.manage`` permission), or the administrator (``actor=None``: the command line and the
first-run assistant, run by whoever owns the installation). Whoever acts, at least one
active lead remains, so the team can never lock itself out of its own management.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ozondesk.domain import roles
from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.identity import acting_login
from ozondesk.store.db import Database
from ozondesk.store.models import Agent
from ozondesk.store.notify import CHANNEL
from ozondesk.store.pg_roles import sync_login
from ozondesk.store.repos import audit

LOGIN = re.compile(r"[a-z0-9._-]{1,64}")
NAME_MAX = 100
SUBJECT = "person:"
ADMINISTRATOR = "administrator"
# A team change as the audit log holds it: ``agent`` is the acting lead's name (None: the
# administrator), ``subject`` "person:<login>", ``detail`` {"by", "old", "new"}.
TeamChange = audit.AuditRecord


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    role: str
    active: bool
    id: int


def check_login(login: str) -> str:
    login = login.strip()
    if not LOGIN.fullmatch(login):
        raise UserError(
            _("login {login!r}: use 1 to 64 lowercase letters, digits, dots, dashes or underscores").format(
                login=login
            )
        )
    return login


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError(_("the name is empty: give the person's display name"))
    if len(name) > NAME_MAX:
        raise UserError(
            _("the name is {n} characters long; at most {limit} fit").format(n=len(name), limit=NAME_MAX)
        )
    return name


def check_role(role: str) -> str:
    role = role.strip()
    if role not in roles.ROLES:
        raise UserError(_("unknown role {role!r}; use agent, lead or trainer").format(role=role))
    return role


def _person(row: Agent) -> Person:
    return Person(row.login, row.display_name, row.role, bool(row.active), row.id)


class TeamService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def people(self, include_inactive: bool = True) -> list[Person]:
        """Everyone, in the order they joined; inactive people only when asked for."""
        with self.db.begin() as session:
            query = select(Agent).order_by(Agent.id)
            if not include_inactive:
                query = query.where(Agent.active.is_(True))
            return [_person(a) for a in session.scalars(query)]

    def history(self, limit: int = 500) -> list[TeamChange]:
        """The audit entries of team changes, oldest first."""
        with self.db.begin() as session:
            return audit.entries(session, SUBJECT, limit)

    def add(self, login: str, name: str, role: str, *, actor: str | None) -> Person:
        login, name, role = check_login(login), check_name(name), check_role(role)

        def work(session: Session) -> Person:
            actor_id = self._actor(session, actor)
            taken = session.scalar(select(Agent).where(Agent.login == login))
            if taken is not None:
                raise self._taken(taken)
            person = Agent(shop_id=None, login=login, display_name=name, role=role, active=True)
            session.add(person)
            try:
                session.flush()
            except IntegrityError:
                # Another desk added the same login between our check and this insert.
                raise UserError(_("login {login!r} is taken").format(login=login)) from None
            self._audit(session, actor_id, actor, "team.add", login, None, {"name": name, "role": role})
            return _person(person)

        return self._change(work)

    def rename(self, login: str, name: str, *, actor: str | None) -> Person:
        name = check_name(name)

        def work(session: Session) -> Person:
            actor_id = self._actor(session, actor)
            person = self._find(session, login)
            if person.display_name != name:
                old, person.display_name = person.display_name, name
                self._audit(session, actor_id, actor, "team.rename", person.login, old, name)
            return _person(person)

        return self._change(work)

    def set_role(self, login: str, role: str, *, actor: str | None) -> Person:
        role = check_role(role)

        def work(session: Session) -> Person:
            actor_id = self._actor(session, actor)
            person = self._find(session, login)
            if person.role != role:
                if role != "lead":
                    self._keep_a_lead(session, person)
                old, person.role = person.role, role
                self._audit(session, actor_id, actor, "team.role", person.login, old, role)
            return _person(person)

        return self._change(work)

    def deactivate(self, login: str, *, actor: str | None) -> Person:
        return self._set_active(login, False, actor)

    def reactivate(self, login: str, *, actor: str | None) -> Person:
        return self._set_active(login, True, actor)

    def _set_active(self, login: str, active: bool, actor: str | None) -> Person:
        def work(session: Session) -> Person:
            actor_id = self._actor(session, actor)
            person = self._find(session, login)
            if bool(person.active) != active:
                if not active:
                    self._keep_a_lead(session, person)
                person.active = active
                action = "team.reactivate" if active else "team.deactivate"
                self._audit(session, actor_id, actor, action, person.login, not active, active)
            return _person(person)

        return self._change(work)

    def _change(self, work: Callable[[Session], Person]) -> Person:
        def with_notice(session: Session) -> Person:
            result = work(session)
            if self.db.is_postgresql:
                # The person's database login follows their role and whether they are active;
                # the rights change commits, or not, with the change of the person.
                session.flush()
                sync_login(session.connection(), result.login)
                # Sent when the change commits: other desks reload their lists of people.
                session.execute(text("SELECT pg_notify(:channel, :payload)"),
                                {"channel": CHANNEL, "payload": json.dumps({"kind": "changed"})})
            return result

        return self.db.transact(with_notice)

    @staticmethod
    def _actor(session: Session, actor: str | None) -> int | None:
        """The acting lead's id; None for the administrator."""
        if actor is None:
            # On a team server, only the administrator's login acts as the administrator.
            actor = acting_login(session)
        if actor is None:
            return None
        row = session.scalar(select(Agent).where(Agent.login == actor))
        if row is None or not row.active:
            raise roles.PermissionDenied(
                _("{login!r} is not an active member of the team").format(login=actor)
            )
        roles.require(row.role, "team.manage")
        return row.id

    @staticmethod
    def _find(session: Session, login: str) -> Agent:
        person = session.scalar(select(Agent).where(Agent.login == login.strip()))
        if person is None:
            raise UserError(_("nobody in the team has the login {login!r}").format(login=login.strip()))
        return person

    @staticmethod
    def _taken(person: Agent) -> UserError:
        if person.active:
            return UserError(
                _("login {login!r} is taken by {name}").format(login=person.login, name=person.display_name)
            )
        return UserError(
            _("login {login!r} belongs to {name}, who is inactive: reactivate them instead").format(
                login=person.login, name=person.display_name
            )
        )

    @staticmethod
    def _keep_a_lead(session: Session, person: Agent) -> None:
        """Refuse to take the last active lead away (demotion or deactivation)."""
        if person.role != "lead" or not person.active:
            return
        # Locking every active lead makes two leads demoting each other at once take turns:
        # the second then sees one lead left and is refused.
        leads = session.scalars(
            select(Agent.id).where(Agent.role == "lead", Agent.active.is_(True)).with_for_update()
        ).all()
        if set(leads) <= {person.id}:
            raise UserError(
                _("{name} is the team's only active lead: make someone else a lead first").format(
                    name=person.display_name
                )
            )

    def _audit(
        self, session: Session, actor_id: int | None, actor: str | None, action: str, login: str,
        old: object, new: object,
    ) -> None:
        audit.write(session, self.clock(), actor_id, action, SUBJECT + login,
                    by=actor or ADMINISTRATOR, old=old, new=new)
