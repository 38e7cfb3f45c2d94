"""DrillService against a real migrated SQLite database: roles, history, keys, audit."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from desk_setup import GOOD_ANSWER, Clock, add_shop
from sqlalchemy import func, select

from ozondesk.domain import drills as dd
from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.roles import PermissionDenied
from ozondesk.errors import UserError
from ozondesk.services.drills import AttemptResult, DrillBrief, DrillService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, DrillAttempt, DrillRow, DrillSetRow, Shop

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    people = {login: (login, login.title(), role) for login, role in (
        ("wang", "agent"), ("li", "agent"), ("lead", "lead"), ("sun", "trainer"))}
    return {login: a.id for login, a in add_shop(db, people).items()}


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def service(db: Database, clock: Clock) -> DrillService:
    return DrillService(db, clock=clock)


def drill_id(service: DrillService, agent: int, slug: str) -> int:
    return next(d.id for d in service.drills(agent) if d.slug == slug)


def test_the_starter_set_is_loaded_the_first_time_and_only_once(
    service: DrillService, db: Database, people: dict[str, int]
) -> None:
    sets = service.sets()
    assert [s.slug for s in sets] == ["starter-ru"] and sets[0].drills == 9
    service.sets()
    service.drills(people["wang"])
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(DrillSetRow)) == 1
        assert session.scalar(select(func.count()).select_from(DrillRow)) == 9


def test_trainee_records_have_no_answer_key(service: DrillService, people: dict[str, int]) -> None:
    briefs = service.drills(people["wang"])
    assert briefs and all(isinstance(b, DrillBrief) for b in briefs)
    assert not any("fact" in f.name for f in dataclasses.fields(DrillBrief))
    assert not any("fact" in f.name or f.name == "lint_errors" for f in dataclasses.fields(AttemptResult))
    key_texts = {f.text for d in dd.load_starter_set().drills for f in d.facts}
    for brief in briefs:
        assert not key_texts & {str(v) for v in dataclasses.astuple(brief)}
    start = service.start(people["wang"], briefs[0].id)
    result = service.submit(people["wang"], start.attempt_id, "Здравствуйте!")
    assert type(result) is AttemptResult
    history = service.history(people["wang"])
    assert all(type(h) is AttemptResult for h in history)
    assert all("/" in c.detail for c in result.criteria if c.name == "facts")


def test_a_full_attempt_is_scored_stored_and_in_history(
    service: DrillService, clock: Clock, people: dict[str, int], db: Database
) -> None:
    wang = people["wang"]
    target = drill_id(service, wang, "return-size-did-not-fit")
    start = service.start(wang, target)
    assert start.started_at == NOW and start.ends_at == NOW + timedelta(minutes=10)
    clock.now = NOW + timedelta(minutes=4, seconds=30)
    result = service.submit(wang, start.attempt_id, GOOD_ANSWER)
    assert result.score == 100 and result.passed and result.elapsed_seconds == 270
    assert result.submitted_at == clock.now and result.answer == GOOD_ANSWER
    again = service.drills(wang)
    mine = next(d for d in again if d.id == target)
    assert mine.attempts == 1 and mine.best_score == 100 and mine.passed
    other = next(d for d in service.drills(people["li"]) if d.id == target)
    assert other.attempts == 0 and other.best_score is None
    assert [h.id for h in service.history(wang)] == [start.attempt_id]
    assert service.history(people["li"]) == []
    with pytest.raises(UserError, match="already submitted"):
        service.submit(wang, start.attempt_id, GOOD_ANSWER)


def test_the_time_limit_runs_from_the_stored_start(
    service: DrillService, clock: Clock, people: dict[str, int]
) -> None:
    wang = people["wang"]
    target = drill_id(service, wang, "return-size-did-not-fit")
    first = service.start(wang, target)
    clock.now = NOW + timedelta(minutes=8)
    reopened = service.start(wang, target)  # closing and reopening does not reset the clock
    assert reopened.resumed and reopened.attempt_id == first.attempt_id
    assert reopened.started_at == NOW
    clock.now = NOW + timedelta(minutes=11)
    result = service.submit(wang, first.attempt_id, GOOD_ANSWER)
    time_result = next(c for c in result.criteria if c.name == "time")
    assert not time_result.passed and result.score == 75 and not result.passed
    fresh = service.start(wang, target)
    assert not fresh.resumed and fresh.attempt_id != first.attempt_id


def test_someone_elses_attempt_cannot_be_submitted(service: DrillService, people: dict[str, int]) -> None:
    start = service.start(people["wang"], drill_id(service, people["wang"], "counterfeit-headphones"))
    with pytest.raises(UserError, match="not yours"):
        service.submit(people["li"], start.attempt_id, GOOD_ANSWER)


def test_roles_are_enforced_by_the_service(service: DrillService, people: dict[str, int]) -> None:
    starter = dd.load_starter_set()
    with pytest.raises(PermissionDenied, match="trainer or a team lead"):
        service.import_set(people["wang"], starter)
    with pytest.raises(PermissionDenied):
        service.export_set(people["wang"])
    start = service.start(people["wang"], drill_id(service, people["wang"], "counterfeit-headphones"))
    service.submit(people["wang"], start.attempt_id, "Проверим.")
    for who in ("wang", "lead"):
        with pytest.raises(PermissionDenied, match="only a trainer can grade"):
            service.comment(people[who], start.attempt_id, "Add a deadline")
    with pytest.raises(PermissionDenied):
        service.results(people["wang"])
    with pytest.raises(PermissionDenied):
        service.results_csv(people["li"])
    # Leads author sets and see results; trainers also grade.
    assert service.results(people["lead"]) and service.results(people["sun"])
    assert service.export_set(people["lead"]).id == "starter-ru"
    assert service.comment(people["sun"], start.attempt_id, "Add a deadline").comment == "Add a deadline"


def test_a_comment_is_stored_shown_to_the_trainee_and_audited(
    service: DrillService, clock: Clock, people: dict[str, int]
) -> None:
    start = service.start(people["wang"], drill_id(service, people["wang"], "counterfeit-headphones"))
    service.submit(people["wang"], start.attempt_id, "Проверим.")
    clock.now = NOW + timedelta(hours=1)
    with pytest.raises(UserError, match="write a comment"):
        service.comment(people["sun"], start.attempt_id, "   ")
    review = service.comment(people["sun"], start.attempt_id, "  Назовите срок и попросите фото.  ")
    assert review.comment == "Назовите срок и попросите фото." and review.commented_by == "Sun"
    assert review.commented_at == clock.now and review.trainee_login == "wang"
    assert set(review.facts_missing) == {"documents", "serial-photo", "refund-if-confirmed"}
    assert dict(review.fact_texts)["documents"].startswith("У нас есть документы")
    mine = service.history(people["wang"])[0]
    assert mine.comment == "Назовите срок и попросите фото." and mine.commented_by == "Sun"
    log = service.audit_log(people["sun"])
    actions = [(e.action, e.agent, e.subject) for e in log]
    assert ("drill.score", "Wang", "drill:starter-ru/counterfeit-headphones") in actions
    assert ("drill.comment", "Sun", "drill:starter-ru/counterfeit-headphones") in actions
    comment_entry = next(e for e in log if e.action == "drill.comment")
    assert comment_entry.detail["trainee"] == "wang" and comment_entry.at == clock.now


def test_results_filter_by_trainee_and_export_as_csv(
    service: DrillService, clock: Clock, people: dict[str, int]
) -> None:
    for who, answer in (("wang", GOOD_ANSWER), ("li", "Здравствуйте, вернём.")):
        start = service.start(people[who], drill_id(service, people[who], "return-size-did-not-fit"))
        clock.now += timedelta(minutes=2)
        service.submit(people[who], start.attempt_id, answer)
    service.start(people["li"], drill_id(service, people["li"], "return-cracked-kettle"))  # open
    assert {p.login for p in service.trainees(people["sun"])} == {"wang", "li"}
    assert [r.trainee_login for r in service.results(people["sun"], people["wang"])] == ["wang"]
    rows = list(csv.DictReader(io.StringIO(service.results_csv(people["sun"]))))
    assert len(rows) == 3
    by_login = {(r["trainee_login"], r["drill"]): r for r in rows}
    wang = by_login[("wang", "Куртка не подошла по размеру")]
    assert wang["score"] == "100" and wang["passed"] == "yes" and wang["facts"] == "25/25"
    assert wang["started_msk"] == "2026-11-23 12:00:00" and wang["answer"] == GOOD_ANSWER
    li = by_login[("li", "Куртка не подошла по размеру")]
    assert li["passed"] == "no" and li["facts_missing"]
    unsubmitted = by_login[("li", "Чайник пришёл с трещиной")]
    assert unsubmitted["score"] == "" and unsubmitted["submitted_msk"] == ""


def test_export_then_import_elsewhere_yields_the_same_set(
    service: DrillService, people: dict[str, int], tmp_path: Path
) -> None:
    from ozondesk.store.db import open_database

    exported = service.export_set(people["sun"])
    assert exported == dd.load_starter_set()
    path = tmp_path / "set.json"
    dd.save_set(exported, path)
    other_db = open_database(str(tmp_path / "other.sqlite"))
    try:
        with other_db.begin() as session:
            shop = Shop(ozon_seller_id="2", name="Other", created_at=datetime(2026, 1, 1))
            session.add(shop)
            session.flush()
            lead = Agent(shop_id=shop.id, login="boss", display_name="Boss", role="lead")
            session.add(lead)
            session.flush()
            lead_id = lead.id
        other = DrillService(other_db, clock=lambda: NOW)
        data = dd.set_to_dict(exported)
        data["id"] = "copy"
        outcome = other.import_set(lead_id, dd.parse_set(data))
        assert (outcome.added, outcome.updated, outcome.archived) == (9, 0, 0)
        copy = other.export_set(lead_id, "copy")
        assert dataclasses.replace(copy, id="starter-ru") == exported
    finally:
        other_db.dispose()


def test_reimport_updates_in_place_and_archives_dropped_drills(
    service: DrillService, people: dict[str, int], db: Database
) -> None:
    wang, sun = people["wang"], people["sun"]
    kettle = drill_id(service, wang, "return-cracked-kettle")
    start = service.start(wang, kettle)
    service.submit(wang, start.attempt_id, "Пришлите фото.")
    starter = service.export_set(sun)
    changed = dataclasses.replace(
        starter,
        version="1.1.0",
        drills=tuple(
            dataclasses.replace(d, time_limit_minutes=20) for d in starter.drills if d.id != "return-cracked-kettle"
        ),
    )
    outcome = service.import_set(sun, changed)
    assert (outcome.added, outcome.updated, outcome.archived) == (0, 8, 1)
    assert "return-cracked-kettle" not in {d.slug for d in service.drills(wang)}
    assert all(d.time_limit_minutes == 20 for d in service.drills(wang))
    assert service.export_set(sun) == changed
    assert [h.drill_title for h in service.history(wang)] == ["Чайник пришёл с трещиной"]
    with pytest.raises(UserError, match="withdrawn"):
        service.start(wang, kettle)
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(DrillAttempt)) == 1


def test_a_malformed_file_changes_nothing(
    service: DrillService, people: dict[str, int], db: Database, tmp_path: Path
) -> None:
    service.sets()
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "id": "x", "title": "X", "drills": [{"id": "a"}]}',
                   encoding="utf-8")
    with pytest.raises(dd.DrillSetError, match=r"drills\[0\]\.title"):
        service.import_file(people["sun"], bad)
    with pytest.raises(PermissionDenied):
        service.import_file(people["wang"], bad)
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(DrillSetRow)) == 1
    assert [e.action for e in service.audit_log(people["sun"])] == []


def test_export_needs_a_set_id_when_there_are_several(
    service: DrillService, people: dict[str, int]
) -> None:
    data = dd.set_to_dict(dd.load_starter_set())
    data["id"] = "second"
    service.import_set(people["lead"], dd.parse_set(data))
    with pytest.raises(UserError, match="choose the drill set to export: second, starter-ru"):
        service.export_set(people["lead"])
    with pytest.raises(UserError, match="no drill set 'nope'"):
        service.export_set(people["lead"], "nope")
    assert service.export_set(people["lead"], "second").id == "second"
    assert [e.action for e in service.audit_log(people["lead"])] == ["drill.import"]


def test_unknown_agents_are_refused(service: DrillService) -> None:
    with pytest.raises(UserError, match="unknown or inactive agent"):
        service.drills(999)
    with pytest.raises(UserError, match="no active agent"):
        service.person("ghost")


def test_csv_cells_never_run_as_spreadsheet_formulas(service: DrillService, people: dict[str, int]) -> None:
    start = service.start(people["wang"], drill_id(service, people["wang"], "counterfeit-headphones"))
    service.submit(people["wang"], start.attempt_id, '=HYPERLINK("http://example.com")')
    service.comment(people["sun"], start.attempt_id, "-1 балл за тон")
    row = next(csv.DictReader(io.StringIO(service.results_csv(people["sun"]))))
    assert row["answer"] == "'=HYPERLINK(\"http://example.com\")" and row["comment"] == "'-1 балл за тон"
    assert row["score"].isdigit()
