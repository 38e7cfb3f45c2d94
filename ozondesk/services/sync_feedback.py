"""The sync's product-question and review stages: each lists every question (or review) of the
shop page by page and stores what is new or changed as conversations of kind ``question`` /
``review`` (``ozondesk.store.repos.feedback``).

Neither list says what changed since a date, so each sync pages through the whole list
(100 per call) and compares with the store; the replies of a question or review are fetched
only when their count differs from the stored one (or it is new and has some), a review's
photo links only when it has photos not stored yet. A second sync right after the first
therefore makes one call per page and writes nothing.

Errors are the client's: a refused subscription (reviews need the review-management plan or
Premium Pro; HTTP 403 code 7) raises ``SubscriptionRequired`` out of the stage for the stage
runner to handle. A failed reply fetch of one item is reported and leaves that item's reply
count as it was, so the next sync tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon import questions as ozon_questions
from ozondesk.ozon import reviews as ozon_reviews
from ozondesk.ozon.client import OzonClient
from ozondesk.store.db import Database
from ozondesk.store.repos import feedback as repo
from ozondesk.store.repos import sync as sync_repo

FEEDBACK_STAGES = ("questions", "reviews")
STAGE_METHODS = {"questions": "/v1/question/list", "reviews": "/v2/review/list"}


class Report(Protocol):
    created: dict[str, int]
    updated: dict[str, int]

    def count(self, kind: str, outcome: str | None, n: int = 1) -> None: ...

    def error(self, where: str, exc: BaseException) -> str: ...


class FeedbackSync:
    def __init__(
        self,
        db: Database,
        client: OzonClient,
        shop_id: int,
        policies: dict[str, SlaPolicy],
        *,
        clock: Callable[[], datetime],
        cancel: threading.Event,
        emit: Callable[[str, int, int | None], None],
        workers: int = 8,
    ) -> None:
        self.db = db
        self.client = client
        self.shop_id = shop_id
        self.policies = policies
        self.clock = clock
        self.cancel = cancel
        self.emit = emit
        self.workers = workers
        self.sort_dir = "ASC"

    def run(self, stage: str, report: Report, *, recent_only: bool = False) -> None:
        """One stage, ``questions`` or ``reviews``; client errors other than one item's reply
        fetch propagate. ``recent_only`` (the app's frequent polls) reads newest first and
        stops at the first page holding a known one; a full sync reads every page, so changes
        to older ones (an answer given in the seller cabinet) arrive too."""
        self.sort_dir = "DESC" if recent_only else "ASC"
        if stage == "questions":
            self._stage(stage, self._question_page, self._question_posts, report, recent_only)
        elif stage == "reviews":
            self._stage(stage, self._review_page, self._review_posts, report, recent_only)
        else:
            raise ValueError(f"unknown feedback stage {stage!r}")

    def _stage(
        self,
        stage: str,
        fetch_page: Callable[[str], tuple[list[Any], list[E.RecordError], str, bool]],
        to_posts: Callable[
            [ThreadPoolExecutor, list[Any], Report], tuple[list[repo.Post], dict[str, repo.Known]]
        ],
        report: Report,
        recent_only: bool,
    ) -> None:
        where = _("product questions") if stage == "questions" else _("reviews")
        done, last_id = 0, ""
        self.emit(stage, 0, None)
        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix=f"ozon-{stage}") as pool:
                while not self.cancel.is_set():
                    items, bad, next_id, has_next = fetch_page(last_id)
                    for err in bad:
                        report.error(where, err)
                    posts, have = to_posts(pool, items, report)
                    created = self._store(stage, posts, have, report)
                    done += len(items)
                    self.emit(stage, done, None)
                    if not has_next or not next_id or next_id == last_id:
                        break
                    if recent_only and created < len(items):
                        break  # newest first: past the first known one, all are known
                    last_id = next_id
        finally:
            self.emit(stage, done, done)

    def _store(
        self, stage: str, posts: list[repo.Post], have: dict[str, repo.Known], report: Report
    ) -> int:
        """Write one page; how many conversations it created."""
        posts = [p for p in posts if not repo.unchanged(have.get(p.platform_id), p)]
        if not posts:
            return 0
        now = self.clock()
        created = 0
        with self.db.begin() as session:
            kinds = {p.kind for p in posts}
            known = (
                repo.posts_by_id(session, self.shop_id, kinds.pop(), [p.platform_id for p in posts])
                if len(kinds) == 1
                else None
            )
            outcomes = (
                repo.upsert_posts(session, self.shop_id, posts, self.policies, known)
                if known is not None
                else [repo.upsert_post(session, self.shop_id, p, self.policies) for p in posts]
            )
            for outcome in outcomes:
                created += outcome == "created"
                report.count(stage, outcome)
            missing = repo.products_missing(session, self.shop_id, {p.sku for p in posts})
            # In the same transaction: the products stage fetches these names later this round.
            sync_repo.add_pending(session, self.shop_id, "products", (str(s) for s in missing), now)
        return created

    # -- questions ---------------------------------------------------------------------------

    def _answers(self, q: ozon_questions.Question) -> list[ozon_questions.Answer]:
        # The list has no has_next: stop at the count the question gave instead of asking
        # for one more, empty, page.
        answers: list[ozon_questions.Answer] = []
        for answer in ozon_questions.iter_answers(self.client, q.question_id, q.sku):
            answers.append(answer)
            if len(answers) >= q.answers_count:
                break
        return answers

    def _comments(self, r: ozon_reviews.Review) -> list[ozon_reviews.Comment]:
        return list(ozon_reviews.iter_comments(self.client, r.review_id))

    def _question_page(self, last_id: str) -> tuple[list[Any], list[E.RecordError], str, bool]:
        page = ozon_questions.question_list(self.client, last_id=last_id, sort_dir=self.sort_dir)
        return page.questions, page.errors, page.last_id, page.has_next

    def _question_posts(
        self, pool: ThreadPoolExecutor, questions: list[ozon_questions.Question], report: Report
    ) -> tuple[list[repo.Post], dict[str, repo.Known]]:
        with self.db.read() as session:
            have = repo.known(session, self.shop_id, "question", [q.question_id for q in questions])
        need = [
            q for q in questions
            if q.answers_count > 0
            and (q.question_id not in have or have[q.question_id].replies != q.answers_count)
        ]
        futures = {
            q.question_id: pool.submit(self._answers, q)
            for q in need
        }
        posts = []
        for q in questions:
            replies: list[repo.Reply] | None = [] if q.answers_count == 0 else None
            count = q.answers_count
            if q.question_id in futures:
                try:
                    answers = futures[q.question_id].result()
                except E.SubscriptionRequired:
                    raise
                except E.OzonError as exc:
                    report.error(_("question {id}").format(id=q.question_id), exc)
                    answers = None
                if answers is not None:
                    replies = [
                        repo.Reply(a.answer_id, a.text, a.published_at or q.published_at, "seller")
                        for a in answers
                    ]
            if replies is None:
                # Not read this time: keep the stored count so the next sync asks again.
                count = have[q.question_id].replies if q.question_id in have else 0
            posts.append(repo.Post(
                kind="question", platform_id=q.question_id, text=q.text,
                published_at=q.published_at, sku=q.sku, author=q.author_name or None,
                platform_status=q.status, reply_count=count, replies=replies,
                product_url=q.product_url, link=q.question_link,
            ))
        return posts, have

    # -- reviews -----------------------------------------------------------------------------

    def _review_page(self, last_id: str) -> tuple[list[Any], list[E.RecordError], str, bool]:
        page = ozon_reviews.review_list(self.client, last_id=last_id, sort_dir=self.sort_dir)
        return page.reviews, page.errors, page.last_id, page.has_next

    def _review_posts(
        self, pool: ThreadPoolExecutor, reviews: list[ozon_reviews.Review], report: Report
    ) -> tuple[list[repo.Post], dict[str, repo.Known]]:
        with self.db.read() as session:
            have = repo.known(session, self.shop_id, "review", [r.review_id for r in reviews])
        comment_jobs = {
            r.review_id: pool.submit(self._comments, r)
            for r in reviews
            if r.comments_amount > 0
            and (r.review_id not in have or have[r.review_id].replies != r.comments_amount)
        }
        photo_jobs = {
            r.review_id: pool.submit(ozon_reviews.review_info, self.client, r.review_id)
            for r in reviews
            if r.photos_amount > 0
            and (r.review_id not in have or have[r.review_id].photos != r.photos_amount)
        }
        posts = []
        for r in reviews:
            where = _("review {id}").format(id=r.review_id)
            replies: list[repo.Reply] | None = [] if r.comments_amount == 0 else None
            count = r.comments_amount
            if r.review_id in comment_jobs:
                try:
                    comments = comment_jobs[r.review_id].result()
                    replies = [
                        repo.Reply(c.comment_id, c.text, c.published_at or r.published_at,
                                   "seller" if c.is_owner else "buyer")
                        for c in comments
                        if c.is_published or c.is_owner
                    ]
                except E.SubscriptionRequired:
                    raise
                except E.OzonError as exc:
                    report.error(where, exc)
            if replies is None:
                count = have[r.review_id].replies if r.review_id in have else 0
            photos: tuple[str, ...] | None = () if r.photos_amount == 0 else None
            if r.review_id in photo_jobs:
                try:
                    photos = photo_jobs[r.review_id].result().photos
                except E.SubscriptionRequired:
                    raise
                except E.OzonError as exc:
                    report.error(where, exc)
            posts.append(repo.Post(
                kind="review", platform_id=r.review_id, text=r.text,
                published_at=r.published_at, sku=r.sku, author=None,
                platform_status=r.status, reply_count=count, replies=replies,
                rating=r.rating, photos=photos, videos=r.videos_amount,
                order_status=r.order_status,
            ))
        return posts, have
