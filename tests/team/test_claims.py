"""Claiming on both backends: one holder at a time, who and since when, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from teamdata import NOW, make_team

from ozondesk.domain.roles import PermissionDenied
from ozondesk.errors import UserError
from ozondesk.services.changes import NOTHING, OpChanges
from ozondesk.services.claims import LIFETIME, ClaimHeld, ClaimService, require_claim
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Claim
from ozondesk.store.repos import presence as presence_repo


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_the_second_agent_sees_who_holds_it_and_since_when(db: Database) -> None:
    (wang, li), (cid, *_rest) = make_team(db)
    clock = Clock(NOW)
    claims = ClaimService(db, clock=clock)
    first = claims.claim(cid, wang)
    assert first.mine and first.holder is not None and first.holder.agent_name == "王芳"
    clock.at = NOW + timedelta(minutes=1)
    second = claims.claim(cid, li)
    assert not second.mine and second.held_by_other
    assert second.holder is not None
    assert (second.holder.agent_id, second.holder.claimed_at) == (wang, NOW)
    # Claiming again keeps the start time and renews the claim.
    again = claims.claim(cid, wang)
    assert again.holder is not None and again.holder.claimed_at == NOW
    assert again.holder.renewed_at == NOW + timedelta(minutes=1)


def test_a_claim_or_release_returns_exactly_what_it_changed(db: Database) -> None:
    """The one conversation, in place (no filter or sort key reads a claim); nothing when the
    holder stayed as it was."""
    (wang, li), (a, b, _c) = make_team(db)
    clock = Clock(NOW)
    claims = ClaimService(db, clock=clock)
    touched_a = OpChanges(conversations=frozenset({a}), membership=False)
    assert claims.claim(a, wang).changes == touched_a
    clock.at = NOW + timedelta(minutes=1)
    assert claims.claim(a, wang).changes == NOTHING  # renewed: the same holder
    assert claims.claim(a, li).changes == NOTHING  # refused: wang holds it
    assert claims.release(a, li).changes == NOTHING  # not li's to release
    assert claims.state(a, li).changes == NOTHING  # a read
    assert claims.release(a, wang).changes == touched_a
    assert claims.release(a, wang).changes == NOTHING  # already free
    # A stale claim taken over changes the holder.
    claims.claim(b, wang)
    clock.at = NOW + timedelta(minutes=1) + LIFETIME + timedelta(seconds=1)
    assert claims.claim(b, li).changes == OpChanges(conversations=frozenset({b}), membership=False)


def test_require_claim_names_the_holder_and_the_moscow_time(db: Database) -> None:
    (wang, li), (cid, *_rest) = make_team(db)
    ClaimService(db, clock=lambda: NOW).claim(cid, wang)
    with pytest.raises(ClaimHeld, match="王芳 has been answering this conversation since 14:05 MSK"):
        with db.begin() as s:
            require_claim(s, cid, li, NOW + timedelta(minutes=1))
    # The holder's own send goes through.
    with db.begin() as s:
        assert require_claim(s, cid, wang, NOW + timedelta(minutes=1)).agent_id == wang


def test_a_send_on_a_free_conversation_claims_it(db: Database) -> None:
    (wang, li), (cid, *_rest) = make_team(db)
    with db.begin() as s:
        require_claim(s, cid, li, NOW)
    state = ClaimService(db, clock=lambda: NOW).state(cid, wang)
    assert state.holder is not None and state.holder.agent_name == "李娜"


def test_release_frees_it_and_leaves_others_claims_alone(db: Database) -> None:
    (wang, li), (a, b, _c) = make_team(db)
    claims = ClaimService(db, clock=lambda: NOW)
    claims.claim(a, wang)
    claims.claim(b, li)
    assert claims.release(b, wang).holder is not None  # not wang's to release
    assert claims.release(a, wang).holder is None
    assert claims.claim(a, li).mine
    assert claims.mine(li) == [a, b]


def test_an_unrenewed_claim_expires_and_a_heartbeat_keeps_it(db: Database) -> None:
    (wang, li), (a, b, _c) = make_team(db)
    clock = Clock(NOW)
    claims = ClaimService(db, clock=clock)
    claims.claim(a, wang)
    claims.claim(b, wang)
    clock.at = NOW + LIFETIME - timedelta(seconds=1)
    assert claims.heartbeat(wang) == 2
    clock.at = NOW + LIFETIME + timedelta(seconds=30)
    assert claims.claim(a, li).held_by_other  # renewed 31 s ago: still wang's
    clock.at = NOW + 2 * LIFETIME + timedelta(seconds=1)
    assert claims.state(a, li).holder is None  # the desk went quiet
    taken = claims.claim(a, li)
    assert taken.mine and taken.holder is not None and taken.holder.claimed_at == clock.at
    assert claims.expire() == 1  # b, still wang's but stale
    with db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1


def test_going_offline_ends_the_desks_claims(db: Database) -> None:
    (wang, li), (a, b, _c) = make_team(db)
    claims = ClaimService(db, clock=lambda: NOW + timedelta(minutes=1))
    claims.claim(a, wang)
    claims.claim(b, li)
    with db.begin() as s:
        presence_repo.record(s, wang, "online", NOW)  # before the claim: no effect
        presence_repo.record(s, li, "online", NOW)
    assert claims.expire() == 0
    with db.begin() as s:
        presence_repo.record(s, wang, "offline", NOW + timedelta(minutes=2))
    assert claims.expire() == 1
    assert claims.state(a, li).holder is None
    assert claims.state(b, wang).holder is not None
    assert claims.release_all(li) == 1


def test_a_holder_who_went_offline_lets_the_next_claim_through(db: Database) -> None:
    (wang, li), (a, _b, _c) = make_team(db)
    ClaimService(db, clock=lambda: NOW).claim(a, wang)
    with db.begin() as s:
        presence_repo.record(s, wang, "offline", NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=2)  # well inside the claim's lifetime
    with db.begin() as s:
        assert require_claim(s, a, li, later).agent_id == li
    assert ClaimService(db, clock=lambda: later).state(a, wang).holder.agent_name == "李娜"  # type: ignore[union-attr]


def test_bad_ids_are_one_line_errors_that_change_nothing(db: Database) -> None:
    (wang, _li), (cid, *_rest) = make_team(db)
    claims = ClaimService(db, clock=lambda: NOW)
    with pytest.raises(UserError, match="conversation 9999 does not exist"):
        claims.claim(9999, wang)
    with pytest.raises(UserError, match="agent 9999 does not exist"):
        claims.claim(cid, 9999)
    with db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 0


def test_a_trainer_does_not_reply_so_cannot_claim(db: Database) -> None:
    (wang, _li), (cid, *_rest) = make_team(db)
    with db.begin() as s:
        s.get(Agent, wang).role = "trainer"  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied, match="only agents and team leads reply to buyers"):
        ClaimService(db, clock=lambda: NOW).claim(cid, wang)
    assert ClaimService(db, clock=lambda: NOW).state(cid, wang).holder is None
