"""Stored SLA outcomes: computed with the engine whenever a conversation's events change.

:func:`store` is the one function that writes a conversation's ``sla_*`` columns, from
:func:`ozondesk.domain.sla_outcome.outcome`. It is not called by each writer: :func:`track`
hooks the write sessions so that every transaction which stores a message, a status change,
a conversation (new, or a changed receipt, first reply, resolution, assignee, order or
policy), a posting, a decision request (its auto-decision time), or a new policy revision stores
the outcomes it touched, with the running deadline picked from them (``sla_due``), just before it
commits — a writer added later cannot forget it, and the outcome is never committed stale.
A policy revision recomputes only the conversations whose deadlines it can move (those still
running when it takes effect), in batches.

Plain ``Connection``\\s work too (the migration that fills the columns for old databases).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, event, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.metrics import warehouse_delay
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.running_deadline import StoredTargets, running
from ozondesk.domain.sla import PolicyRevision
from ozondesk.domain.sla_outcome import (
    RESOLUTION_POLICY,
    SlaOutcome,
    StoredConversation,
    outcome,
    posting_matters,
)
from ozondesk.store.models import (
    Base,
    Conversation,
    DecisionRequest,
    Message,
    Posting,
    SlaPolicyRevision,
    StatusChange,
)

log = logging.getLogger("ozondesk.store")

BATCH = 1000
_conversations = Base.metadata.tables["conversations"]
_messages = Base.metadata.tables["messages"]
_changes = Base.metadata.tables["status_changes"]
_postings = Base.metadata.tables["postings"]
_revisions = Base.metadata.tables["sla_policy_revisions"]
_decisions = Base.metadata.tables["decision_requests"]
# The conversation columns the outcome is computed from: a change to any of them recomputes it.
INPUTS = frozenset(
    {"kind", "sla_policy", "received_at", "first_response_at", "resolved_at", "status",
     "assignee_id", "posting_id"}
)
POSTING_INPUTS = frozenset({"status", "eta", "delivered_at"})
_NOT_POSTING = INPUTS - {"posting_id"}
Executor = Session | Connection


def policy_revisions(conn: Executor) -> tuple[dict[str, list[PolicyRevision]], dict[str, int]]:
    """Every policy's revisions in order, and the newest revision id of each."""
    rows = conn.execute(
        select(_revisions.c.id, _revisions.c.name, _revisions.c.effective_from, _revisions.c.snapshot)
        .order_by(_revisions.c.effective_from, _revisions.c.id)
    ).all()
    revisions: dict[str, list[PolicyRevision]] = {}
    newest: dict[str, int] = {}
    for rid, name, effective_from, snapshot in rows:
        revisions.setdefault(name, []).append(
            PolicyRevision(as_utc(effective_from), SlaPolicy.from_dict(snapshot))
        )
        newest[name] = max(rid, newest.get(name, rid))
    return revisions, newest


