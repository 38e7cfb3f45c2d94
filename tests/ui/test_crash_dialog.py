"""Bugs in the GUI: sorted on the worker, reported once in a crash dialog, failing the self-test."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from ozondesk import app as app_module
from ozondesk import crash
from ozondesk.errors import UserError
from ozondesk.ui.crash_dialog import CrashDialog, CrashReporter
from ozondesk.ui.tasks import TaskRunner


@pytest.fixture(autouse=True)
def _own_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    crash.remove_file_log()
    monkeypatch.setenv(crash.LOG_DIR_ENV, str(tmp_path / "logs"))
    yield tmp_path / "logs"
    crash.remove_file_log()


def test_a_failing_task_reaches_its_callback_as_one_line(qtbot: Any) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []

    def work() -> None:
        raise LookupError("Ирина Петрова, +7 912 345-67-89")

    try:
        runner.run(work, lambda _r: None, errors.append)
        qtbot.waitUntil(lambda: runner.pending == 0)
    finally:
        runner.shutdown()
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, crash.BugError)
    assert "Ирина" not in str(error) and "912" not in str(error)
    assert str(error).startswith("OzonDesk hit a problem it does not know (LookupError)")


def test_a_known_error_from_a_task_is_passed_on_unchanged(qtbot: Any) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []
    refusal = UserError("only a team lead can approve or reject a template revision")

    def work() -> None:
        raise refusal

    try:
        runner.run(work, lambda _r: None, errors.append)
        qtbot.waitUntil(lambda: runner.pending == 0)
    finally:
        runner.shutdown()
    assert errors == [refusal]


def test_a_bug_opens_one_dialog_and_later_ones_join_it(qtbot: Any) -> None:
    reporter = CrashReporter()
    try:
        for n in (1, 2):
            try:
                raise RuntimeError(f"bug number {n}")
            except RuntimeError as exc:
                reporter.excepthook(type(exc), exc, exc.__traceback__)
        qtbot.waitUntil(lambda: reporter.dialog is not None and len(reporter.dialog.bugs) == 2)
        dialog = reporter.dialog
        assert isinstance(dialog, CrashDialog)
        qtbot.addWidget(dialog)
        assert dialog.isVisible()
        details = dialog.details.toPlainText()
        assert "bug number 1" in details and "bug number 2" in details
        dialog.copy_button.click()
        assert QGuiApplication.clipboard().text() == details
    finally:
        reporter.uninstall()
    assert sys.excepthook is not reporter.excepthook


def test_the_self_test_fails_after_an_unexpected_error(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = app_module.self_test

    def with_a_bug(window: Any) -> int:
        def slot() -> None:
            raise ZeroDivisionError("in a slot")

        # A slot that raises inside Qt's event loop: PySide6 hands it to sys.excepthook.
        QTimer.singleShot(0, slot)
        return real(window)

    monkeypatch.setattr(app_module, "self_test", with_a_bug)
    args = argparse.Namespace(db=None, demo=False, self_test=True)
    assert app_module.run_app(args) == 70


def test_offscreen_platform_notices_are_not_warnings_but_real_qt_warnings_are(
    qapp: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QDialog

    from ozondesk.ui.crash_dialog import qt_message

    reporter = CrashReporter(qapp, show=lambda bug: None)
    try:
        with caplog.at_level(logging.DEBUG, logger="ozondesk.qt"):
            dialog = QDialog()
            dialog.show()
            dialog.raise_()  # the offscreen platform answers "This plugin does not support raise()"
            dialog.close()
            qt_message(QtMsgType.QtWarningMsg, QMessageLogContext(),
                       "This plugin does not support propagateSizeHints()")
            qt_message(QtMsgType.QtWarningMsg, QMessageLogContext(), "QFont::setPointSize: Point size <= 0")
    finally:
        reporter.uninstall()
    notices = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "ozondesk.qt"]
    assert (logging.DEBUG, "This plugin does not support raise()") in notices
    assert (logging.DEBUG, "This plugin does not support propagateSizeHints()") in notices
    assert [m for level, m in notices if level >= logging.WARNING] == [
        "QFont::setPointSize: Point size <= 0"
    ]
