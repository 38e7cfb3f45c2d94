"""Background work for the GUI: one database worker thread, results delivered by signal.

As in Anki's taskman: every query runs off the GUI thread, and its callback runs
back on the GUI thread through a queued signal, so widgets are only touched there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from ozondesk.crash import sort_error

log = logging.getLogger("ozondesk.ui")


def _name(work: Callable[[], Any]) -> str:
    return getattr(work, "__qualname__", None) or type(work).__name__


class TaskRunner(QObject):
    _finished = Signal(object, object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozondesk-db")
        self._aside: ThreadPoolExecutor | None = None  # started by the first run_aside
        self._finished.connect(self._deliver)
        self._closed = False
        self.pending = 0

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if self._closed:
            return
        self._submit(self._pool, work, on_done, on_error)

    def run_aside(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """As :meth:`run`, on a second thread beside the database worker, for a read that
        opens its own read transaction (so its own connection) and is independent of what the
        worker does meanwhile, e.g. the dashboard's template and presence figures while the
        worker counts conversations; callbacks still come on the GUI thread."""
        if self._closed:
            return
        if self._aside is None:
            self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozondesk-db-aside")
        self._submit(self._aside, work, on_done, on_error)

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        self.pending += 1

        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread to report
                # Sorted here, off the GUI thread: callbacks get a one-line known error, or a
                # bug already written to the log (and its crash report on the way).
                self._finished.emit(on_done, on_error, None, sort_error(exc, where=_name(work)))
            else:
                self._finished.emit(on_done, on_error, result, None)

        pool.submit(job)

    def _deliver(self, on_done: Any, on_error: Any, result: Any, error: Any) -> None:
        self.pending -= 1
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.warning("background task failed: %s", error)

    @property
    def closed(self) -> bool:
        """Whether ``shutdown`` ran: work handed in now is dropped."""
        return self._closed

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; ``wait=False`` leaves a running job to end by itself (a network
        call the GUI must not wait for), its callbacks then dropped by whoever owns them."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
        if self._aside is not None:
            self._aside.shutdown(wait=wait, cancel_futures=True)
