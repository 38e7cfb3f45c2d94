"""The template library: list and search, propose a template or a change, live lint, roles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from desk_setup import TEMPLATE_PEOPLE, add_shop, msk
from PySide6.QtCore import Qt

from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.template_library import TemplateLibrary, TemplateLibraryModel

NOW = msk(2026, 11, 23, 15, 0)  # Monday 15:00 MSK: a submission takes effect Thursday 15:00


class Desk:
    def __init__(self, db: Database) -> None:
        self.service = TemplateService(db)
        self.runner = TaskRunner()
        self.people = add_shop(db, TEMPLATE_PEOPLE)
        agent, lead = self.people["agent"].id, self.people["lead"].id
        for slug, title, body, tags, gloss in (
            ("refund-ok", "Возврат одобрен", "Вернём деньги до 18:00 МСК.", ("возврат",), "退款已批准"),
            ("delay", "Задержка", "Заказ придёт 30 ноября.", ("доставка",), "物流延迟"),
        ):
            rev = self.service.create(agent, slug=slug, category="returns", title=title, body=body,
                                      now=msk(2026, 11, 2, 10, 0), tags=tags, gloss_zh=gloss)
            self.service.submit(agent, rev.id, msk(2026, 11, 2, 10, 0))
            self.service.approve(lead, rev.id, msk(2026, 11, 2, 11, 0))

    def library(self, qtbot: Any, role: str = "agent") -> TemplateLibrary:
        lib = TemplateLibrary(self.service, self.runner, self.people[role], clock=lambda: NOW)
        qtbot.addWidget(lib)
        lib.show()
        with qtbot.waitSignal(lib.loaded, timeout=5000):
            lib.refresh()
        qtbot.waitUntil(lambda: lib._linter_ready, timeout=5000)
        return lib

    def open(self, qtbot: Any, lib: TemplateLibrary, slug: str) -> None:
        row = next(r for r in range(lib.model.rowCount()) if lib.model.record(r).slug == slug)  # type: ignore[union-attr]
        with qtbot.waitSignal(lib.opened, timeout=5000):
            lib.table.setCurrentIndex(lib.model.index(row, 0))

    def type_body(self, qtbot: Any, lib: TemplateLibrary, text: str) -> None:
        with qtbot.waitSignal(lib.linted, timeout=3000):
            lib.body.setPlainText(text)


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(db)
    yield d
    qtbot.waitUntil(lambda: d.runner.pending == 0, timeout=5000)
    d.runner.shutdown()


def shown(lib: TemplateLibrary) -> set[str]:
    return {lib.model.record(r).slug for r in range(lib.model.rowCount())}  # type: ignore[union-attr]


def test_the_model_passes_the_model_tester(qtmodeltester: Any, desk: Desk) -> None:
    model = TemplateLibraryModel()
    model.set_templates(desk.service.templates(NOW))
    qtmodeltester.check(model, force_py=True)
    model.set_query("задержка")
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 1 and model.data(model.index(0, 2)) == "#1"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", {"refund-ok", "delay"}), ("ВОЗВРАТ", {"refund-ok"}), ("доставка", {"delay"}),
     ("物流", {"delay"}), ("задержка", {"delay"}), ("нет такого", set())],
)
def test_search_by_title_tag_and_chinese_gloss(qtbot: Any, desk: Desk, query: str, expected: set[str]) -> None:
    lib = desk.library(qtbot)
    lib.search.setText(query)
    assert shown(lib) == expected


def test_a_new_template_is_saved_as_a_draft_then_submitted_with_its_effect_date(
    qtbot: Any, desk: Desk
) -> None:
    lib = desk.library(qtbot, "trainer")
    lib.new_button.click()
    qtbot.keyClicks(lib.slug, "size-chart")
    lib.title.setText("Таблица размеров")
    lib.set_category("size-and-fit")
    lib.tags.setText("размер, таблица")
    lib.gloss.setText("尺码表")
    desk.type_body(qtbot, lib, "Таблица размеров есть в карточке товара.")
    assert "26.11.2026 15:00" in lib.effect.text()  # what submitting now would mean
    with qtbot.waitSignal(lib.opened, timeout=5000):  # the saved template, reloaded
        with qtbot.waitSignal(lib.saved, timeout=5000) as saved:
            lib.save_button.click()
    assert saved.args[0].status == "draft" and "draft" in lib.message.text()
    assert "size-chart" in shown(lib)
    [record] = [t for t in desk.service.templates(NOW) if t.slug == "size-chart"]
    assert record.tags == ("размер", "таблица") and record.gloss_zh == "尺码表" and record.live is None
    assert lib.template_id == record.id and lib.slug.isReadOnly() and lib.submit_button.isEnabled()
    with qtbot.waitSignal(lib.saved, timeout=5000) as saved:
        lib.submit_button.click()
    assert saved.args[0].status == "submitted" and saved.args[0].number == 1  # the same draft, sent
    assert "takes effect 26.11.2026 15:00 MSK" in lib.message.text()
    assert [r.title for r in desk.service.review_queue()] == ["Таблица размеров"]


def test_proposing_a_change_keeps_the_live_text_until_it_takes_effect(qtbot: Any, desk: Desk) -> None:
    lib = desk.library(qtbot)
    desk.open(qtbot, lib, "delay")
    assert lib.body.toPlainText() == "Заказ придёт 30 ноября." and "Live: revision #1" in lib.state.text()
    desk.type_body(qtbot, lib, "Заказ придёт 2 декабря.")
    with qtbot.waitSignal(lib.opened, timeout=5000):
        with qtbot.waitSignal(lib.saved, timeout=5000) as saved:
            lib.submit_button.click()
    assert saved.args[0].number == 2 and saved.args[0].status == "submitted"
    row = lib.model.row_of(saved.args[0].template_id)
    assert lib.model.data(lib.model.index(row, 2)) == "#1"
    assert lib.model.data(lib.model.index(row, 3)).endswith("26.11.2026 15:00")
    assert "stays until then" in lib.effect.text() and "26.11.2026 15:00" in lib.effect.text()
    [t] = [t for t in desk.service.templates(NOW) if t.slug == "delay"]
    assert t.live is not None and t.live.body == "Заказ придёт 30 ноября."


def test_live_lint_underlines_and_errors_block_submitting(qtbot: Any, desk: Desk) -> None:
    lib = desk.library(qtbot)
    desk.open(qtbot, lib, "delay")
    desk.type_body(qtbot, lib, "Постараемся отправить заказ.")
    severities = [lib.lint_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lib.lint_list.count())]
    assert "warning" in severities and lib.highlighter.spans and lib.submit_button.isEnabled()
    desk.type_body(qtbot, lib, "Заказ придёт {nonsense}.")
    assert lib.errors() and any(s == "error" for _s, _e, s in lib.highlighter.spans)
    assert not lib.submit_button.isEnabled() and lib.save_button.isEnabled()  # a draft may be unfinished
    lib.submit()
    assert "Fix the errors" in lib.message.text()
    assert [r.status for r in desk.service.history(lib.template_id)] == ["approved"]  # type: ignore[arg-type]


def test_bad_input_is_refused_in_one_line_and_nothing_is_written(qtbot: Any, desk: Desk) -> None:
    lib = desk.library(qtbot)
    lib.new_template()
    lib.slug.setText("Не slug")
    lib.title.setText("Плохой")
    desk.type_body(qtbot, lib, "Спасибо за обращение.")
    with qtbot.waitSignal(lib.refused, timeout=5000) as refused:
        lib.save_button.click()
    assert refused.args[0].startswith("id: must be a slug") and "\n" not in refused.args[0]
    assert desk.service.count() == 2


def test_only_a_lead_is_offered_the_review(qtbot: Any, desk: Desk) -> None:
    agent_lib = desk.library(qtbot, "agent")
    desk.open(qtbot, agent_lib, "delay")
    desk.type_body(qtbot, agent_lib, "Заказ придёт 2 декабря.")
    with qtbot.waitSignal(agent_lib.opened, timeout=5000):
        agent_lib.submit_button.click()
    assert not agent_lib.review_button.isVisible() and agent_lib.submit_button.isVisible()
    lead_lib = desk.library(qtbot, "lead")
    desk.open(qtbot, lead_lib, "delay")
    assert lead_lib.review_button.isVisible() and lead_lib.review_button.isEnabled()
    with qtbot.waitSignal(lead_lib.review_requested, timeout=1000) as requested:
        lead_lib.review_button.click()
    assert requested.args[0] == desk.service.review_queue()[0].id


def test_ctrl_s_saves_a_draft_and_ctrl_shift_n_starts_a_new_template(qtbot: Any, desk: Desk) -> None:
    lib = desk.library(qtbot)
    desk.open(qtbot, lib, "delay")
    desk.type_body(qtbot, lib, "Заказ придёт 3 декабря.")
    lib.body.setFocus()
    with qtbot.waitSignal(lib.saved, timeout=5000) as saved:
        qtbot.keyClick(lib.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert (saved.args[0].number, saved.args[0].status) == (2, "draft")
    qtbot.keyClick(lib.search, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert lib.template_id is None and lib.body.toPlainText() == "" and not lib.slug.isReadOnly()
    qtbot.waitUntil(lambda: desk.runner.pending == 0, timeout=5000)  # the reload after saving
    assert lib.template_id is None and lib.body.toPlainText() == ""


def test_a_reload_keeps_unsaved_typing(qtbot: Any, desk: Desk) -> None:
    lib = desk.library(qtbot)
    desk.open(qtbot, lib, "delay")
    assert not lib.is_dirty()
    desk.type_body(qtbot, lib, "Заказ придёт 4 декабря.")
    assert lib.is_dirty()
    with qtbot.waitSignal(lib.loaded, timeout=5000):
        lib.refresh()  # as when the agent comes back to the workspace
    qtbot.waitUntil(lambda: desk.runner.pending == 0, timeout=5000)
    assert lib.body.toPlainText() == "Заказ придёт 4 декабря." and lib.current().slug == "delay"  # type: ignore[union-attr]
    desk.type_body(qtbot, lib, "Заказ придёт 30 ноября.")  # back to the saved text
    assert not lib.is_dirty()
