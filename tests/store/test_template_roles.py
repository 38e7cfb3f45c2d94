"""Roles in the template service: the service refuses, whatever the interface shows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from desk_setup import add_shop, msk
from sqlalchemy import func, select, update

from ozondesk.domain import review
from ozondesk.domain.review import ReviewError
from ozondesk.domain.roles import PermissionDenied
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.store.models import AuditEntry, TemplateRevision

SUBMITTED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 15:00 MSK


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    people = {
        "agent": ("li", "Li Na", "agent"),
        "lead": ("wang", "Wang Lei", "lead"),
        "lead2": ("zhao", "Zhao Ting", "lead"),
        "trainer": ("chen", "Chen Yu", "trainer"),
        "gone": ("old", "Old Lead", "lead"),
        "odd": ("odd", "Odd", "admin"),
    }
    return {key: a.id for key, a in add_shop(db, people, inactive={"gone"}).items()}


@pytest.fixture
def service(db: Database) -> TemplateService:
    return TemplateService(db, lint_body=lambda body: [])


def submitted(service: TemplateService, people: dict[str, int], slug: str = "refund") -> Any:
    draft = service.create(people["agent"], slug=slug, category="returns", title="Возврат",
                           body="Вернём деньги до 18:00 МСК.", now=SUBMITTED)
    return service.submit(people["agent"], draft.id, SUBMITTED, comment="прошу проверить")


def snapshot(db: Database) -> tuple[Any, ...]:
    with db.begin() as session:
        revs = session.execute(
            select(TemplateRevision.id, TemplateRevision.status, TemplateRevision.reviewed_by,
                   TemplateRevision.review_comment, TemplateRevision.effective_at)
            .order_by(TemplateRevision.id)
        ).all()
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return tuple(revs), audits


@pytest.mark.parametrize("role", ["agent", "trainer"])
def test_only_a_lead_approves_or_rejects_and_a_refusal_changes_nothing(
    db: Database, service: TemplateService, people: dict[str, int], role: str
) -> None:
    rev = submitted(service, people)
    before = snapshot(db)
    with pytest.raises(PermissionDenied, match="only a team lead"):
        service.approve(people[role], rev.id, msk(2026, 11, 23, 16, 0), "ok")
    with pytest.raises(PermissionDenied, match="only a team lead"):
        service.reject(people[role], rev.id, msk(2026, 11, 23, 16, 0), "переделать")
    assert snapshot(db) == before
    assert [r.id for r in service.review_queue()] == [rev.id]


def test_a_lead_approves_and_the_audit_says_who_and_why(
    service: TemplateService, people: dict[str, int]
) -> None:
    rev = submitted(service, people)
    approved = service.approve(people["lead"], rev.id, msk(2026, 11, 23, 16, 0), "Хорошо, срок указан")
    assert approved.status == "approved" and approved.reviewed_by == "Wang Lei"
    assert approved.review_comment == "Хорошо, срок указан"
    assert service.review_queue() == []
    log = [(e.action, e.agent, e.detail.get("comment")) for e in service.audit_log("refund")]
    assert log == [
        ("template.create", "Li Na", None),
        ("template.submit", "Li Na", "прошу проверить"),
        ("template.approve", "Wang Lei", "Хорошо, срок указан"),
    ]
    submit_entry = service.audit_log("refund")[1]
    assert submit_entry.detail["effective_at"] == msk(2026, 11, 26, 15, 0).isoformat()


def test_a_rejection_is_audited_with_its_comment_and_needs_one(
    db: Database, service: TemplateService, people: dict[str, int]
) -> None:
    rev = submitted(service, people)
    before = snapshot(db)
    with pytest.raises(ReviewError, match="needs a comment"):
        service.reject(people["lead"], rev.id, msk(2026, 11, 23, 16, 0), "   ")
    assert snapshot(db) == before
    rejected = service.reject(people["lead"], rev.id, msk(2026, 11, 23, 16, 0), "Укажите дату")
    assert rejected.status == "rejected" and rejected.effective_at is None
    last = service.audit_log("refund")[-1]
    assert (last.action, last.agent, last.detail["comment"]) == ("template.reject", "Wang Lei", "Укажите дату")


@pytest.mark.parametrize("who", ["gone", "nobody"])
def test_unknown_or_inactive_actors_are_refused_everywhere(
    db: Database, service: TemplateService, people: dict[str, int], who: str
) -> None:
    rev = submitted(service, people)
    actor = people.get(who, 9999)
    before = snapshot(db)
    now = msk(2026, 11, 23, 16, 0)
    attempts = [
        lambda: service.approve(actor, rev.id, now),
        lambda: service.reject(actor, rev.id, now, "нет"),
        lambda: service.edit(actor, rev.template_id, title="x", body="Текст.", now=now),
        lambda: service.create(actor, slug="new", category="returns", title="x", body="Текст.", now=now),
    ]
    for attempt in attempts:
        with pytest.raises(ReviewError, match="unknown or inactive agent"):
            attempt()
    assert snapshot(db) == before


def test_a_role_the_desk_does_not_know_is_refused(
    db: Database, service: TemplateService, people: dict[str, int]
) -> None:
    rev = submitted(service, people)
    before = snapshot(db)
    with pytest.raises(PermissionDenied, match="unknown role 'admin'"):
        service.approve(people["odd"], rev.id, msk(2026, 11, 23, 16, 0))
    with pytest.raises(PermissionDenied, match="unknown role"):
        service.create(people["odd"], slug="x", category="returns", title="x", body="Текст.",
                       now=msk(2026, 11, 23, 16, 0))
    assert snapshot(db) == before


def test_agents_and_trainers_propose_changes(service: TemplateService, people: dict[str, int]) -> None:
    for role in ("agent", "trainer", "lead"):
        draft = service.create(people[role], slug=f"by-{role}", category="other", title=role,
                               body="Спасибо за обращение.", now=SUBMITTED)
        assert service.submit(people[role], draft.id, SUBMITTED).status == "submitted"


def test_a_second_lead_cannot_review_what_another_just_approved(
    service: TemplateService, people: dict[str, int]
) -> None:
    rev = submitted(service, people)
    service.approve(people["lead"], rev.id, msk(2026, 11, 23, 16, 0))
    with pytest.raises(ReviewError, match="only a submitted"):
        service.reject(people["lead2"], rev.id, msk(2026, 11, 23, 16, 5), "нет")
    assert service.history(rev.template_id)[0].reviewed_by == "Wang Lei"


def test_an_approval_racing_another_is_refused_without_a_second_write(
    service: TemplateService, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    rev = submitted(service, people)
    real_check = review.check
    other: list[threading.Thread] = []
    outcomes: dict[str, str] = {}

    def approve(who: str, minute: int) -> None:
        try:
            service.approve(people[who], rev.id, msk(2026, 11, 23, 16, minute), who)
            outcomes[who] = "approved"
        except ReviewError as exc:
            outcomes[who] = str(exc)

    def check_then_race(action: Any, state: Any, role: str) -> None:
        real_check(action, state, role)
        if action == "approve" and not other:
            # Another lead's desk approves between our read and our write. On SQLite it waits
            # for our write lock; on PostgreSQL the conditional update decides who wins.
            other.append(threading.Thread(target=approve, args=("lead2", 0)))
            other[0].start()

    monkeypatch.setattr(review, "check", check_then_race)
    approve("lead", 1)
    other[0].join(timeout=30)
    [winner] = [who for who, outcome in outcomes.items() if outcome == "approved"]
    [loser] = {"lead", "lead2"} - {winner}
    # SQLite: the loser starts after the winner's commit and finds it approved; PostgreSQL: it
    # read "submitted" and its conditional update found nothing to change.
    assert outcomes[loser] in (
        "this revision is approved; only a submitted one can be approved",
        "another lead reviewed this revision at the same moment; refresh the queue",
    )
    [record] = service.history(rev.template_id)
    names = {"lead": "Wang Lei", "lead2": "Zhao Ting"}
    assert (record.reviewed_by, record.review_comment) == (names[winner], winner)
    assert [e.action for e in service.audit_log("refund")].count("template.approve") == 1


def test_a_review_finding_no_submitted_row_is_refused(
    service: TemplateService, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the store lets both writers through (PostgreSQL), the conditional update decides."""
    rev = submitted(service, people)
    real_revision = TemplateService._revision

    def read_then_lose_the_race(self: TemplateService, session: Any, revision_id: int) -> Any:
        row = real_revision(self, session, revision_id)
        session.execute(
            update(TemplateRevision).where(TemplateRevision.id == revision_id)
            .values(status="approved").execution_options(synchronize_session=False)
        )
        return row  # still reads "submitted", as a row read before the other commit would

    monkeypatch.setattr(TemplateService, "_revision", read_then_lose_the_race)
    with pytest.raises(ReviewError, match="another lead reviewed this revision"):
        service.reject(people["lead"], rev.id, msk(2026, 11, 23, 16, 1), "нет")
    monkeypatch.undo()
    [record] = service.history(rev.template_id)
    assert record.status == "submitted" and record.reviewed_by is None  # all rolled back


