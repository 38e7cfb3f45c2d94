"""Change notifications between desks: PostgreSQL LISTEN/NOTIFY, or a poll of a SQLite file.

On PostgreSQL, triggers on the tables every desk cares about (new messages, claims, presence
events, template reviews) call ``pg_notify`` on one channel with a small JSON payload. A
trigger runs inside the writing transaction, so a notification is sent exactly when the change
commits and never for a rolled-back one, whichever code path wrote it (a desk, the sync, the
command line). PostgreSQL folds identical payloads of one transaction into one, so a sync
that stores 300 messages of one chat wakes the other desks once for that chat.

A listener keeps its own connection (a pooled one could be handed to a transaction) and
reconnects after a drop; notifications sent while it was away are lost, so after a reconnect
it reports ``resync`` and the desk reloads what it shows.

A single SQLite desk has no server to notify it; ``DataVersionPoller`` reads
``PRAGMA data_version`` once a second on one connection, which changes whenever another
connection (the desk's own worker, a ``sync`` run) committed, and then compares the watched
tables to report the same events.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

log = logging.getLogger("ozondesk.store")

CHANNEL = "ozondesk"
KINDS = ("message", "claim", "presence", "template", "changed", "resync")

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ozondesk_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rec record;
    payload json;
BEGIN
    IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
    IF TG_TABLE_NAME = 'messages' THEN
        payload := json_build_object('kind', 'message', 'conversation_id', rec.conversation_id);
    ELSIF TG_TABLE_NAME = 'claims' THEN
        payload := json_build_object('kind', 'claim', 'conversation_id', rec.conversation_id,
                                     'agent_id', rec.agent_id);
    ELSIF TG_TABLE_NAME = 'presence_events' THEN
        payload := json_build_object('kind', 'presence', 'agent_id', rec.agent_id);
    ELSE
        payload := json_build_object('kind', 'template', 'template_id', rec.template_id,
                                     'status', rec.status);
    END IF;
    PERFORM pg_notify('{CHANNEL}', payload::text);
    RETURN NULL;
END
$$
"""

TRIGGER_DDL = (
    _FUNCTION,
    "CREATE TRIGGER messages_notify AFTER INSERT ON messages"
    " FOR EACH ROW EXECUTE FUNCTION ozondesk_notify()",
    "CREATE TRIGGER claims_notify AFTER INSERT OR DELETE ON claims"
    " FOR EACH ROW EXECUTE FUNCTION ozondesk_notify()",
    # A heartbeat only moves renewed_at: nobody needs to hear about it.
    "CREATE TRIGGER claims_notify_change AFTER UPDATE ON claims FOR EACH ROW"
    " WHEN (OLD.agent_id IS DISTINCT FROM NEW.agent_id OR OLD.claimed_at IS DISTINCT FROM NEW.claimed_at)"
    " EXECUTE FUNCTION ozondesk_notify()",
    "CREATE TRIGGER presence_notify AFTER INSERT ON presence_events"
    " FOR EACH ROW EXECUTE FUNCTION ozondesk_notify()",
    "CREATE TRIGGER template_revisions_notify AFTER INSERT ON template_revisions"
    " FOR EACH ROW EXECUTE FUNCTION ozondesk_notify()",
    "CREATE TRIGGER template_revisions_notify_status AFTER UPDATE OF status ON template_revisions"
    " FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)"
    " EXECUTE FUNCTION ozondesk_notify()",
)
TRIGGER_DROP = (
    "DROP TRIGGER IF EXISTS template_revisions_notify_status ON template_revisions",
    "DROP TRIGGER IF EXISTS template_revisions_notify ON template_revisions",
    "DROP TRIGGER IF EXISTS presence_notify ON presence_events",
    "DROP TRIGGER IF EXISTS claims_notify_change ON claims",
    "DROP TRIGGER IF EXISTS claims_notify ON claims",
    "DROP TRIGGER IF EXISTS messages_notify ON messages",
    "DROP FUNCTION IF EXISTS ozondesk_notify()",
)


@dataclass(frozen=True)
class ChangeEvent:
    """One change another desk (or this one) committed.

    ``resync`` comes after a listener reconnected: notifications may have been missed, so the
    desk reloads what it shows. ``changed`` is the same for any other unknown extent.
    """

    kind: str
    conversation_id: int | None = None
    agent_id: int | None = None
    template_id: int | None = None


