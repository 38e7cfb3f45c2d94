"""One app instance per database: a second start is refused in one line and brings the first
window forward; a killed first instance does not lock the database out."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ozondesk import app as app_module
from ozondesk.ui.single_instance import SingleInstance, bring_to_front

ROOT = Path(__file__).resolve().parents[2]


def args(**kw: Any) -> argparse.Namespace:
    base = {"db": None, "demo": False, "self_test": False}
    base.update(kw)
    return argparse.Namespace(**base)


def test_a_second_guard_on_one_database_is_refused_and_asks_the_first(qtbot: Any, tmp_path: Path) -> None:
    first, second = SingleInstance(str(tmp_path / "a.sqlite")), SingleInstance(str(tmp_path / "a.sqlite"))
    other = SingleInstance(str(tmp_path / "b.sqlite"))
    try:
        assert first.acquire()
        assert not second.acquire()
        assert other.acquire()  # another database is another desk
        with qtbot.waitSignal(first.activated, timeout=5000):
            assert second.ask_running_to_show()
        first.release()
        assert second.acquire()
    finally:
        for guard in (first, second, other):
            guard.release()


def test_nobody_answers_for_a_database_nobody_has_open(qapp: Any, tmp_path: Path) -> None:
    assert not SingleInstance(str(tmp_path / "none.sqlite")).ask_running_to_show()


def test_a_killed_first_instance_does_not_lock_the_database_out(qapp: Any, tmp_path: Path) -> None:
    key = str(tmp_path / "c.sqlite")
    script = textwrap.dedent(
        f"""
        import time
        from PySide6.QtCore import QCoreApplication
        from ozondesk.ui.single_instance import SingleInstance
        app = QCoreApplication([])
        guard = SingleInstance({key!r})
        print("held" if guard.acquire() else "refused", flush=True)
        time.sleep(60)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    guard = SingleInstance(key)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not guard.acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        assert guard.acquire()  # its process is gone: the lock is stale at once
    finally:
        guard.release()
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_the_app_refuses_a_second_start_in_one_line_and_shows_the_first(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from PySide6.QtWidgets import QMessageBox

    dialogs: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: dialogs.append(text))
    path = tmp_path / "desk.sqlite"
    running = SingleInstance(app_module.database_key(args(db=str(path))))
    assert running.acquire()
    try:
        with qtbot.waitSignal(running.activated, timeout=5000):
            assert app_module.run_app(args(db=str(path))) == 2
    finally:
        running.release()
    assert capsys.readouterr().err == (
        f"OzonDesk is already open on {path}: its window was brought to the front\n"
    )
    assert dialogs == []  # the first window came forward instead
    assert not path.exists()  # refused before the database was opened


def test_a_first_instance_that_does_not_answer_gets_a_dialog(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from PySide6.QtWidgets import QMessageBox

    dialogs: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: dialogs.append(text))
    monkeypatch.setattr(SingleInstance, "ask_running_to_show", lambda self: False)
    path = tmp_path / "desk.sqlite"
    running = SingleInstance(app_module.database_key(args(db=str(path))))
    assert running.acquire()
    try:
        assert app_module.run_app(args(db=str(path))) == 2
    finally:
        running.release()
    line = f"OzonDesk is already open on {path}: use that window, or close it first"
    assert capsys.readouterr().err == line + "\n"
    assert dialogs == [line]


def test_the_same_database_by_another_spelling_is_the_same_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert app_module.database_key(args(db="desk.sqlite")) == app_module.database_key(
        args(db=str(tmp_path / "sub" / ".." / "desk.sqlite"))
    ) == str(tmp_path / "desk.sqlite")
    assert app_module.database_key(args(db="postgresql://desk:secret@db.example/ozondesk")) == (
        "postgresql+psycopg://desk@db.example/ozondesk"
    )


def test_bring_to_front_restores_a_minimized_window(qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_to_front(window)
    assert not window.windowState() & Qt.WindowState.WindowMinimized
    assert window.isVisible()


def test_a_second_start_during_the_setup_assistant_brings_the_assistant_forward(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from ozondesk.ui import setup as setup_package

    path = tmp_path / "desk.sqlite"
    key = app_module.database_key(args(db=str(path)))
    guards: list[SingleInstance] = []
    claim = app_module.claim_single_instance
    monkeypatch.setattr(app_module, "claim_single_instance", lambda a: guards.append(claim(a)) or guards[-1])
    seen: dict[str, Any] = {}

    class AssistantClosed(Exception):
        pass

    def second_start() -> None:
        wizard = QApplication.activeModalWidget()
        seen["wizard"] = type(wizard).__name__
        assert wizard is not None
        try:
            wizard.setWindowState(Qt.WindowState.WindowMinimized)  # the agent put it away
            second = SingleInstance(key)
            assert not second.acquire()
            seen["answered"] = second.ask_running_to_show()
            qtbot.waitUntil(lambda: not wizard.isMinimized(), timeout=5000)
            seen["active"] = bool(wizard.windowState() & Qt.WindowState.WindowActive)
        finally:
            wizard.reject()  # pass or fail, the assistant's loop ends

    real = setup_package.run_first_setup

    def assistant(db: Any, base_url: str) -> None:
        QTimer.singleShot(0, second_start)
        real(db, base_url)
        raise AssistantClosed  # enough: the main window is not this test's business

    monkeypatch.setattr(setup_package, "run_first_setup", assistant)
    try:
        with pytest.raises(AssistantClosed):
            app_module.run_app(args(db=str(path)))
    finally:
        for guard in guards:
            guard.release()
    assert seen == {"wizard": "SetupWizard", "answered": True, "active": True}
