"""Every empty list says what to do next: the inbox (no shop, nothing synced, filters hiding
everything), templates, the review queue, drills and the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from desk_setup import TEMPLATE_PEOPLE, add_shop
from support import MemoryKeyring

from ozondesk.ozon.client import OzonClient
from ozondesk.services.conversation import ConversationService
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.demo import generate
from ozondesk.services.drills import DrillService
from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.services.metrics import MetricsService
from ozondesk.services.presence import PresenceService
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.dashboard import Dashboard
from ozondesk.ui.drills import DrillsWorkspace
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.sync_worker import SyncController
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.template_library import TemplateLibrary
from ozondesk.ui.template_review import TemplateReview

NOW = datetime.now(UTC)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def fast_clients(creds: Any, **kw: Any) -> OzonClient:
    options: dict[str, Any] = {"rate": None, "backoff": 0.001, "max_backoff": 0.001,
                               "timeout": 2.0, "retries": 0}
    options.update(kw)
    return OzonClient(creds.client_id, creds.api_key, "http://127.0.0.1:9", **options)


def inbox_window(qtbot: Any, db: Database, runner: TaskRunner) -> tuple[MainWindow, CredentialStore]:
    with db.begin() as session:
        policies = current_policies(session)
    store = CredentialStore(db, MemoryKeyring())
    sync = SyncController(db, store, runner, make_client=fast_clients)
    window = MainWindow(InboxService(db), PresenceService(db), policies, "test",
                        ConversationService(db), sync=sync, runner=runner)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window, store


def test_an_empty_inbox_says_set_up_a_shop_then_press_f5(
    qtbot: Any, db: Database, runner: TaskRunner
) -> None:
    window, store = inbox_window(qtbot, db, runner)
    assert window.sync is not None
    try:
        qtbot.waitUntil(lambda: window.empty.isVisible(), timeout=5000)
        qtbot.waitUntil(lambda: window.empty.message.startswith("No Ozon shop"), timeout=5000)
        assert window.empty.message == (
            "No Ozon shop is connected yet. Set up a shop: Desk → Set up OzonDesk…"
        )
        with qtbot.waitSignal(window.setup_requested, timeout=1000):
            window.empty.follow("setup")
        with qtbot.waitSignal(window.setup_requested, timeout=1000):
            window.setup_action.trigger()  # the same from the Desk menu
        assert window.setup_action in window.menuBar().actions()[0].menu().actions()

        # A shop, nothing synced yet: F5.
        store.save("Yuexin", "123456", "some-key")
        window.sync.set_online(False)  # no polling against the closed port while we look
        window.sync.refresh()
        qtbot.waitUntil(lambda: window.empty.message.startswith("Nothing synced"), timeout=5000)
        assert window.empty.message == "Nothing synced yet: press F5 to fetch the shop's chats from Ozon."
        with qtbot.waitSignal(window.sync.started, timeout=2000):
            window.empty.follow("sync")
        qtbot.waitUntil(lambda: not window.sync.busy, timeout=15000)
    finally:
        window.close()


def test_filters_hiding_everything_say_so_and_clear_them(
    qtbot: Any, db: Database, runner: TaskRunner
) -> None:
    generate(db, size=30, now=NOW)
    window, _store = inbox_window(qtbot, db, runner)
    try:
        qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=8000)
        assert not window.empty.isVisible()
        window.filters.search.setText("zzzqqqxxx")
        qtbot.waitUntil(lambda: window.empty.isVisible(), timeout=8000)
        assert window.empty.message == "No conversation matches these filters: clear them"
        assert 'href="clear"' in window.empty.text()
        window.empty.follow("clear")
        everything = InboxService(db).count(InboxFilter(statuses=()))
        qtbot.waitUntil(lambda: window.model.rowCount() == everything, timeout=8000)
        assert window.filters.search.text() == "" and not window.empty.isVisible()
    finally:
        window.close()


def test_templates_review_drills_and_dashboard_say_what_to_do_when_empty(
    qtbot: Any, db: Database, runner: TaskRunner
) -> None:
    people = add_shop(db, TEMPLATE_PEOPLE)
    lead = people["lead"]
    templates = TemplateService(db)

    library = TemplateLibrary(templates, runner, lead)
    qtbot.addWidget(library)
    library.show()
    with qtbot.waitSignal(library.loaded, timeout=5000):
        library.refresh()
    assert library.empty.isVisible()
    assert library.empty.message.startswith("No templates yet: write the first one (Ctrl+Shift+N)")
    library.empty.follow("new")
    assert library.template_id is None and library.slug.text() == ""

    templates.seed_starter_library(NOW)
    with qtbot.waitSignal(library.loaded, timeout=5000):
        library.refresh()
    assert not library.empty.isVisible()
    library.search.setText("zzzqqqxxx")
    assert library.empty.message == "No template matches this search: clear the search"
    library.empty.follow("clear")
    assert library.search.text() == "" and not library.empty.isVisible()

    review = TemplateReview(TemplateService(db), runner, lead)
    qtbot.addWidget(review)
    review.show()
    with qtbot.waitSignal(review.loaded, timeout=5000):
        review.refresh()
    assert review.empty.isVisible() and review.empty.message.startswith("Nothing waits for review.")

    dashboard = Dashboard(MetricsService(db), runner, lead)
    qtbot.addWidget(dashboard)
    dashboard.show()
    with qtbot.waitSignal(dashboard.loaded, timeout=15000):
        dashboard.refresh()
    assert dashboard.empty.isVisible()
    assert dashboard.empty.message.startswith("No buyer conversations in this period")


class NoDrills(DrillService):
    """A desk whose drill sets were all withdrawn."""

    def drills(self, agent_id: int) -> list[Any]:
        return []

    def history(self, agent_id: int) -> list[Any]:
        return []

    def sets(self) -> list[Any]:
        return []


def test_no_drills_yet_says_who_adds_them(qtbot: Any, db: Database, runner: TaskRunner) -> None:
    people = add_shop(db, TEMPLATE_PEOPLE)
    workspace = DrillsWorkspace(NoDrills(db), runner, people["trainer"])
    qtbot.addWidget(workspace)
    workspace.show()
    workspace.refresh()
    trainee, trainer = workspace.trainee, workspace.trainer
    assert trainee is not None and trainer is not None
    # The Trainer tab is behind the Training tab: its sentence waits there.
    qtbot.waitUntil(lambda: trainee.empty.isVisible() and trainer.empty.isVisibleTo(trainer),
                    timeout=8000)
    assert trainee.empty.message.startswith("No drills yet: a trainer adds a drill set")
    assert trainer.empty.message == "No drill sets yet: import one (a JSON file with its answer keys)."
