"""One sync of a shop, in four stages: chats, then the postings, returns and products they name.

Runs on any thread but the GUI's. Chats go page by page (100 chats): histories of the changed
chats are fetched a few at a time, then the page is written in one transaction together with
the work it creates, the orders and SKUs its messages name, recorded in ``sync_pending``. So a
chat cursor never moves past work that isn't written down. The later stages work through that
list in batches; each batch's results are stored and its items cleared in one transaction, and
an item whose fetch failed stays for the next sync, which tries it again and reports it (in
``errors`` when its call fails, in ``skipped`` while it waits) until it succeeds.

Cancelling stops between pages and batches; whatever was stored stays, and the next sync goes on
from there: unchanged chats are not read again (a chat whose newest message id equals its
stored cursor is skipped) and pending items are taken up where they were left. Local state
(assignee, status after creation, drafts, the outbox) is never written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ozondesk.domain.clock import utcnow
from ozondesk.i18n import _, ngettext
from ozondesk.ozon import chat_types
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import ORDER_FILTER_MAX, PRODUCTS_MAX, OzonClient
from ozondesk.ozon.records import ChatMessage, ChatSummary, PostingInfo
from ozondesk.services.capabilities import CapabilityGate, not_in_plan_reason
from ozondesk.services.credentials import redact, register_secret
from ozondesk.services.sync_decisions import STAGE_METHODS as DECISION_METHODS
from ozondesk.services.sync_decisions import DecisionStage
from ozondesk.services.sync_feedback import FEEDBACK_STAGES, FeedbackSync
from ozondesk.services.sync_feedback import STAGE_METHODS as FEEDBACK_METHODS
from ozondesk.settings import options
from ozondesk.settings.team import TeamSettings
from ozondesk.store.db import Database
from ozondesk.store.locks import desk_lock
from ozondesk.store.repos import sync as repo
from ozondesk.store.repos.policies import current_policies
from ozondesk.store.repos.ticket_sync import upsert_platform_chat

log = logging.getLogger("ozondesk.sync")

# The ``created``/``updated`` keys of ``ozondesk sync``'s JSON: all nine always present.
KINDS = (
    "chats",
    "messages",
    "postings",
    "returns",
    "products",
    "questions",
    "reviews",
    "return_requests",
    "cancellations",
)
STAGES = ("chats", "questions", "reviews", "postings", "returns", "products")
DEPENDENT = ("postings", "returns", "products")
# What each stage calls, as the ``method`` of a ``skipped`` entry.
STAGE_METHODS = {
    "chats": "/v3/chat/list",
    "postings": "/v4/posting/fbs/list, /v3/posting/fbo/list",
    "returns": "/v1/returns/list",
    "products": "/v3/product/info/list",
    **FEEDBACK_METHODS,
}
BATCH = {"postings": ORDER_FILTER_MAX, "returns": ORDER_FILTER_MAX, "products": PRODUCTS_MAX}
DEFAULT_POLL_SECONDS = options.POLL_INTERVAL.default
T = TypeVar("T")


@dataclass
class SyncIssue:
    where: str
    message: str
    what_to_do: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message, "what_to_do": self.what_to_do}


@dataclass
class SyncSkip:
    """Work this run did not do, with why; the next sync does it."""

    method: str
    reason: str
    # For the sync log; the JSON contract carries only method and reason.
    what_to_do: str | None = None
    # Already reported by an earlier round (a plan refusal before its daily re-check): the
    # sync log shows it once, not every round.
    repeat: bool = False

    def to_dict(self) -> dict[str, str]:
        return {"method": self.method, "reason": self.reason}


@dataclass
class SyncReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    errors: list[SyncIssue] = field(default_factory=list)
    skipped: list[SyncSkip] = field(default_factory=list)
    # Items still owed per stage after the run (stages with none left out).
    pending: dict[str, int] = field(default_factory=dict)
    chats_seen: int = 0
    requests: int = 0
    aborted: bool = False
    cancelled: bool = False
    locked_out: bool = False  # another desk of the team was syncing this shop

    def count(self, kind: str, outcome: str | None, n: int = 1) -> None:
        if outcome == "created":
            self.created[kind] += n
        elif outcome == "updated":
            self.updated[kind] += n

    def error(self, where: str, exc: BaseException) -> str:
        """Note a failure; returns its text, redacted (the platform may echo the key back).

        A method the shop's plan lacks is no failure: it becomes one ``skipped`` line per method.
        """
        if isinstance(exc, E.NotInPlan):
            return self.not_in_plan(exc)
        hint = getattr(exc, "hint", _("report this problem"))
        message = redact(str(exc))
        self.errors.append(SyncIssue(where, message, hint))
        log.warning("sync: %s: %s", where, message)
        return message

    def not_in_plan(self, exc: E.NotInPlan) -> str:
        reason = not_in_plan_reason(exc.path, exc.until)
        if not any(s.method == exc.path for s in self.skipped):
            what = _("a plan that includes it can be chosen in the seller cabinet; until then "
                     "OzonDesk asks Ozon once a day")
            self.skipped.append(SyncSkip(exc.path, reason, what, repeat=not exc.fresh))
            log.info("sync: %s skipped: %s", exc.path, reason)
        return reason

    def to_json(self) -> dict[str, Any]:
        skipped = [s.to_dict() for s in self.skipped]
        if self.locked_out:
            skipped.insert(0, SyncSkip("sync", _("another desk of the team is syncing this shop now; its changes arrive here as live updates")).to_dict())
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "errors": [e.to_dict() for e in self.errors],
            "skipped": skipped,
        }


@dataclass(frozen=True)
class Progress:
    """Where a sync is: ``done`` of ``total`` items of ``stage`` (one of ``STAGES``).

    ``total`` is None when it is not known up front: the chat list gives no total count.
    Sent at each stage's start and end and after every page or batch.
    """

    stage: str
    done: int
    total: int | None
    message: str
    chats_checked: int = field(default=0, kw_only=True)

    @property
    def chats_done(self) -> int:
        """Chats checked so far (for callers from before the stages)."""
        return self.done if self.stage == "chats" else self.chats_checked


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# Errors that no amount of retrying fixes: stop the sync and tell the agent.
FATAL = (E.AuthError, E.PermissionDenied, E.SubscriptionRequired, E.ObsoleteMethod)


class _StopStage(Exception):
    """A dependent stage's call keeps failing: leave its remaining items for the next sync."""


