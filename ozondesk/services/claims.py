"""Claiming conversations: an agent claims one before replying, and no two agents ever hold it.

A claim lives while its desk keeps renewing it (``heartbeat``, every minute with the presence
heartbeat); one not renewed for ``LIFETIME`` is free for the next agent, so a desk that crashed
or lost its network does not lock its conversations away. Going offline (quitting, or an
``offline`` presence event recorded after the claim) ends a desk's claims at once.

The send path calls ``require_claim`` inside its own transaction: it claims the conversation
for the sender if it is free (a lone desk never has to click Claim) and otherwise refuses,
naming the holder and since when.

``claim`` and ``release`` return what they changed (``ClaimState.changes``): the one
conversation, whose place in any listing stays (no filter or sort key reads a claim), or
nothing when the claim stayed as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ozondesk.domain import roles
from ozondesk.domain.clock import as_utc, to_msk, utcnow
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.changes import NOTHING, OpChanges, conversation_changed
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation
from ozondesk.store.repos import claims as repo
from ozondesk.store.repos.claims import ClaimRecord

# Three missed heartbeats (one a minute) and the claim is free again.
LIFETIME = timedelta(minutes=3)


class ClaimHeld(UserError):
    """Another agent holds the conversation."""

    def __init__(self, holder: ClaimRecord, now: datetime) -> None:
        super().__init__(
            _("{name} has been answering this conversation since {since}: ask them to release it").format(
                name=holder.agent_name, since=format_since(holder.claimed_at, now)
            )
        )
        self.holder = holder


def format_since(at: datetime, now: datetime) -> str:
    """``14:05 MSK`` today (Moscow), ``22.11 14:05 MSK`` on another day."""
    local, today = to_msk(at), to_msk(now).date()
    if local.date() == today:
        return _("{time} MSK").format(time=local.strftime("%H:%M"))
    return _("{date} {time} MSK").format(date=local.strftime("%d.%m"), time=local.strftime("%H:%M"))


@dataclass(frozen=True)
class ClaimState:
    """Who holds a conversation, as seen by ``agent_id``; ``holder`` None when it is free."""

    conversation_id: int
    agent_id: int
    holder: ClaimRecord | None
    # What the write that returned this state changed (NOTHING for a read, or a refused claim).
    changes: OpChanges = field(default=NOTHING, compare=False)

    @property
    def mine(self) -> bool:
        return self.holder is not None and self.holder.agent_id == self.agent_id

    @property
    def held_by_other(self) -> bool:
        return self.holder is not None and self.holder.agent_id != self.agent_id


def _check(session: Session, conversation_id: int, agent_id: int) -> None:
    if session.get(Conversation, conversation_id) is None:
        raise UserError(_("conversation {id} does not exist").format(id=conversation_id))
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise UserError(_("agent {id} does not exist").format(id=agent_id))
    roles.require(agent.role, "conversation.reply")  # a claim is a promise to reply


def require_claim(session: Session, conversation_id: int, agent_id: int,
                  now: datetime | None = None, lifetime: timedelta = LIFETIME) -> ClaimRecord:
    """Hold the conversation for ``agent_id`` until ``session`` commits, or raise ``ClaimHeld``.

    Claims it if free or stale, renews the sender's own claim; on PostgreSQL the claim row stays
    locked until the caller's transaction ends, so nobody can take it between this check and
    the reply being written.
    """
    now = as_utc(now or utcnow())
    repo.expire(session, now - lifetime, conversation_id)  # a holder who went offline lets go
    if repo.take(session, conversation_id, agent_id, now, now - lifetime):
        held = repo.holder(session, conversation_id, now - lifetime)
        assert held is not None
        return held
    holder = repo.holder(session, conversation_id, now - lifetime)
    if holder is None:  # released between the two statements (SQLite's deferred reads)
        return require_claim(session, conversation_id, agent_id, now, lifetime)
    raise ClaimHeld(holder, now)


def _claim_changed(conversation_id: int) -> OpChanges:
    # A claim lives in its own table: the row is the same and keeps its place.
    return conversation_changed(conversation_id, membership=False)


class ClaimService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow,
                 lifetime: timedelta = LIFETIME) -> None:
        self.db = db
        self.clock = clock
        self.lifetime = lifetime

    def _stale(self, now: datetime) -> datetime:
        return now - self.lifetime

    def claim(self, conversation_id: int, agent_id: int) -> ClaimState:
        """Claim the conversation; when another agent holds it, the state says who (no error)."""
        now = self.clock()

        def work(session: Session) -> ClaimState:
            _check(session, conversation_id, agent_id)
            before = repo.holder(session, conversation_id, self._stale(now))
            repo.expire(session, self._stale(now), conversation_id)
            taken = repo.take(session, conversation_id, agent_id, now, self._stale(now))
            # Renewing one's own claim changes no holder: nothing any view shows moved.
            moved = taken and (before is None or before.agent_id != agent_id)
            return ClaimState(conversation_id, agent_id,
                              repo.holder(session, conversation_id, self._stale(now)),
                              _claim_changed(conversation_id) if moved else NOTHING)

        return self.db.transact(work)

    def release(self, conversation_id: int, agent_id: int) -> ClaimState:
        """Give the conversation up; someone else's claim is left alone."""
        now = self.clock()

        def work(session: Session) -> ClaimState:
            released = repo.release(session, conversation_id, agent_id)
            return ClaimState(conversation_id, agent_id,
                              repo.holder(session, conversation_id, self._stale(now)),
                              _claim_changed(conversation_id) if released else NOTHING)

        return self.db.transact(work)

    def state(self, conversation_id: int, agent_id: int) -> ClaimState:
        now = self.clock()
        with self.db.begin() as session:
            return ClaimState(conversation_id, agent_id,
                              repo.holder(session, conversation_id, self._stale(now)))

    def mine(self, agent_id: int) -> list[int]:
        now = self.clock()
        with self.db.begin() as session:
            return repo.held_by(session, agent_id, self._stale(now))

    def heartbeat(self, agent_id: int) -> int:
        """Renew every claim of the desk's agent; returns how many it holds."""
        now = self.clock()
        return self.db.transact(lambda session: repo.renew(session, agent_id, now))

    def release_all(self, agent_id: int) -> int:
        """The desk goes offline or quits: its conversations are free for the others at once."""
        return self.db.transact(lambda session: repo.release_all(session, agent_id))

    def expire(self) -> int:
        """Drop stale claims and those of agents who went offline; how many were dropped."""
        now = self.clock()
        return self.db.transact(lambda session: repo.expire(session, self._stale(now)))
