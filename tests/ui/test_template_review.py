"""The lead's review screen: queue, word diff, lint, approve/reject, history; roles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from desk_setup import TEMPLATE_PEOPLE, add_shop, msk
from PySide6.QtCore import Qt

from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.template_diff import Piece, word_diff
from ozondesk.ui.template_review import ReviewQueueModel, TemplateReview

NOW = msk(2026, 11, 23, 16, 0)  # Monday; the edit was submitted at 15:00 MSK
OLD = "Заказ придёт 30 ноября."
NEW = "Заказ придёт 2 декабря, постараемся быстрее."


class Desk:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.service = TemplateService(db)
        self.runner = TaskRunner()
        self.people = add_shop(db, TEMPLATE_PEOPLE)
        agent, lead = self.people["agent"].id, self.people["lead"].id
        first = self.service.create(agent, slug="delay", category="logistics-delay", title="Задержка",
                                    body=OLD, now=msk(2026, 11, 2, 10, 0), gloss_zh="延迟")
        self.service.submit(agent, first.id, msk(2026, 11, 2, 10, 0))
        self.service.approve(lead, first.id, msk(2026, 11, 2, 11, 0))
        self.template_id = first.template_id
        self.pending = self.service.edit(agent, first.template_id, title="Задержка доставки", body=NEW,
                                         now=msk(2026, 11, 23, 15, 0))
        self.service.submit(agent, self.pending.id, msk(2026, 11, 23, 15, 0), comment="новая дата")

    def screen(self, qtbot: Any, role: str = "lead") -> TemplateReview:
        screen = TemplateReview(self.service, self.runner, self.people[role], clock=lambda: NOW)
        qtbot.addWidget(screen)
        screen.show()
        with qtbot.waitSignal(screen.history_loaded, timeout=5000):
            with qtbot.waitSignal(screen.loaded, timeout=5000):
                screen.refresh()
        return screen


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(db)
    yield d
    qtbot.waitUntil(lambda: d.runner.pending == 0, timeout=5000)
    d.runner.shutdown()


def test_word_diff_marks_whole_russian_words() -> None:
    left, right = word_diff("Заказ придёт завтра.", "Заказ придут завтра утром.")
    assert left == [Piece("same", "Заказ "), Piece("deleted", "придёт"), Piece("same", " завтра.")]
    assert right == [Piece("same", "Заказ "), Piece("inserted", "придут"), Piece("same", " завтра"),
                     Piece("inserted", " утром"), Piece("same", ".")]
    assert word_diff("Без изменений.", "Без изменений.") == ([Piece("same", "Без изменений.")],) * 2


def test_the_queue_model_passes_the_model_tester(qtmodeltester: Any, desk: Desk) -> None:
    model = ReviewQueueModel()
    model.set_items(desk.service.review_items(NOW))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 1 and model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == desk.pending.id


def test_the_queue_lists_the_submission_with_msk_times_diff_and_findings(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot)
    model = screen.model
    assert model.rowCount() == 1
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row == ["Задержка доставки", "Logistics delay", "Li Na", "23.11.2026 15:00", "26.11.2026 15:00"]
    header = screen.header.text()
    assert "26.11.2026 15:00" in header and "live revision #1 stays in force until then" in header
    assert "придёт" in screen.diff.right.toPlainText() and "30 ноября" in screen.diff.left.toPlainText()
    deleted = [p.text for p in screen.diff.pieces[0] if p.kind == "deleted"]
    inserted = [p.text for p in screen.diff.pieces[1] if p.kind == "inserted"]
    assert "30 ноября" in "".join(deleted) and "постараемся быстрее" in "".join(inserted)
    assert "inserted" in screen.diff.right.toHtml() or "#ccffd8" in screen.diff.right.toHtml()
    severities = [screen.findings.item(i).data(Qt.ItemDataRole.UserRole) for i in range(screen.findings.count())]
    assert "warning" in severities  # "постараемся" is a hedge
    history = screen.history.toPlainText()
    assert "in force now: revision #1" in history and "новая дата" in history


def test_approving_with_a_comment_empties_the_queue_and_the_history_shows_the_effect(
    qtbot: Any, desk: Desk
) -> None:
    screen = desk.screen(qtbot)
    assert screen.approve_button.isVisible() and screen.approve_button.isEnabled()
    screen.comment.setPlainText("Дата понятна, ок")
    with qtbot.waitSignal(screen.history_loaded, timeout=5000):
        with qtbot.waitSignal(screen.reviewed, timeout=5000) as reviewed:
            qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    record = reviewed.args[0]
    assert record.status == "approved" and record.review_comment == "Дата понятна, ок"
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=5000)
    assert screen.empty.isVisible() and not screen.approve_button.isEnabled()
    assert "takes effect 26.11.2026 15:00 MSK" in screen.message.text()
    qtbot.waitUntil(lambda: "Wang Lei" in screen.history.toPlainText(), timeout=5000)
    history = screen.history.toPlainText()
    assert "26.11.2026 15:00" in history and "Дата понятна, ок" in history
    assert "in force now: revision #1" in history  # the old text stays until the effect date
    [t] = desk.service.templates(NOW)
    assert t.live is not None and t.live.body == OLD


def test_rejecting_without_a_comment_is_refused_in_one_line(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot)
    with qtbot.waitSignal(screen.refused, timeout=5000) as refused:
        screen.reject()
    assert "needs a comment" in refused.args[0] and "\n" not in refused.args[0]
    assert "needs a comment" in screen.message.text()
    assert [r.status for r in desk.service.history(desk.template_id)] == ["approved", "submitted"]
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)


def test_reject_with_a_comment_by_keyboard(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot)
    screen.comment.setPlainText("Уберите «постараемся»")
    screen.comment.setFocus()
    with qtbot.waitSignal(screen.reviewed, timeout=5000) as reviewed:
        qtbot.keyClick(screen.comment, Qt.Key.Key_R,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert reviewed.args[0].status == "rejected"
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=5000)
    assert "Rejected" in screen.message.text()


def test_a_revision_another_lead_approved_meanwhile_is_refused_and_leaves_the_queue(
    qtbot: Any, desk: Desk
) -> None:
    screen = desk.screen(qtbot)
    desk.service.approve(desk.people["lead"].id, desk.pending.id, NOW, "первым")
    with qtbot.waitSignal(screen.refused, timeout=5000) as refused:
        screen.approve()
    assert "only a submitted one can" in refused.args[0]
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=5000)


@pytest.mark.parametrize("role", ["agent", "trainer"])
def test_other_roles_see_no_review_buttons_and_keys_do_nothing(qtbot: Any, desk: Desk, role: str) -> None:
    screen = desk.screen(qtbot, role)
    assert screen.model.rowCount() == 1  # the queue is readable
    assert not screen.approve_button.isVisible() and not screen.reject_button.isVisible()
    assert screen.readonly_note.isVisible()
    screen.approve()
    qtbot.keyClick(screen.queue, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert desk.runner.pending == 0
    assert [r.status for r in desk.service.history(desk.template_id)] == ["approved", "submitted"]


def test_the_service_refuses_a_non_lead_even_if_the_screen_would_let_it(qtbot: Any, desk: Desk) -> None:
    screen = desk.screen(qtbot, "agent")
    screen.can_review = True  # as if a button were shown by mistake
    with qtbot.waitSignal(screen.refused, timeout=5000) as refused:
        screen.approve()
    assert refused.args[0] == "only a team lead can approve or reject a template revision"
    assert [r.status for r in desk.service.history(desk.template_id)] == ["approved", "submitted"]


def test_a_screen_closed_while_its_query_runs_drops_the_result(qtbot: Any, desk: Desk) -> None:
    import threading

    from shiboken6 import delete

    gate = threading.Event()
    desk.runner.run(gate.wait, lambda _r: None)  # hold the worker until the screen is gone
    screen = TemplateReview(desk.service, desk.runner, desk.people["lead"], clock=lambda: NOW)
    screen.refresh()
    delete(screen)
    gate.set()
    qtbot.waitUntil(lambda: desk.runner.pending == 0, timeout=5000)  # no exception in the event loop


def test_the_library_hands_a_revision_to_the_review_screen(qtbot: Any, desk: Desk) -> None:
    second = desk.service.create(desk.people["agent"].id, slug="thanks", category="greeting-closing",
                                 title="Спасибо", body="Спасибо за заказ!", now=msk(2026, 11, 23, 15, 30))
    desk.service.submit(desk.people["agent"].id, second.id, msk(2026, 11, 23, 15, 30))
    screen = desk.screen(qtbot)
    assert screen.current().revision.id == desk.pending.id  # type: ignore[union-attr]  # oldest first
    with qtbot.waitSignal(screen.history_loaded, timeout=5000) as loaded:
        screen.select_revision(second.id)
    assert loaded.args[0] == second.template_id
    assert screen.current().revision.id == second.id  # type: ignore[union-attr]
    assert "No live revision yet" in screen.diff.left.toPlainText()
    assert "not offered to agents" in screen.header.text()
