"""Template review rules: who may do what to a revision, and when an approval takes effect.

draft → submitted → approved | rejected. Only leads approve or reject. A change
takes effect 3 working days (Russian production calendar) after submission; the
previously approved revision stays live until then.

Who may act is decided in one place, :mod:`ozondesk.domain.roles`; this module adds
which states each action applies to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ozondesk.domain import roles
from ozondesk.domain.calendar import BusinessCalendar
from ozondesk.domain.clock import MOSCOW, as_utc
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

State = Literal["draft", "submitted", "approved", "rejected"]
STATES: tuple[State, ...] = ("draft", "submitted", "approved", "rejected")
Role = roles.Role
Action = Literal["edit", "submit", "approve", "reject"]

EFFECT_DELAY_WORKING_DAYS = 3
_WORKDAY = ((9 * 60, 18 * 60),)
PRODUCTION_CALENDAR = BusinessCalendar(
    name="production",
    weekly=(_WORKDAY,) * 5 + ((), ()),
    production_calendar=True,
)

_ALLOWED: dict[Action, tuple[tuple[State, ...], roles.Permission]] = {
    "edit": (("draft", "submitted", "rejected", "approved"), "template.edit"),
    "submit": (("draft",), "template.edit"),
    "approve": (("submitted",), "template.review"),
    "reject": (("submitted",), "template.review"),
}


STATE_NAMES: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
}


def state_name(state: str) -> str:
    """The state in the interface language; an unknown one as stored."""
    return _(STATE_NAMES[state]) if state in STATE_NAMES else state


class ReviewError(UserError):
    """A review step that the rules don't allow; the message says why."""


@dataclass(frozen=True)
class RevisionView:
    """What the rules need to know of a revision."""

    number: int
    state: State
    effective_at: datetime | None = None


_REFUSALS: dict[Action, str] = {
    "edit": N_("a {state} revision cannot be edited; edit the template to start a new revision"),
    "submit": N_("this revision is {state}; only a draft can be submitted"),
    "approve": N_("this revision is {state}; only a submitted one can be approved"),
    "reject": N_("this revision is {state}; only a submitted one can be rejected"),
}


def permission(action: Action) -> roles.Permission:
    return _ALLOWED[action][1]


def as_state(value: str) -> State:
    """A revision state read back from storage (the column holds only these)."""
    for state in STATES:
        if value == state:
            return state
    raise ValueError(f"unknown revision state {value!r}")


def check(action: Action, state: State, role: str) -> None:
    """Refuse with :class:`roles.PermissionDenied` for the role, :class:`ReviewError` for the state."""
    states, needed = _ALLOWED[action]
    roles.require(role, needed)
    if state not in states:
        raise ReviewError(_(_REFUSALS[action]).format(state=state_name(state)))


def effective_at(
    submitted_at: datetime, calendar: BusinessCalendar = PRODUCTION_CALENDAR
) -> datetime:
    """Same Moscow wall-clock time, ``EFFECT_DELAY_WORKING_DAYS`` working days after submission."""
    local = as_utc(submitted_at).astimezone(MOSCOW)
    day = calendar.add_working_days(local.date(), EFFECT_DELAY_WORKING_DAYS)
    naive = local.replace(tzinfo=None) + timedelta(days=(day - local.date()).days)
    return MOSCOW.localize(naive).astimezone(as_utc(submitted_at).tzinfo)


def live_revision(revisions: Sequence[RevisionView], now: datetime) -> RevisionView | None:
    """The approved revision in force at ``now``: the newest whose effective time has come."""
    now = as_utc(now)
    live = None
    for revision in sorted(revisions, key=lambda r: r.number):
        if revision.state == "approved" and revision.effective_at is not None:
            if as_utc(revision.effective_at) <= now:
                live = revision
    return live


def pending_revision(revisions: Sequence[RevisionView]) -> RevisionView | None:
    """At most one revision per template is in work (draft or submitted) at a time."""
    for revision in revisions:
        if revision.state in ("draft", "submitted"):
            return revision
    return None
