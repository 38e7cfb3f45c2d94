from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from desk_setup import add_shop, msk

from ozondesk.domain.packs import load_starter_pack
from ozondesk.domain.review import ReviewError
from ozondesk.domain.roles import PermissionDenied
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database


@dataclass(frozen=True)
class FakeFinding:
    rule: str
    severity: str
    message: str


def fake_lint(body: str) -> list[FakeFinding]:
    return [FakeFinding("vague", "error", "vague promise")] if "постараемся" in body else []


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    people = {role: (role, role.title(), role) for role in ("agent", "lead", "trainer")}
    return {role: a.id for role, a in add_shop(db, people).items()}


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
        with pytest.raises(PermissionDenied, match="only a team lead"):
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


def real_service(db: Database) -> TemplateService:
    return TemplateService(db)  # the real linter and placeholder checks


def test_starter_library_seeds_once_live_and_ready(db: Database) -> None:
    service = real_service(db)
    now = msk(2026, 11, 23, 9, 0)
    seeded = service.seed_starter_library(now)
    assert seeded == len(load_starter_pack().templates)
    assert service.seed_starter_library(now) == 0
    templates = service.templates(now)
    assert len(templates) == seeded and all(t.live is not None for t in templates)
    assert service.readiness(now).ok
    assert [e.action for e in service.audit_log()] == ["template.seed"]


def test_pack_import_is_all_or_nothing_and_reports_every_problem(db: Database, people: dict[str, int]) -> None:
    from ozondesk.domain.packs import Pack, PackError
    from ozondesk.domain.templates import Template

    service = real_service(db)
    now = msk(2026, 11, 23, 9, 0)
    make(service, people, "refund")
    good = Template(id="new-one", title="Новый", category="returns", body="Вернём деньги до {deadline_msk}.")
    clash = Template(id="refund", title="Повтор", category="returns", body="Оформите возврат в разделе «Мои заказы».")
    contact = Template(id="bad", title="Плохой", category="returns",
                       body="Напишите нам в WhatsApp +7 999 123-45-67, ответим до 18:00 МСК.")
    vague = Template(id="vague", title="Размыто", category="returns", body="Отправим в ближайшее время, не переживайте.")
    with pytest.raises(PackError) as caught:
        service.import_pack(people["agent"], Pack(id="p", title="p", templates=(good, clash, contact)), now)
    problems = caught.value.problems
    assert any(p.startswith("templates[1].id") for p in problems)
    assert len([p for p in problems if p.startswith("templates[2].body")]) == 2  # messenger and phone
    assert service.count() == 1  # nothing from the failed pack was written
    assert service.import_pack(people["agent"], Pack(id="p", title="p", templates=(good, vague)), now) == 2
    queue = {r.title for r in service.review_queue()}
    assert queue == {"Новый", "Размыто"}  # imports wait for a lead's review


def test_export_round_trips_the_live_templates(db: Database, people: dict[str, int]) -> None:
    from ozondesk.domain.packs import dumps_pack, loads_pack

    service = real_service(db)
    now = msk(2026, 11, 23, 9, 0)
    service.seed_starter_library(now)
    pack = service.export_pack(now, "mine", "Мои шаблоны")
    again = loads_pack(dumps_pack(pack))
    assert [t.id for t in again.templates] == [t.slug for t in service.templates(now)]
    assert again.templates[0].body == service.templates(now)[0].live.body  # type: ignore[union-attr]
