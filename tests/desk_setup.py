"""A desk to test against, shared by the store and interface tests (importable because tests/ is
on sys.path): Moscow times, a clock a test moves, a shop with its people, a drill answer."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from ozondesk.domain.clock import MOSCOW
from ozondesk.services.preferences import DeskAgent
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop

# The starter set's return drill answered with every fact: it scores 100.
GOOD_ANSWER = (
    "Здравствуйте, Ольга! Куртку надлежащего качества можно вернуть в течение семи дней после "
    "получения. Оформите возврат в личном кабинете Ozon, в разделе «Заказы», и сохраните ярлыки. "
    "Деньги вернутся на карту, которой вы оплатили заказ, в течение трёх рабочих дней."
)

# An agent, a lead and a trainer by role: (login, display name, role).
TEMPLATE_PEOPLE = {
    "agent": ("li", "Li Na", "agent"),
    "lead": ("wang", "Wang Lei", "lead"),
    "trainer": ("chen", "Chen Yu", "trainer"),
}


def msk(*args: int) -> datetime:
    """A Moscow wall-clock time, in UTC."""
    return MOSCOW.localize(datetime(*args)).astimezone(UTC)


class Clock:
    """``now`` until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_shop(
    db: Database, people: Mapping[str, tuple[str, str, str]], *, inactive: Collection[str] = ()
) -> dict[str, DeskAgent]:
    """A shop "Shop" with ``people`` (key: login, display name, role), those keyed in
    ``inactive`` no longer active; each as the desk knows them, by key."""
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        agents = {
            key: Agent(shop_id=shop.id, login=login, display_name=name, role=role,
                       **({"active": False} if key in inactive else {}))
            for key, (login, name, role) in people.items()
        }
        session.add_all(agents.values())
        session.flush()
        return {key: DeskAgent(a.id, a.login, a.display_name, "Shop", a.role) for key, a in agents.items()}
