"""The sync stage for what the seller must decide on: rFBS return requests and conditional
cancellations, brought in as conversations of kind ``return_request`` and ``cancellation``.

Returns: the list (``/v2/returns/rfbs/list``, every request, paged by ``last_id``) says each
request's state; only a request that is new or whose state moved is read again with
``/v2/returns/rfbs/get`` for the actions it offers now. Cancellations: the list holds all
(``/v2/conditional-cancellation/list``). So a second sync right after the first creates and
reads nothing more than the two lists.

The client's refusal for want of a subscription (``SubscriptionRequired``, HTTP 403 code 7)
is let through as it is: the caller decides whether that is a skip for this shop's plan.
Other failures of one request are noted and the others go on; the posting a request names is
queued for the postings stage when the desk does not know it yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ozondesk.domain.policies import SlaPolicy
from ozondesk.ozon import cancellations as ozon_cancellations
from ozondesk.ozon import errors as E
from ozondesk.ozon import rfbs_returns
from ozondesk.ozon.client import OzonClient
from ozondesk.store.db import Database
from ozondesk.store.repos import decisions as repo
from ozondesk.store.repos import sync as sync_repo

log = logging.getLogger("ozondesk.sync")

RETURN_KEY = "return_requests"
CANCEL_KEY = "cancellations"
KINDS = (RETURN_KEY, CANCEL_KEY)
STAGE_METHODS = {
    RETURN_KEY: rfbs_returns.LIST_PATH,
    CANCEL_KEY: ozon_cancellations.LIST_PATH,
}
MAX_PAGES = 1000  # a guard against a list that never ends


@dataclass
class StageResult:
    created: int = 0
    updated: int = 0


def return_facts(
    summary: rfbs_returns.RfbsReturnSummary, detail: rfbs_returns.RfbsReturnDetail | None
) -> repo.RequestFacts:
    actions = detail.available_actions if detail is not None else ()
    return repo.RequestFacts(
        kind="return_request",
        platform_id=summary.return_id,
        number=summary.return_number or None,
        posting_number=summary.posting_number,
        order_number=summary.order_number,
        state=summary.state,
        state_name=summary.state_name,
        awaiting=bool(actions),
        reason=detail.reason if detail is not None else None,
        buyer_comment=detail.comment if detail is not None else "",
        sku=summary.product.sku,
        offer_id=summary.product.offer_id or None,
        product_name=summary.product.name or None,
        amount=summary.product.price,
        currency=summary.product.currency,
        is_defect=detail.reason_is_defect if detail is not None else False,
        photos=detail.photos if detail is not None else (),
        actions=tuple({"id": a.id, "name": a.name} for a in actions),
        rejection_reasons=tuple(
            {"id": r.id, "name": r.name, "hint": r.hint, "comment_required": r.comment_required}
            for r in (detail.rejection_reasons if detail is not None else ())
        ),
        requested_at=summary.created_at,
        decision_comment=detail.rejection_comment if detail is not None else None,
    )


def cancellation_facts(c: ozon_cancellations.Cancellation) -> repo.RequestFacts:
    awaiting = c.awaiting_decision
    return repo.RequestFacts(
        kind="cancellation",
        platform_id=c.cancellation_id,
        posting_number=c.posting_number,
        state=c.state,
        state_name=c.state_name,
        awaiting=awaiting,
        reason=c.reason,
        buyer_comment=c.reason_message,
        initiator=c.initiator,
        # What the API offers for a request ON_APPROVAL: approve or reject (the spec's methods).
        actions=(
            ({"id": "approve", "name": "approve"}, {"id": "reject", "name": "reject"})
            if awaiting
            else ()
        ),
        requested_at=c.created_at,
        auto_decision_at=c.auto_approve_at,
        decided_at=c.decided_at,
        decision_comment=c.decision_comment,
    )


class DecisionStage:
    """Runs on a sync's thread; ``note_error(where, exc)`` is the sync report's error list."""

    def __init__(
        self,
        db: Database,
        client: OzonClient,
        shop_id: int,
        policies: dict[str, SlaPolicy],
        clock: Callable[[], datetime],
        note_error: Callable[[str, BaseException], object],
    ) -> None:
        self.db = db
        self.client = client
        self.shop_id = shop_id
        self.policies = policies
        self.clock = clock
        self.note_error = note_error

    def returns(self) -> StageResult:
        result = StageResult()
        with self.db.read() as session:
            known = repo.known_states(session, self.shop_id, "return_request")
        last_id = 0
        for _page in range(MAX_PAGES):
            page = rfbs_returns.rfbs_list(self.client, last_id)
            for bad in page.errors:
                self.note_error(rfbs_returns.LIST_PATH, bad)
            facts = []
            for summary in page.returns:
                if known.get(summary.return_id) == summary.state:
                    continue  # unchanged since the last sync: no need to read it again
                try:
                    detail = rfbs_returns.rfbs_get(self.client, summary.return_id)
                except E.SubscriptionRequired:
                    raise
                except E.OzonError as exc:
                    self.note_error(rfbs_returns.GET_PATH, exc)
                    continue
                facts.append(return_facts(summary, detail))
            self._store(facts, result)
            if page.last_id is None or len(page.returns) < rfbs_returns.LIST_MAX:
                break
            last_id = page.last_id
        return result

    def cancellations(self) -> StageResult:
        result = StageResult()
        last_id = 0
        for _page in range(MAX_PAGES):
            page = ozon_cancellations.cancellation_list(self.client, last_id)
            for bad in page.errors:
                self.note_error(ozon_cancellations.LIST_PATH, bad)
            self._store([cancellation_facts(c) for c in page.cancellations], result)
            if not page.cancellations or not page.last_id or page.last_id == last_id:
                break
            last_id = page.last_id
        return result

    def _store(self, facts: list[repo.RequestFacts], result: StageResult) -> None:
        if not facts:
            return
        now = self.clock()
        # The page's conversations and postings read at once, its new conversations inserted
        # together, and no flush before each look-up: a flush per request cost more than
        # storing it. A request met twice on a page has its first time's rows flushed first.
        with self.db.begin() as session, session.no_autoflush:
            page = repo.read_page(session, self.shop_id, facts, now)
            seen: set[tuple[str, int]] = set()
            orders: list[str] = []
            for f in facts:
                if (f.kind, f.platform_id) in seen:
                    session.flush()
                seen.add((f.kind, f.platform_id))
                outcome = repo.upsert_request(session, self.shop_id, f, self.policies, now, page)
                if outcome == "created":
                    result.created += 1
                elif outcome == "updated":
                    result.updated += 1
                # The postings stage fetches a posting the desk does not know yet.
                order = f.order_number or repo.order_of(f.posting_number)
                if order and f.posting_number not in page.postings:
                    orders.append(order)
            sync_repo.add_pending(session, self.shop_id, "postings", orders, now)
