"""The fake seller's product questions and reviews, and the Seller API methods that serve them.

Question *k* and review *k* are pure functions of (seed, k) like the chats: 10,000 of each cost
no memory until asked for; only what changes (answers and comments made, statuses set) is kept.
Paging follows the spec: ``last_id`` is the id of the last item of the previous page, ``""``
for the first. The shapes carry the documented drifts: ``answers_count`` a string in the
info answer, a review's ``sku`` a string in the list and a number in the info.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ozondesk.ozon.fake.world import PRODUCTS, iso

QUESTION_TEXTS = [
    "Подскажите, какой размер выбрать при росте 170 см?",
    "Можно ли стирать в машинке при 40 градусах?",
    "Есть ли этот товар в синем цвете?",
    "Какой состав ткани? Не колется?",
    "Через сколько примерно дней придёт в Казань?",
    "Комплект полный, как на фото?",
]
REVIEW_TEXTS = {
    1: "Ужасно, пришло не то, что заказывала. Вернула.",
    2: "Не лучший товар, встречал и получше за те же деньги.",
    3: "Нормально, но размер маломерит, берите на размер больше.",
    4: "Хорошее качество, но доставка задержалась на день.",
    5: "Отличный товар, всё как в описании! Спасибо продавцу.",
}
SELLER_ANSWER = "Здравствуйте! Спасибо за вопрос. Рекомендуем размер M, таблица размеров в карточке."
SELLER_COMMENT = "Спасибо за отзыв! Рады, что товар понравился."
AUTHORS = ["Пользователь OZON", "Покупатель", "Пользователь OZON"]


def _uuid(seed: int, kind: str, k: int) -> str:
    h = hashlib.sha1(f"{seed}:{kind}:{k}".encode()).hexdigest()
    # The index sits in the last group, so an id finds its item again without a table.
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{k:012x}"


def _index(value: Any, n: int, seed: int, kind: str) -> int | None:
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        k = int(value[-12:], 16)
    except ValueError:
        return None
    return k if 0 <= k < n and _uuid(seed, kind, k) == value else None


@dataclass
class _Reply:
    reply_id: str
    text: str
    at: datetime
    is_owner: bool = True


@dataclass
class FeedbackWorld:
    seed: int
    n_questions: int
    n_reviews: int
    now: datetime
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: dict[int, list[_Reply]] = field(default_factory=dict)
    comments: dict[int, list[_Reply]] = field(default_factory=dict)
    question_status: dict[int, str] = field(default_factory=dict)
    review_status: dict[int, str] = field(default_factory=dict)
    # Every answer and comment created through the API, in order (for tests: "sent once").
    created: list[dict[str, Any]] = field(default_factory=list)
    _serial: int = 0
    # Times count from fixed origins, so adding questions later moves no earlier one.
    _q_origin: datetime = field(init=False)
    _r_origin: datetime = field(init=False)

    def __post_init__(self) -> None:
        self._q_origin = self.now - timedelta(days=1, minutes=3 * self.n_questions)
        self._r_origin = self.now - timedelta(days=1, minutes=3 * self.n_reviews, seconds=17)

    def add_questions(self, n: int) -> None:
        """``n`` more questions, published now (a shopper just asked)."""
        with self.lock:
            self.n_questions += n

    # -- questions ------------------------------------------------------------------------------

    def question_id(self, k: int) -> str:
        return _uuid(self.seed, "q", k)

    def question_index(self, value: Any) -> int | None:
        return _index(value, self.n_questions, self.seed, "q")

    def question_sku(self, k: int) -> int:
        return 200_000_000 + (k * 7) % PRODUCTS

    def question_at(self, k: int) -> datetime:
        return self._q_origin + timedelta(minutes=3 * k)

    def question_answers(self, k: int) -> list[_Reply]:
        generated = (
            [_Reply(_uuid(self.seed, "qa", k), SELLER_ANSWER, self.question_at(k) + timedelta(hours=2))]
            if k % 3 == 2
            else []
        )
        with self.lock:
            return generated + list(self.answers.get(k, ()))

    def question_status_of(self, k: int) -> str:
        with self.lock:
            status = self.question_status.get(k)
        return status or ("NEW", "VIEWED", "PROCESSED")[k % 3]

    def question_json(self, k: int, *, info: bool = False) -> dict[str, Any]:
        count = len(self.question_answers(k))
        pid = 140_000_000 + self.question_sku(k) % 1000
        return {
            "answers_count": str(count) if info else count,
            "author_name": AUTHORS[k % len(AUTHORS)],
            "id": self.question_id(k),
            "sku": self.question_sku(k),
            "product_url": f"https://www.ozon.ru/product/{pid}/",
            "published_at": iso(self.question_at(k)),
            "question_link": f"https://www.ozon.ru/product/{pid}/questions/?qid={300_000_000 + k}",
            "text": QUESTION_TEXTS[k % len(QUESTION_TEXTS)],
            "status": self.question_status_of(k),
        }

    # -- reviews --------------------------------------------------------------------------------

    def review_id(self, k: int) -> str:
        return _uuid(self.seed, "r", k)

    def review_index(self, value: Any) -> int | None:
        return _index(value, self.n_reviews, self.seed, "r")

    def review_sku(self, k: int) -> int:
        return 200_000_000 + (k * 11) % PRODUCTS

    def review_at(self, k: int) -> datetime:
        return self._r_origin + timedelta(minutes=3 * k)

    def rating(self, k: int) -> int:
        return (k * 3) % 5 + 1

    def review_comments(self, k: int) -> list[_Reply]:
        generated = (
            [_Reply(_uuid(self.seed, "rc", k), SELLER_COMMENT, self.review_at(k) + timedelta(hours=5))]
            if k % 4 == 3
            else []
        )
        with self.lock:
            return generated + list(self.comments.get(k, ()))

    def review_status_of(self, k: int) -> str:
        with self.lock:
            status = self.review_status.get(k)
        return status or ("PROCESSED" if k % 4 == 3 else ("NEW", "VIEWED")[k % 2])

    def photos(self, k: int) -> list[dict[str, Any]]:
        count = 2 if k % 5 == 0 else 0
        return [
            {"url": f"https://cdn.example/reviews/{k}-{n}.jpg", "width": 800, "height": 600}
            for n in range(count)
        ]

    def review_json(self, k: int, *, info: bool = False) -> dict[str, Any]:
        photos = self.photos(k)
        out: dict[str, Any] = {
            "id": self.review_id(k),
            "sku": self.review_sku(k) if info else str(self.review_sku(k)),
            "text": REVIEW_TEXTS[self.rating(k)],
            "published_at": iso(self.review_at(k)),
            "rating": self.rating(k),
            "status": self.review_status_of(k),
            "comments_amount": len(self.review_comments(k)),
            "photos_amount": len(photos),
            "videos_amount": 0,
            "order_status": "CANCELLED" if k % 10 == 9 else "DELIVERED",
            "is_rating_participant": k % 10 != 9,
        }
        if info:
            out.update({"photos": photos, "videos": [], "likes_amount": k % 7, "dislikes_amount": 0})
        return out

    # -- changes --------------------------------------------------------------------------------

    def _next_id(self, kind: str) -> str:
        with self.lock:
            self._serial += 1
            serial = self._serial
        return _uuid(self.seed, kind, 1_000_000 + serial)

    def add_answer(self, k: int, text: str) -> str:
        reply = _Reply(self._next_id("answer"), text, datetime.now(UTC))
        with self.lock:
            self.answers.setdefault(k, []).append(reply)
            self.question_status[k] = "PROCESSED"
            self.created.append({"question_id": self.question_id(k), "text": text,
                                 "answer_id": reply.reply_id})
        return reply.reply_id

    def add_comment(self, k: int, text: str, mark_processed: bool) -> str:
        reply = _Reply(self._next_id("comment"), text, datetime.now(UTC))
        with self.lock:
            self.comments.setdefault(k, []).append(reply)
            if mark_processed:
                self.review_status[k] = "PROCESSED"
            self.created.append({"review_id": self.review_id(k), "text": text,
                                 "comment_id": reply.reply_id})
        return reply.reply_id


def _page(
    n: int,
    last_index: int | None,
    limit: int,
    keep: Callable[[int], bool],
    descending: bool,
) -> tuple[list[int], bool]:
    order = range(n - 1, -1, -1) if descending else range(n)
    chosen: list[int] = []
    more = False
    for k in order:
        if last_index is not None and (k >= last_index if descending else k <= last_index):
            continue
        if not keep(k):
            continue
        if len(chosen) == limit:
            more = True
            break
        chosen.append(k)
    return chosen, more


def routes(
    world: FeedbackWorld, error: Callable[[int, int, str], Exception]
) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """The question and review methods, for ``FakeOzon.routes``; ``error`` makes the error reply."""

    def when(value: Any, name: str) -> datetime | None:
        if value in (None, ""):
            return None
        try:
            raw = str(value).replace("Z", "+00:00")
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise error(400, 3, f"{name} is not a date-time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def sort_desc(body: dict[str, Any]) -> bool:
        value = str(body.get("sort_dir") or "ASC").upper()
        if value not in ("ASC", "DESC"):
            raise error(400, 3, "sort_dir must be ASC or DESC")
        return value == "DESC"

    def question(body: dict[str, Any], key: str = "question_id") -> int:
        k = world.question_index(body.get(key))
        if k is None:
            raise error(404, 5, "question not found")
        return k

    def review(body: dict[str, Any]) -> int:
        k = world.review_index(body.get("review_id"))
        if k is None:
            raise error(404, 5, "review not found")
        return k

    def question_list(body: dict[str, Any]) -> dict[str, Any]:
        limit = body.get("limit", 100)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise error(400, 3, "limit must be between 1 and 100")
        flt = body.get("filter") or {}
        status = str(flt.get("status") or "ALL").upper()
        if status not in ("ALL", "NEW", "VIEWED", "PROCESSED", "UNPROCESSED"):
            raise error(400, 3, "unknown filter.status")
        since, until = when(flt.get("date_from"), "date_from"), when(flt.get("date_to"), "date_to")
        last = body.get("last_id") or ""
        last_index = world.question_index(last) if last else None
        if last and last_index is None:
            raise error(400, 3, "invalid last_id")

        def keep(k: int) -> bool:
            s = world.question_status_of(k)
            if status == "UNPROCESSED" and s == "PROCESSED":
                return False
            if status not in ("ALL", "UNPROCESSED") and s != status:
                return False
            at = world.question_at(k)
            return (since is None or at >= since) and (until is None or at <= until)

        chosen, more = _page(world.n_questions, last_index, limit, keep, sort_desc(body))
        return {
            "questions": [world.question_json(k) for k in chosen],
            "last_id": world.question_id(chosen[-1]) if chosen else "",
            "has_next": more,
        }

    def question_info(body: dict[str, Any]) -> dict[str, Any]:
        return world.question_json(question(body), info=True)

    def question_count(body: dict[str, Any]) -> dict[str, Any]:
        counts = {"all": world.n_questions, "new": 0, "viewed": 0, "processed": 0}
        for k in range(world.n_questions):
            counts[world.question_status_of(k).lower()] += 1
        counts["unprocessed"] = counts["new"] + counts["viewed"]
        return counts

    def question_status(body: dict[str, Any]) -> dict[str, Any]:
        status = str(body.get("status") or "")
        if status not in ("NEW", "VIEWED", "PROCESSED"):
            raise error(400, 3, "status must be NEW, VIEWED or PROCESSED")
        ids = body.get("question_ids")
        if not isinstance(ids, list) or not ids:
            raise error(400, 3, "question_ids is required")
        found = [world.question_index(i) for i in ids]
        if any(k is None for k in found):
            raise error(404, 5, "question not found")
        with world.lock:
            for k in found:
                assert k is not None
                world.question_status[k] = status
        return {}

    def answer_create(body: dict[str, Any]) -> dict[str, Any]:
        k = question(body)
        if body.get("sku") != world.question_sku(k):
            raise error(400, 3, "sku does not match the question")
        text = body.get("text")
        if not isinstance(text, str) or not 2 <= len(text) <= 3000:
            raise error(400, 3, "text must be 2 to 3000 characters")
        return {"answer_id": world.add_answer(k, text)}

    def answer_list(body: dict[str, Any]) -> dict[str, Any]:
        k = question(body)
        if body.get("sku") != world.question_sku(k):
            raise error(400, 3, "sku does not match the question")
        answers = world.question_answers(k)
        last = body.get("last_id") or ""
        ids = [a.reply_id for a in answers]
        start = ids.index(last) + 1 if last in ids else 0
        page = answers[start : start + 20]
        return {
            "answers": [
                {
                    "author_name": "Продавец",
                    "id": a.reply_id,
                    "published_at": iso(a.at),
                    "question_id": world.question_id(k),
                    "sku": world.question_sku(k),
                    "status_publication": "PUBLISHED",
                    "text": a.text,
                }
                for a in page
            ],
            "last_id": page[-1].reply_id if page else "",
        }

    def answer_delete(body: dict[str, Any]) -> dict[str, Any]:
        target = body.get("answer_id")
        with world.lock:
            for answers in world.answers.values():
                for a in answers:
                    if a.reply_id == target:
                        answers.remove(a)
                        return {}
        raise error(404, 5, "answer not found")

    def review_list(body: dict[str, Any]) -> dict[str, Any]:
        limit = body.get("limit")
        if not isinstance(limit, int) or not 20 <= limit <= 100:
            raise error(400, 3, "limit must be between 20 and 100")
        flt = body.get("filters") or {}
        status = str(flt.get("status") or "ALL").upper()
        if status not in ("ALL", "NEW", "VIEWED", "PROCESSED"):
            raise error(400, 3, "unknown filters.status")
        since = when(flt.get("published_from"), "published_from")
        until = when(flt.get("published_to"), "published_to")
        last = body.get("last_id") or ""
        last_index = world.review_index(last) if last else None
        if last and last_index is None:
            raise error(400, 3, "invalid last_id")

        def keep(k: int) -> bool:
            if status != "ALL" and world.review_status_of(k) != status:
                return False
            at = world.review_at(k)
            return (since is None or at >= since) and (until is None or at <= until)

        chosen, more = _page(world.n_reviews, last_index, limit, keep, sort_desc(body))
        return {
            "reviews": [world.review_json(k) for k in chosen],
            "has_next": more,
            "last_id": world.review_id(chosen[-1]) if chosen else "",
        }

    def review_info(body: dict[str, Any]) -> dict[str, Any]:
        return world.review_json(review(body), info=True)

    def review_count(body: dict[str, Any]) -> dict[str, Any]:
        counts = {"total": world.n_reviews, "new": 0, "viewed": 0, "processed": 0}
        for k in range(world.n_reviews):
            counts[world.review_status_of(k).lower()] += 1
        return counts

    def review_status(body: dict[str, Any]) -> dict[str, Any]:
        status = str(body.get("status") or "")
        if status not in ("NEW", "VIEWED", "PROCESSED"):
            raise error(400, 3, "status must be NEW, VIEWED or PROCESSED")
        found = [world.review_index(i) for i in body.get("review_ids") or []]
        if not found or any(k is None for k in found):
            raise error(404, 5, "review not found")
        with world.lock:
            for k in found:
                assert k is not None
                world.review_status[k] = status
        return {}

    def comment_create(body: dict[str, Any]) -> dict[str, Any]:
        k = review(body)
        text = body.get("text")
        if not isinstance(text, str) or not 2 <= len(text) <= 3000:
            raise error(400, 3, "text must be 2 to 3000 characters")
        mark = body.get("mark_review_as_processed", False)
        return {"comment_id": world.add_comment(k, text, bool(mark))}

    def comment_list(body: dict[str, Any]) -> dict[str, Any]:
        k = review(body)
        limit = body.get("limit")
        if not isinstance(limit, int) or not 20 <= limit <= 100:
            raise error(400, 3, "limit must be between 20 and 100")
        offset = body.get("offset") or 0
        if not isinstance(offset, int) or offset < 0:
            raise error(400, 3, "offset must be a non-negative number")
        comments = world.review_comments(k)
        if str(body.get("sort_dir") or "ASC").upper() == "DESC":
            comments = comments[::-1]
        page = comments[offset : offset + limit]
        return {
            "comments": [
                {
                    "id": c.reply_id,
                    "text": c.text,
                    "is_owner": c.is_owner,
                    "is_official": False,
                    "is_published": True,
                    "is_rejected": False,
                    "likes_amount": 0,
                    "dislikes_amount": 0,
                    "published_at": iso(c.at),
                }
                for c in page
            ],
            "offset": offset + len(page),
        }

    def comment_delete(body: dict[str, Any]) -> dict[str, Any]:
        target = body.get("comment_id")
        with world.lock:
            for comments in world.comments.values():
                for c in comments:
                    if c.reply_id == target:
                        comments.remove(c)
                        return {}
        raise error(404, 5, "comment not found")

    return {
        "/v1/question/list": question_list,
        "/v1/question/info": question_info,
        "/v1/question/count": question_count,
        "/v1/question/change-status": question_status,
        "/v1/question/answer/create": answer_create,
        "/v1/question/answer/list": answer_list,
        "/v1/question/answer/delete": answer_delete,
        "/v2/review/list": review_list,
        "/v2/review/info": review_info,
        "/v2/review/count": review_count,
        "/v2/review/change-status": review_status,
        "/v1/review/comment/create": comment_create,
        "/v1/review/comment/list": comment_list,
        "/v1/review/comment/delete": comment_delete,
    }
