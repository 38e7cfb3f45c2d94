"""Reviews on the Seller API (``/v2/review/*`` and the comment methods ``/v1/review/comment/*``).

The v1 list/info/count methods are deprecated; these are their replacements. They need the
shop's review-management subscription (or Premium Pro): without it Ozon answers HTTP 403 code 7,
which the client raises as ``SubscriptionRequired`` like any other method's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fields import Record
from ozondesk.ozon.page_shape import field, page_record, strict
from ozondesk.ozon.records import parse_many

REVIEW_LIST_MAX = 100
# /v1/review/comment/list takes 20 to 100.
COMMENT_LIST_MIN, COMMENT_LIST_MAX = 20, 100


@dataclass(frozen=True)
class Review:
    review_id: str
    sku: int
    text: str
    published_at: datetime
    rating: int
    status: str
    comments_amount: int
    photos_amount: int
    videos_amount: int
    order_status: str | None
    is_rating_participant: bool
    # Only /v2/review/info carries the links.
    photos: tuple[str, ...] = ()
    videos: tuple[str, ...] = ()


def _links(rec: Record, field: str) -> tuple[str, ...]:
    items = rec.list(field)
    return tuple(
        str(item["url"]) for item in items if isinstance(item, dict) and isinstance(item.get("url"), str)
    )


def parse_review(raw: Any) -> Review:
    rec = Record("review", raw, "id")
    rating = rec.int("rating")
    if not 1 <= rating <= 5:
        raise rec.fail("rating", f"{rating} is not a rating from 1 to 5")
    return Review(
        review_id=rec.str("id"),
        # The list example sends the SKU as a string, the info schema as a number.
        sku=rec.id("sku"),
        text=rec.str("text", required=False, default=""),
        published_at=rec.time("published_at"),
        rating=rating,
        status=rec.enum("status", required=False, default="NEW"),
        comments_amount=rec.int("comments_amount", required=False, default=0),
        photos_amount=rec.int("photos_amount", required=False, default=0),
        videos_amount=rec.int("videos_amount", required=False, default=0),
        order_status=rec.enum("order_status", required=False) or None,
        is_rating_participant=rec.bool("is_rating_participant", required=False, default=True),
        photos=_links(rec, "photos"),
        videos=_links(rec, "videos"),
    )


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[Review]
    errors: list[E.RecordError]
    last_id: str
    has_next: bool


def parse_review_list(body: Any, path: str = "/v2/review/list") -> ReviewPage:
    page = page_record("review list", body, path)
    reviews, errors = parse_many(strict(path, lambda: page.list("reviews")), parse_review)
    return ReviewPage(
        reviews,
        errors,
        field(page, path, "str", "last_id", ""),
        field(page, path, "bool", "has_next", False),
    )


@dataclass(frozen=True)
class Comment:
    comment_id: str
    text: str
    published_at: datetime | None
    is_owner: bool
    is_official: bool
    is_published: bool
    is_rejected: bool
    parent_comment_id: str | None
    deviation_reason: str


def parse_comment(raw: Any) -> Comment:
    rec = Record("comment", raw, "id")
    return Comment(
        comment_id=rec.str("id"),
        text=rec.str("text"),
        published_at=rec.time("published_at", required=False),
        is_owner=rec.bool("is_owner", required=False, default=False),
        is_official=rec.bool("is_official", required=False, default=False),
        is_published=rec.bool("is_published", required=False, default=False),
        is_rejected=rec.bool("is_rejected", required=False, default=False),
        parent_comment_id=rec.str("parent_comment_id", required=False) or None,
        deviation_reason=rec.str("deviation_reason", required=False, default=""),
    )


@dataclass(frozen=True)
class CommentPage:
    comments: list[Comment]
    errors: list[E.RecordError]
    offset: int


def parse_comment_list(body: Any, path: str = "/v1/review/comment/list") -> CommentPage:
    page = page_record("comment list", body, path)
    comments, errors = parse_many(strict(path, lambda: page.list("comments")), parse_comment)
    return CommentPage(comments, errors, field(page, path, "int", "offset", 0))


@dataclass(frozen=True)
class ReviewCount:
    total: int
    new: int
    viewed: int
    processed: int


def parse_review_count(body: Any, path: str = "/v2/review/count") -> ReviewCount:
    rec = page_record("review count", body, path)
    return ReviewCount(
        *(field(rec, path, "int", k, 0) for k in ("total", "new", "viewed", "processed"))
    )


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def review_list(
    client: OzonClient,
    *,
    last_id: str = "",
    status: str = "ALL",
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    limit: int = REVIEW_LIST_MAX,
    sort_dir: str = "ASC",
) -> ReviewPage:
    filters: dict[str, Any] = {"status": status}
    if published_from is not None:
        filters["published_from"] = _iso(published_from)
    if published_to is not None:
        filters["published_to"] = _iso(published_to)
    body: dict[str, Any] = {"filters": filters, "limit": min(limit, REVIEW_LIST_MAX),
                            "sort_dir": sort_dir}
    if last_id:
        body["last_id"] = last_id
    return parse_review_list(client.post("/v2/review/list", body))


def review_info(client: OzonClient, review_id: str) -> Review:
    path = "/v2/review/info"
    data = client.post(path, {"review_id": review_id})
    return strict(path, lambda: parse_review(data))


def review_count(client: OzonClient) -> ReviewCount:
    return parse_review_count(client.post("/v2/review/count", {}))


def change_status(client: OzonClient, review_ids: Iterable[str], status: str) -> None:
    client.post("/v2/review/change-status", {"review_ids": list(review_ids), "status": status})


def comment_create(
    client: OzonClient,
    review_id: str,
    text: str,
    *,
    mark_processed: bool = True,
    parent_comment_id: str | None = None,
) -> str:
    """Publish a public comment on a review; its id. Not idempotent: never blindly retried."""
    path = "/v1/review/comment/create"
    body: dict[str, Any] = {"review_id": review_id, "text": text,
                            "mark_review_as_processed": mark_processed}
    if parent_comment_id:
        body["parent_comment_id"] = parent_comment_id
    rec = page_record("comment", client.post(path, body, idempotent=False), path)
    return str(strict(path, lambda: rec.str("comment_id")))


def comment_list(
    client: OzonClient, review_id: str, offset: int = 0, limit: int = COMMENT_LIST_MAX
) -> CommentPage:
    body = {"review_id": review_id, "limit": max(COMMENT_LIST_MIN, min(limit, COMMENT_LIST_MAX)),
            "offset": offset, "sort_dir": "ASC"}
    return parse_comment_list(client.post("/v1/review/comment/list", body))


def iter_comments(client: OzonClient, review_id: str) -> Iterator[Comment]:
    """Every comment on a review. The answer's ``offset`` is documented only as "elements in
    the answer", so the next page starts after the comments counted here."""
    offset = 0
    while True:
        page = comment_list(client, review_id, offset)
        yield from page.comments
        if len(page.comments) < COMMENT_LIST_MAX:
            return
        offset += len(page.comments)


def comment_delete(client: OzonClient, comment_id: str) -> None:
    client.post("/v1/review/comment/delete", {"comment_id": comment_id})
