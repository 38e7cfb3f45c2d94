"""Translation on the desk, offscreen, against a real SQLite database, the real composer and linter,
and a translator that answers from a small dictionary (no network)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from desk_setup import Clock
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter
from sqlalchemy import select

from ozondesk.domain.clock import MOSCOW
from ozondesk.errors import UserError
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.templates import TemplateService
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, OutboxEntry, Posting, Shop
from ozondesk.ui.composer import Composer
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.translation_desk import TranslationDesk

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)
WAIT = 10_000  # ms: generous, the machine is shared

BUYER_1 = "Где мой заказ?"
BUYER_2 = "Когда привезут?"
CHINESE = "请耐心等待，祝您生活愉快"
# What a literal engine makes of it: the linter's machine-translation rule must catch it.
RUSSIAN = "Пожалуйста, терпеливо ждите. Желаем вам счастливой жизни."
BACK = "请耐心等待。祝你生活幸福。"
TO_ZH = {BUYER_1: "我的订单在哪里？", BUYER_2: "什么时候送到？", RUSSIAN: BACK}
TO_RU = {CHINESE: RUSSIAN}


@dataclass(frozen=True)
class Result:
    text: str
    engine: str
    cached: bool = False
    masked: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    ru: str
    zh: str


@dataclass(frozen=True)
class Usage:
    day: date
    engine: str
    characters: int


class Dictionary:
    """A translator with the service's interface: a fixed dictionary, or one error for every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.error: str | None = None
        self.lost: tuple[str, ...] = ()  # what the "engine" drops from a Chinese → Russian answer
        self.hold: threading.Event | None = None  # set by a test to keep an answer on its way
        self.pairs: dict[str, str] = {"пункт выдачи": "取货点"}
        self.sent = [Usage(date(2026, 11, 22), "yandex", 1200), Usage(date(2026, 11, 23), "yandex", 35),
                     Usage(date(2026, 11, 23), "deepl", 7)]

    def configured(self) -> bool:
        return True

    def engine_name(self) -> str | None:
        return "Yandex"

    def translate(self, text: str, to: str, *, source: str | None = None) -> Result:
        if self.hold is not None:
            self.hold.wait(WAIT / 1000)
        self.calls.append((text, to))
        if self.error is not None:
            raise UserError(self.error)
        table = TO_ZH if to == "zh" else TO_RU
        return Result(table.get(text, f"<{to}> {text}"), "yandex", lost=self.lost if to == "ru" else ())

    def glossary(self) -> Sequence[Pair]:
        return [Pair(ru, zh) for ru, zh in self.pairs.items()]

    def set_glossary_entry(self, ru: str, zh: str) -> None:
        self.pairs[ru] = zh

    def delete_glossary_entry(self, ru: str) -> None:
        del self.pairs[ru]

    def usage(self, days: int = 30) -> Sequence[Usage]:
        return list(self.sent)


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def add_conversation(db: Database, chat: str = "chat-1") -> int:
    with db.begin() as s:
        shop = s.scalar(select(Shop))
        if shop is None:
            shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(NOW - timedelta(days=30)))
            s.add(shop)
            s.flush()
            s.add(Agent(shop_id=shop.id, login="wang", display_name="王芳", role="lead"))
            s.flush()
        agent = s.scalar(select(Agent))
        assert agent is not None
        posting = Posting(shop_id=shop.id, posting_number=f"{chat}-0001-1", order_number="123-0001",
                          scheme="FBO", status="delivering", eta=naive(NOW + timedelta(days=2)))
        s.add(posting)
        s.flush()
        conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id=chat, buyer_name="Анна",
                            sla_policy="chat-first-response", received_at=naive(NOW - timedelta(minutes=6)),
                            posting_id=posting.id, assignee_id=agent.id)
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, side="buyer", text=BUYER_1,
                      created_at=naive(NOW - timedelta(minutes=6))))
        s.add(Message(conversation_id=conv.id, side="buyer", text=BUYER_2,
                      created_at=naive(NOW - timedelta(minutes=5))))
        return conv.id


