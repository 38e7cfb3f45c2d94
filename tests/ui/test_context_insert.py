"""The context panel's logistics suggestion puts its template, filled, into the real composer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from ozondesk.services.demo import generate
from ozondesk.store.db import open_database
from tests.ui.test_workspace import make_window

NOW = datetime.now(UTC)


def test_insert_from_the_suggestion_fills_the_composer(qtbot: Any, tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=60, now=NOW)
    window = make_window(qtbot, db)
    composer = window.composer
    assert composer is not None
    # The context is a pane of its own beside the conversation (#17), no longer inside the view.
    button = window.view.panel.findChild(QPushButton, "insertSuggestion")
    assert button is not None
    # Walk the list until a conversation has a suggestion whose template is in the library.
    for _step in range(60):
        detail = window.view.detail
        if detail is not None and detail.suggestion is not None and detail.suggestion.slug \
                and button.isEnabled():
            break
        window._move(1)
        qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == window.selected_id,
                        timeout=5000)
        qtbot.waitUntil(lambda: composer.conversation_id == window.selected_id, timeout=5000)
    else:
        raise AssertionError("no conversation in the demo has a logistics suggestion")
    qtbot.waitUntil(lambda: not composer.editor.isReadOnly(), timeout=5000)
    composer.editor.clear()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: composer.template_slug == detail.suggestion.slug, timeout=5000)
    text = composer.text
    assert text.strip()
    # Placeholders the conversation or the suggestion can fill are filled.
    for key in detail.suggestion.values:
        assert "{" + key + "}" not in text, key
    window.close()
    db.dispose()