def test_the_live_revision_stays_until_the_new_one_takes_effect(
    service: TemplateService, people: dict[str, int]
) -> None:
    first = service.create(people["agent"], slug="delay", category="logistics-delay", title="Задержка",
                           body="Заказ задерживается.", now=msk(2026, 11, 2, 10, 0))
    service.submit(people["agent"], first.id, msk(2026, 11, 2, 10, 0))
    service.approve(people["lead"], first.id, msk(2026, 11, 2, 11, 0))
    second = service.edit(people["agent"], first.template_id, title="Задержка",
                          body="Заказ придёт 30 ноября.", now=SUBMITTED)
    service.submit(people["agent"], second.id, SUBMITTED)
    service.approve(people["lead"], second.id, msk(2026, 11, 23, 16, 0))
    effective = msk(2026, 11, 26, 15, 0)  # three working days later, same Moscow time
    just_before = msk(2026, 11, 26, 14, 59)
    [t] = service.templates(just_before)
    assert t.live is not None and t.live.number == 1 and t.live.body == "Заказ задерживается."
    assert service.template_history(first.template_id, just_before).live_number == 1
    [t] = service.templates(effective)
    assert t.live is not None and t.live.number == 2 and t.live.effective_at == effective
    history = service.template_history(first.template_id, effective)
    assert history.live_number == 2 and [r.number for r in history.revisions] == [1, 2]


