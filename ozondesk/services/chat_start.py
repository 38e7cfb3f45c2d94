"""Starting a buyer chat from a posting (``/v1/chat/start``), for the context panel's button.

Ozon lets the seller open a chat about an FBS/rFBS posting while the posting's
``available_actions`` hold ``can_create_chat``. Ozon answers with the chat's id (the existing
one if the buyer already wrote); the chat is then brought in the way a sync brings any chat
(``store/repos/sync.upsert_chat``), linked to the posting, so it opens like any other.
Runs on a worker thread: it talks to Ozon. No Qt here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.records import ChatMessage, ChatSummary
from ozondesk.services.credentials import Credentials, CredentialStore, register_secret
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Posting, Shop, ShopCredentialRef
from ozondesk.store.repos import audit
from ozondesk.store.repos import sync as repo
from ozondesk.store.repos.policies import current_policies

log = logging.getLogger("ozondesk.services")

# The chat Ozon opens for the seller; the sync reads the same type back from /v3/chat/list.
STARTED_CHAT_TYPE = "Buyer_Seller"


class ChatStartService:
    def __init__(
        self,
        db: Database,
        credentials: CredentialStore,
        make_client: Callable[[Credentials], OzonClient],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.credentials = credentials
        self.make_client = make_client
        self.clock = clock

    def offered(self, conversation_id: int) -> bool:
        """Whether "start a chat" is offered for this conversation: its posting allows it now,
        its shop has credentials, and it is not already that chat."""
        with self.db.read() as session:
            row = session.execute(
                select(Conversation.kind, Posting.can_create_chat, ShopCredentialRef.shop_id)
                .join(Posting, Posting.id == Conversation.posting_id)
                .outerjoin(ShopCredentialRef, ShopCredentialRef.shop_id == Conversation.shop_id)
                .where(Conversation.id == conversation_id)
            ).first()
        if row is None:
            return False
        kind, allowed, has_credentials = row
        return kind != "buyer_chat" and allowed is True and has_credentials is not None

    def start(self, conversation_id: int, agent_id: int | None) -> int:
        """Start (or find) the buyer chat of this conversation's posting and store it; returns
        the chat conversation's id. Failures are a ``UserError`` of one translated line and
        leave the database as it was."""
        with self.db.read() as session:
            row = session.execute(
                select(Conversation.shop_id, Shop.name, Posting.id, Posting.posting_number,
                       Posting.order_number, Posting.can_create_chat)
                .join(Shop, Shop.id == Conversation.shop_id)
                .outerjoin(Posting, Posting.id == Conversation.posting_id)
                .where(Conversation.id == conversation_id)
            ).first()
            if agent_id is not None:
                agent = session.get(Agent, agent_id)
                if agent is None or not agent.active:
                    raise UserError(_("unknown or inactive agent #{id}").format(id=agent_id))
        if row is None:
            raise UserError(_("conversation #{id} no longer exists").format(id=conversation_id))
        shop_id, shop_name, posting_id, posting_number, order_number, allowed = row
        if posting_id is None:
            raise UserError(_("No order is linked to this conversation."))
        if allowed is not True:
            raise UserError(
                _("Ozon does not allow starting a chat for posting {posting} now").format(
                    posting=posting_number
                )
            )
        creds = self.credentials.load(shop_name)  # a UserError saying what to do when missing
        # Whatever an error message echoes back, the key never reaches the log.
        register_secret(creds.api_key)
        with self.make_client(creds) as client:
            try:
                chat_id = client.start_chat(posting_number)
            except E.OzonError as exc:
                log.info("chat/start for %s failed: %s", posting_number, exc)
                raise UserError(
                    _("Ozon did not start a chat for posting {posting}: {hint}").format(
                        posting=posting_number, hint=exc.hint
                    )
                ) from None
            messages: list[ChatMessage] = []
            clean = False
            try:
                messages, bad = client.history_since(chat_id)
                clean = not bad
            except E.OzonError as exc:
                # The chat exists on Ozon now; its messages come with the next sync.
                log.info("history of the started chat %s not fetched: %s", chat_id, exc)
        now = self.clock()
        summary = ChatSummary(
            chat_id=chat_id,
            chat_type=STARTED_CHAT_TYPE,
            chat_status="OPENED",
            created_at=messages[0].created_at if messages else now,
            first_unread_message_id=None,
            last_message_id=messages[-1].message_id if messages else None,
            unread_count=0,
        )
        with self.db.begin() as session:
            policies = current_policies(session)
            outcome = repo.upsert_chat(session, shop_id, summary, messages, policies)
            chat = session.get(Conversation, outcome.conversation_id)
            assert chat is not None  # upsert_chat has just stored or found it
            if chat.posting_id is None:
                chat.posting_id = posting_id
                chat.order_number = chat.order_number or order_number
                if not outcome.created:
                    chat.version += 1
            if clean and summary.last_message_id is not None:
                # As a sync would: the next one fetches only what is newer.
                repo.set_cursor(session, shop_id, f"chat:{chat_id}", str(summary.last_message_id), now)
            audit.write(
                session,
                now,
                agent_id,
                "chat.start",
                f"posting:{posting_number}",
                chat_id=chat_id,
                conversation_id=chat.id,
                from_conversation_id=conversation_id,
                created=outcome.created,
            )
            return chat.id
