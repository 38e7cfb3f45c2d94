"""Files queued for a buyer chat, matched to the platform's copy of them.

The platform answers ``/v1/chat/send/file`` with no id; the chat history later shows the file
as a seller message whose Markdown names it. :func:`claim_file` is the one place that ties
that message to the queued file, for the sender's check and for the sync alike, so a sent
file is never stored (or sent) twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.chat_images import image_attachment, image_of
from ozondesk.domain.clock import to_storage
from ozondesk.store.models import Message, OutboxEntry
from ozondesk.store.repos.outbox import CLOCK_SKEW

CHAT_FILE = "chat_file"


def file_name_of(text: str) -> str | None:
    """The file a seller's message in the history names (its Markdown link's text)."""
    found = image_of(text, any_link=True)
    return found.name if found is not None else None


def claim_file(
    session: Session,
    conversation_id: int,
    text: str,
    platform_id: str,
    platform_at: datetime,
    moderation: str | None = None,
) -> bool:
    """Attach a platform seller message to the oldest queued file of the same name that may
    have gone out; the local message then shows the platform's picture. The sync calls this
    for every seller message no chat reply claimed, so a sent file is never stored twice."""
    name = file_name_of(text)
    if name is None:
        return False
    candidates = session.execute(
        select(OutboxEntry, Message)
        .join(Message, Message.id == OutboxEntry.message_id)
        .where(
            OutboxEntry.conversation_id == conversation_id,
            OutboxEntry.action == CHAT_FILE,
            OutboxEntry.attempts > 0,
            Message.platform_message_id.is_(None),
            OutboxEntry.created_at <= to_storage(platform_at + CLOCK_SKEW),
        )
        .order_by(OutboxEntry.created_at, OutboxEntry.id)
    ).all()
    for entry, message in candidates:
        if entry.text == name:
            message.platform_message_id = platform_id
            entry.platform_message_id = platform_id
            if entry.state != "sent":
                entry.state = "sent"
                entry.sent_at = to_storage(platform_at)
                entry.last_error = None
                entry.claimed_by = entry.lease_until = None
            message.delivery_state = "sent"
            message.text = text
            image = text.lstrip().startswith("!")
            message.attachments = [image_attachment(moderation)] if image else []
            # The file itself is on the platform now: the outbox keeps no copy of it.
            entry.payload = None
            return True
    return False
