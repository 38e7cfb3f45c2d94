"""Starting the desktop app."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.store.db import Database, default_database_path, open_database

DEMO_SIZE = 3000


def demo_database_path() -> Path:
    return default_database_path().with_name("demo.sqlite")


def prepare_database(args: argparse.Namespace) -> Database:
    if args.demo:
        path = demo_database_path()
        fresh = not path.exists()
        db = open_database(str(path))
        if fresh:
            from ozondesk.services.demo import generate

            sys.stderr.write(_("Creating demo database at {path}…").format(path=path) + "\n")
            generate(db, size=DEMO_SIZE)
        return db
    return open_database(args.db)


def run_app(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ozondesk.services.conversation import ConversationService
    from ozondesk.services.inbox import InboxService
    from ozondesk.services.presence import PresenceService
    from ozondesk.store.repos.policies import current_policies
    from ozondesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OzonDesk")
    temp: tempfile.TemporaryDirectory[str] | None = None
    try:
        if args.self_test:
            temp = tempfile.TemporaryDirectory(prefix="ozondesk-selftest-")
            args.db, args.demo = str(Path(temp.name) / "selftest.sqlite"), False
            db = open_database(args.db)
            from ozondesk.services.demo import generate

            generate(db, size=50)
        else:
            db = prepare_database(args)
    except UserError as exc:
        sys.stderr.write(exc.message + "\n")
        if not args.self_test:
            QMessageBox.critical(None, _("OzonDesk"), exc.message)
        return exc.exit_code
    with db.begin() as session:
        policies = current_policies(session)
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, db.display_name, ConversationService(db)
    )
    window.show()
    window.start()
    if args.self_test:
        QTimer.singleShot(1500, window.close)
        QTimer.singleShot(1600, app.quit)
    code = app.exec()
    db.dispose()
    if temp is not None:
        temp.cleanup()
    return int(code)
