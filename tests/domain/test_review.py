from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.review import ReviewError, RevisionView, check, effective_at, live_revision
from ozondesk.domain.roles import PermissionDenied


def msk(*args: int) -> datetime:
    return MOSCOW.localize(datetime(*args)).astimezone(UTC)


@pytest.mark.parametrize(
    ("submitted", "effective"),
    [
        (msk(2026, 11, 23, 15, 0), msk(2026, 11, 26, 15, 0)),  # Mon → Thu
        (msk(2026, 11, 27, 10, 0), msk(2026, 12, 2, 10, 0)),  # Fri → Wed, weekend skipped
        (
            msk(2025, 10, 30, 12, 0),
            msk(2025, 11, 5, 12, 0),
        ),  # working Sat 1 Nov counts; 3–4 Nov off
        (msk(2025, 12, 29, 12, 0), msk(2026, 1, 13, 12, 0)),  # New Year break
    ],
)
def test_effective_three_working_days_after_submission(
    submitted: datetime, effective: datetime
) -> None:
    assert effective_at(submitted) == effective


def test_only_leads_approve_or_reject() -> None:
    for role in ("agent", "trainer"):
        with pytest.raises(PermissionDenied, match="only a team lead"):
            check("approve", "submitted", role)
        with pytest.raises(PermissionDenied, match="only a team lead"):
            check("reject", "submitted", role)
    check("approve", "submitted", "lead")
    check("reject", "submitted", "lead")


@pytest.mark.parametrize("role", ["agent", "lead", "trainer"])
def test_every_role_may_edit_and_submit(role: str) -> None:
    check("edit", "approved", role)
    check("submit", "draft", role)


def test_an_unknown_role_is_refused_before_the_state_is_looked_at() -> None:
    with pytest.raises(PermissionDenied, match="unknown role 'admin'"):
        check("submit", "approved", "admin")


def test_state_machine() -> None:
    check("submit", "draft", "agent")
    for state in ("submitted", "approved", "rejected"):
        with pytest.raises(ReviewError, match="only a draft"):
            check("submit", state, "agent")  # type: ignore[arg-type]
    with pytest.raises(ReviewError, match="only a submitted"):
        check("approve", "draft", "lead")


def test_old_revision_stays_live_until_the_new_one_takes_effect() -> None:
    old = RevisionView(1, "approved", msk(2026, 11, 1, 9, 0))
    new = RevisionView(2, "approved", msk(2026, 11, 26, 15, 0))
    assert live_revision([old, new], msk(2026, 11, 26, 14, 59)) == old
    assert live_revision([old, new], msk(2026, 11, 26, 15, 0)) == new
    assert live_revision([RevisionView(1, "submitted", None)], msk(2026, 12, 1, 0, 0)) is None
