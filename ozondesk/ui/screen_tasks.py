"""Database work for a screen that may close while the work runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")


def run_for(
    widget: QWidget,
    runner: TaskRunner,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    """``runner.run`` whose callbacks are dropped once ``widget`` is gone (its workspace closed
    while the query ran): touching a deleted widget would raise inside Qt's event loop."""

    def done(result: Any) -> None:
        if isValid(widget):
            on_done(result)

    def failed(exc: BaseException) -> None:
        if isValid(widget):
            on_error(exc)
        else:
            log.debug("dropped the failure of a closed screen's task: %s", exc)

    runner.run(work, done, failed)
