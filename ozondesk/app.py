"""Starting the desktop app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from ozondesk.errors import UserError
from ozondesk.i18n import _, language, set_language
from ozondesk.store.db import Database, default_database_path, open_database
from ozondesk.store.pg_roles import is_permission_error

log = logging.getLogger("ozondesk")

DEMO_SIZE = 3000
OZON_URL_ENV = "OZONDESK_OZON_URL"  # another Seller API address, e.g. `ozondesk fake-ozon` for a demo


def demo_database_path() -> Path:
    return default_database_path().with_name("demo.sqlite")


def prepare_database(args: argparse.Namespace) -> Database:
    if args.demo:
        path = demo_database_path()
        if path.exists():
            _forget_stale_demo(path)
        fresh = not path.exists()
        db = open_database(str(path))
        if fresh:
            from ozondesk.services.demo import generate

            sys.stderr.write(_("Creating demo database at {path}…").format(path=path) + "\n")
            generate(db, size=DEMO_SIZE)
        from ozondesk.services.demo_live import start_as_lead

        start_as_lead(db)  # every workspace can be visited; a "Work as" choice stays
        return db
    db = open_database(args.db)
    from ozondesk.domain.clock import utcnow
    from ozondesk.services.templates import TemplateService

    # A new desk starts with the approved starter library, so agents have presets at once.
    try:
        TemplateService(db).seed_starter_library(utcnow())
        TemplateService(db).seed_escalation_templates(utcnow())
    except DBAPIError as exc:
        if not is_permission_error(exc):
            raise
        # In team mode only a lead's or the administrator's desk may publish templates.
        log.info("starter templates left for a lead's desk to add")
    return db


def _forget_stale_demo(path: Path) -> None:
    """A demo file last written hours ago is made again: it is generated relative to its day,
    and reopened later it would open on a wall of long-overdue conversations (#17)."""
    import time

    from ozondesk.services.demo_live import STALE_AFTER

    files = [f for f in (path, path.with_name(path.name + "-wal")) if f.exists()]
    written = max(f.stat().st_mtime for f in files)
    if time.time() - written < STALE_AFTER.total_seconds():
        return
    sys.stderr.write(_("The demo database is from an earlier day; making a fresh one…") + "\n")
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def wants_setup(args: argparse.Namespace, db: Database) -> bool:
    """Open the setup assistant before the first window: a real desk (not the demo, not the
    self-test) with no shop or nobody to work at it."""
    if args.self_test or args.demo:
        return False
    from ozondesk.services.setup import needs_setup

    return needs_setup(db)


class AlreadyOpen(UserError):
    """Another app instance has this database open; ``shown`` when its window came forward."""

    def __init__(self, message: str, shown: bool) -> None:
        super().__init__(message)
        self.shown = shown


def database_key(args: argparse.Namespace) -> str:
    """What names the database for the single-instance guard: a file path, or a server URL
    without its password."""
    if args.demo:
        return str(demo_database_path())
    from ozondesk.store.db import resolve_url
    from ozondesk.store.dialect import sqlite_path

    url = resolve_url(args.db)
    path = sqlite_path(url)
    # URL.set() ignores None: _replace (a NamedTuple's own) drops the password.
    return str(path) if path is not None else url._replace(password=None).render_as_string()


def claim_single_instance(args: argparse.Namespace) -> Any:
    """This database's guard, held; ``AlreadyOpen`` when another instance has it."""
    from ozondesk.ui.single_instance import SingleInstance

    key = database_key(args)
    guard = SingleInstance(key)
    if guard.acquire():
        return guard
    shown = guard.ask_running_to_show()
    if shown:
        message = _("OzonDesk is already open on {database}: its window was brought to the front")
    else:
        message = _("OzonDesk is already open on {database}: use that window, or close it first")
    raise AlreadyOpen(message.format(database=key), shown)


def apply_interface_language(db: Database) -> None:
    """Switch to the language chosen in Settings (OZONDESK_LANG still wins); read once at start-up."""
    from ozondesk.services.preferences import startup_language
    from ozondesk.ui.qt_translations import install_qt_translations

    set_language(startup_language(db))
    install_qt_translations(language())


def desk_people(db: Database) -> tuple[Any, Any, Any]:
    """Who works at this desk, the colleagues it may switch to and its settings (database reads,
    done on a worker before the window is built)."""
    from ozondesk.services.preferences import desk_agent, desk_agents, desk_settings

    # In team mode the database login says who works here: no "Work as".
    return desk_agent(db), None if db.is_postgresql else desk_agents(db), desk_settings(db)


def build_window(
    db: Database, policies: dict[str, Any], base_url: str, *, people: tuple[Any, Any, Any] | None = None
) -> tuple[Any, Any, Any]:
    """The main window for the desk's current agent, with the workspaces their role allows;
    ``people`` is :func:`desk_people`'s answer when it was read already."""
    from ozondesk.services.compose import ComposeService
    from ozondesk.services.conversation import ConversationService
    from ozondesk.services.credentials import CredentialStore
    from ozondesk.services.desk_presence import DeskPresenceService
    from ozondesk.services.inbox import InboxService
    from ozondesk.services.notifications import DueSoonService
    from ozondesk.services.presence import PresenceService
    from ozondesk.services.saved_views import SavedViews
    from ozondesk.ui.main_window import MainWindow
    from ozondesk.ui.sync_worker import SyncController
    from ozondesk.ui.tasks import TaskRunner
    from ozondesk.ui.team_desk import TeamDesk

    runner = TaskRunner()
    # Self-test: no shop exists in its fresh database, so nothing goes on the network.
    sync = SyncController(db, CredentialStore(db), runner, base_url=base_url)
    agent, colleagues, desk = people or desk_people(db)
    window = MainWindow(
        InboxService(db),
        PresenceService(db),
        policies,
        db.short_name,
        ConversationService(db),
        sync=sync,
        runner=runner,
        compose=ComposeService(db),
        agent=agent,
        saved_views=SavedViews(db),
        desk_presence=DeskPresenceService(db),
        due_soon=DueSoonService(db),
        colleagues=colleagues,
        team=TeamDesk(db, runner, agent),
        desk=desk,
    )
    add_workspaces(window, db, agent, runner)
    from ozondesk.ui.translation_desk import add_translation

    window.translation = add_translation(window, db, agent, desk)
    from ozondesk.ui.setup import open_from_window

    window.setup_requested.connect(lambda: open_from_window(window, db, base_url))
    return window, sync, runner


def add_workspaces(window: Any, db: Database, agent: Any, runner: Any) -> None:
    """Templates and drills for everyone (authoring and grading inside by role); review, the
    dashboard and the team for leads. The services refuse other roles too: hiding is only a convenience."""
    if agent is None:
        return  # a desk without any agent has nobody to act as
    from ozondesk.domain.roles import allowed
    from ozondesk.services.drills import DrillService
    from ozondesk.services.metrics import MetricsService
    from ozondesk.services.templates import TemplateService
    from ozondesk.ui.dashboard import Dashboard
    from ozondesk.ui.drills import DrillsWorkspace
    from ozondesk.ui.template_library import TemplateLibrary
    from ozondesk.ui.template_review import TemplateReview

    templates = TemplateService(db)
    library = TemplateLibrary(templates, runner, agent, window)
    window.add_workspace("templates", _("Templates"), library)
    if allowed(agent.role, "template.review"):
        review = TemplateReview(templates, runner, agent, window)
        window.add_workspace("review", _("Review"), review)
        library.review_requested.connect(
            lambda revision: (window.show_workspace("review"), review.select_revision(revision)))
    if allowed(agent.role, "metrics.view"):
        window.add_workspace("dashboard", _("Dashboard"), Dashboard(MetricsService(db), runner, agent, window))
    window.add_workspace("drills", _("Drills"), DrillsWorkspace(DrillService(db), runner, agent, window))
    if allowed(agent.role, "team.manage"):
        from ozondesk.services.team import TeamService
        from ozondesk.ui.team_screen import TeamScreen

        people = TeamScreen(TeamService(db), runner, agent, window)
        window.add_workspace("team", _("Team"), people)
        if window.team is not None:
            # Another lead's change (or a script's) reaches this desk as a reload.
            window.team.live.reload.connect(people.refresh)
    from ozondesk.services.tickets import TicketService
    from ozondesk.ui.tickets.workspace import TicketsWorkspace

    # Last, so the shortcuts of the workspaces before it keep their numbers.
    tickets = TicketsWorkspace(TicketService(db), runner, agent, window)
    window.add_workspace("tickets", _("Tickets to Ozon"), tickets)
    if hasattr(window, "conversation_shown"):
        from ozondesk.ui.tickets.offer import EscalationOffer

        offer = EscalationOffer(tickets, window)
        window.statusBar().addPermanentWidget(offer)
        window.conversation_shown.connect(tickets.conversation_shown)
        tickets.inbox_changed.connect(window.reload_inbox)
    if window.team is not None:
        # A colleague's submission or a lead's approval shows on every desk within a second.
        for name in ("templates", "review"):
            page = window.workspaces.widget(name)
            if page is not None:
                window.team.live.templates.connect(page.refresh)


def self_test(window: Any) -> int:
    """Show every workspace once, then close; a failure anywhere is a non-zero exit."""
    from PySide6.QtCore import QEventLoop, QTimer

    # A local loop, never QApplication.quit(): a quit posted while exec() is already
    # ending outlives it and stops the next event loop of this process (tests run many).
    loop = QEventLoop()
    QTimer.singleShot(1500, loop.quit)
    loop.exec()
    for name in window.workspaces.names():
        window.show_workspace(name)
        loop = QEventLoop()
        QTimer.singleShot(200, loop.quit)
        loop.exec()
    window.close()
    return 0


def run_app(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from ozondesk.services.credentials import install_log_redaction

    # The CLI configures logging before it gets here; this covers a direct call. Then no
    # handler may ever print an API key.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction(logging.getLogger())
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OzonDesk")
    app.setDesktopFileName("ru.ozondesk.OzonDesk")  # Wayland app id = the .desktop file's name
    from ozondesk import crash
    from ozondesk.ui.crash_dialog import CrashReporter

    crash.install_file_log()
    bugs_before = crash.bug_count()
    # A self-test has nobody to read a dialog: its bugs are counted and fail the run instead.
    reporter = CrashReporter(app, show=(lambda bug: None) if args.self_test else None)
    try:
        code = _run_app(args, app)
    finally:
        reporter.uninstall()
    if args.self_test and crash.bug_count() > bugs_before:
        sys.stderr.write(
            _("self-test: {n} unexpected error(s); see {path}").format(
                n=crash.bug_count() - bugs_before, path=crash.log_path()
            )
            + "\n"
        )
        return crash.BugError.exit_code
    return code


def _startup(args: argparse.Namespace) -> tuple[Database, str, dict[str, Any], bool]:
    """Everything the first window needs from the database, read on a worker thread: the
    database itself (created, checked, upgraded), the interface language, the SLA policies and
    whether the setup assistant comes first."""
    from ozondesk.services.preferences import startup_language
    from ozondesk.store.repos.policies import current_policies

    if args.self_test:
        db = open_database(args.db)
        from ozondesk.services.demo import generate

        generate(db, size=50)
    else:
        db = prepare_database(args)
    try:
        with db.read() as session:
            policies = current_policies(session)
        return db, startup_language(db), policies, wants_setup(args, db)
    except BaseException:
        db.dispose()
        raise


def _run_app(args: argparse.Namespace, app: Any) -> int:
    from PySide6.QtWidgets import QMessageBox

    from ozondesk.ozon.client import BASE_URL
    from ozondesk.services.preferences import set_desk_agent, startup_language
    from ozondesk.ui.single_instance import bring_to_front
    from ozondesk.ui.startup import StartupScreen, off_the_gui_thread

    temp: tempfile.TemporaryDirectory[str] | None = None
    guard: Any = None
    screen: StartupScreen | None = None
    front: list[Any] = [None]
    try:
        if args.self_test:
            temp = tempfile.TemporaryDirectory(prefix="ozondesk-selftest-")
            args.db, args.demo = str(Path(temp.name) / "selftest.sqlite"), False
        else:
            guard = claim_single_instance(args)
            screen = StartupScreen(database_key(args))
            screen.show()
            front[0] = screen
            # From now on a second start brings forward whatever is in front: this screen, the
            # setup assistant (a modal dialog, see bring_to_front), then the main window.
            guard.activated.connect(lambda: bring_to_front(front[0]))
        db, language, policies, setup = off_the_gui_thread(lambda: _startup(args))
    except UserError as exc:
        if screen is not None:
            screen.close()
        if guard is not None:
            guard.release()
        sys.stderr.write(exc.message + "\n")
        if not args.self_test and not getattr(exc, "shown", False):
            QMessageBox.critical(None, _("OzonDesk"), exc.message)
        return exc.exit_code
    set_language(language)  # before any window is created
    base_url = os.environ.get(OZON_URL_ENV) or BASE_URL
    if not base_url.startswith(("http://", "https://")):
        sys.stderr.write(
            _("{var} must start with http:// or https://; using {url}").format(
                var=OZON_URL_ENV, url=BASE_URL
            )
            + "\n"
        )
        base_url = BASE_URL
    if setup:
        from ozondesk.ui.setup import run_first_setup

        if screen is not None:
            screen.hide()
        run_first_setup(db, base_url)
        if screen is not None:
            screen.show()
        set_language(off_the_gui_thread(lambda: startup_language(db)))  # chosen in the assistant
    syncs: list[Any] = []
    while True:
        people = off_the_gui_thread(lambda: desk_people(db))
        window, sync, runner = build_window(db, policies, base_url, people=people)
        syncs.append(sync)
        front[0] = window
        if args.self_test and window.presence_panel is not None:
            window.presence_panel.confirm = lambda _parent, _text: True  # nobody to answer a dialog
        window.show()
        if screen is not None:
            screen.close()
            screen = None
        window.start()
        if args.demo:
            from ozondesk.ui.demo_ticker import start_demo_ticker

            start_demo_ticker(window, db, runner)  # buyers keep writing while the demo runs
        if args.self_test:
            code = self_test(window)
        else:
            code = app.exec()
        sync.shutdown()
        runner.shutdown()
        if args.self_test or window.switch_to is None:
            break
        # The desk changed hands: the same database, a new window for the colleague.
        switch_to = window.switch_to
        off_the_gui_thread(lambda person=switch_to: set_desk_agent(db, person))
    if guard is not None:
        guard.release()  # the windows are gone: a new start may begin while the rest ends
    for sync in syncs:
        sync.wait_stopped()  # a network call cut short by quitting; no window waits for it
    db.dispose()
    if temp is not None:
        temp.cleanup()
    return int(code)
