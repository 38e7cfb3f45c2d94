from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.review import ReviewError
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop


@dataclass(frozen=True)
class FakeFinding:
    rule: str
    severity: str
    message: str


def fake_lint(body: str) -> list[FakeFinding]:
    return [FakeFinding("vague", "error", "vague promise")] if "постараемся" in body else []


def msk(*args: int) -> datetime:
    return MOSCOW.localize(datetime(*args)).astimezone(UTC)


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        agents = {
            role: Agent(shop_id=shop.id, login=role, display_name=role.title(), role=role)
            for role in ("agent", "lead", "trainer")
        }
        session.add_all(agents.values())
        session.flush()
        return {role: a.id for role, a in agents.items()}


@pytest.fixture
def service(db: Database) -> TemplateService:
    return TemplateService(db, lint_body=fake_lint)


def make(service: TemplateService, people: dict[str, int], slug: str, body: str = "Вернём деньги до 18:00 МСК.",
         channel: str = "chat") -> Any:
    return service.create(people["agent"], slug=slug, category="returns", title=slug, body=body,
                          now=msk(2026, 11, 2, 10, 0), channel=channel, tags=("возврат",), gloss_zh="退货")


def test_full_review_cycle_with_audit(service: TemplateService, people: dict[str, int]) -> None:
    draft = make(service, people, "refund")
    assert draft.status == "draft" and draft.number == 1
    submitted = service.submit(people["agent"], draft.id, msk(2026, 11, 23, 15, 0))
    assert submitted.effective_at == msk(2026, 11, 26, 15, 0)
    assert [r.id for r in service.review_queue()] == [draft.id]
    approved = service.approve(people["lead"], draft.id, msk(2026, 11, 23, 16, 0), "ок")
    assert approved.status == "approved" and approved.reviewed_by == "Lead"
    [before] = service.templates(msk(2026, 11, 26, 14, 0))
    assert before.live is None  # not in force before the waiting period ends
    [after] = service.templates(msk(2026, 11, 26, 15, 0))
    assert after.live is not None and after.live.number == 1
    actions = [e.action for e in service.audit_log("refund")]
    assert actions == ["template.create", "template.submit", "template.approve"]


def test_editing_an_approved_template_keeps_the_old_text_live(service: TemplateService, people: dict[str, int]) -> None:
    first = make(service, people, "delay")
    service.submit(people["agent"], first.id, msk(2026, 11, 2, 10, 0))
    service.approve(people["lead"], first.id, msk(2026, 11, 2, 11, 0))
    second = service.edit(people["agent"], first.template_id, title="delay v2",
                          body="Заказ придёт 25 ноября.", now=msk(2026, 11, 23, 9, 0))
    assert second.number == 2 and second.status == "draft"
    service.submit(people["agent"], second.id, msk(2026, 11, 23, 9, 0))
    service.approve(people["lead"], second.id, msk(2026, 11, 23, 10, 0))
    [t] = service.templates(msk(2026, 11, 25, 12, 0))
    assert t.live is not None and t.live.number == 1 and t.live.body == "Вернём деньги до 18:00 МСК."
    [t] = service.templates(msk(2026, 11, 26, 9, 0))
    assert t.live is not None and t.live.number == 2
    assert [r.number for r in service.history(first.template_id)] == [1, 2]


def test_errors_block_submission_and_nothing_changes(service: TemplateService, people: dict[str, int]) -> None:
    draft = make(service, people, "vague", body="Постараемся помочь, постараемся быстро.")
    with pytest.raises(ReviewError, match="error"):
        service.submit(people["agent"], draft.id, msk(2026, 11, 23, 9, 0))
    [rev] = service.history(draft.template_id)
    assert rev.status == "draft" and rev.submitted_at is None


def test_roles_are_enforced_in_the_service(service: TemplateService, people: dict[str, int]) -> None:
    draft = make(service, people, "size")
    service.submit(people["agent"], draft.id, msk(2026, 11, 23, 9, 0))
    for role in ("agent", "trainer"):
        with pytest.raises(ReviewError, match="only a team lead"):
            service.approve(people[role], draft.id, msk(2026, 11, 23, 10, 0))
    with pytest.raises(ReviewError, match="comment"):
        service.reject(people["lead"], draft.id, msk(2026, 11, 23, 10, 0), "  ")
    rejected = service.reject(people["lead"], draft.id, msk(2026, 11, 23, 10, 0), "Укажите срок в МСК")
    assert rejected.status == "rejected" and rejected.review_comment == "Укажите срок в МСК"
    again = service.edit(people["agent"], draft.template_id, title="size", body="Размер S.", now=msk(2026, 11, 23, 11, 0))
    assert again.number == 2 and again.status == "draft"


def test_editing_a_submitted_revision_restarts_review(service: TemplateService, people: dict[str, int]) -> None:
    draft = make(service, people, "docs")
    service.submit(people["agent"], draft.id, msk(2026, 11, 23, 9, 0))
    edited = service.edit(people["agent"], draft.template_id, title="docs", body="Пришлём скан до 17:00 МСК.",
                          now=msk(2026, 11, 23, 9, 30))
    assert edited.id == draft.id and edited.status == "draft" and edited.effective_at is None


def test_duplicate_ids_and_unknown_agents(service: TemplateService, people: dict[str, int]) -> None:
    make(service, people, "dup")
    with pytest.raises(ReviewError, match="already exists"):
        make(service, people, "dup")
    with pytest.raises(ReviewError, match="unknown"):
        service.create(999, slug="x", category="returns", title="x", body="x", now=msk(2026, 11, 1, 9))


def test_readiness_needs_three_approved_russian_chat_presets(service: TemplateService, people: dict[str, int]) -> None:
    now = msk(2026, 11, 2, 10, 0)
    for n, channel in enumerate(("chat", "chat", "ticket", "chat")):
        rev = make(service, people, f"t{n}", channel=channel)
        service.submit(people["agent"], rev.id, now)
        service.approve(people["lead"], rev.id, now)
        ready = service.readiness(now + timedelta(days=10))
        assert ready.approved_chat_ru == min(n + 1, 2 if n < 3 else 3)
    assert service.readiness(now + timedelta(days=10)).ok
    assert not service.readiness(now).ok  # none in force yet
