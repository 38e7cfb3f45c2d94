"""What the first-run setup assistant asks the database and Ozon: is this desk set up, how much
has been synced, and does a Client-Id and API key work.

No Qt here: the assistant (``ozondesk/ui/setup``) runs these on its worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Posting, Product, ReturnRow, Shop

# What the first sync fills, in the order the assistant shows it.
STAGES = ("chats", "questions", "reviews", "postings", "returns", "products")


def needs_setup(db: Database) -> bool:
    """True while the desk has no shop or nobody to work at it: the app then opens the assistant
    instead of an inbox nobody can use. A demo database has both, so it never asks."""
    with db.begin() as session:
        shops = session.scalar(select(func.count()).select_from(Shop)) or 0
        people = session.scalar(
            select(func.count()).select_from(Agent).where(Agent.active.is_(True))
        ) or 0
    return not (shops and people)


def synced_counts(db: Database, shop: str) -> dict[str, int]:
    """What the database holds for ``shop``, by stage: conversations, postings, returns, products."""
    shop_columns = {
        "postings": Posting.shop_id,
        "returns": ReturnRow.shop_id,
        "products": Product.shop_id,
    }
    counts = dict.fromkeys(STAGES, 0)
    with db.begin() as session:
        shop_id = session.scalar(select(Shop.id).where(Shop.name == shop))
        if shop_id is None:
            return counts
        for kind, n in session.execute(
            select(Conversation.kind, func.count())
            .where(Conversation.shop_id == shop_id)
            .group_by(Conversation.kind)
        ):
            if kind in ("ozon_ticket", "account_manager", "return_request", "cancellation"):
                # The seller's own tickets (#14), as sync's report leaves them out too, and
                # return/cancellation requests, which sync counts apart from chats.
                continue
            stage = {"question": "questions", "review": "reviews"}.get(kind, "chats")
            counts[stage] += int(n)
        for stage, column in shop_columns.items():
            counts[stage] = int(
                session.scalar(select(func.count()).where(column == shop_id)) or 0
            )
    return counts


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of a connection test: ``kind`` is "ok", "auth", "network", "subscription",
    "permission", "server", "obsolete" or "refused"; ``line`` says what happened and what to do."""

    kind: str
    line: str

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def check_connection(client: OzonClient) -> ConnectionCheck:
    """Read one chat and, when there is a buyer chat, one message of it: the two calls every
    sync makes first, so a key that passes here can sync (the chat history is the method a
    subscription without Premium Plus or Premium Pro is refused)."""
    try:
        page = client.chat_list(limit=1)
        buyer = next((c for c in page.chats if c.is_buyer_chat), None)
        if buyer is not None:
            client.chat_history(buyer.chat_id, limit=1)
    except E.OzonError as exc:
        return describe_failure(exc)
    return ConnectionCheck(
        "ok",
        _("Connected: the key can read this shop's chats ({n} unread).").format(
            n=page.total_unread_count
        ),
    )


def describe_failure(exc: E.OzonError) -> ConnectionCheck:
    """One line naming what failed (wrong key, no network, subscription, server) and what to do."""
    method = exc.path or _("this method")
    status = exc.status
    # Ozon answers a wrong key with 404 code 5; a 401 from a proxy or a future API means the same.
    if isinstance(exc, E.AuthError) or status == 401:
        return ConnectionCheck(
            "auth",
            _(
                "Ozon does not accept this Client-Id and API key ({detail}): copy both again "
                "from the seller cabinet, Settings → Seller API, or generate a new key."
            ).format(detail=_detail(exc)),
        )
    if isinstance(exc, E.ConnectionFailed):
        return ConnectionCheck(
            "network",
            _(
                "No connection to Ozon ({reason}): check the internet connection or proxy, "
                "then test again."
            ).format(reason=exc.message),
        )
    if isinstance(exc, E.SubscriptionRequired):
        return ConnectionCheck(
            "subscription",
            _(
                "The key works, but the shop's subscription does not include {method}: buyer "
                "chats need Premium Plus or Premium Pro."
            ).format(method=method),
        )
    if isinstance(exc, E.PermissionDenied):
        return ConnectionCheck(
            "permission",
            _(
                "The API key lacks the role for {method}: generate a key of the Admin type in "
                "the seller cabinet, Settings → Seller API."
            ).format(method=method),
        )
    if isinstance(exc, E.ObsoleteMethod):
        return ConnectionCheck(
            "obsolete", _("Ozon switched {method} off: update OzonDesk.").format(method=method)
        )
    if isinstance(exc, E.TransientError):
        return ConnectionCheck(
            "server",
            _(
                "Ozon's server answered with an error ({detail}): try again in a few minutes."
            ).format(detail=str(exc)),
        )
    return ConnectionCheck(
        "refused", _("Ozon refused the test ({detail}).").format(detail=str(exc))
    )


def _detail(exc: E.OzonError) -> str:
    """Ozon's own words and the HTTP status, without the method path."""
    return f"{exc.message}, HTTP {exc.status}" if exc.status is not None else exc.message