def store(conn: Executor, ids: Iterable[int]) -> int:
    """Compute and store the outcome of the conversations ``ids``; returns how many were stored."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    revisions, newest = policy_revisions(conn)
    stored = 0
    for start in range(0, len(wanted), BATCH):
        stored += _store_batch(conn, wanted[start : start + BATCH], revisions, newest)
    return stored


def store_all(conn: Executor, batch: int = 5 * BATCH, running_due: bool = True) -> int:
    """Every conversation's outcome (a new or migrated database), ``batch`` at a time;
    ``running_due`` False leaves ``sla_due`` alone (migration 0018 runs before it exists)."""
    revisions, newest = policy_revisions(conn)
    stored, after = 0, 0
    while True:
        ids = list(conn.execute(
            select(_conversations.c.id).where(_conversations.c.id > after)
            .order_by(_conversations.c.id).limit(batch)
        ).scalars())
        if not ids:
            return stored
        stored += _store_batch(conn, ids, revisions, newest, running_due)
        after = ids[-1]


def affected_by_revision(conn: Executor, name: str, effective_from: datetime) -> list[int]:
    """The conversations whose deadlines a revision of ``name`` effective then can move: those
    with a target still running at that instant (or with no deadline known)."""
    at = to_storage(effective_from)
    c = _conversations.c
    if name == RESOLUTION_POLICY:
        where: Any = or_(c.sla_resolution_due.is_(None), c.sla_resolution_due > at)
    else:
        # An answer after the edit counts its time on the new calendar even when late.
        where = (c.sla_policy == name) & or_(
            c.sla_first_due.is_(None), c.sla_first_due > at, c.sla_next_due > at,
            c.first_response_at > at,
        )
    return list(conn.execute(select(c.id).where(where)).scalars())


def _mark_revision(session: Session, name: str) -> None:
    """The conversations a revision leaves as they were now reflect it too: one statement
    instead of recomputing what cannot change."""
    _revisions_, newest = policy_revisions(session)
    if name in newest:
        session.execute(
            update(_conversations).where(_conversations.c.sla_policy == name)
            .values(sla_policy_revision=newest[name])
        )


def _store_batch(
    conn: Executor,
    ids: Sequence[int],
    revisions: dict[str, list[PolicyRevision]],
    newest: dict[str, int],
    running_due: bool = True,
) -> int:
    c, p, d = _conversations.c, _postings.c, _decisions.c
    rows = conn.execute(
        select(c.id, c.kind, c.sla_policy, c.received_at, c.first_response_at, c.resolved_at,
               c.assignee_id, p.status, p.eta, p.delivered_at,
               c.status.label("conversation_status"), d.auto_decision_at)
        .select_from(
            _conversations.outerjoin(_postings, p.id == c.posting_id)
            .outerjoin(_decisions, d.conversation_id == c.id)
        )
        .where(c.id.in_(ids))
    ).all()
    messages: dict[int, list[tuple[str, datetime]]] = {}
    for cid, side, at in conn.execute(
        select(_messages.c.conversation_id, _messages.c.side, _messages.c.created_at)
        .where(_messages.c.conversation_id.in_(ids))
    ):
        messages.setdefault(cid, []).append((side, at))
    changes: dict[int, list[tuple[str, datetime]]] = {}
    for cid, status, at in conn.execute(
        select(_changes.c.conversation_id, _changes.c.status, _changes.c.at)
        .where(_changes.c.conversation_id.in_(ids))
    ):
        changes.setdefault(cid, []).append((status, at))
    values = []
    for r in rows:
        received = as_utc(r.received_at)
        found = outcome(
            StoredConversation(
                kind=r.kind,
                sla_policy=r.sla_policy,
                received_at=received,
                first_response_at=r.first_response_at,
                resolved_at=r.resolved_at,
                assigned=r.assignee_id is not None,
                waiting_on_warehouse=warehouse_delay(r.status, r.eta, r.delivered_at, received),
                messages=messages.get(r.id, ()),
                changes=changes.get(r.id, ()),
            ),
            revisions,
        )
        row = {"b_id": r.id, **columns(found, newest.get(r.sla_policy))}
        if running_due:
            row["sla_due"] = _running_due(StoredTargets(
                kind=r.kind, status=r.conversation_status, first_due=found.first_due,
                first_met_at=found.first_met_at, next_due=found.next_due,
                resolution_due=found.resolution_due, resolution_met_at=found.resolution_met_at,
                auto_decision_at=r.auto_decision_at,
            ))
        values.append(row)
    if values:
        conn.execute(
            update(_conversations).where(_conversations.c.id == bindparam("b_id"))
            .values({name: bindparam(name) for name in values[0] if name != "b_id"}),
            values,
        )
        if isinstance(conn, Session):
            _refresh_loaded(conn, values)
    return len(values)


def _running_due(stored: StoredTargets) -> datetime | None:
    found = running(stored)
    return to_storage(found.due) if found is not None else None


def store_running_all(conn: Executor, batch: int = 5 * BATCH) -> int:
    """Every conversation's ``sla_due`` from its stored outcome columns (migration 0024)."""
    c, d = _conversations.c, _decisions.c
    stored, after = 0, 0
    while True:
        rows = conn.execute(
            select(c.id, c.kind, c.status, c.sla_first_due, c.sla_first_met_at, c.sla_next_due,
                   c.sla_resolution_due, c.sla_resolution_met_at, d.auto_decision_at)
            .select_from(_conversations.outerjoin(_decisions, d.conversation_id == c.id))
            .where(c.id > after).order_by(c.id).limit(batch)
        ).all()
        if not rows:
            return stored
        values = [{"b_id": r.id, "sla_due": _running_due(StoredTargets(*r[1:]))} for r in rows]
        conn.execute(
            update(_conversations).where(_conversations.c.id == bindparam("b_id"))
            .values(sla_due=bindparam("sla_due")),
            values,
        )
        stored += len(values)
        after = rows[-1].id


