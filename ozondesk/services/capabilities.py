"""Which Seller API methods each shop's plan allows, learnt from the answers, per method path.

Ozon answers a method the shop's subscription lacks with HTTP 403, code 7, «…not available
with existing subscription». ``CapabilityGate`` sits in the client (``OzonClient.gate``): it
records that refusal for the shop and method, makes later calls of the method fail at once
with ``NotInPlan`` (no request) until the refusal is a day old, and records every answer as
allowed. ``SyncReport.error`` turns ``NotInPlan`` into one ``skipped`` line per method, so any
sync stage, present or future, is covered by calling the client as usual.

``PLAN_KINDS`` names the kinds of work Settings shows per shop, with the plan each needs
according to the spec (Aug 2026 snapshot).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.i18n import N_, _
from ozondesk.ozon import errors as E
from ozondesk.store.db import Database
from ozondesk.store.repos import capabilities as repo

RECHECK = timedelta(days=1)


@dataclass(frozen=True)
class PlanKind:
    key: str
    label: str  # N_() marked; translate when shown
    method: str  # the path whose answer decides it
    needs: str | None  # the plan the spec names, N_() marked; None when it names none


PLAN_KINDS: tuple[PlanKind, ...] = (
    PlanKind("chats", N_("Buyer chat history"), "/v3/chat/history",
             N_("Premium Plus or Premium Pro")),
    PlanKind("replies", N_("Replies in buyer chats"), "/v1/chat/send/message",
             N_("Premium Plus or Premium Pro")),
    PlanKind("questions", N_("Product questions"), "/v1/question/list", N_("Premium Plus")),
    PlanKind("reviews", N_("Reviews"), "/v2/review/list",
             N_("the review-management subscription or Premium Pro")),
    PlanKind("return_requests", N_("rFBS return requests"), "/v2/returns/rfbs/list", None),
    PlanKind("cancellations", N_("Conditional cancellations"),
             "/v2/conditional-cancellation/list", None),
)
_NEEDS = {k.method: k.needs for k in PLAN_KINDS if k.needs}


def is_plan_refusal(err: E.OzonError) -> bool:
    """403 code 7 naming the subscription: the plan, not the key's role or an unsigned offer."""
    low = err.message.lower()
    return err.status == 403 and ("subscription" in low or "premium" in low)


def not_in_plan_reason(method: str, until: datetime) -> str:
    """The one ``skipped`` line's reason for a method the plan lacks."""
    needs = _NEEDS.get(method)
    when = to_msk(until).strftime("%d.%m %H:%M")
    if needs:
        return _(
            "not in this shop's Ozon plan (needs {plan}); checked again after {when} MSK"
        ).format(plan=_(needs), when=when)
    return _("not in this shop's Ozon plan; checked again after {when} MSK").format(when=when)


class CapabilityGate:
    """One shop's plan knowledge for one client (``ozondesk.ozon.client.PlanGate``).

    Thread-safe: the sync fetches histories from several threads. Writes only when what is
    known changes (or a denial is re-checked), so a sync's thousands of calls cost no writes.
    """

    def __init__(
        self, db: Database, shop_id: int, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.shop_id = shop_id
        self.clock = clock
        self._lock = threading.Lock()
        with db.begin() as session:
            self._known = repo.for_shop(session, shop_id)

    def check(self, path: str) -> None:
        with self._lock:
            cap = self._known.get(path)
        if cap is None or cap.allowed:
            return
        until = cap.checked_at + RECHECK
        if self.clock() < until:
            raise E.NotInPlan(
                cap.message or "not available with existing subscription",
                path=path,
                until=until,
                fresh=False,
            )

    def refused(self, path: str, err: E.SubscriptionRequired) -> E.OzonError:
        if not is_plan_refusal(err):
            return err
        now = self.clock()
        self._store(path, False, err.message, now)
        return E.NotInPlan(err.message, path=path, until=now + RECHECK, fresh=True)

    def allowed(self, path: str) -> None:
        with self._lock:
            cap = self._known.get(path)
        if cap is not None and cap.allowed:
            return
        self._store(path, True, None, self.clock())

    def _store(self, path: str, allowed: bool, message: str | None, now: datetime) -> None:
        with self._lock:
            self._known[path] = repo.Capability(path, allowed, message, now)
        with self.db.begin() as session:
            repo.record(session, self.shop_id, path, allowed, message, now)


@dataclass(frozen=True)
class KindState:
    """One row of Settings' plan list: ``state`` is "allowed", "denied" or "unknown"."""

    label: str  # translated
    state: str
    needs: str | None  # translated
    checked_at: datetime | None


def plan_summary(db: Database, shop: str) -> list[KindState]:
    """What ``shop``'s plan allows, kind by kind, as the last sync found it."""
    with db.begin() as session:
        shop_id = repo.shop_id(session, shop)
        known = repo.for_shop(session, shop_id) if shop_id is not None else {}
    out = []
    for kind in PLAN_KINDS:
        cap = known.get(kind.method)
        state = "unknown" if cap is None else "allowed" if cap.allowed else "denied"
        out.append(
            KindState(
                _(kind.label),
                state,
                _(kind.needs) if kind.needs else None,
                cap.checked_at if cap else None,
            )
        )
    return out
