"""Translation on the desk through the real TranslationService (protection, cache, glossary, usage,
roles) with an engine object that answers from a phrase book, as the service's tests inject one."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter
from sqlalchemy import select, update
from test_translation_desk import BUYER_1, NOW, WAIT, add_conversation

from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.templates import TemplateService
from ozondesk.services.translation import TranslationService
from ozondesk.settings.desk import DeskSettings
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, OutboxEntry
from ozondesk.ui.composer import Composer
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.translation_desk import TranslationDesk

# What the engine receives: placeholders and deadlines already swapped for tags by the service.
CHINESE = "我们会在{deadline_msk}前发货，请耐心等待"
BOOK = {
    ("ru", '我们会在<x i="1"/>前发货，请耐心等待'): 'Отправим до <x i="1"/>, терпеливо ждите.',
    ("zh", 'Отправим до <x i="1"/>, терпеливо ждите.'): '我们会在<x i="1"/>前发货，耐心等待。',
    ("zh", BUYER_1): "我的订单在哪里？",
}


class PhraseEngine:
    name = "fake"
    max_chars = 5000

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def translate(self, texts: Sequence[str], target: str, source: str | None) -> list[str]:
        with self._lock:
            self.sent.extend((t, target) for t in texts)
        return [BOOK.get((target, t), f"[{target}] {t}") for t in texts]

    def close(self) -> None:
        pass


class Desk:
    def __init__(self, qtbot: Any, db: Database, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.db = db
        self.runner = TaskRunner()
        self.engine = PhraseEngine()
        self.ini = tmp_path / "desk.ini"
        TemplateService(db).seed_starter_library(NOW - timedelta(days=1))
        self.cid = add_conversation(db)  # its only agent is a lead
        with db.begin() as s:
            self.lead_id = s.scalar(select(Agent.id))
            assert self.lead_id is not None
        self.desks: list[TranslationDesk] = []

    def clock(self) -> Any:
        return NOW

    def build(self, role: str = "lead") -> tuple[ConversationView, Composer, TranslationDesk]:
        with self.db.begin() as s:
            s.execute(update(Agent).values(role=role))
        window = QMainWindow()
        self.qtbot.addWidget(window)
        view = ConversationView(window)
        composer = Composer(ComposeService(self.db, clock=self.clock), self.runner, agent_id=self.lead_id,
                            clock=self.clock, parent=window)
        split = QSplitter(window)
        split.addWidget(view)
        split.addWidget(composer)
        window.setCentralWidget(split)
        menu = QMenu("Desk", window)
        service = TranslationService(self.db, engine=self.engine, agent_id=self.lead_id, clock=self.clock)
        agent = DeskAgent(self.lead_id, "wang", "王芳", "Shop", "lead")  # the desk shows the lead's menu
        desk = TranslationDesk(window, view, composer, service, DeskSettings(self.ini, "sqlite:///t"), agent, menu)
        self.desks.append(desk)
        window.resize(1280, 720)
        window.show()
        detail = ConversationService(self.db).detail(self.cid, NOW)
        view.show_detail(detail, NOW)
        with self.qtbot.waitSignal(composer.loaded, timeout=WAIT):
            composer.set_conversation(detail, NOW)
        self.qtbot.waitUntil(lambda: composer._ready, timeout=WAIT)
        return view, composer, desk

    def close(self) -> None:
        for d in self.desks:
            self.qtbot.waitUntil(lambda d=d: d.runner.pending == 0, timeout=WAIT)
            d.runner.shutdown()
        self.qtbot.waitUntil(lambda: self.runner.pending == 0, timeout=WAIT)
        self.runner.shutdown()


@pytest.fixture
def desk(qtbot: Any, db: Database, tmp_path: Path) -> Iterator[Desk]:
    d = Desk(qtbot, db, tmp_path)
    yield d
    d.close()


def test_a_placeholder_survives_the_round_trip_and_the_linter_asks_for_it(qtbot: Any, desk: Desk) -> None:
    _view, composer, td = desk.build()
    panel = td.panel
    assert panel is not None
    panel.toggle.click()
    panel.source.setPlainText(CHINESE)
    with qtbot.waitSignal(panel.back_translated, timeout=WAIT):
        panel.translate_button.click()
    assert composer.text == "Отправим до {deadline_msk}, терпеливо ждите."
    # The placeholder went to the engine as a tag, never as text it could translate.
    assert desk.engine.sent[0] == ('我们会在<x i="1"/>前发货，请耐心等待', "ru")
    rules = {f.rule for f in composer.findings}
    assert {"composer.placeholder", "mt-artifact.calque"} <= rules
    assert not composer.send_button.isEnabled()  # an unfilled placeholder blocks Send
    assert panel.back.toPlainText() == "我们会在{deadline_msk}前发货，耐心等待。"
    assert panel.back_title.text() == "Back-translation · Test translator:"
    # Both directions were counted for the lead's view, in characters sent.
    usage = td.translator.usage()
    assert [(u.day, u.engine) for u in usage] == [(NOW.date(), "fake")]
    assert usage[0].characters == sum(len(t) for t, _to in desk.engine.sent)
    with desk.db.begin() as s:
        assert s.scalars(select(OutboxEntry)).all() == []


def test_a_message_translated_once_comes_from_the_team_memory_the_next_time(qtbot: Any, desk: Desk) -> None:
    view, _composer, _td = desk.build()
    first = view.detail.messages[0].id if view.detail else 0
    view.thread.anchorClicked.emit(QUrl(f"translate:{first}"))
    qtbot.waitUntil(lambda: "我的订单在哪里？" in view.thread.toPlainText(), timeout=WAIT)
    # Another desk (a colleague's, or this one after a restart) asks for the same message.
    view2, _c2, td2 = desk.build()
    view2.thread.anchorClicked.emit(QUrl(f"translate:{first}"))
    qtbot.waitUntil(lambda: "我的订单在哪里？" in view2.thread.toPlainText(), timeout=WAIT)
    assert [t for t, to in desk.engine.sent if to == "zh"] == [BUYER_1]
    assert "Machine translation · Test translator" in view2.thread.toPlainText()


def test_the_glossary_dialog_writes_through_the_service_and_an_agent_is_refused(qtbot: Any, desk: Desk) -> None:
    _view, _composer, td = desk.build()
    admin = td.open_admin()
    qtbot.waitUntil(lambda: admin.usage_total.text() != "", timeout=WAIT)
    admin.ru_edit.setText("пункт выдачи")
    admin.zh_edit.setText("取货点")
    with qtbot.waitSignal(admin.loaded, timeout=WAIT):
        admin.save_button.click()
    assert [(e.ru, e.zh) for e in td.translator.glossary()] == [("пункт выдачи", "取货点")]
    assert admin.glossary.rowCount() == 1
    admin.close()

    # The same desk after the person became an agent: the service refuses, one line, nothing written.
    with desk.db.begin() as s:
        s.execute(update(Agent).values(role="agent"))
    admin = td.open_admin()
    qtbot.waitUntil(lambda: admin.glossary.rowCount() == 1, timeout=WAIT)
    admin.ru_edit.setText("трек-номер")
    admin.zh_edit.setText("物流单号")
    assert admin.save_entry()
    qtbot.waitUntil(lambda: admin.status.text() != "", timeout=WAIT)
    assert admin.status.text() == "only a team lead can change the translation glossary"
    assert [(e.ru, e.zh) for e in td.translator.glossary()] == [("пункт выдачи", "取货点")]
