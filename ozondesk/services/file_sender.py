"""Attaching a file to a buyer chat: checked, then written to the outbox with its content.

The file's bytes go into the outbox entry's payload (base64) in the same transaction as the
thread's message, so a crash or a lost connection loses nothing; the sender delivers it as
``chat_file`` (``services/decision_actions.py``), never twice. Refusals are one line saying
what to do, and write nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ozondesk.domain import roles
from ozondesk.domain.clock import utcnow
from ozondesk.domain.send_window import reply_window
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon.chat_files import ALLOWED_TYPES, MAX_FILE_BYTES, MAX_NAME, file_problem
from ozondesk.services.claims import require_claim
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message
from ozondesk.store.repos import outbox as outbox_repo
from ozondesk.store.repos.chat_files import CHAT_FILE


def refusal(name: str, size: int) -> str | None:
    """Why this file cannot be sent, in one translated line, or None when it can."""
    problem = file_problem(name, size)
    if problem == "bad-name":
        return _("the file needs a name of 1 to {max} characters").format(max=MAX_NAME)
    if problem == "bad-type":
        kinds = ", ".join(sorted({s.lstrip(".").upper() for s in ALLOWED_TYPES}))
        return _("{name}: Ozon chats take only these kinds of file: {kinds}").format(
            name=name, kinds=kinds
        )
    if problem == "empty":
        return _("{name} is empty").format(name=name)
    if problem == "too-large":
        return _("{name} is {size} KB; at most {max} KB can be sent in a chat").format(
            name=name, size=(size + 1023) // 1024, max=MAX_FILE_BYTES // 1024
        )
    return None


def read_file(path: str) -> tuple[str, bytes]:
    """The file's name and bytes; a ``UserError`` when it cannot be read or is too large
    (checked before reading, so a huge file is never loaded)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        problem = refusal(p.name, size)
        if problem is not None:
            raise UserError(problem)
        return p.name, p.read_bytes()
    except OSError as exc:
        raise UserError(
            _("cannot read {name}: {reason}").format(name=p.name, reason=exc.strerror or exc)
        ) from None


class FileService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def queue_file(
        self, conversation_id: int, agent_id: int | None, name: str, content: bytes
    ) -> outbox_repo.OutboxItem:
        problem = refusal(name, len(content))
        if problem is not None:
            raise UserError(problem)
        now = self.clock()
        with self.db.begin() as session:
            if agent_id is not None:
                agent = session.get(Agent, agent_id)
                if agent is None or not agent.active:
                    raise UserError(_("unknown or inactive agent #{id}").format(id=agent_id))
                roles.require(agent.role, "conversation.reply")
            conv = session.get(Conversation, conversation_id)
            if conv is None or conv.kind != "buyer_chat" or not conv.platform_id:
                raise UserError(_("files can be sent in buyer chats only"))
            facts = outbox_repo.window_facts(session, conversation_id)
            assert facts is not None
            verdict = reply_window(now, facts.scheme, facts.last_buyer_at, facts.delivered_at)
            if not verdict.allowed:
                raise UserError(verdict.reason)
            if agent_id is not None:
                require_claim(session, conversation_id, agent_id, now)
            item = outbox_repo.enqueue_action(
                session,
                conversation_id,
                CHAT_FILE,
                conv.platform_id,
                now,
                text=name,
                payload={"name": name, "content": base64.b64encode(content).decode("ascii")},
                agent_id=agent_id,
            )
            # The thread shows the file by name until the platform's copy replaces it.
            message = session.get(Message, item.message_id)
            if message is not None:
                message.text = ""
                message.attachments = [name]
            return item
