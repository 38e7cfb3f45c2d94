"""The question and review client functions: request bodies, strict page shapes, and the methods
the public spec gives no example for (built from its schema)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ozondesk.ozon import errors as E
from ozondesk.ozon import questions, reviews
from ozondesk.ozon.client import OzonClient


def client_answering(status: int, body: Any, sent: list[tuple[str, Any]]) -> OzonClient:
    def handle(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path, json.loads(request.content)))
        return httpx.Response(status, json=body)

    return OzonClient("1", "k", "http://ozon.test", rate=None, retries=0,
                      transport=httpx.MockTransport(handle))


def test_a_review_comment_is_created_with_the_schema_fields_and_its_id_read() -> None:
    sent: list[tuple[str, Any]] = []
    with client_answering(200, {"comment_id": "0192e7ce-0000"}, sent) as c:
        assert reviews.comment_create(c, "r1", "Спасибо за отзыв!") == "0192e7ce-0000"
    assert sent == [("/v1/review/comment/create", {
        "review_id": "r1", "text": "Спасибо за отзыв!", "mark_review_as_processed": True,
    })]


def test_review_info_reads_the_photo_and_video_links() -> None:
    info = {
        "id": "r1", "sku": 148591503, "text": "Отлично", "published_at": "2024-10-10T07:23:55Z",
        "rating": 5, "status": "PROCESSED", "comments_amount": 1, "photos_amount": 2,
        "videos_amount": 1, "order_status": "DELIVERED", "is_rating_participant": True,
        "photos": [{"url": "https://cdn/1.jpg", "width": 1, "height": 1},
                   {"url": "https://cdn/2.jpg", "width": 1, "height": 1}],
        "videos": [{"url": "https://cdn/v.mp4", "preview_url": "https://cdn/v.jpg"}],
    }
    with client_answering(200, info, []) as c:
        review = reviews.review_info(c, "r1")
    assert review.photos == ("https://cdn/1.jpg", "https://cdn/2.jpg")
    assert review.videos == ("https://cdn/v.mp4",) and review.sku == 148591503


@pytest.mark.parametrize(
    ("call", "body"),
    [
        (lambda c: questions.question_list(c), {"questions": {"id": "x"}, "has_next": False}),
        (lambda c: questions.question_list(c), {"questions": [], "has_next": {"x": 1}}),
        (lambda c: reviews.review_list(c), {"reviews": "none"}),
        (lambda c: reviews.comment_list(c, "r"), {"comments": {}}),
        (lambda c: questions.answer_list(c, "q", 1), {"answers": 5}),
        (lambda c: questions.answer_create(c, "q", 1, "Да"), {"result": "ok"}),
        (lambda c: reviews.review_info(c, "r"), {"id": "r"}),
        (lambda c: questions.question_count(c), {"all": "many"}),
    ],
)
def test_an_answer_of_unexpected_shape_is_an_error_not_an_empty_page(
    call: Callable[[OzonClient], Any], body: Any
) -> None:
    with client_answering(200, body, []) as c, pytest.raises(E.MalformedResponse):
        call(c)


def test_one_bad_review_is_set_aside_and_the_rest_read() -> None:
    page = {"reviews": [
        {"id": "ok", "sku": "1", "text": "Хорошо", "published_at": "2024-10-10T07:23:55Z",
         "rating": 4},
        {"id": "bad", "sku": "1", "published_at": "2024-10-10T07:23:55Z", "rating": 9},
    ], "has_next": False, "last_id": "bad"}
    parsed = reviews.parse_review_list(page)
    assert [r.review_id for r in parsed.reviews] == ["ok"]
    assert len(parsed.errors) == 1 and "rating" in str(parsed.errors[0])


def test_without_the_review_subscription_the_clients_own_error_is_raised() -> None:
    refusal = {"code": 7, "message": "not available with existing subscription"}
    with client_answering(403, refusal, []) as c, pytest.raises(E.SubscriptionRequired):
        reviews.review_list(c)


def test_an_answer_create_is_never_retried_blindly() -> None:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise httpx.ReadTimeout("slow", request=request)

    with OzonClient("1", "k", "http://ozon.test", rate=None, retries=3, backoff=0.001,
                    transport=httpx.MockTransport(handle)) as c, pytest.raises(E.ConnectionFailed):
        questions.answer_create(c, "q", 1, "Да, есть.")
    assert calls == ["/v1/question/answer/create"]
