"""Live updates reach another desk: NOTIFY on PostgreSQL, the data_version poll on SQLite,
with the same events from both."""

from __future__ import annotations

import queue
from datetime import timedelta

from sqlalchemy import text
from teamdata import NOW, make_team

from ozondesk.domain.clock import to_storage
from ozondesk.services.claims import ClaimService
from ozondesk.services.live import ChangeEvent, LiveFeed
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Message, ReplyTemplate, TemplateRevision
from ozondesk.store.notify import parse_payload
from ozondesk.store.repos import presence

WAIT = 10.0  # generous: delivery is asserted here, its latency is measured in bench/bench_team.py


def next_event(events: queue.Queue[ChangeEvent], kinds: set[str]) -> ChangeEvent:
    while True:
        event = events.get(timeout=WAIT)
        if event.kind in kinds:
            return event


def test_a_message_written_by_one_desk_reaches_another(db: Database, db_url: object) -> None:
    _agents, (cid, *_rest) = make_team(db)
    events: queue.Queue[ChangeEvent] = queue.Queue()
    feed = LiveFeed(db, events.put)
    feed.start()
    other = open_database(db_url)  # type: ignore[arg-type]
    try:
        assert feed.wait_ready()
        with other.begin() as s:
            s.add(Message(conversation_id=cid, side="buyer", text="Ау?", created_at=to_storage(NOW)))
        assert next_event(events, {"message"}) == ChangeEvent("message", conversation_id=cid)
    finally:
        feed.stop()
        other.dispose()


def test_a_payload_from_a_newer_version_is_ignored() -> None:
    assert parse_payload('{"kind": "message", "conversation_id": 7}') == ChangeEvent("message", 7)
    assert parse_payload('{"kind": "teleport"}') is None
    assert parse_payload("not json") is None
    assert parse_payload('{"kind": "claim", "conversation_id": "7"}') == ChangeEvent("claim")


def test_claims_presence_and_approvals_are_announced_and_rollbacks_are_not(db: Database) -> None:
    (wang, li), (cid, *_rest) = make_team(db)
    events: queue.Queue[ChangeEvent] = queue.Queue()
    feed = LiveFeed(db, events.put)
    feed.start()
    try:
        assert feed.wait_ready()
        try:
            with db.begin() as s:
                s.add(Message(conversation_id=cid, side="buyer", text="x", created_at=to_storage(NOW)))
                s.flush()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        ClaimService(db, clock=lambda: NOW).claim(cid, li)
        assert next_event(events, {"message", "claim"}) == ChangeEvent("claim", cid, li)
        ClaimService(db, clock=lambda: NOW + timedelta(seconds=30)).heartbeat(li)  # silent
        with db.begin() as s:  # a draft's autosave, say: nothing a desk reloads for
            s.execute(text("UPDATE conversations SET unread_count = 0"))
        with db.begin() as s:
            presence.record(s, wang, "online", NOW)
        assert next_event(events, {"claim", "presence"}) == ChangeEvent("presence", agent_id=wang)
        with db.begin() as s:
            template = ReplyTemplate(slug="eta", category="order-status", created_at=to_storage(NOW))
            s.add(template)
            s.flush()
            rev = TemplateRevision(template_id=template.id, number=1, title="t", body="b",
                                   status="submitted", created_at=to_storage(NOW))
            s.add(rev)
        assert next_event(events, {"template"}) == ChangeEvent("template", template_id=template.id)
        with db.begin() as s:
            s.get(TemplateRevision, rev.id).status = "approved"  # type: ignore[union-attr]
        assert next_event(events, {"template"}) == ChangeEvent("template", template_id=template.id)
        ClaimService(db, clock=lambda: NOW).release(cid, li)
        assert events.get(timeout=WAIT) == ChangeEvent("claim", cid, li)  # nothing in between
    finally:
        feed.stop()
