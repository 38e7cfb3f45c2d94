"""The golden flow through the real main window: open a conversation, write, lint blocks, send → queued,
and a draft that survives closing the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxService
from ozondesk.services.preferences import desk_agent
from ozondesk.services.presence import PresenceService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.main_window import MainWindow

NOW = datetime.now(UTC)


def make_window(qtbot: Any, db: Database) -> MainWindow:
    with db.begin() as session:
        policies = current_policies(session)
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
        compose=ComposeService(db), agent=desk_agent(db),
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    composer = window.composer
    assert composer is not None
    qtbot.waitUntil(lambda: window.view.detail is not None, timeout=8000)
    qtbot.waitUntil(lambda: composer.conversation_id == window.selected_id, timeout=8000)
    qtbot.waitUntil(lambda: not composer.editor.isReadOnly(), timeout=8000)
    return window


def test_open_write_lint_send_queued_and_draft_survives(qtbot: Any, tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=30, now=NOW)
    window = make_window(qtbot, db)
    composer = window.composer
    assert composer is not None
    first = window.selected_id

    # Typing "j" in the composer writes a letter; it does not move the inbox.
    composer.editor.setFocus()
    qtbot.keyClicks(composer.editor, "j")
    assert window.selected_id == first and composer.text.endswith("j")

    composer.editor.setPlainText("Напишите нам в WhatsApp +7 999 123-45-67")
    qtbot.waitUntil(lambda: any(f.severity == "error" for f in composer.findings), timeout=5000)
    assert not composer.send_button.isEnabled()

    # A draft is committed and comes back in a new window on the same database.
    draft = "Здравствуйте! Проверим статус заказа и ответим до 18:00 МСК."
    composer.editor.setPlainText(draft)
    with qtbot.waitSignal(composer.draft_saved, timeout=5000):
        composer.flush_draft()
    window.close()
    window2 = make_window(qtbot, db)
    assert window2.selected_id == first
    assert window2.composer is not None
    qtbot.waitUntil(lambda: window2.composer is not None and window2.composer.text == draft, timeout=5000)
    window2.close()
    db.dispose()


def test_a_clean_reply_is_queued_and_shown_in_the_thread(qtbot: Any, tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=30, now=NOW)
    window = make_window(qtbot, db)
    composer = window.composer
    assert composer is not None
    # A chat the buyer opened within the platform's 48 h reply window, whatever the top row is.
    with db.read() as session:
        fresh = session.scalar(
            select(Conversation.id).where(
                Conversation.kind == "buyer_chat", Conversation.status == "open",
                Conversation.received_at > (NOW - timedelta(hours=40)).replace(tzinfo=None),
            ).order_by(Conversation.id)
        )
    assert fresh is not None
    window.open_conversation(fresh)
    qtbot.waitUntil(lambda: composer.conversation_id == fresh, timeout=8000)
    qtbot.waitUntil(lambda: not composer.editor.isReadOnly(), timeout=8000)
    # No promise in it, so the result cannot depend on the time of day the suite runs.
    reply = "Здравствуйте! При росте 168 см подойдёт размер S: длина по спинке 98 см."
    composer.editor.setPlainText(reply)
    composer.lint_now()
    assert composer.send_blockers() == []
    qtbot.waitUntil(composer.send_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(composer.sent, timeout=5000):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reply[:30] in window.view.thread.toPlainText(), timeout=5000)
    assert "queued" in window.view.thread.toPlainText()
    # The inbox reloads after the send; the conversation opened by id stays on screen
    # (it used to jump to the list's first row once the reload landed).
    qtbot.waitUntil(lambda: window.runner.pending == 0 and window.model.row_at(0) is not None, timeout=8000)
    assert window.shown_id == fresh
    assert window.view.detail is not None and window.view.detail.id == fresh
    window.close()
    db.dispose()


def test_search_and_filters_narrow_the_inbox(qtbot: Any, tmp_path: Path) -> None:
    from ozondesk.services.saved_views import SavedViews

    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=60, now=NOW)
    with db.begin() as session:
        policies = current_policies(session)
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
        agent=desk_agent(db), saved_views=SavedViews(db),
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=5000)
    everything = window.model.rowCount()
    qtbot.waitUntil(lambda: window.filters.category.count() > 1, timeout=5000)  # loaded off the GUI thread
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        window.filters.search.setText("сертификат")
    found = window.model.rowCount()
    assert 0 < found < everything
    qtbot.waitUntil(lambda: window.model.row_at(0) is not None, timeout=5000)
    row = window.model.row_at(0)
    assert row is not None and "【сертификат】" in (row.snippet or "").lower()
    # Save the search as a view, clear it, and get it back in one step.
    window._save_view("Сертификаты", window.filters.current())
    qtbot.waitUntil(lambda: "Сертификаты" in window.filters.views, timeout=5000)
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        window.filters.search.setText("")
    assert window.model.rowCount() == everything
    index = window.filters.view.findData("Сертификаты")
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        window.filters.view.activated.emit(index)
    assert window.model.rowCount() == found
    window.close()
    db.dispose()