def test_review_items_carry_the_live_text_and_the_findings(db: Database, people: dict[str, int]) -> None:
    service = TemplateService(db)  # the real linter
    first = service.create(people["agent"], slug="delay", category="logistics-delay", title="Задержка",
                           body="Заказ придёт 30 ноября.", now=msk(2026, 11, 2, 10, 0))
    service.submit(people["agent"], first.id, msk(2026, 11, 2, 10, 0))
    service.approve(people["lead"], first.id, msk(2026, 11, 2, 11, 0))
    second = service.edit(people["agent"], first.template_id, title="Задержка",
                          body="Заказ придёт 30 ноября, постараемся быстрее.", now=SUBMITTED)
    service.submit(people["agent"], second.id, SUBMITTED)
    [item] = service.review_items(msk(2026, 11, 23, 16, 0))
    assert item.slug == "delay" and item.category == "logistics-delay"
    assert item.revision.id == second.id and item.live is not None and item.live.number == 1
    assert any(f.severity == "warning" for f in item.findings)


def test_metadata_edits_apply_at_once_and_bad_fields_are_refused(
    db: Database, service: TemplateService, people: dict[str, int]
) -> None:
    rev = submitted(service, people)
    service.edit(people["agent"], rev.template_id, title="Возврат", body="Вернём деньги до 18:00 МСК.",
                 now=SUBMITTED, tags=("возврат", "деньги"), gloss_zh="退款")
    [t] = [t for t in service.templates(SUBMITTED) if t.slug == "refund"]
    assert t.tags == ("возврат", "деньги") and t.gloss_zh == "退款"
    assert service.audit_log("refund")[-1].detail["gloss_zh"] == "退款"
    before = snapshot(db)
    with pytest.raises(ReviewError, match="category: 'nope' is not one of"):
        service.edit(people["agent"], rev.template_id, title="Возврат", body="Текст.", now=SUBMITTED,
                     category="nope")
    with pytest.raises(ReviewError, match="id: must be a slug"):
        service.create(people["agent"], slug="Плохой id", category="returns", title="x", body="Текст.",
                       now=SUBMITTED)
    with pytest.raises(ReviewError, match="title: required"):
        service.create(people["agent"], slug="ok", category="returns", title=" ", body="Текст.",
                       now=SUBMITTED)
    assert snapshot(db) == before


def test_propose_saves_then_submits_and_an_unchanged_resubmit_keeps_the_wait(
    service: TemplateService, people: dict[str, int]
) -> None:
    draft = service.propose(people["trainer"], None, slug="size", category="size-and-fit", title="Размер",
                            body="Размер S подойдёт.", now=SUBMITTED, tags=("размер",), gloss_zh="尺码")
    assert draft.status == "draft" and draft.number == 1
    later = msk(2026, 11, 24, 12, 0)
    sent = service.propose(people["trainer"], draft.template_id, title="Размер", body="Размер S подойдёт.",
                           category="size-and-fit", tags=("размер", "S"), gloss_zh="尺码", now=later,
                           submit=True, comment="готово")
    assert (sent.id, sent.status, sent.submitted_at) == (draft.id, "submitted", later)
    again = service.propose(people["trainer"], draft.template_id, title="Размер", body="Размер S подойдёт.",
                            category="size-and-fit", tags=("размер", "S"), gloss_zh="尺码",
                            now=msk(2026, 11, 25, 12, 0), submit=True)
    assert (again.status, again.submitted_at, again.effective_at) == ("submitted", later, sent.effective_at)
    actions = [e.action for e in service.audit_log("size")]
    assert actions == ["template.create", "template.details", "template.submit"]
    [t] = [t for t in service.templates(later) if t.slug == "size"]
    assert t.tags == ("размер", "S")
