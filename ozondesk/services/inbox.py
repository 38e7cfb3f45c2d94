"""Inbox queries for the UI: the ordered ids of a listing, and rows for any window of them.

A listing is one query for the ordered ids of every matching conversation (100,000 ids are
under 1 MB as an ``array``), so the count is free and any window — neighbouring or a far
jump — is a primary-key lookup of at most a page of rows. Filters, search and sorting all
happen in SQL; search joins the full-text matches to conversations there, uncapped.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, func, select
from sqlalchemy.orm import Session, aliased

from ozondesk.domain.clock import as_utc, to_storage, utcnow
from ozondesk.domain.running_deadline import StoredTargets, running, target_policy
from ozondesk.domain.sla import TargetKind
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.store import dialect
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message

OPEN_STATUSES = ("open", "waiting_buyer")
PAGE_FETCH = 256  # matches read from the cursor at a time while looking for the first screen
# What the inbox can be sorted by; the default puts the most urgent first.
# "match" (a search's newest matching message first) is the order a search is listed in when
# nobody chose another, so its first screen can come straight from the newest matches.
SORT_KEYS = ("due", "last_message", "received", "title", "category", "assignee", "unread", "kind", "match")
# A search of one or two characters has no index to use: its first screen looks through at
# most this many of the newest messages (the whole listing, on the worker, looks through all).
SHORT_QUERY_SCAN = 200_000


@dataclass(frozen=True)
class InboxFilter:
    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str | None = None
    category: str | None = None
    assignee_id: int | None = None  # "mine"
    due_soon_minutes: int | None = None  # open, deadline within this many minutes
    breached: bool = False  # open, deadline passed
    query: str = ""  # text in any message (Cyrillic, Latin or Chinese; case-insensitive)
    now: datetime | None = None  # for due-soon and breached; the query time otherwise


@dataclass(frozen=True)
class InboxSort:
    key: str = "due"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise UserError(
                _("Unknown inbox sort {key!r}: use one of {keys}").format(key=self.key, keys=", ".join(SORT_KEYS))
            )


@dataclass(frozen=True)
class InboxRow:
    id: int
    kind: str
    title: str
    preview: str
    category: str | None
    status: str
    priority: str
    assignee: str | None
    received_at: datetime
    last_message_at: datetime | None
    # The running deadline (domain/running_deadline.py), as stored in sla_due: the one the
    # composer and the context name too.
    due_at: datetime | None
    sla_policy: str
    unread: int
    snippet: str | None
    # The policy due_at's working time counts on (the conversation's, or the resolution one).
    due_policy: str
    first_response_at: datetime | None = None
    # Which target due_at is the deadline of; None when nothing counts down.
    due_target: TargetKind | None = None


_assignee = aliased(Agent)


def _sort_columns(key: str) -> list[tuple[SQLColumnExpression[Any], bool, bool]]:
    """(expression, descending, nullable) triples of the ascending order for ``key``."""
    c = Conversation
    if key == "due":
        # Without a deadline: after the rest, newest first among themselves.
        return [(c.sla_due, False, True), (c.last_message_at, True, True)]
    if key == "match":  # a search's own order; without a query, the newest message first
        return [(c.last_message_at, True, True)]
    if key == "last_message":
        return [(c.last_message_at, False, True)]
    if key == "received":
        return [(c.received_at, False, False)]
    if key == "title":
        return [(func.coalesce(func.nullif(c.buyer_name, ""), c.subject), False, False)]
    if key == "category":
        return [(c.category, False, True)]
    if key == "assignee":
        return [(_assignee.display_name, False, True)]
    if key == "unread":
        return [(c.unread_count, False, False)]
    return [(c.kind, False, False)]


def _order_by(sort: InboxSort, dialect_name: str) -> list[ColumnElement[Any]]:
    """Empty values last in either direction, spelled out because SQLite and PostgreSQL place
    NULLs differently; the id breaks ties, so the order is total and stable."""
    order: list[ColumnElement[Any]] = []
    for expr, descending, nullable in [*_sort_columns(sort.key), (Conversation.id, False, False)]:
        term = expr.desc() if descending != sort.descending else expr.asc()
        if nullable and dialect_name == "postgresql":
            # NULLS LAST, not an ``IS NULL`` key before the column: one sort key fewer made
            # sorting 100,000 rows by deadline 1.6x faster (bench/bench_pg_listings.py).
            order.append(term.nulls_last())
            continue
        if nullable:
            order.append(expr.is_(None))
        order.append(term)
    return order


class InboxService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _where(self, query: Select[Any], flt: InboxFilter, dialect_name: str) -> Select[Any]:
        if flt.statuses:
            query = query.where(Conversation.status.in_(flt.statuses))
        if flt.kind:
            query = query.where(Conversation.kind == flt.kind)
        if flt.category:
            query = query.where(Conversation.category == flt.category)
        if flt.assignee_id is not None:
            query = query.where(Conversation.assignee_id == flt.assignee_id)
        now = to_storage(flt.now or utcnow())
        if flt.due_soon_minutes is not None:
            query = query.where(
                Conversation.status == "open",
                Conversation.sla_due > now,
                Conversation.sla_due <= now + timedelta(minutes=flt.due_soon_minutes),
            )
        if flt.breached:
            query = query.where(Conversation.status == "open", Conversation.sla_due <= now)
        text = flt.query.strip()
        if text:
            matching = select(Message.conversation_id).where(
                dialect.message_match(dialect_name, text, Message.id, Message.text)
            )
            query = query.where(Conversation.id.in_(matching))
        return query

    def categories(self) -> list[str]:
        with self.db.read() as session:
            rows = session.scalars(
                select(Conversation.category).where(Conversation.category.is_not(None)).distinct()
            ).all()
        return sorted(r for r in rows if r)

    def count(self, flt: InboxFilter = InboxFilter()) -> int:
        with self.db.read() as session:
            query = self._where(select(func.count()).select_from(Conversation), flt, _dialect(session))
            return int(session.scalar(query) or 0)

    def ids(self, flt: InboxFilter = InboxFilter(), sort: InboxSort = InboxSort()) -> array[int]:
        """Ids of every conversation in the listing, in display order."""
        query = select(Conversation.id)
        if sort.key == "assignee":
            query = query.outerjoin(_assignee, _assignee.id == Conversation.assignee_id)
        with self.db.read() as session:
            if sort.key == "match" and flt.query.strip():
                return self._match_listing(session, flt, sort.descending)
            name = _dialect(session)
            query = self._where(query, flt, name).order_by(*_order_by(sort, name))
            result = session.connection().execute(query)
            try:
                # Straight from the DBAPI cursor: integer ids need no result processing, and
                # skipping it per row makes 100,000 ids cost what the bare query costs.
                return array("q", [r[0] for r in result.cursor.fetchall()])
            finally:
                result.close()

    def _match_listing(self, session: Session, flt: InboxFilter, descending: bool) -> array[int]:
        """A search newest match first: the matching messages' owners in descending message
        id order, each kept where it first appears. One pass over the matches (the index's
        in rowid order on SQLite), no GROUP BY: grouping a million matches by conversation
        sorts them or reads them in conversation order, both far slower than the pass."""
        name = _dialect(session)
        others = replace(flt, query="")
        filtered = others != InboxFilter(statuses=(), now=others.now)
        if name == "postgresql":
            # The server groups (a hash aggregate, then one sort of the conversations): the pass
            # in Python took every match over the wire first, 1.45x the grouped query's time
            # for a two-character search over 1M messages (bench/bench_pg_listings.py).
            newest = func.max(Message.id)
            query = (
                select(Message.conversation_id)
                .where(dialect.message_match(name, flt.query.strip(), Message.id, Message.text))
                .group_by(Message.conversation_id)
                .order_by(newest.asc() if descending else newest.desc())
            )
            if filtered:
                query = self._where(query.join(Conversation, Conversation.id == Message.conversation_id),
                                    others, name)
            result = session.connection().execute(query)
            try:
                return array("q", [r[0] for r in result.cursor.fetchall()])
            finally:
                result.close()
        allowed: set[int] | None = None
        if filtered:
            result = session.connection().execute(self._where(select(Conversation.id), others, name))
            try:
                allowed = {r[0] for r in result.cursor.fetchall()}
            finally:
                result.close()
        result = session.connection().execute(_newest_first(name, flt.query.strip()))
        try:
            owners = dict.fromkeys(r[0] for r in result.cursor.fetchall())
        finally:
            result.close()
        ordered = [cid for cid in owners if cid in allowed] if allowed is not None else list(owners)
        if descending:
            ordered.reverse()
        return array("q", ordered)

    def first_matches(self, flt: InboxFilter, limit: int) -> array[int]:
        """The first ``limit`` conversations of a search listed newest match first: the start of
        ``ids(flt, InboxSort("match"))``, found without waiting for every match.

        The newest matching messages are read in descending id order (SQLite: the FTS5 index
        in rowid order; PostgreSQL: the messages' primary key, checked with ILIKE, which
        pg_trgm's index speeds up when the planner prefers it) and reading stops at the
        ``limit``-th distinct conversation that passes the other filters. A query of one or
        two characters looks through the newest ``SHORT_QUERY_SCAN`` messages only: fewer
        conversations than ``limit`` may then come back, and the whole listing completes it.
        """
        return array("q", self._newest_matches(flt, limit))

    def first_screen(self, flt: InboxFilter, limit: int) -> tuple[array[int], list[InboxRow | None]]:
        """``first_matches`` with their rows, each snippet cut from the newest matching message
        the search already found (read by primary key, not by reading every message)."""
        # One read transaction for the matches, their rows and texts: on PostgreSQL each
        # transaction more is a BEGIN and a COMMIT more, waiting on the server in turn.
        with self.db.read() as session:
            texts: dict[int, str] = {}
            newest = self._newest_matches_in(session, flt, limit, texts)
            ids = array("q", newest)
            if not newest:
                return ids, []
            snippets = dialect.newest_match_snippets(
                ((cid, texts.get(cid, "")) for cid in newest), flt.query.strip()
            )
            # Snippets made before the rows, not swapped into them after (dataclass replace
            # per row was a fifth of the first screen's time on PostgreSQL), from the texts
            # read with the matches (a query fewer).
            return ids, _rows_in(session, list(ids), "", snippets)

    def _newest_matches(self, flt: InboxFilter, limit: int) -> dict[int, int]:
        """Conversation id → its newest matching message id, newest first (see first_matches)."""
        with self.db.read() as session:
            return self._newest_matches_in(session, flt, limit)

    def _newest_matches_in(
        self, session: Session, flt: InboxFilter, limit: int, texts: dict[int, str] | None = None
    ) -> dict[int, int]:
        """``_newest_matches`` in the caller's transaction; given ``texts``, each found
        conversation's newest matching text goes there, read with the match itself."""
        text = flt.query.strip()
        found: dict[int, int] = {}
        if not text or limit <= 0:
            return found
        name = _dialect(session)
        query: Any = _newest_first(name, text).join(Conversation, Conversation.id == Message.conversation_id)
        if len(text) < dialect.FTS_MIN_QUERY:
            # The newest id as a subquery of the same statement, not a query of its own
            # before it: a round trip fewer on PostgreSQL.
            newest = select(func.coalesce(func.max(Message.id), 0)).scalar_subquery()
            query = query.where(Message.id > newest - SHORT_QUERY_SCAN)
        if texts is not None:
            query = query.add_columns(Message.text)
        query = self._where(query, replace(flt, query=""), name)
        # Streamed (a server-side cursor on PostgreSQL): only what is read is fetched. Options
        # of this statement, not of the connection: set there they would stream the rest of
        # the transaction too (DECLARE, FETCH, FETCH, CLOSE for every later query).
        result = session.connection().execute(
            query, execution_options={"stream_results": True, "yield_per": PAGE_FETCH}
        )
        try:
            while len(found) < limit:
                batch = result.fetchmany(PAGE_FETCH)
                if not batch:
                    break
                for conversation_id, message_id, *body in batch:
                    if conversation_id not in found:
                        found[int(conversation_id)] = int(message_id)
                        if texts is not None:
                            texts[int(conversation_id)] = body[0]
                        if len(found) == limit:
                            break
        finally:
            result.close()
        return found

    def rows(self, ids: Sequence[int], query: str = "") -> list[InboxRow | None]:
        """The rows for ``ids``, in that order; None for a conversation deleted meanwhile.

        With a search ``query``, each row carries a snippet of its newest matching message.
        """
        wanted = list(ids)
        if not wanted:
            return []
        with self.db.read() as session:
            return _rows_in(session, wanted, query)

    def page(
        self, offset: int, limit: int, flt: InboxFilter = InboxFilter(), sort: InboxSort = InboxSort()
    ) -> list[InboxRow]:
        """One window of the listing (for scripts and tests; the inbox model keeps the ids)."""
        window = self.ids(flt, sort)[offset:offset + limit]
        return [row for row in self.rows(window, flt.query) if row is not None]


def _newest_first(dialect_name: str, text: str) -> Any:
    """(conversation id, message id) of the messages containing ``text``, newest first."""
    if dialect_name == "sqlite" and len(text) >= dialect.FTS_MIN_QUERY and "\x00" not in text:
        # Driven from the index in rowid order: the newest matches come first and, when the
        # reader stops early, the rest are never visited (an IN over the matches would
        # collect all of them first).
        fts, match = dialect.fts_match(text)
        return (
            select(Message.conversation_id, Message.id)
            .select_from(fts)
            .join(Message, Message.id == fts.c.rowid)
            .where(match)
            .order_by(fts.c.rowid.desc())
        )
    return (
        select(Message.conversation_id, Message.id)
        .where(dialect.message_match(dialect_name, text, Message.id, Message.text))
        .order_by(Message.id.desc())
    )


def _rows_in(
    session: Session, wanted: list[int], query: str, snippets: dict[int, str] | None = None
) -> list[InboxRow | None]:
    """InboxService.rows inside the caller's read transaction; ``snippets`` given, not sought."""
    name = _dialect(session)
    select_rows = (
        select(
            Conversation.id,
            Conversation.kind,
            Conversation.buyer_name,
            Conversation.subject,
            Conversation.last_message_preview,
            Conversation.category,
            Conversation.status,
            Conversation.priority,
            _assignee.display_name,
            Conversation.received_at,
            Conversation.last_message_at,
            Conversation.sla_due,
            Conversation.sla_policy,
            Conversation.unread_count,
            Conversation.first_response_at,
            Conversation.sla_first_due,
            Conversation.sla_first_met_at,
            Conversation.sla_next_due,
            Conversation.sla_resolution_due,
            Conversation.sla_resolution_met_at,
        )
        .outerjoin(_assignee, _assignee.id == Conversation.assignee_id)
        .where(dialect.id_in(name, Conversation.id, wanted))
    )
    text = query.strip()
    found = {r[0]: r for r in session.connection().execute(select_rows)}
    snippets = snippets or {}
    if text:
        # Only this window's messages are read, newest first, to mark the match (not
        # through the index: that would collect every match of a common word first).
        texts = session.connection().execute(
            select(Message.conversation_id, Message.text)
            .where(dialect.id_in(name, Message.conversation_id, wanted))
            .order_by(Message.id.desc())
        )
        snippets = dialect.newest_match_snippets(((r[0], r[1]) for r in texts), text)
    return [_row(found[i], snippets.get(i)) if i in found else None for i in wanted]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _row(r: Any, snippet: str | None) -> InboxRow:
    # The deadline is sla_due itself (what the listing sorted by); its target is named from
    # the outcome columns it was picked from. (The auto-decision cap moves the time, not the name.)
    found = running(StoredTargets(r[1], r[6], *r[15:20])) if r[11] is not None else None
    target = found.target if found is not None else None
    return InboxRow(
        id=r[0],
        kind=r[1],
        title=r[2] or r[3] or "",
        preview=r[4],
        category=r[5],
        status=r[6],
        priority=r[7],
        assignee=r[8],
        received_at=as_utc(r[9]),
        last_message_at=as_utc(r[10]) if r[10] else None,
        due_at=as_utc(r[11]) if r[11] else None,
        sla_policy=r[12],
        unread=r[13],
        due_policy=target_policy(r[12], target) if target is not None else r[12],
        first_response_at=as_utc(r[14]) if r[14] else None,
        due_target=target,
        snippet=snippet,
    )
