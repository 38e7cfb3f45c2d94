"""Database.transact: a unit of work runs again only when running it again can help."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from teamdata import NOW, make_team

from ozondesk.domain.clock import to_storage
from ozondesk.store.db import Database
from ozondesk.store.models import Claim


def test_a_bug_or_a_constraint_is_raised_at_once_and_rolled_back(db: Database) -> None:
    (wang, _li), (cid, *_rest) = make_team(db)
    runs = []

    def work(s: object) -> None:
        runs.append(1)
        for _ in range(2):  # the same conversation twice: the primary key says no
            s.add(Claim(conversation_id=cid, agent_id=wang, claimed_at=to_storage(NOW),  # type: ignore[attr-defined]
                        renewed_at=to_storage(NOW)))
            s.flush()  # type: ignore[attr-defined]

    with pytest.raises(IntegrityError):
        db.transact(work)
    assert runs == [1]
    with db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 0