class Desk:
    def __init__(self, qtbot: Any, db: Database, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.db = db
        self.clock = Clock(NOW)
        self.runner = TaskRunner()
        self.ini = tmp_path / "desk.ini"
        self.translator = Dictionary()
        TemplateService(db).seed_starter_library(NOW - timedelta(days=1))
        self.cid = add_conversation(db)
        self.cid2 = add_conversation(db, "chat-2")
        with db.begin() as s:
            self.agent_id = s.scalar(select(Agent.id))
        self.desks: list[TranslationDesk] = []

    def build(self) -> tuple[QMainWindow, ConversationView, Composer, TranslationDesk]:
        window = QMainWindow()
        self.qtbot.addWidget(window)
        view = ConversationView(window)
        composer = Composer(ComposeService(self.db, clock=self.clock), self.runner, agent_id=self.agent_id,
                            agent_name="王芳", clock=self.clock, autosave_ms=100, parent=window)
        split = QSplitter(window)
        split.addWidget(view)
        split.addWidget(composer)
        window.setCentralWidget(split)
        menu = QMenu("Desk", window)
        menu.addAction("Quit")
        agent = DeskAgent(self.agent_id, "wang", "王芳", "Shop", "lead")
        settings = DeskSettings(self.ini, "sqlite:///test")
        desk = TranslationDesk(window, view, composer, self.translator, settings, agent, menu)
        self.desks.append(desk)
        window.resize(1280, 720)
        window.show()
        return window, view, composer, desk

    def open(self, view: ConversationView, composer: Composer, cid: int | None = None) -> None:
        detail = ConversationService(self.db).detail(cid or self.cid, self.clock())
        view.show_detail(detail, self.clock())
        with self.qtbot.waitSignal(composer.loaded, timeout=WAIT):
            composer.set_conversation(detail, self.clock())
        self.qtbot.waitUntil(lambda: composer._ready, timeout=WAIT)

    def outbox(self) -> list[str]:
        with self.db.begin() as s:
            return list(s.scalars(select(OutboxEntry.text).order_by(OutboxEntry.id)))

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


def message_ids(view: ConversationView) -> list[int]:
    assert view.detail is not None
    return [m.id for m in view.detail.messages]


def test_a_message_is_translated_on_demand_under_its_original(qtbot: Any, desk: Desk) -> None:
    _window, view, composer, td = desk.build()
    desk.open(view, composer)
    first, second = message_ids(view)
    html = view.thread.toHtml()
    assert f"translate:{first}" in html and f"translate:{second}" in html
    assert desk.translator.calls == []  # nothing goes to an engine unasked

    view.thread.anchorClicked.emit(QUrl(f"translate:{first}"))
    qtbot.waitUntil(lambda: "我的订单在哪里？" in view.thread.toPlainText(), timeout=WAIT)
    shown = view.thread.toPlainText()
    # The original stays, the translation comes under it, marked as a machine's.
    assert shown.index(BUYER_1) < shown.index("我的订单在哪里？") < shown.index("Machine translation · Yandex Cloud Translate")
    assert shown.index("Machine translation · Yandex Cloud Translate") < shown.index(BUYER_2)
    assert desk.translator.calls == [(BUYER_1, "zh")]
    assert "什么时候送到？" not in shown  # only the message asked for
    assert f"translate:{second}" in view.thread.toHtml() and f"translate:{first}" not in view.thread.toHtml()
    # Asking again for a translated message sends nothing.
    view.thread.anchorClicked.emit(QUrl(f"translate:{first}"))
    assert td.runner.pending == 0 and len(desk.translator.calls) == 1


def test_a_conversation_set_to_translate_does_it_by_itself_and_is_remembered(
    qtbot: Any, desk: Desk
) -> None:
    _window, view, composer, td = desk.build()
    desk.open(view, composer)
    box = td.thread.auto
    assert box.isEnabled() and not box.isChecked()
    box.setChecked(True)
    qtbot.waitUntil(lambda: "什么时候送到？" in view.thread.toPlainText(), timeout=WAIT)
    assert "我的订单在哪里？" in view.thread.toPlainText()
    assert sorted(desk.translator.calls) == sorted([(BUYER_1, "zh"), (BUYER_2, "zh")])
    assert DeskSettings(desk.ini, "sqlite:///test").get(options.TRANSLATE_AUTO) == (desk.cid,)

    # A new buyer message in it is translated as soon as the thread shows it.
    with desk.db.begin() as s:
        s.add(Message(conversation_id=desk.cid, side="buyer", text="Алло?", created_at=naive(NOW)))
    view.show_detail(ConversationService(desk.db).detail(desk.cid, NOW), NOW)
    qtbot.waitUntil(lambda: "<zh> Алло?" in view.thread.toPlainText(), timeout=WAIT)
    assert len(desk.translator.calls) == 3

    # Another conversation is not translated, and its switch is off.
    desk.open(view, composer, desk.cid2)
    assert not box.isChecked()
    assert "我的订单在哪里？" not in view.thread.toPlainText()

    # A new desk (the next start) translates the first conversation as soon as it opens.
    desk.translator.calls.clear()
    _w2, view2, composer2, td2 = desk.build()
    desk.open(view2, composer2)
    assert td2.thread.auto.isChecked()
    qtbot.waitUntil(lambda: "<zh> Алло?" in view2.thread.toPlainText(), timeout=WAIT)
    assert "什么时候送到？" in view2.thread.toPlainText()
    assert len(desk.translator.calls) == 3  # its three buyer messages, each once

    # Off again: remembered too.
    td2.thread.auto.setChecked(False)
    assert DeskSettings(desk.ini, "sqlite:///test").get(options.TRANSLATE_AUTO) == ()


def test_an_engine_error_is_one_line_under_the_message_and_changes_nothing(qtbot: Any, desk: Desk) -> None:
    _window, view, composer, _td = desk.build()
    desk.open(view, composer)
    first, _second = message_ids(view)
    desk.translator.error = "Yandex refused the API key: check it in Settings → Translation."
    view.thread.anchorClicked.emit(QUrl(f"translate:{first}"))
    qtbot.waitUntil(lambda: desk.translator.error in view.thread.toPlainText(), timeout=WAIT)
    lines = view.thread.toPlainText().splitlines()
    assert [line for line in lines if desk.translator.error in line] == [f"{desk.translator.error} · Try again"]
    assert BUYER_1 in lines
    # Try again, once the key is right.
    desk.translator.error = None
    view.thread.anchorClicked.emit(QUrl(f"translate:{first}"))
    qtbot.waitUntil(lambda: "我的订单在哪里？" in view.thread.toPlainText(), timeout=WAIT)
    assert "refused" not in view.thread.toPlainText()


def test_chinese_becomes_a_linted_russian_draft_with_its_back_translation_and_only_russian_is_queued(
    qtbot: Any, desk: Desk
) -> None:
    _window, view, composer, td = desk.build()
    desk.open(view, composer)
    panel = td.panel
    assert panel is not None and not panel.isVisible()
    panel.toggle.click()
    assert panel.isVisible()
    composer.editor.setPlainText("Здравствуйте!")  # what the agent had: Undo brings it back
    panel.source.setPlainText(CHINESE)
    with qtbot.waitSignal(panel.back_translated, timeout=WAIT):
        qtbot.keyClick(panel.source, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert composer.text == RUSSIAN
    assert panel.source.toPlainText() == CHINESE  # Ctrl+Enter translated, it added no line
    # The live linter judges the draft: the machine-translation rule flags the calques.
    assert {f.rule for f in composer.findings} >= {"mt-artifact.calque"}
    assert composer._linted_text == RUSSIAN
    assert panel.back.toPlainText() == BACK
    assert panel.back_title.text() == "Back-translation · Yandex Cloud Translate:"
    assert panel.back.toolTip() == "Machine translation · Yandex Cloud Translate"
    assert desk.translator.calls == [(CHINESE, "ru"), (RUSSIAN, "zh")]
    assert desk.outbox() == []  # translating sends nothing

    # Undo restores the reply as it was; Redo brings the draft back.
    composer.editor.undo()
    assert composer.text == "Здравствуйте!"
    composer.editor.redo()
    assert composer.text == RUSSIAN
    # An edit after the check says the back-translation is out of date.
    composer.editor.appendPlainText("Спасибо!")
    assert panel.back_title.text() == "Back-translation · Yandex Cloud Translate, out of date:"
    composer.editor.undo()

    # Warnings do not block: Send queues the Russian reply, never the Chinese.
    composer.lint_now()
    with qtbot.waitSignal(composer.sent, timeout=WAIT):
        assert composer.send()
    assert desk.outbox() == [RUSSIAN]


def test_a_failed_draft_translation_is_one_line_and_leaves_the_reply_alone(qtbot: Any, desk: Desk) -> None:
    _window, view, composer, td = desk.build()
    desk.open(view, composer)
    panel = td.panel
    assert panel is not None
    panel.toggle.click()
    composer.editor.setPlainText("Здравствуйте!")
    panel.source.setPlainText(CHINESE)
    desk.translator.error = "No network: the translation engine could not be reached."
    with qtbot.waitSignal(panel.failed, timeout=WAIT):
        panel.translate_button.click()
    assert composer.text == "Здравствуйте!"
    assert panel.status.text() == desk.translator.error and panel.status.isVisible()
    assert not panel.back.isVisible()  # the error line gets the back-translation's room
    assert panel.back.toPlainText() == ""
    assert panel.translate_button.isEnabled()
    assert desk.outbox() == []


def test_an_answer_for_a_conversation_left_meanwhile_is_dropped(qtbot: Any, desk: Desk) -> None:
    _window, view, composer, td = desk.build()
    desk.open(view, composer)
    panel = td.panel
    assert panel is not None
    panel.toggle.click()
    panel.source.setPlainText(CHINESE)
    desk.translator.hold = threading.Event()
    assert panel.translate()
    desk.open(view, composer, desk.cid2)  # the agent moves on before the engine answers
    assert panel.source.toPlainText() == ""
    desk.translator.hold.set()
    qtbot.waitUntil(lambda: td.runner.pending == 0, timeout=WAIT)
    assert composer.text == ""
    assert panel.back.toPlainText() == ""


def test_the_lead_edits_the_glossary_and_sees_characters_per_day(qtbot: Any, desk: Desk) -> None:
    _window, _view, _composer, td = desk.build()
    assert td.admin_action is not None
    with qtbot.waitSignal(td.admin_action.triggered, timeout=WAIT):
        td.admin_action.trigger()
    admin = td.admin
    assert admin is not None
    qtbot.waitUntil(lambda: admin.glossary.rowCount() == 1, timeout=WAIT)
    assert admin.glossary.item(0, 0).text() == "пункт выдачи" and admin.glossary.item(0, 1).text() == "取货点"
    assert [admin.usage.item(r, c).text() for r in range(3) for c in range(3)] == [
        "23.11.2026", "Yandex Cloud Translate", "35", "23.11.2026", "DeepL", "7",
        "22.11.2026", "Yandex Cloud Translate", "1\u202f200",
    ]
    assert admin.usage_total.text() == "In all: DeepL 7, Yandex Cloud Translate 1\u202f235"

    # Add a pair.
    admin.ru_edit.setText("трек-номер")
    admin.zh_edit.setText("物流单号")
    with qtbot.waitSignal(admin.loaded, timeout=WAIT):
        admin.save_button.click()
    assert desk.translator.pairs == {"пункт выдачи": "取货点", "трек-номер": "物流单号"}
    assert [admin.glossary.item(r, 0).text() for r in range(2)] == ["пункт выдачи", "трек-номер"]
    # Edit one: picking a row fills the fields; saving the same Russian term changes its Chinese.
    admin.glossary.selectRow(0)
    assert admin.ru_edit.text() == "пункт выдачи"
    admin.zh_edit.setText("自提点")
    with qtbot.waitSignal(admin.loaded, timeout=WAIT):
        admin.save_button.click()
    assert desk.translator.pairs["пункт выдачи"] == "自提点"
    # Delete one.
    admin.glossary.selectRow(1)
    with qtbot.waitSignal(admin.loaded, timeout=WAIT):
        admin.delete_button.click()
    assert desk.translator.pairs == {"пункт выдачи": "自提点"}
    # Half a pair is refused with one line, nothing written.
    admin.ru_edit.setText("ПВЗ")
    admin.zh_edit.clear()
    assert not admin.save_entry()
    assert admin.status.text() == "Fill in both the Russian term and its Chinese."
    assert desk.translator.pairs == {"пункт выдачи": "自提点"}


def test_an_agent_has_no_glossary_menu(qtbot: Any, desk: Desk) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    view = ConversationView(window)
    menu = QMenu("Desk", window)
    agent = DeskAgent(desk.agent_id, "li", "Li Na", "Shop", "agent")
    td = TranslationDesk(window, view, None, desk.translator, None, agent, menu)
    desk.desks.append(td)
    assert td.admin_action is None and td.panel is None and menu.actions() == []


def test_a_protected_part_the_engine_dropped_is_pointed_out(qtbot: Any, desk: Desk) -> None:
    _window, view, composer, td = desk.build()
    desk.open(view, composer)
    panel = td.panel
    assert panel is not None
    panel.toggle.click()
    panel.source.setPlainText(CHINESE)
    desk.translator.lost = ("deadline",)
    with qtbot.waitSignal(panel.back_translated, timeout=WAIT):
        panel.translate_button.click()
    assert composer.text == RUSSIAN
    assert panel.status.text().startswith("The engine dropped 1 protected part (a placeholder, a deadline")
    assert panel.status.isVisible()
    assert panel.back.isVisible() and panel.back.toPlainText() == BACK
