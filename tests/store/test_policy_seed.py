"""Default policies added in a later version reach older databases, without touching edits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select

from ozondesk.domain.policies import DEFAULT_POLICIES, SlaPolicy
from ozondesk.store.db import open_database
from ozondesk.store.models import SlaPolicyRevision
from ozondesk.store.repos.policies import current_policies, save_policy
from ozondesk.store.seed import EPOCH, ensure_defaults


def test_a_database_without_the_new_policies_gets_them_and_keeps_a_leads_edit(
    tmp_path: Path,
) -> None:
    db = open_database(str(tmp_path / "desk.sqlite"))
    try:
        with db.begin() as session:
            # As a database from before the decision kinds: their policies are not there.
            session.execute(
                delete(SlaPolicyRevision).where(
                    SlaPolicyRevision.name.in_(["return-request", "cancellation-request"])
                )
            )
            edited = SlaPolicy(
                name="chat-first-response",
                title="Chat: first response",
                budget=timedelta(minutes=10),
                calendar=DEFAULT_POLICIES["chat-first-response"].calendar,
            )
            save_policy(session, edited, EPOCH + timedelta(days=1))
        ensure_defaults(db)
        ensure_defaults(db)
        with db.read() as session:
            policies = current_policies(session)
            names = session.scalars(select(SlaPolicyRevision.name)).all()
        assert policies["return-request"].budget == timedelta(hours=24)
        assert policies["cancellation-request"].budget == timedelta(hours=24)
        assert policies["chat-first-response"].budget == timedelta(minutes=10)
        assert sorted(names).count("return-request") == 1
        assert len(names) == len(DEFAULT_POLICIES) + 1
    finally:
        db.dispose()
