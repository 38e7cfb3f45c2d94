"""TaskRunner.run_aside: a second thread beside the database worker, callbacks on the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QThread

from ozondesk.errors import UserError
from ozondesk.ui.tasks import TaskRunner


def test_aside_work_runs_while_the_worker_is_busy(qtbot: Any) -> None:
    runner = TaskRunner()
    try:
        release = threading.Event()
        got: list[tuple[str, str, bool]] = []
        gui = QThread.currentThread()

        def worker_job() -> str:
            # Held until the aside job has run: in one queue it never would.
            assert release.wait(30), "the aside job waited behind the worker"
            return threading.current_thread().name

        def aside_job() -> str:
            release.set()
            return threading.current_thread().name

        runner.run(worker_job, lambda name: got.append(("worker", name, QThread.currentThread() is gui)))
        runner.run_aside(aside_job, lambda name: got.append(("aside", name, QThread.currentThread() is gui)))
        qtbot.waitUntil(lambda: len(got) == 2 and runner.pending == 0, timeout=10000)
        by_kind = {kind: (name, on_gui) for kind, name, on_gui in got}
        assert by_kind["aside"][0].startswith("ozondesk-db-aside") and by_kind["aside"][1]
        assert by_kind["worker"][0].startswith("ozondesk-db_") and by_kind["worker"][1]
        errors: list[BaseException] = []

        def boom() -> None:
            raise UserError("choose another period")

        runner.run_aside(boom, lambda _r: None, errors.append)
        qtbot.waitUntil(lambda: bool(errors) and runner.pending == 0, timeout=10000)
        assert [str(e) for e in errors] == ["choose another period"]
    finally:
        runner.shutdown()
    assert runner.closed
    runner.run_aside(lambda: 1, lambda _r: None)  # dropped after shutdown
    assert runner.pending == 0