class _Offline(Exception):
    """Ozon cannot be reached: no later stage can do better."""


def _stage_message(stage: str, done: int, total: int | None, chats: int) -> str:
    if stage == "chats":
        return _("{n} chats checked").format(n=chats)
    if stage == "questions":
        return _("product questions: {done} checked").format(done=done)
    if stage == "reviews":
        return _("reviews: {done} checked").format(done=done)
    if stage == "postings":
        return _("postings: {done} of {total} orders").format(done=done, total=total)
    if stage == "returns":
        return _("returns: {done} of {total} postings").format(done=done, total=total)
    return _("products: {done} of {total}").format(done=done, total=total)


def _left_reason(stage: str, n: int, why: str) -> str:
    if stage == "postings":
        text = ngettext(
            "{n} order not fetched yet ({why}); the next sync tries again",
            "{n} orders not fetched yet ({why}); the next sync tries again",
            n,
        )
    elif stage == "returns":
        text = ngettext(
            "returns of {n} posting not fetched yet ({why}); the next sync tries again",
            "returns of {n} postings not fetched yet ({why}); the next sync tries again",
            n,
        )
    else:
        text = ngettext(
            "{n} product not fetched yet ({why}); the next sync tries again",
            "{n} products not fetched yet ({why}); the next sync tries again",
            n,
        )
    return text.format(n=n, why=why)


