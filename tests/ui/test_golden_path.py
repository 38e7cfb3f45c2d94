"""The golden path of #17 through the app's own window on a lead's demo desk, at 1280×720, in
English, Chinese and Russian: open the most urgent conversation that can still be answered in
time, insert a template from the picker, write a promise with a date already past (an error
that blocks Send), fix it with the finding's fix button, send, and see the reply queued, in the
thread and in the outbox. The window keeps the size it was given at every step.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from demo_desk import LANGUAGES, close_desk, interface_language, lead_demo, open_desk
from PySide6.QtCore import Qt
from sqlalchemy import select

from ozondesk.domain.templates import fill_template
from ozondesk.i18n import _
from ozondesk.store.models import OutboxEntry

NOW = datetime.now(UTC)
SIZE = (1280, 720)
MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                   "сентября", "октября", "ноября", "декабря")


def past_promise(now: datetime) -> str:
    """A sentence promising a day three days ago: the linter's promise-check.past error."""
    day = (now + timedelta(hours=3) - timedelta(days=3)).date()  # Moscow's calendar day
    return f" Отправим замену {day.day} {MONTHS_GENITIVE[day.month - 1]}."


def open_most_urgent_answerable(qtbot: Any, window: Any) -> int:
    """Walk the inbox from its top (most urgent first) as an agent would, past the
    conversations whose deadline has gone or whose reply window is shut, and stop on the first
    whose reply can still keep its deadline. Returns its id."""
    composer, model = window.composer, window.model
    listing = window.list  # the compact conversation list: a click opens the conversation
    for row in range(model.rowCount()):
        qtbot.waitUntil(lambda r=row: model.row_at(r) is not None, timeout=10_000)
        item = model.row_at(row)
        if item.due_at is None:
            break  # no deadline at all below here: nothing urgent left
        if item.due_at <= datetime.now(UTC):
            continue  # already breached: no deadline left to promise
        index = listing.model().index(row, listing.modelColumn())
        listing.scrollTo(index)
        qtbot.waitUntil(lambda i=index: listing.visualRect(i).isValid()
                        and listing.viewport().rect().contains(listing.visualRect(i).center()), timeout=8000)
        qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=listing.visualRect(index).center())
        qtbot.waitUntil(lambda i=item.id: composer.conversation_id == i and composer.state is not None
                        and window.runner.pending == 0, timeout=10_000)
        verdict = composer.window()
        if verdict is not None and verdict.allowed and "deadline_msk" in composer.state.values \
                and not composer.editor.isReadOnly():
            return int(item.id)
    raise AssertionError("no conversation of the demo can be answered before its deadline")


@pytest.mark.parametrize("language", LANGUAGES)
def test_open_insert_fix_send_queued_at_1280x720(qtbot: Any, tmp_path: Path, language: str) -> None:
    db = lead_demo(tmp_path / "desk.sqlite", now=NOW)
    with interface_language(language):
        window, sync, runner = open_desk(db)
        try:
            window.resize(*SIZE)
            window.show()
            window.start()
            qtbot.waitExposed(window)
            sizes = [(window.width(), window.height())]
            qtbot.waitUntil(lambda: window.model.rowCount() > 0 and runner.pending == 0, timeout=20_000)
            composer = window.composer
            assert composer is not None

            conversation = open_most_urgent_answerable(qtbot, window)
            sizes.append((window.width(), window.height()))

            # A template from the picker, as typed into its search and chosen with Enter: the
            # first one this conversation fills completely.
            composer.open_templates()
            qtbot.waitUntil(lambda: composer.picker.model.rowCount() > 0, timeout=10_000)
            values = composer.state.values
            choice = next(c for c in composer.picker.model.choices
                          if not fill_template(c.body, values, NOW).unfilled)
            composer.picker.set_filter(choice.title)
            qtbot.waitUntil(lambda: composer.picker.current() is not None
                            and composer.picker.current().slug == choice.slug, timeout=8000)
            qtbot.keyClick(composer.picker.search, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: composer.text.strip() != "" and not composer.picker.isVisible(), timeout=8000)
            inserted = composer.text
            sizes.append((window.width(), window.height()))

            # A promise of a day already past: an error, and Send stays off.
            composer.editor.setFocus()
            composer.editor.moveCursor(composer.editor.textCursor().MoveOperation.End)
            # Typed as an input method commits it (QTest's key clicks are Latin-1 only).
            composer.editor.insertPlainText(past_promise(NOW))
            qtbot.waitUntil(lambda: any(f.rule == "promise-check.past" for f in composer.findings), timeout=10_000)
            assert not composer.send_button.isEnabled()
            # Its line in the findings list carries the fix button: errors come first.
            assert composer.findings[0].rule == "promise-check.past"
            composer.findings_list.setCurrentRow(0)
            button = composer.fix_button
            qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=8000)
            sizes.append((window.width(), window.height()))

            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not any(f.severity == "error" for f in composer.findings)
                            and composer.send_button.isEnabled(), timeout=10_000)
            reply = composer.text
            assert reply.startswith(inserted) and "МСК" in reply
            sizes.append((window.width(), window.height()))

            with qtbot.waitSignal(composer.sent, timeout=10_000):
                qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
            queued = _("queued")
            qtbot.waitUntil(lambda: reply[:30] in window.view.thread.toPlainText()
                            and queued in window.view.thread.toPlainText(), timeout=10_000)
            assert composer.text == ""
            sizes.append((window.width(), window.height()))
            with db.read() as session:
                entries = session.execute(select(OutboxEntry.conversation_id, OutboxEntry.text, OutboxEntry.state)).all()
            assert [(c, t) for c, t, _state in entries] == [(conversation, reply)]
            assert entries[0].state == "pending"  # no Ozon connection on the demo: it waits
            assert window.shown_id == conversation
            assert sizes == [SIZE] * len(sizes)
        finally:
            close_desk(window, sync, runner)
