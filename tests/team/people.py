"""A team whose people sign in with database logins of their own, on the throwaway server.

The administrator (the server's superuser here, owner of every table) sets up two shops and
four people; each person gets a login named as their team login, and each desk finds its
password in the (in-memory) OS keyring under ``login@host:port/database``, as
``ozondesk db-password set`` stores it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pgserver import PgServer
from sqlalchemy.engine import URL

from ozondesk.domain.clock import to_storage
from ozondesk.services.credentials import KEYRING_SERVICE
from ozondesk.store.db import Database, open_database, store_password
from ozondesk.store.models import Agent, Conversation, Message, Shop, ShopCredentialRef
from ozondesk.store.pg_roles import quote_ident

NOW = datetime(2026, 12, 1, 11, 5, tzinfo=UTC)  # 14:05 MSK
# login: (display name, role, shop; None = every shop)
PEOPLE = {
    "wang.fang": ("王芳", "agent", "Yuexin"),
    "li.na": ("李娜", "agent", "Hongda"),
    "zhang.wei": ("张伟", "lead", None),
    "chen.jing": ("陈静", "trainer", "Yuexin"),
}


@dataclass
class Team:
    server: PgServer
    url: URL  # the administrator's (the tables' owner)
    admin: Database
    shops: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    conversations: dict[str, int] = field(default_factory=dict)  # shop name -> a conversation
    incoming: dict[str, int] = field(default_factory=dict)  # shop name -> its buyer's message
    logins: list[str] = field(default_factory=list)
    desks: list[Database] = field(default_factory=list)

    def login_url(self, login: str) -> URL:
        return URL.create("postgresql+psycopg", username=login, host=self.server.host,
                          port=self.server.port, database=self.url.database)

    def create_login(self, login: str) -> None:
        """What the administrator runs for a new person: a login with a password, which the
        person stores in their desk's keyring."""
        password = secrets.token_urlsafe(12)
        with self.server.admin() as conn:
            conn.execute(f"DROP ROLE IF EXISTS {quote_ident(login)}")
            conn.execute(f"CREATE ROLE {quote_ident(login)} LOGIN PASSWORD '{password}'")
        self.logins.append(login)
        store_password(self.login_url(login), password)

    def desk(self, login: str) -> Database:
        """A desk signed in as ``login``, its password from the keyring."""
        db = open_database(self.login_url(login))
        self.desks.append(db)
        return db

    def close(self) -> None:
        for db in self.desks:
            db.dispose()
        self.admin.dispose()
        with self.server.admin() as conn:
            for login in self.logins:
                conn.execute(f"DROP ROLE IF EXISTS {quote_ident(login)}")


def make_team(server: PgServer, url: URL, *, logins: bool = True) -> Team:
    team = Team(server, url, open_database(url))
    created = to_storage(NOW - timedelta(days=30))
    with team.admin.begin() as s:
        for n, name in enumerate(("Yuexin", "Hongda"), start=1):
            shop = Shop(ozon_seller_id=str(1000 + n), name=name, created_at=created)
            s.add(shop)
            s.flush()
            team.shops[name] = shop.id
            s.add(ShopCredentialRef(shop_id=shop.id, client_id=str(1000 + n),
                                    keyring_service=KEYRING_SERVICE, keyring_user=str(1000 + n),
                                    created_at=created, updated_at=created))
            chat = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id=f"chat-{n}",
                                buyer_name="Анна", sla_policy="chat-first-response",
                                received_at=to_storage(NOW - timedelta(minutes=5)))
            s.add(chat)
            s.flush()
            team.conversations[name] = chat.id
            question = Message(conversation_id=chat.id, side="buyer", text="Где мой заказ?",
                               created_at=to_storage(NOW - timedelta(minutes=5)))
            s.add(question)
            s.flush()
            team.incoming[name] = question.id
        for login, (name, role, shop_name) in PEOPLE.items():
            person = Agent(login=login, display_name=name, role=role,
                           shop_id=team.shops[shop_name] if shop_name else None)
            s.add(person)
            s.flush()
            team.people[login] = person.id
    if logins:
        for login in PEOPLE:
            team.create_login(login)
    return team
