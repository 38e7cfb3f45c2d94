"""One sync of a shop: chats and their history, then the postings, returns and products they mention.

Runs on any thread but the GUI's. Work goes page by page (100 chats): histories of the
changed chats are fetched a few at a time, then the page is written in one transaction,
so memory stays flat and an interrupted sync keeps what it finished. A chat whose newest
message id equals the stored cursor is skipped, which makes a second run cheap and a
no-op. Local state (assignee, status after creation, drafts, the outbox) is never written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ozondesk.domain.clock import utcnow
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import ORDER_FILTER_MAX, PRODUCTS_MAX, OzonClient
from ozondesk.ozon.records import ChatMessage, ChatSummary, PostingInfo
from ozondesk.settings import options
from ozondesk.settings.team import TeamSettings
from ozondesk.store.db import Database
from ozondesk.store.locks import desk_lock
from ozondesk.store.repos import sync as repo
from ozondesk.store.repos.policies import current_policies

log = logging.getLogger("ozondesk.sync")

KINDS = ("chats", "messages", "postings", "returns", "products")
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
class SyncReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    errors: list[SyncIssue] = field(default_factory=list)
    chats_seen: int = 0
    requests: int = 0
    aborted: bool = False

    def count(self, kind: str, outcome: str | None, n: int = 1) -> None:
        if outcome == "created":
            self.created[kind] += n
        elif outcome == "updated":
            self.updated[kind] += n

    def error(self, where: str, exc: BaseException) -> None:
        hint = getattr(exc, "hint", _("report this problem"))
        self.errors.append(SyncIssue(where, str(exc), hint))
        log.warning("sync: %s: %s", where, exc)

    def to_json(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class Progress:
    chats_done: int
    message: str


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
        with db.begin() as session:
            self.shop_id = repo.ensure_shop(session, shop, client.client_id, clock())
            self.policies = current_policies(session)

    def run(self, *, unread_only: bool = False) -> SyncReport:
        """One sync round; on a team database only one desk syncs a shop at a time, and the
        others' rounds return empty at once (the changes reach them as live updates)."""
        with desk_lock(self.db, f"ozon-sync:{self.shop_id}") as mine:
            if not mine:
                return SyncReport()
            return self._run(unread_only)

    def _run(self, unread_only: bool) -> SyncReport:
        report = SyncReport()
        start = self.client.requests
        cursor: str | None = None
        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="ozon-history") as pool:
                while not self.cancel.is_set():
                    page = self.client.chat_list(cursor, unread_only=unread_only)
                    for bad in page.errors:
                        report.error(_("chat list"), bad)
                    self._page(pool, [c for c in page.chats if c.is_buyer_chat], report)
                    report.chats_seen += len(page.chats)
                    self.progress(
                        Progress(
                            report.chats_seen, _("{n} chats checked").format(n=report.chats_seen)
                        )
                    )
                    if not page.has_next or not page.cursor or page.cursor == cursor:
                        break
                    cursor = page.cursor
        except FATAL as exc:
            report.aborted = True
            report.error(exc.path or _("sync"), exc)
        except E.OzonError as exc:
            # Still failing after the client's retries: offline, or the platform is down.
            report.aborted = True
            report.error(exc.path or _("sync"), exc)
        report.requests = self.client.requests - start
        self.progress(Progress(report.chats_seen, _("sync finished")))
        return report

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
            except FATAL:
                raise
            except E.OzonError as exc:
                report.error(_("chat {chat}").format(chat=chat.chat_id), exc)
                continue
            for err in bad:
                report.error(_("chat {chat}").format(chat=chat.chat_id), err)
            fetched.append((chat, messages, not bad))
        orders: dict[int, str] = {}
        skus: set[int] = set()
        now = self.clock()
        with self.db.begin() as session:
            for chat, messages, clean in fetched:
                outcome = repo.upsert_chat(session, self.shop_id, chat, messages, self.policies)
                report.count(
                    "chats",
                    "created" if outcome.created else "updated" if outcome.updated else None,
                )
                report.created["messages"] += outcome.messages_created
                report.updated["messages"] += outcome.messages_updated
                for m in messages:
                    if m.order_number:
                        orders[outcome.conversation_id] = m.order_number
                    if m.sku:
                        skus.add(m.sku)
                newest = max((m.message_id for m in messages), default=None)
                # A page with unreadable records keeps the old cursor, so they are fetched again next time.
                if clean and chat.last_message_id is not None:
                    upto = max(chat.last_message_id, newest or 0)
                    repo.set_cursor(session, self.shop_id, f"chat:{chat.chat_id}", str(upto), now)
            for chat in unchanged_unread:
                # Read marks move without new messages; keep the unread badge in step.
                outcome = repo.upsert_chat(session, self.shop_id, chat, [], self.policies)
                report.count("chats", "updated" if outcome.updated else None)
        if orders:
            postings = self._postings(sorted(set(orders.values())), report)
            with self.db.begin() as session:
                for info in postings:
                    report.count("postings", repo.upsert_posting(session, self.shop_id, info, now))
                    skus.update(p.sku for p in info.products)
                session.flush()
                repo.link_postings(session, self.shop_id, orders)
            self._returns([p.posting_number for p in postings], report)
        if skus:
            self._products(sorted(skus), report)

    def _postings(self, order_numbers: list[str], report: SyncReport) -> list[PostingInfo]:
        to = self.clock()
        since = to - timedelta(days=364)  # the list methods refuse periods over a year
        found: list[PostingInfo] = []
        for batch in _chunks(order_numbers, ORDER_FILTER_MAX):
            for name, method in (("FBS", self.client.fbs_list), ("FBO", self.client.fbo_list)):
                cursor: str | None = None
                while True:
                    try:
                        page = method(batch, since, to, cursor)
                    except FATAL:
                        raise
                    except E.OzonError as exc:
                        report.error(_("{scheme} postings").format(scheme=name), exc)
                        break
                    for bad in page.errors:
                        report.error(_("{scheme} postings").format(scheme=name), bad)
                    found.extend(page.postings)
                    if not page.has_next or not page.cursor or page.cursor == cursor:
                        break
                    cursor = page.cursor
        return found

    def _returns(self, posting_numbers: list[str], report: SyncReport) -> None:
        for batch in _chunks(posting_numbers, ORDER_FILTER_MAX):
            last_id = 0
            while True:
                try:
                    page = self.client.returns_list(batch, last_id)
                except FATAL:
                    raise
                except E.OzonError as exc:
                    report.error(_("returns"), exc)
                    break
                for bad in page.errors:
                    report.error(_("returns"), bad)
                with self.db.begin() as session:
                    for info in page.returns:
                        report.count("returns", repo.upsert_return(session, self.shop_id, info))
                if not page.has_next or not page.returns:
                    break
                last_id = max(r.return_id for r in page.returns)

    def _products(self, skus: list[int], report: SyncReport) -> None:
        for batch in _chunks(skus, PRODUCTS_MAX):
            try:
                products, bad = self.client.product_info(batch)
            except FATAL:
                raise
            except E.OzonError as exc:
                report.error(_("products"), exc)
                continue
            for err in bad:
                report.error(_("products"), err)
            with self.db.begin() as session:
                for info in products:
                    report.count("products", repo.upsert_product(session, self.shop_id, info))


def poll_interval(db: Database) -> int:
    """Seconds between ``unread_only`` polls while online, for the whole team; edited in Settings."""
    return TeamSettings(db).get(options.POLL_INTERVAL)


def set_poll_interval(db: Database, seconds: int) -> None:
    """ValueError outside 10..3600 seconds."""
    TeamSettings(db).set(options.POLL_INTERVAL, seconds)
