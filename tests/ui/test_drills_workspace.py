"""The drills workspace, offscreen, against a real database, the real linter and the service."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from desk_setup import GOOD_ANSWER, Clock, add_shop
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.drills import load_starter_set, set_to_dict
from ozondesk.services.drills import DrillService
from ozondesk.store.db import Database
from ozondesk.store.models import DrillAttempt
from ozondesk.ui.drills import DrillsWorkspace
from ozondesk.ui.tasks import TaskRunner

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)


class Desk:
    def __init__(self, qtbot: Any, db: Database) -> None:
        self.qtbot = qtbot
        self.db = db
        self.clock = Clock(NOW)
        self.runner = TaskRunner()
        self.service = DrillService(db, clock=self.clock)
        self.people = add_shop(db, {login: (login, login.title(), role) for login, role in (
            ("wang", "agent"), ("zhao", "lead"), ("sun", "trainer"))})

    def workspace(self, login: str) -> DrillsWorkspace:
        w = DrillsWorkspace(self.service, self.runner, self.people[login], clock=self.clock)
        self.qtbot.addWidget(w)
        w.show()
        w.refresh()
        self.settle()
        return w

    def settle(self) -> None:
        self.qtbot.waitUntil(lambda: self.runner.pending == 0, timeout=10000)

    def close(self) -> None:
        self.settle()
        self.runner.shutdown()


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(qtbot, db)
    yield d
    d.close()


def pick(w: DrillsWorkspace, slug: str) -> None:
    assert w.trainee is not None
    row = next(i for i, b in enumerate(w.trainee.briefs) if b.slug == slug)
    w.trainee.drill_list.setCurrentRow(row)


def take(desk: Desk, w: DrillsWorkspace, slug: str, answer: str, minutes: float = 3) -> None:
    t = w.trainee
    assert t is not None
    pick(w, slug)
    t.start_button.click()
    desk.settle()
    t.answer.editor.setPlainText(answer)
    desk.clock.now += timedelta(minutes=minutes)
    with desk.qtbot.waitSignal(t.submitted, timeout=10000):
        t.submit_button.click()
    desk.settle()


def test_an_agent_sees_only_training_clearly_marked(desk: Desk) -> None:
    w = desk.workspace("wang")
    assert w.tabs.count() == 1 and w.trainer is None
    t = w.trainee
    assert t is not None and t.banner.isVisible() and "TRAINING MODE" in t.banner.text()
    assert len(t.briefs) == 9 and t.drill_list.count() == 9


def test_a_trainee_answers_in_the_real_editor_and_sees_criteria_not_the_key(desk: Desk) -> None:
    w = desk.workspace("wang")
    t = w.trainee
    assert t is not None
    pick(w, "return-size-did-not-fit")
    assert "Куртка пришла" not in t.scenario.text()  # hidden until the clock starts
    assert not t.submit_button.isEnabled() and t.answer.editor.isReadOnly()
    t.start_button.click()
    desk.settle()
    assert "Куртка пришла вчера" in t.scenario.text() and "夹克昨天到了" in t.scenario.text()
    assert "38429571-0012" in t.context_label.text() and "Казань" in t.context_label.text()
    assert "Куртка зимняя мужская, размер 48 × 1 — 5\u00a0490\u00a0₽" in t.context_label.text()
    assert t.countdown.text() == "Time left: 10:00" and not t.drill_list.isEnabled()
    desk.qtbot.waitUntil(lambda: t.answer.ready, timeout=10000)

    with desk.qtbot.waitSignal(t.answer.linted, timeout=3000):
        t.answer.editor.insertPlainText("Постараемся вернуть деньги. Напишите нам в WhatsApp.")
    assert t.answer.errors() and t.answer.highlighter.spans  # live lint, wavy underlines

    t.answer.editor.setPlainText(GOOD_ANSWER)
    desk.clock.now += timedelta(minutes=4)
    with desk.qtbot.waitSignal(t.submitted, timeout=10000) as sent:
        t.submit_button.click()
    result = sent.args[0]
    assert result.score == 100 and result.passed
    shown = t.result_label.text()
    assert "Score: 100 / 100" in shown and "Required facts: 25/25 (4/4)" in shown
    assert t.countdown.text() == "Time taken: 4:00"
    for fact in load_starter_set().get("return-size-did-not-fit").facts:  # type: ignore[union-attr]
        assert fact.text not in shown and fact.id not in shown
    desk.settle()
    assert t.drill_list.isEnabled() and t.start_button.text() == "Try again"
    assert "100/100" in t.history_label.text()


def test_the_countdown_turns_to_overtime_and_the_score_says_so(desk: Desk) -> None:
    w = desk.workspace("wang")
    t = w.trainee
    assert t is not None
    pick(w, "return-size-did-not-fit")
    t.start_button.click()
    desk.settle()
    desk.clock.now += timedelta(minutes=10, seconds=5)
    t._update_countdown()
    assert t.countdown.text() == "Over the limit: +0:05"
    t.answer.editor.setPlainText(GOOD_ANSWER)
    with desk.qtbot.waitSignal(t.submitted, timeout=10000) as sent:
        t.submit_button.click()
    assert sent.args[0].score == 75 and "Not passed" in t.result_label.text()
    desk.settle()


def test_a_trainer_reviews_comments_and_exports(desk: Desk, tmp_path: Path) -> None:
    take(desk, desk.workspace("wang"), "return-size-did-not-fit", "Здравствуйте! Вернём деньги.")
    w = desk.workspace("sun")
    assert w.tabs.count() == 2 and w.trainer is not None
    tr = w.trainer
    assert not tr.import_button.isHidden() and not tr.comment_button.isHidden()
    assert tr.model.rowCount() == 1 and tr.model.index(0, 0).data() == "Wang"
    assert tr.select_attempt(tr.reviews[0].id)
    assert "Facts missing:" in tr.detail.text() and "return-window" in tr.detail.text()
    assert "можно вернуть в течение 7 дней после получения" in tr.detail.text()  # the key, for trainers

    tr.comment_edit.setPlainText("Назовите срок возврата денег.")
    with desk.qtbot.waitSignal(tr.done, timeout=5000):
        tr.comment_button.click()
    desk.settle()
    assert tr.model.index(0, 7).data() == "Назовите срок возврата денег."
    assert desk.service.history(desk.people["wang"].id)[0].comment == "Назовите срок возврата денег."

    csv_path = tmp_path / "results.csv"
    with desk.qtbot.waitSignal(tr.done, timeout=5000):
        tr.export_csv(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert [r["trainee_login"] for r in rows] == ["wang"] and rows[0]["comment"].startswith("Назовите")
    pdf_path = tmp_path / "results.pdf"
    assert tr.export_pdf(pdf_path) and pdf_path.read_bytes().startswith(b"%PDF-")


def test_a_trainer_imports_and_exports_sets_and_a_bad_file_changes_nothing(
    desk: Desk, tmp_path: Path
) -> None:
    w = desk.workspace("sun")
    tr = w.trainer
    assert tr is not None and tr.set_list.count() == 1
    data = set_to_dict(load_starter_set())
    data["id"], data["drills"] = "extra", data["drills"][:1]
    good = tmp_path / "extra.json"
    good.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with desk.qtbot.waitSignal(tr.done, timeout=5000):
        tr.import_file(good)
    desk.settle()
    assert tr.set_list.count() == 2 and "1 added" in tr.notice.text()

    data["drills"][0]["time_limit_minutes"] = "ten"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with desk.qtbot.waitSignal(tr.failed, timeout=5000) as failed:
        tr.import_file(bad)
    assert "drills[0].time_limit_minutes" in failed.args[0] and "\n" not in failed.args[0]
    desk.settle()
    assert desk.service.export_set(desk.people["sun"].id, "extra").drills[0].time_limit_minutes == 10

    out = tmp_path / "out.json"
    with desk.qtbot.waitSignal(tr.done, timeout=5000):
        tr.export_set_to(out, "starter-ru")
    assert json.loads(out.read_text(encoding="utf-8")) == set_to_dict(load_starter_set())


def test_a_lead_authors_and_reviews_but_cannot_grade(desk: Desk) -> None:
    take(desk, desk.workspace("wang"), "counterfeit-headphones", "Проверим.")
    w = desk.workspace("zhao")
    tr = w.trainer
    assert tr is not None and not tr.import_button.isHidden()
    assert tr.comment_button.isHidden() and tr.model.rowCount() == 1
    # Even a comment forced past the hidden button is refused by the service.
    tr.select_attempt(tr.reviews[0].id)
    tr.comment_edit.setPlainText("ok")
    with desk.qtbot.waitSignal(tr.failed, timeout=5000) as failed:
        tr.save_comment()
    assert "only a trainer can grade" in failed.args[0]
    with desk.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(DrillAttempt).where(DrillAttempt.comment.is_not(None))) == 0


def test_results_for_a_closed_workspace_are_dropped(desk: Desk) -> None:
    w = DrillsWorkspace(desk.service, desk.runner, desk.people["sun"], clock=desk.clock)
    w.refresh()
    shiboken6.delete(w)  # closed while its queries run: nothing may touch the deleted widgets
    desk.settle()
    assert not shiboken6.isValid(w)


def test_the_results_model_passes_the_model_tester(desk: Desk, qtmodeltester: Any) -> None:
    wang = desk.workspace("wang")
    take(desk, wang, "return-size-did-not-fit", GOOD_ANSWER)
    take(desk, wang, "counterfeit-headphones", "Проверим.")
    tr = desk.workspace("sun").trainer
    assert tr is not None
    model = tr.model
    assert model.rowCount() == 2 and model.columnCount() == 8
    assert [model.index(r, 1).data() for r in range(2)] == ["«Наушники — подделка»", "Куртка не подошла по размеру"]
    assert model.index(1, 5).data() == "100" and model.index(1, 6).data() == "yes"
    assert model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == GOOD_ANSWER
    qtmodeltester.check(model, force_py=True)


def test_the_answer_editor_offers_the_composers_one_click_fixes(desk: Desk) -> None:
    w = desk.workspace("wang")
    t = w.trainee
    assert t is not None
    pick(w, "counterfeit-headphones")
    t.start_button.click()
    desk.settle()
    desk.qtbot.waitUntil(lambda: t.answer.ready, timeout=10000)
    with desk.qtbot.waitSignal(t.answer.linted, timeout=3000):
        t.answer.editor.insertPlainText("Данный товар проверим до 18:00 МСК.")
    row = next(i for i, f in enumerate(t.answer.findings) if f.rule == "style.kanceliarit")
    t.answer.findings_list.setCurrentRow(row)
    assert t.answer.fix_button.isVisibleTo(t) and "«этот»" in t.answer.fix_button.text()
    with desk.qtbot.waitSignal(t.answer.linted, timeout=3000):
        t.answer.fix_button.click()
    assert t.answer.text == "этот товар проверим до 18:00 МСК."
    assert not [f for f in t.answer.findings if f.rule == "style.kanceliarit"]