def _pause_reason(next_try: datetime | None, now: datetime) -> str:
    if next_try is None:
        return _("its call failed, see errors")
    minutes = max(1, -(-int((next_try - now).total_seconds()) // 60))
    return ngettext(
        "its call kept failing; next try in {n} minute",
        "its call kept failing; next try in {n} minutes",
        minutes,
    ).format(n=minutes)


class SyncService:
    def __init__(
        self,
        db: Database,
        client: OzonClient,
        shop: str,
        *,
        workers: int = 8,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.client = client
        self.shop = shop
        self.workers = workers
        self.progress = progress or (lambda p: None)
        self.cancel = cancel or threading.Event()
        self.clock = clock
        # Whatever an error message echoes back, the key never reaches the report or the log.
        register_secret(client.api_key)
        with db.begin() as session:
            self.shop_id = repo.ensure_shop(session, shop, client.client_id, clock())
            self.policies = current_policies(session)
        # Methods the shop's plan lacks are skipped without a call until the daily re-check.
        client.gate = CapabilityGate(db, self.shop_id, clock)
        self._chats = 0

    def run(self, *, unread_only: bool = False) -> SyncReport:
        """One sync round; on a team database only one desk syncs a shop at a time, and the
        others' rounds return at once with ``locked_out`` (the changes reach them as live updates)."""
        with desk_lock(self.db, f"ozon-sync:{self.shop_id}") as mine:
            if not mine:
                return SyncReport(locked_out=True)
            return self._run(unread_only)

    def pending(self) -> dict[str, int]:
        """Items the next sync owes, per stage: what an interrupted or failed sync left."""
        with self.db.begin() as session:
            return repo.pending_counts(session, self.shop_id)

    def _emit(self, stage: str, done: int, total: int | None) -> None:
        self.progress(
            Progress(
                stage,
                done,
                total,
                _stage_message(stage, done, total, self._chats),
                chats_checked=self._chats,
            )
        )

    def _run(self, unread_only: bool) -> SyncReport:
        report = SyncReport()
        start = self.client.requests
        self._chats = 0
        # Why a dependent stage left items behind, for the ``skipped`` list.
        why: dict[str, str] = {}
        stop: str | None = None
        try:
            self._chat_stage(unread_only, report)
        except E.NotInPlan as exc:
            report.not_in_plan(exc)
        except E.OzonError as exc:
            # Refused (FATAL), or still failing after the client's retries: offline, or Ozon is down.
            report.aborted = True
            report.error(exc.path or _("sync"), exc)
            stop = _("the chat list could not be read")
        for stage in FEEDBACK_STAGES:
            if stop is None and self.cancel.is_set():
                stop = _("the sync was cancelled")
            if stop is None:
                stop = self._feedback_stage(stage, report, recent_only=unread_only)
        if stop is None and not self.cancel.is_set():
            # Before the postings stage: the postings these requests name are fetched with the chats'.
            self._decision_stages(report)
        denied: set[str] = set()
        for stage in DEPENDENT:
            if stop is None and self.cancel.is_set():
                stop = _("the sync was cancelled")
            if stop is not None:
                why[stage] = stop
                continue
            try:
                if not self._dependent_stage(stage, report):
                    why[stage] = _("its call failed, see errors")
            except _Offline:
                report.aborted = True
                why[stage] = _("Ozon could not be reached")
                stop = why[stage]
            except E.NotInPlan as exc:
                report.not_in_plan(exc)  # its one line says it all; items wait for the plan
                denied.add(stage)
        report.cancelled = self.cancel.is_set()
        report.pending = self.pending()
        now = self.clock()
        with self.db.read() as session:
            pausing = repo.next_tries(session, self.shop_id, now)
        for stage in DEPENDENT:
            n = report.pending.get(stage, 0)
            if n and stage not in denied:
                reason = why.get(stage) or _pause_reason(pausing.get(stage), now)
                report.skipped.append(SyncSkip(STAGE_METHODS[stage], _left_reason(stage, n, reason)))
        report.requests = self.client.requests - start
        return report

    # -- product questions and reviews (ozondesk.services.sync_feedback) ----------------------

    def _feedback_stage(self, stage: str, report: SyncReport, *, recent_only: bool) -> str | None:
        """Run one of FEEDBACK_STAGES; the reason later stages cannot run, or None."""
        feedback = FeedbackSync(
            self.db, self.client, self.shop_id, self.policies, clock=self.clock,
            cancel=self.cancel, emit=self._emit, workers=self.workers,
        )
        try:
            feedback.run(stage, report, recent_only=recent_only)
        except E.NotInPlan as exc:
            report.not_in_plan(exc)  # the shop's plan lacks it: one line, asked again daily
        except E.ConnectionFailed as exc:
            report.aborted = True
            report.error(exc.path or stage, exc)
            report.skipped.append(SyncSkip(FEEDBACK_METHODS[stage], _("Ozon could not be reached")))
            return _("Ozon could not be reached")
        except E.OzonError as exc:
            report.error(exc.path or stage, exc)
            report.skipped.append(SyncSkip(
                FEEDBACK_METHODS[stage], _("not fetched (its call failed, see errors); the next sync tries again")
            ))
        return None

    # -- chats ---------------------------------------------------------------------------------

    def _chat_stage(self, unread_only: bool, report: SyncReport) -> None:
        cursor: str | None = None
        self._emit("chats", 0, None)
        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="ozon-history") as pool:
                while not self.cancel.is_set():
                    page = self.client.chat_list(cursor, unread_only=unread_only)
                    for bad in page.errors:
                        report.error(_("chat list"), bad)
                    # Buyer chats, the seller's tickets and the platform's notifications (#14).
                    wanted = [c for c in page.chats if chat_types.role(c.chat_type) != "other"]
                    self._page(pool, wanted, report)
                    report.chats_seen += len(page.chats)
                    self._chats = report.chats_seen
                    self._emit("chats", self._chats, None)
                    if not page.has_next or not page.cursor or page.cursor == cursor:
                        break
                    cursor = page.cursor
        finally:
            self._emit("chats", self._chats, None)

    def _history(
        self, chat: ChatSummary, after: int | None
    ) -> tuple[list[ChatMessage], list[E.RecordError]]:
        return self.client.history_since(chat.chat_id, after)

    def _page(self, pool: ThreadPoolExecutor, chats: list[ChatSummary], report: SyncReport) -> None:
        if not chats:
            return
        keys = [f"chat:{c.chat_id}" for c in chats]
        with self.db.begin() as session:
            known = repo.cursors(session, self.shop_id, keys)
        changed = [
            c
            for c in chats
            if c.last_message_id is None or known.get(f"chat:{c.chat_id}") != str(c.last_message_id)
        ]
        unchanged_unread = [c for c in chats if c not in changed]
        after = {
            c.chat_id: int(known[f"chat:{c.chat_id}"]) if f"chat:{c.chat_id}" in known else None
            for c in changed
        }
        futures = {c.chat_id: pool.submit(self._history, c, after[c.chat_id]) for c in changed}
        fetched: list[tuple[ChatSummary, list[ChatMessage], bool]] = []
        for chat in changed:
            try:
                messages, bad = futures[chat.chat_id].result()
            except (*FATAL, E.CircuitOpen):
                # The rest of the page would be refused the same way: one line, not one a chat.
                raise
            except E.OzonError as exc:
                report.error(_("chat {chat}").format(chat=chat.chat_id), exc)
                continue
            for err in bad:
                report.error(_("chat {chat}").format(chat=chat.chat_id), err)
            fetched.append((chat, messages, not bad))
        now = self.clock()
        with self.db.begin() as session:
            orders: set[str] = set()
            skus: set[str] = set()
            moved: dict[str, str] = {}
            rows: list[dict[str, Any]] = []  # the page's new messages, written at once
            stored = repo.chats_by_id(session, self.shop_id, [c.chat_id for c in chats])
            buyers = [(chat, messages) for chat, messages, _clean in fetched if chat.is_buyer_chat]
            for outcome in repo.upsert_chats(
                session, self.shop_id, buyers, self.policies, rows, stored
            ):
                report.count(
                    "chats",
                    "created" if outcome.created else "updated" if outcome.updated else None,
                )
                report.created["messages"] += outcome.messages_created
                report.updated["messages"] += outcome.messages_updated
            for chat, messages, clean in fetched:
                if not chat.is_buyer_chat:
                    # Tickets and notifications (#14): not among the buyer counts of the report.
                    upsert_platform_chat(session, self.shop_id, chat, messages, self.policies)
                orders.update(m.order_number for m in messages if m.order_number)
                skus.update(str(m.sku) for m in messages if m.sku)
                newest = max((m.message_id for m in messages), default=None)
                # A page with unreadable records keeps the old cursor, so they are fetched again next time.
                if clean and chat.last_message_id is not None:
                    upto = max(chat.last_message_id, newest or 0)
                    moved[f"chat:{chat.chat_id}"] = str(upto)
            repo.insert_messages(session, rows)
            repo.set_cursors(session, self.shop_id, moved, now)
            for chat in unchanged_unread:
                # Read marks move without new messages; keep the unread badge in step.
                if not chat.is_buyer_chat:
                    upsert_platform_chat(session, self.shop_id, chat, [], self.policies)
                    continue
                outcome = repo.upsert_chat(
                    session, self.shop_id, chat, [], self.policies, known_chats=stored
                )
                report.count("chats", "updated" if outcome.updated else None)
            # In the cursors' own transaction: the work they imply is never lost.
            repo.add_pending(session, self.shop_id, "postings", orders, now)
            repo.add_pending(session, self.shop_id, "products", skus, now)

    # -- return requests and cancellations ------------------------------------------------------

    def _decision_stages(self, report: SyncReport) -> None:
        stage = DecisionStage(
            self.db, self.client, self.shop_id, self.policies, self.clock, report.error
        )
        for key, run in (("return_requests", stage.returns), ("cancellations", stage.cancellations)):
            if self.cancel.is_set():
                return
            try:
                result = run()
            except E.OzonError as exc:
                # A method the shop's plan lacks (NotInPlan) becomes one skipped line there.
                report.error(exc.path or DECISION_METHODS[key], exc)
                continue
            report.created[key] += result.created
            report.updated[key] += result.updated

    # -- postings, returns, products -----------------------------------------------------------

    def _dependent_stage(self, stage: str, report: SyncReport) -> bool:
        """Work through ``stage``'s pending items batch by batch; False when a batch failed."""
        now = self.clock()
        with self.db.read() as session:
            total = repo.pending_counts(session, self.shop_id, due_at=now).get(stage, 0)
        fetch = {
            "postings": self._postings_batch,
            "returns": self._returns_batch,
            "products": self._products_batch,
        }[stage]
        where = {"postings": _("postings"), "returns": _("returns"), "products": _("products")}[
            stage
        ]
        done, after, ok = 0, 0, True
        self._emit(stage, 0, total)
        try:
            while not self.cancel.is_set():
                with self.db.begin() as session:
                    items = repo.pending_batch(session, self.shop_id, stage, after, BATCH[stage], now)
                if not items:
                    break
                after = items[-1].id
                try:
                    ok = fetch(items, where, report) and ok
                except E.NotInPlan:
                    raise
                except E.ConnectionFailed as exc:
                    self._failed(items, where, exc, report)
                    raise _Offline() from None
                except (*FATAL, E.TransientError) as exc:
                    # Refused, or still failing after the client's retries: the rest would too.
                    self._failed(items, where, exc, report)
                    return False
                except E.OzonError as exc:
                    # This batch was refused (a bad order number, …); the next may go through.
                    self._failed(items, where, exc, report)
                    ok = False
                done += len(items)
                self._emit(stage, min(done, total), total)
        finally:
            self._emit(stage, min(done, total), total)
        return ok

    def _failed(
        self, items: list[repo.PendingItem], where: str, exc: BaseException, report: SyncReport
    ) -> None:
        message = report.error(where, exc)
        with self.db.begin() as session:
            repo.fail_pending(session, [i.id for i in items], message, self.clock())

    def _keep(
        self,
        session: Session,
        items: list[repo.PendingItem],
        done: Callable[[str], bool],
        bad: list[E.RecordError],
        where: str,
        report: SyncReport,
    ) -> bool:
        """Clear the items of a fetched batch; with unreadable records in the answer, keep those
        it did not cover, as the unreadable ones may be theirs. False when some were kept."""
        messages = [report.error(where, err) for err in bad]
        kept = [i.id for i in items if bad and not done(i.key)]
        repo.clear_pending(session, [i.id for i in items if i.id not in kept])
        repo.fail_pending(session, kept, "; ".join(messages), self.clock())
        return not kept

    def _postings_batch(self, items: list[repo.PendingItem], where: str, report: SyncReport) -> bool:
        orders = [i.key for i in items]
        to = self.clock()
        since = to - timedelta(days=364)  # the list methods refuse periods over a year
        found: list[PostingInfo] = []
        bad: list[E.RecordError] = []
        for method in (self.client.fbs_list, self.client.fbo_list):
            cursor: str | None = None
            while True:
                page = method(orders, since, to, cursor)
                bad.extend(page.errors)
                found.extend(page.postings)
                if not page.has_next or not page.cursor or page.cursor == cursor:
                    break
                cursor = page.cursor
        now = self.clock()
        resolved = {p.order_number for p in found}
        with self.db.begin() as session:
            known = repo.postings_by_number(session, self.shop_id, [p.posting_number for p in found])
            for outcome in repo.upsert_postings(session, self.shop_id, found, now, known):
                report.count("postings", outcome)
            session.flush()
            repo.link_orders(session, self.shop_id, orders)
            repo.add_pending(
                session, self.shop_id, "returns", (p.posting_number for p in found), now
            )
            repo.add_pending(
                session,
                self.shop_id,
                "products",
                (str(item.sku) for p in found for item in p.products),
                now,
            )
            return self._keep(session, items, resolved.__contains__, bad, where, report)

    def _returns_batch(self, items: list[repo.PendingItem], where: str, report: SyncReport) -> bool:
        numbers = [i.key for i in items]
        found = []
        bad: list[E.RecordError] = []
        last_id = 0
        while True:
            page = self.client.returns_list(numbers, last_id)
            bad.extend(page.errors)
            found.extend(page.returns)
            if not page.has_next or not page.returns:
                break
            last_id = max(r.return_id for r in page.returns)
        with self.db.begin() as session:
            for info in found:
                report.count("returns", repo.upsert_return(session, self.shop_id, info))
            # A posting's returns cannot be told apart from an unreadable record's: keep them all.
            return self._keep(session, items, lambda key: False, bad, where, report)

    def _products_batch(self, items: list[repo.PendingItem], where: str, report: SyncReport) -> bool:
        skus = [int(i.key) for i in items if i.key.isdigit()]
        products, bad = self.client.product_info(skus) if skus else ([], [])
        returned = {str(p.sku) for p in products}
        with self.db.begin() as session:
            for info in products:
                report.count("products", repo.upsert_product(session, self.shop_id, info))
            return self._keep(session, items, returned.__contains__, bad, where, report)


def poll_interval(db: Database) -> int:
    """Seconds between ``unread_only`` polls while online, for the whole team; edited in Settings."""
    return TeamSettings(db).get(options.POLL_INTERVAL)


def set_poll_interval(db: Database, seconds: int) -> None:
    """ValueError outside 10..3600 seconds."""
    TeamSettings(db).set(options.POLL_INTERVAL, seconds)
