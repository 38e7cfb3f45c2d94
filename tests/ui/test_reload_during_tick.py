"""A countdown tick while the inbox reloads must not lose the open conversation.

The tick repaints the rows still on screen (the old view's, until the reload's ids arrive); it
used to count as a page arriving, so the window "found" the open conversation among the old
rows, stopped looking for it, and the reload's end then selected the list's first row instead
(test_workspace's queued-reply test, which opens a conversation by id, failed now and then
when the one-second tick fell there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_workspace import NOW, make_window

from ozondesk.services.demo import generate
from ozondesk.store.db import open_database


def test_a_tick_during_a_reload_keeps_the_open_conversation(qtbot: Any, tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=30, now=NOW)
    window = make_window(qtbot, db)
    row = 2  # not the first row, or the test could not tell
    qtbot.waitUntil(lambda: window.model.row_at(row) is not None, timeout=8000)
    found = window.model.row_at(row)
    assert found is not None and window.model.row_at(0) is not None
    other = found.id
    assert other != window.model.row_at(0).id
    window.open_conversation(other)  # by id (a link, a notification): the list keeps its row
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == other, timeout=8000)
    assert window.selected_id != other

    window.reload_inbox()
    window.tick()  # before the reload's ids come back: the old rows are still there
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=8000)
    assert window.shown_id == other
    assert window.view.detail is not None and window.view.detail.id == other
    window.close()
    db.dispose()
