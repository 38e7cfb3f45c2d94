"""A stand-in for ``ozondesk.services.team.TeamService`` (people(), add()) while that service is
being written; the setup assistant's tests switch to the real one when it lands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ozondesk.errors import UserError
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    role: str
    active: bool


class TeamDouble:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.actors: list[str | None] = []

    def people(self) -> list[Person]:
        with self.db.begin() as session:
            rows = session.execute(
                select(Agent.login, Agent.display_name, Agent.role, Agent.active).order_by(Agent.id)
            ).all()
        return [Person(*row) for row in rows]

    def add(self, login: str, name: str, role: str, *, actor: str | None = None) -> Person:
        self.actors.append(actor)
        people = self.people()
        leads = [p.login for p in people if p.role == "lead" and p.active]
        if leads and actor not in leads:
            raise UserError("only a team lead can add people")
        if any(p.login == login for p in people):
            raise UserError(f"login {login!r} is taken")
        with self.db.begin() as session:
            shop_id = session.scalar(select(Shop.id).order_by(Shop.id).limit(1))
            session.add(Agent(shop_id=shop_id, login=login, display_name=name, role=role))
        return Person(login, name, role, True)