def parse_payload(payload: str) -> ChangeEvent | None:
    """The event in a notification's payload; None for one this version does not know."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None

    def number(key: str) -> int | None:
        value = data.get(key)
        return value if isinstance(value, int) else None

    return ChangeEvent(data["kind"], number("conversation_id"), number("agent_id"), number("template_id"))


Callback = Callable[[ChangeEvent], None]


class _Worker:
    """A daemon thread running ``_loop`` until ``stop``."""

    name = "ozondesk-listener"

    def __init__(self, callback: Callback) -> None:
        self.callback = callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:  # noqa: BLE001 - a listener must never take the desk down
            log.exception("change listener stopped")

    def _loop(self) -> None:
        raise NotImplementedError

    def _emit(self, event: ChangeEvent) -> None:
        try:
            self.callback(event)
        except Exception:  # noqa: BLE001 - one bad receiver must not stop the others' events
            log.exception("change event receiver failed")


def conninfo(url: URL) -> dict[str, Any]:
    """psycopg connection keywords of a SQLAlchemy URL (with its password already resolved)."""
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
        "connect_timeout": 5,
        "application_name": "ozondesk-listener",
    }
    return {k: v for k, v in params.items() if v is not None}


class PgListener(_Worker):
    """LISTEN on its own connection; reconnects with a growing pause after any failure."""

    poll_seconds = 0.5
    max_pause = 5.0

    def __init__(self, url: URL, callback: Callback) -> None:
        super().__init__(callback)
        self.params = conninfo(url)
        self.backend_pid: int | None = None
        self.reconnects = 0

    def _loop(self) -> None:
        import psycopg

        pause = 0.2
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(autocommit=True, **self.params) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.backend_pid = conn.info.backend_pid
                    pause = 0.2
                    if not first:
                        self.reconnects += 1
                        self._emit(ChangeEvent("resync"))
                    first = False
                    self.ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self.poll_seconds):
                            event = parse_payload(note.payload)
                            if event is not None:
                                self._emit(event)
            except psycopg.Error as exc:
                self.ready.clear()
                log.warning("change listener lost its connection (%s); reconnecting",
                            type(exc).__name__)
                self._stop.wait(pause)
                pause = min(pause * 2, self.max_pause)


class DataVersionPoller(_Worker):
    """Once a second, ``PRAGMA data_version`` on one connection of its own; when another
    connection committed, what changed in the four watched tables is worked out and reported
    as the same events the PostgreSQL triggers send.

    A draft's autosave also moves data_version, so only the watched tables decide what is
    reported: typing a reply does not make the desk reload its inbox every second.
    """

    name = "ozondesk-sqlite-poll"
    interval = 1.0

    def __init__(self, path: Path, callback: Callback) -> None:
        super().__init__(callback)
        self.path = path

    def _loop(self) -> None:
        conn = sqlite3.connect(str(self.path), check_same_thread=False)
        try:
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            state = _Snapshot.read(conn)
            self.ready.set()
            while not self._stop.wait(self.interval):
                try:
                    version = conn.execute("PRAGMA data_version").fetchone()[0]
                    if version == seen:
                        continue
                    seen = version
                    now = _Snapshot.read(conn)
                    events = state.changes(now, conn)
                except sqlite3.Error as exc:
                    log.warning("cannot poll %s for changes: %s", self.path, exc)
                    continue
                state = now
                for event in events:
                    self._emit(event)
        finally:
            conn.close()


@dataclass(frozen=True)
class _Snapshot:
    """What the poller compares: cheap to read (the newest ids, the few live claims)."""

    message_id: int
    presence_id: int
    claims: frozenset[tuple[int, int, str]]
    revisions: frozenset[tuple[int, int, str]]

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> _Snapshot:
        return cls(
            conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0],
            conn.execute("SELECT coalesce(max(id), 0) FROM presence_events").fetchone()[0],
            frozenset(conn.execute("SELECT conversation_id, agent_id, claimed_at FROM claims")),
            frozenset(conn.execute("SELECT id, template_id, status FROM template_revisions")),
        )

    def changes(self, now: _Snapshot, conn: sqlite3.Connection) -> list[ChangeEvent]:
        events = [
            ChangeEvent("message", conversation_id=cid)
            for (cid,) in conn.execute(
                "SELECT DISTINCT conversation_id FROM messages WHERE id > ? AND id <= ?"
                " ORDER BY conversation_id", (self.message_id, now.message_id))
        ]
        before = {cid: agent for cid, agent, _at in self.claims}
        holders = {cid: agent for cid, agent, _at in now.claims}
        for cid in sorted({cid for cid, _agent, _at in self.claims ^ now.claims}):
            # The new holder, or for a release the agent who let go (as PostgreSQL's DELETE says).
            events.append(ChangeEvent("claim", cid, holders.get(cid, before.get(cid))))
        events += [
            ChangeEvent("presence", agent_id=agent)
            for (agent,) in conn.execute(
                "SELECT DISTINCT agent_id FROM presence_events WHERE id > ? AND id <= ?"
                " ORDER BY agent_id", (self.presence_id, now.presence_id))
        ]
        templates = sorted({tid for _id, tid, _status in self.revisions ^ now.revisions})
        events += [ChangeEvent("template", template_id=tid) for tid in templates]
        return events