def columns(found: SlaOutcome, revision: int | None) -> dict[str, Any]:
    """The ``sla_*`` column values of an outcome, as stored."""

    def stamp(value: datetime | None) -> datetime | None:
        return to_storage(value) if value is not None else None

    return {
        "sla_first_due": stamp(found.first_due),
        "sla_first_met_at": stamp(found.first_met_at),
        "sla_next_due": stamp(found.next_due),
        "sla_resolution_due": stamp(found.resolution_due),
        "sla_resolution_met_at": stamp(found.resolution_met_at),
        "sla_breach_reason": found.breach_reason,
        "sla_counted_seconds": found.counted_seconds,
        "sla_policy_revision": revision,
    }


def _refresh_loaded(session: Session, values: list[dict[str, Any]]) -> None:
    # The sessions keep objects after commit (expire_on_commit=False): a conversation loaded
    # in this one must not go on showing the outcome from before.
    for row in values:
        conv = session.identity_map.get(session.identity_key(Conversation, row["b_id"]))
        if conv is not None:
            for name, value in row.items():
                if name != "b_id":
                    set_committed_value(conv, name, value)


# -- keeping them current ---------------------------------------------------------------

_PENDING = "ozondesk.sla_outcomes.pending"
_REVISED = "ozondesk.sla_outcomes.revised"
_STORING = "ozondesk.sla_outcomes.storing"


def track(sessions: sessionmaker[Session]) -> None:
    """Store the outcomes every transaction of ``sessions`` touched just before it commits."""
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "do_orm_execute", _on_execute)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_rollback", _forget)


def _pending(session: Session) -> set[int]:
    found: set[int] = session.info.setdefault(_PENDING, set())
    return found


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_STORING):
        return
    pending = _pending(session)
    posting_ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Conversation):
            pending.add(obj.id)
        elif isinstance(obj, Message | StatusChange):
            pending.add(obj.conversation_id)
        elif isinstance(obj, SlaPolicyRevision):
            session.info.setdefault(_REVISED, []).append((obj.name, as_utc(obj.effective_from)))
        elif isinstance(obj, DecisionRequest):
            pending.add(obj.conversation_id)
    for obj in session.dirty:
        if isinstance(obj, Conversation) and _changed(obj, INPUTS):
            if posting_matters(obj.assignee_id is not None) or _changed(obj, _NOT_POSTING):
                pending.add(obj.id)
        elif isinstance(obj, Message) and _changed(obj, {"side", "created_at"}):
            pending.add(obj.conversation_id)
        elif isinstance(obj, DecisionRequest) and _changed(obj, {"auto_decision_at"}):
            pending.add(obj.conversation_id)
        elif isinstance(obj, Posting) and _changed(obj, POSTING_INPUTS):
            posting_ids.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Message | StatusChange):
            pending.add(obj.conversation_id)
    if posting_ids:
        pending.update(_of_postings(session, posting_ids))


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = obj._sa_instance_state  # noqa: SLF001 - SQLAlchemy's documented inspection handle
    return any(state.attrs[name].history.has_changes() for name in names)


def _of_postings(session: Session, posting_ids: set[int]) -> list[int]:
    # Only the assigned ones: the others' outcomes do not read the posting (posting_matters).
    c = _conversations.c
    return list(session.execute(
        select(c.id).where(c.posting_id.in_(posting_ids), c.assignee_id.is_not(None))
    ).scalars())


def _on_execute(state: ORMExecuteState) -> None:
    """Core inserts (sync's and the demo's executemany) bypass the flush: their rows carry
    the conversation ids. (The only Core update of these tables sets a message's delivery
    state, which moves no deadline.)"""
    session = state.session
    if session.info.get(_STORING) or not state.is_insert:
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    key = {"conversations": "id", "messages": "conversation_id", "status_changes": "conversation_id",
           "decision_requests": "conversation_id"}
    if name not in key:
        return
    params = state.parameters
    rows: Sequence[Any] = params if isinstance(params, list) else [params] if params else []
    pending = _pending(session)
    for row in rows:
        if isinstance(row, dict) and row.get(key[name]) is not None:
            pending.add(row[key[name]])


def _before_commit(session: Session) -> None:
    if session.info.get(_STORING):
        return
    session.flush()
    pending = _pending(session)
    revised = session.info.pop(_REVISED, [])
    session.info[_STORING] = True
    try:
        for name, effective_from in revised:
            pending.update(affected_by_revision(session, name, effective_from))
            _mark_revision(session, name)
        if pending:
            store(session, pending)
    finally:
        session.info[_STORING] = False
        pending.clear()


def _forget(session: Session, _previous: Any = None) -> None:
    for key in (_PENDING, _REVISED):
        session.info.pop(key, None)
