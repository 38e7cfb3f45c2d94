"""Product questions on the Seller API: list, info, count, status, answers.

Shapes as in Ozon's published spec (``/v1/question/*``, checked against the 2026-08 copy). Every
call goes through ``OzonClient.post``, so limits, retries, error classes and key redaction are
the client's. A page of unexpected shape raises ``MalformedResponse``; one bad question in a
page is a ``RecordError`` kept beside the good ones.
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

QUESTION_LIST_MAX = 100
# The answer's documented length: from 2 to 3,000 characters.
ANSWER_MIN, ANSWER_MAX = 2, 3000
QUESTION_STATUSES = ("NEW", "VIEWED", "PROCESSED", "UNPROCESSED", "ALL")


@dataclass(frozen=True)
class Question:
    question_id: str
    sku: int
    text: str
    published_at: datetime
    status: str
    answers_count: int
    author_name: str
    product_url: str | None
    question_link: str | None


def parse_question(raw: Any) -> Question:
    rec = Record("question", raw, "id")
    return Question(
        question_id=rec.str("id"),
        sku=rec.id("sku"),
        text=rec.str("text"),
        published_at=rec.time("published_at"),
        status=rec.enum("status", required=False, default="NEW"),
        # The info example sends it as the string "0", the list example as a number.
        answers_count=rec.int("answers_count", required=False, default=0),
        author_name=rec.str("author_name", required=False, default=""),
        product_url=rec.str("product_url", required=False) or None,
        question_link=rec.str("question_link", required=False) or None,
    )


@dataclass(frozen=True)
class QuestionPage:
    questions: list[Question]
    errors: list[E.RecordError]
    last_id: str
    has_next: bool


def parse_question_list(body: Any, path: str = "/v1/question/list") -> QuestionPage:
    page = page_record("question list", body, path)
    questions, errors = parse_many(strict(path, lambda: page.list("questions")), parse_question)
    return QuestionPage(
        questions,
        errors,
        field(page, path, "str", "last_id", ""),
        field(page, path, "bool", "has_next", False),
    )


@dataclass(frozen=True)
class Answer:
    answer_id: str
    question_id: str
    sku: int | None
    text: str
    published_at: datetime | None
    author_name: str
    status_publication: str


def parse_answer(raw: Any) -> Answer:
    rec = Record("answer", raw, "id")
    return Answer(
        answer_id=rec.str("id"),
        question_id=rec.str("question_id", required=False, default=""),
        sku=rec.int("sku", required=False),
        text=rec.str("text"),
        published_at=rec.time("published_at", required=False),
        author_name=rec.str("author_name", required=False, default=""),
        status_publication=rec.enum("status_publication", required=False, default=""),
    )


@dataclass(frozen=True)
class AnswerPage:
    answers: list[Answer]
    errors: list[E.RecordError]
    last_id: str


def parse_answer_list(body: Any, path: str = "/v1/question/answer/list") -> AnswerPage:
    page = page_record("answer list", body, path)
    answers, errors = parse_many(strict(path, lambda: page.list("answers")), parse_answer)
    return AnswerPage(answers, errors, field(page, path, "str", "last_id", ""))


@dataclass(frozen=True)
class QuestionCount:
    all: int
    new: int
    processed: int
    unprocessed: int
    viewed: int


def parse_question_count(body: Any, path: str = "/v1/question/count") -> QuestionCount:
    rec = page_record("question count", body, path)

    return QuestionCount(
        *(field(rec, path, "int", k, 0) for k in ("all", "new", "processed", "unprocessed", "viewed"))
    )


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def question_list(
    client: OzonClient,
    *,
    last_id: str = "",
    status: str = "ALL",
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    limit: int = QUESTION_LIST_MAX,
    sort_dir: str = "ASC",
) -> QuestionPage:
    flt: dict[str, Any] = {"status": status}
    if date_from is not None:
        flt["date_from"] = _iso(date_from)
    if date_to is not None:
        flt["date_to"] = _iso(date_to)
    body = {"filter": flt, "limit": min(limit, QUESTION_LIST_MAX), "last_id": last_id,
            "sort_dir": sort_dir}
    return parse_question_list(client.post("/v1/question/list", body))


def question_info(client: OzonClient, question_id: str) -> Question:
    path = "/v1/question/info"
    data = client.post(path, {"question_id": question_id})
    return strict(path, lambda: parse_question(data))


def question_count(client: OzonClient) -> QuestionCount:
    return parse_question_count(client.post("/v1/question/count", {}))


def change_status(client: OzonClient, question_ids: Iterable[str], status: str) -> None:
    client.post("/v1/question/change-status", {"question_ids": list(question_ids), "status": status})


def parse_answer_created(body: Any, path: str = "/v1/question/answer/create") -> str:
    """The new answer's id."""
    rec = page_record("answer", body, path)
    return str(strict(path, lambda: rec.str("answer_id")))


def answer_create(client: OzonClient, question_id: str, sku: int, text: str) -> str:
    """Publish the seller's answer; its id. Not idempotent: never retried once it may have run."""
    path = "/v1/question/answer/create"
    data = client.post(path, {"question_id": question_id, "sku": sku, "text": text},
                       idempotent=False)
    return parse_answer_created(data, path)


def answer_list(client: OzonClient, question_id: str, sku: int, last_id: str = "") -> AnswerPage:
    body = {"question_id": question_id, "sku": sku, "last_id": last_id}
    return parse_answer_list(client.post("/v1/question/answer/list", body))


def iter_answers(client: OzonClient, question_id: str, sku: int) -> Iterator[Answer]:
    """Every answer to a question, page by page (``last_id`` until it stops moving), so a caller
    looking for one stops calling once it is found."""
    last_id, seen = "", set()
    while True:
        page = answer_list(client, question_id, sku, last_id)
        fresh = [a for a in page.answers if a.answer_id not in seen]
        seen.update(a.answer_id for a in fresh)
        yield from fresh
        if not fresh or not page.last_id or page.last_id == last_id:
            return
        last_id = page.last_id


def answer_delete(client: OzonClient, answer_id: str, sku: int) -> None:
    client.post("/v1/question/answer/delete", {"answer_id": answer_id, "sku": sku})
