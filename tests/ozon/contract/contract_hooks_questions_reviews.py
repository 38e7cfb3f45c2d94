"""Contract hooks of the product-question and review methods (ozondesk/ozon/questions.py, reviews.py).

The examples are the 2026-08-21 spec's (artefactby/ozon-seller-api, src/generated/types.ts).
That spec has no example for ``/v1/review/comment/create`` (request or answer),
``/v1/review/comment/delete`` (request), ``/v2/review/info`` (answer) and no body for the two
count methods; those are covered by tests/ozon/test_questions_reviews_client.py from the schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contract_harness import RequestHook, ResponseHook

from ozondesk.ozon import questions, reviews
from ozondesk.ozon.errors import OzonError

DAY = datetime(2026, 11, 1, tzinfo=UTC)


def _quietly(call: Any, *args: Any) -> None:
    """Make the call; the harness answers a method without a response example with ``{}``."""
    try:
        call(*args)
    except OzonError:
        pass


RESPONSES = {
    "v1_question_list": ResponseHook(
        questions.parse_question_list,
        (
            "questions[].id", "questions[].sku", "questions[].text", "questions[].published_at",
            "questions[].status", "questions[].answers_count", "questions[].author_name",
            "questions[].product_url", "questions[].question_link", "last_id", "has_next",
        ),
    ),
    "v1_question_info": ResponseHook(
        questions.parse_question,
        ("id", "sku", "text", "published_at", "status", "answers_count", "author_name",
         "product_url", "question_link"),
    ),
    "v1_question_count": ResponseHook(
        questions.parse_question_count, ("all", "new", "processed", "unprocessed", "viewed")
    ),
    "v1_question_answer_create": ResponseHook(questions.parse_answer_created, ("answer_id",)),
    "v1_question_answer_list": ResponseHook(
        questions.parse_answer_list,
        ("answers[].id", "answers[].text", "answers[].published_at", "last_id"),
    ),
    "v2_review_list": ResponseHook(
        reviews.parse_review_list,
        (
            "reviews[].id", "reviews[].sku", "reviews[].text", "reviews[].published_at",
            "reviews[].rating", "reviews[].status", "reviews[].comments_amount",
            "reviews[].photos_amount", "reviews[].videos_amount", "reviews[].order_status",
            "last_id", "has_next",
        ),
    ),
    "v2_review_count": ResponseHook(
        reviews.parse_review_count, ("total", "new", "viewed", "processed")
    ),
    "v1_review_comment_list": ResponseHook(
        reviews.parse_comment_list,
        ("comments[].id", "comments[].text", "comments[].is_owner", "comments[].is_published",
         "comments[].published_at"),
    ),
}

REQUESTS = {
    "v1_question_list": RequestHook(
        lambda c: questions.question_list(c, date_from=DAY, date_to=DAY, last_id="x")
    ),
    "v1_question_info": RequestHook(lambda c: questions.question_info(c, "q")),
    "v1_question_change-status": RequestHook(
        lambda c: questions.change_status(c, ["q"], "VIEWED")
    ),
    "v1_question_answer_create": RequestHook(
        lambda c: questions.answer_create(c, "q", 646399170, "Да, есть синий.")
    ),
    "v1_question_answer_list": RequestHook(lambda c: questions.answer_list(c, "q", 646399170)),
    "v1_question_answer_delete": RequestHook(
        lambda c: questions.answer_delete(c, "a", 646399170)
    ),
    "v2_review_list": RequestHook(
        lambda c: reviews.review_list(c, last_id="x", published_from=DAY, published_to=DAY)
    ),
    "v2_review_info": RequestHook(lambda c: _quietly(reviews.review_info, c, "r")),
    "v2_review_change-status": RequestHook(
        lambda c: reviews.change_status(c, ["r"], "PROCESSED")
    ),
    "v1_review_comment_list": RequestHook(lambda c: reviews.comment_list(c, "r")),
}
