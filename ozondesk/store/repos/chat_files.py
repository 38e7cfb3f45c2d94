"""Files queued for a buyer chat, matched to the platform's copy of them.

The platform answers ``/v1/chat/send/file`` with no id; the chat history later shows the file
as a seller message whose Markdown names it. :func:`claim_file` is the one place that ties
that message to the queued file, for the sender's check and for the sync alike, so a sent
file is never stored (or sent) twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ozondesk.domain.chat_images import image_attachment, image_of
from ozondesk.store.repos.outbox import mark_on_platform, unmatched_attempts

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
    for entry, message in unmatched_attempts(session, conversation_id, platform_at, CHAT_FILE):
        if entry.text == name:
            mark_on_platform(entry, message, platform_id, platform_at)
            message.text = text
            image = text.lstrip().startswith("!")
            message.attachments = [image_attachment(moderation)] if image else []
            # The file itself is on the platform now: the outbox keeps no copy of it.
            entry.payload = None
            return True
    return False
