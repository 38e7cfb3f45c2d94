"""The Settings dialog opens tall enough for its wrapped notes: in Russian, whose notes take the
most lines, no field is squeezed below one line of text (it was: 12 px line edits)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from clipping import clipped
from demo_desk import interface_language
from support import MemoryKeyring

from ozondesk.services.credentials import CredentialStore
from ozondesk.store.db import Database
from ozondesk.ui.settings_dialog import SettingsDialog
from ozondesk.ui.tasks import TaskRunner


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.mark.parametrize("language", ["ru", "zh_CN", "en"])
def test_settings_fields_keep_their_height_in_every_language(
    qtbot: Any, db: Database, runner: TaskRunner, language: str
) -> None:
    with interface_language(language):
        dialog = SettingsDialog(CredentialStore(db, MemoryKeyring()), runner)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.poll_spin.isEnabled() and dialog.busy == 0, timeout=8000)
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=8000)
        problems = clipped(dialog, f"settings/{language}")
        assert problems == []
        assert dialog.name_edit.height() >= dialog.name_edit.minimumSizeHint().height()
