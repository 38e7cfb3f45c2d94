"""The setup assistant walked on an empty database against the fake Seller API on loopback: the
shop (connection test, keyring), the team, this desk, the first sync (cancel, resume), and the
inbox it ends on."""

from __future__ import annotations

import argparse
import socket
import threading
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked
from sqlalchemy import func, select
from support import MemoryKeyring

from ozondesk import app as app_module
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.credentials import KEYRING_SERVICE, CredentialStore
from ozondesk.services.inbox import InboxService
from ozondesk.services.preferences import desk_agent, interface_language
from ozondesk.services.setup import needs_setup, synced_counts
from ozondesk.services.sync import SyncService
from ozondesk.services.team import TeamService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.setup.wizard import DESK, SHOP, SYNC, TEAM, SetupWizard

CHATS = 40  # one page of the chat list; chats 19 and 39 are support chats, not buyers'


def buyer_chats(fake: FakeOzon) -> int:
    return sum(fake.world.is_buyer_chat(i) for i in range(fake.world.n_chats))


@pytest.fixture
def keys() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=CHATS, messages=4, lifetime=120) as server:
        yield server


def fast_clients(base_url: str, client_class: type[OzonClient] = OzonClient) -> Any:
    """A client factory with quick retries (the app's waits a second or more between tries)."""

    def make(creds: Any, **kw: Any) -> OzonClient:
        options: dict[str, Any] = {"rate": None, "backoff": 0.01, "max_backoff": 0.02, "timeout": 5.0}
        options.update(kw)
        return client_class(creds.client_id, creds.api_key, base_url, **options)

    return make


def open_wizard(qtbot: Any, db: Database, base_url: str, **kw: Any) -> SetupWizard:
    kw.setdefault("make_client", fast_clients(base_url))
    wizard = SetupWizard(db, TeamService(db), base_url=base_url, **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill_shop(wizard: SetupWizard, name: str, client_id: str, key: str) -> None:
    page = wizard.shop_page
    page.name_edit.setText(name)
    page.client_id_edit.setText(client_id)
    page.key_edit.setText(key)


def press_next(qtbot: Any, wizard: SetupWizard, expected: int) -> None:
    """Next, once the page has what it needs (the desk page lists the people first)."""
    if wizard.currentId() == DESK:
        qtbot.waitUntil(wizard.desk_page.isComplete, timeout=5000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == expected, timeout=10000)


def add_person(qtbot: Any, wizard: SetupWizard, name: str, login: str, role: str) -> None:
    page = wizard.team_page
    rows = page.table.rowCount()
    page.name_edit.setText(name)
    page.login_edit.setText(login)
    page.role_combo.setCurrentIndex(page.role_combo.findData(role))
    assert page.add_person()
    qtbot.waitUntil(lambda: page.table.rowCount() == rows + 1 and not page.adding, timeout=5000)


def wait_sync(qtbot: Any, wizard: SetupWizard, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: wizard.sync_page.result is not None and not wizard.first_sync.running,
                    timeout=timeout)


def test_the_assistant_walks_an_empty_database_to_an_inbox_of_synced_conversations(
    qtbot: Any, db: Database, fake: FakeOzon, keys: MemoryKeyring
) -> None:
    args = argparse.Namespace(db="desk.sqlite", demo=False, self_test=False)
    assert needs_setup(db) and app_module.wants_setup(args, db)
    wizard = open_wizard(qtbot, db, fake.url)
    assert wizard.currentId() == SHOP
    assert "Settings → Seller API" in wizard.shop_page.hint.text()

    # 1. The shop: the connection test passes on the network worker; Next saves it.
    fill_shop(wizard, "Yuexin", fake.client_id, fake.api_key)
    assert wizard.shop_page.test_connection()
    qtbot.waitUntil(lambda: wizard.shop_page.last_check is not None, timeout=10000)
    assert wizard.shop_page.last_check.ok and "Connected" in wizard.shop_page.status.text()
    press_next(qtbot, wizard, TEAM)
    assert keys.entries == {(KEYRING_SERVICE, fake.client_id): fake.api_key}
    assert wizard.shop_page.key_edit.text() == ""  # the key lives in the keyring only

    # 2. The team: Next only once there is a lead.
    team = wizard.team_page
    qtbot.waitUntil(lambda: team.need_lead.isVisible(), timeout=5000)
    assert not team.isComplete()
    add_person(qtbot, wizard, "Li Na", "li.na", "agent")
    assert not team.isComplete() and team.need_lead.isVisible()
    add_person(qtbot, wizard, "Wang Lei", "wang.lei", "lead")
    assert team.isComplete() and not team.need_lead.isVisible()
    add_person(qtbot, wizard, "Chen Yu", "chen.yu", "trainer")
    team.name_edit.setText("Li Na again")
    team.login_edit.setText("li.na")
    assert team.add_person()
    qtbot.waitUntil(lambda: not team.adding, timeout=5000)
    assert team.status.text().startswith("Not added: login 'li.na'") and team.table.rowCount() == 3
    # The administrator adds people until there is a lead; from then on the lead does.
    added_by = [(e.subject, e.detail["by"]) for e in TeamService(db).history()]
    assert added_by == [("person:li.na", "administrator"), ("person:wang.lei", "administrator"),
                        ("person:chen.yu", "wang.lei")]
    press_next(qtbot, wizard, DESK)

    # 3. This desk: who works here and the interface language.
    desk = wizard.desk_page
    qtbot.waitUntil(lambda: desk.person_combo.count() == 3, timeout=5000)
    desk.person_combo.setCurrentIndex(desk.person_combo.findData("li.na"))
    desk.language_combo.setCurrentIndex(desk.language_combo.findData("zh_CN"))
    assert "next start" in " ".join(label.text() for label in desk.findChildren(type(desk.status)))
    press_next(qtbot, wizard, SYNC)
    desk_person = desk_agent(db)
    assert desk_person is not None and desk_person.login == "li.na"
    assert interface_language(db) == "zh_CN"

    # 4. The first sync: every stage counted, then Finish.
    wait_sync(qtbot, wizard)
    page = wizard.sync_page
    assert page.result is not None and page.result.complete and not page.result.problems
    stored = synced_counts(db, "Yuexin")
    assert stored["chats"] == buyer_chats(fake) == 38
    for stage, n in stored.items():
        assert page.counts[stage].text() == str(n)
    # Each buyer chat is about one posting of one product (the fake's SKUs repeat).
    buyer = [i for i in range(fake.world.n_chats) if fake.world.is_buyer_chat(i)]
    assert stored["postings"] == len(buyer)
    assert stored["products"] == len({fake.world.sku(i) for i in buyer})
    assert "Synced." in page.status.text()
    assert wizard.button(wizard.WizardButton.FinishButton).isEnabled()
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert wizard.accepted_setup and not needs_setup(db)

    # The app then opens the inbox for the desk's person, with the synced conversations.
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = app_module.build_window(db, policies, fake.url)
    qtbot.addWidget(window)
    window.show()
    window.start()
    try:
        assert window.agent is not None and window.agent.login == "li.na"
        open_now = InboxService(db).count()
        assert open_now > 0
        qtbot.waitUntil(lambda: window.model.rowCount() == open_now, timeout=10000)
        window.clear_filters()
        # With no filter every stored conversation shows: the buyer chats and the return,
        # cancellation and platform conversations the same sync brought in.
        with db.begin() as session:
            stored_conversations = session.scalar(select(func.count()).select_from(Conversation))
            kinds = set(session.scalars(select(Conversation.kind).distinct()))
        assert stored_conversations > buyer_chats(fake) and "buyer_chat" in kinds
        qtbot.waitUntil(lambda: window.model.rowCount() == stored_conversations, timeout=10000)
        assert not window.empty.isVisible()
    finally:
        window.close()
        sync.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong key", "does not accept this Client-Id and API key"),
        ("wrong client id", "does not accept this Client-Id and API key"),
        ("closed port", "No connection to Ozon"),
        ("subscription", "subscription does not include /v3/chat/history"),
        ("server error", "server answered with an error"),
    ],
)
def test_each_connection_failure_gets_its_own_line(
    qtbot: Any, db: Database, fake: FakeOzon, keys: MemoryKeyring, case: str, expected: str
) -> None:
    url = f"http://127.0.0.1:{free_port()}" if case == "closed port" else fake.url
    wizard = open_wizard(qtbot, db, url)
    client_id, key = fake.client_id, fake.api_key
    if case == "wrong key":
        key = "not-the-key"
    elif case == "wrong client id":
        client_id = "654321"
    elif case == "subscription":
        fake.inject("subscription", "/v3/chat/history")
    elif case == "server error":
        fake.inject("500", "/v3/chat/list", times=2)  # the test tries twice
    fill_shop(wizard, "Yuexin", client_id, key)
    page = wizard.shop_page
    assert page.test_connection()
    assert not page.test_button.isEnabled()  # running off the GUI thread
    qtbot.waitUntil(lambda: page.last_check is not None, timeout=15000)
    assert not page.last_check.ok
    assert expected in page.status.text()
    assert "\n" not in page.status.text()
    # A test saves nothing; the typed key stays for the next try.
    assert keys.entries == {} and page.key_edit.text() == key


class LockedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


def test_a_keyring_that_refuses_the_key_keeps_it_in_its_field(
    qtbot: Any, db: Database, fake: FakeOzon
) -> None:
    wizard = open_wizard(qtbot, db, fake.url, credentials=CredentialStore(db, LockedKeyring()))
    fill_shop(wizard, "Yuexin", fake.client_id, fake.api_key)
    wizard.next()
    page = wizard.shop_page
    qtbot.waitUntil(lambda: "Not saved" in page.status.text(), timeout=5000)
    assert "keyring" in page.status.text()
    assert wizard.currentId() == SHOP and page.key_edit.text() == fake.api_key
    assert CredentialStore(db, MemoryKeyring()).shops() == []


def test_wrong_input_on_the_shop_page_saves_nothing(qtbot: Any, db: Database, fake: FakeOzon,
                                                     keys: MemoryKeyring) -> None:
    wizard = open_wizard(qtbot, db, fake.url)
    fill_shop(wizard, "", "12ab", "with space")
    wizard.next()
    page = wizard.shop_page
    assert wizard.currentId() == SHOP
    assert all(page.errors[k].isVisible() for k in ("name", "client_id", "api_key"))
    assert keys.entries == {}


def test_leaving_halfway_keeps_what_is_done_and_reopening_continues(
    qtbot: Any, db: Database, fake: FakeOzon, keys: MemoryKeyring
) -> None:
    wizard = open_wizard(qtbot, db, fake.url)
    fill_shop(wizard, "Yuexin", fake.client_id, fake.api_key)
    press_next(qtbot, wizard, TEAM)
    add_person(qtbot, wizard, "Wang Lei", "wang.lei", "lead")
    wizard.reject()  # closed on page 2
    assert not wizard.accepted_setup
    assert [s.name for s in CredentialStore(db).shops()] == ["Yuexin"]
    assert not needs_setup(db)  # a shop and a person: the next start opens the inbox

    again = open_wizard(qtbot, db, fake.url)
    shop = again.shop_page
    qtbot.waitUntil(lambda: shop.editing is not None, timeout=5000)
    assert shop.name_edit.text() == "Yuexin" and shop.client_id_edit.text() == fake.client_id
    assert shop.key_edit.text() == "" and "keyring" in shop.key_edit.placeholderText()
    # The stored key is tested when the field is left empty.
    assert shop.test_connection()
    qtbot.waitUntil(lambda: shop.last_check is not None, timeout=10000)
    assert shop.last_check.ok
    press_next(qtbot, again, TEAM)  # unchanged: nothing to save
    qtbot.waitUntil(lambda: again.team_page.table.rowCount() == 1, timeout=5000)
    assert again.team_page.isComplete()
    press_next(qtbot, again, DESK)
    press_next(qtbot, again, SYNC)
    wait_sync(qtbot, again)
    again.accept()


class GatedClient(OzonClient):
    """The second page of the chat list waits for the test: the sync is caught mid-way."""

    reached = threading.Event()
    gate = threading.Event()
    gated = True

    def chat_list(self, cursor: str | None = None, **kw: Any) -> Any:
        if cursor and GatedClient.gated:
            GatedClient.reached.set()
            GatedClient.gate.wait(20)
            self._sleep(0)  # a retry wait would notice the cancel here too
        return super().chat_list(cursor, **kw)


def test_cancel_keeps_what_is_synced_and_resume_completes_with_the_same_counts(
    qtbot: Any, db: Database, keys: MemoryKeyring, tmp_path: Any
) -> None:
    with FakeOzon(port=0, chats=120, messages=2, lifetime=120) as fake:
        # What an uninterrupted sync stores, for comparison.
        other = open_database(str(tmp_path / "straight.sqlite"))
        with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None) as client:
            SyncService(other, client, "Yuexin").run()
        straight = synced_counts(other, "Yuexin")
        other.dispose()
        assert straight["chats"] == buyer_chats(fake) == 114

        GatedClient.reached.clear()
        GatedClient.gate.clear()
        GatedClient.gated = True
        wizard = open_wizard(qtbot, db, fake.url, make_client=fast_clients(fake.url, GatedClient))
        fill_shop(wizard, "Yuexin", fake.client_id, fake.api_key)
        press_next(qtbot, wizard, TEAM)
        add_person(qtbot, wizard, "Wang Lei", "wang.lei", "lead")
        press_next(qtbot, wizard, DESK)
        press_next(qtbot, wizard, SYNC)
        page = wizard.sync_page
        qtbot.waitUntil(GatedClient.reached.is_set, timeout=15000)
        assert not page.isComplete()  # no Finish while it runs
        assert page.cancel_button.isVisible()
        page.cancel_button.click()
        GatedClient.gate.set()
        wait_sync(qtbot, wizard)
        assert page.result is not None and page.result.cancelled
        kept = synced_counts(db, "Yuexin")
        assert kept["chats"] < straight["chats"]
        assert page.counts["chats"].text() == str(kept["chats"])
        text = page.status.text()
        assert "cancelled" in text and f"{kept['chats']} conversations" in text and "Resume" in text
        assert page.resume_button.isVisible() and page.isComplete()

        GatedClient.gated = False
        page.resume_button.click()
        wait_sync(qtbot, wizard)
        assert page.result is not None and page.result.complete
        assert synced_counts(db, "Yuexin") == straight
        assert page.counts["chats"].text() == str(straight["chats"])
        assert not page.resume_button.isVisible()
        wizard.accept()


def test_closing_during_the_sync_stops_it_first(
    qtbot: Any, db: Database, keys: MemoryKeyring
) -> None:
    with FakeOzon(port=0, chats=120, messages=2, lifetime=120) as fake:
        GatedClient.reached.clear()
        GatedClient.gate.clear()
        GatedClient.gated = True
        wizard = open_wizard(qtbot, db, fake.url, make_client=fast_clients(fake.url, GatedClient))
        fill_shop(wizard, "Yuexin", fake.client_id, fake.api_key)
        press_next(qtbot, wizard, TEAM)
        add_person(qtbot, wizard, "Wang Lei", "wang.lei", "lead")
        press_next(qtbot, wizard, DESK)
        press_next(qtbot, wizard, SYNC)
        qtbot.waitUntil(GatedClient.reached.is_set, timeout=15000)
        wizard.reject()
        assert wizard.isVisible()  # waits for the sync to stop
        GatedClient.gate.set()
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=15000)
        assert not wizard.first_sync.running and not wizard.accepted_setup


def test_the_app_opens_the_assistant_only_on_a_desk_that_is_not_set_up(
    db: Database, tmp_path: Any
) -> None:
    from ozondesk.services.demo import generate

    def args(**kw: Any) -> argparse.Namespace:
        return argparse.Namespace(**{"db": "x", "demo": False, "self_test": False, **kw})

    assert app_module.wants_setup(args(), db)
    assert not app_module.wants_setup(args(demo=True), db)
    assert not app_module.wants_setup(args(self_test=True), db)
    demo = open_database(str(tmp_path / "demo.sqlite"))
    generate(demo, size=10)
    assert not needs_setup(demo)  # a shop and its people: straight to the inbox
    demo.dispose()


def test_run_app_shows_the_assistant_before_the_first_window(
    qapp: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    import ozondesk.ui.setup as setup_module

    opened: list[str] = []
    monkeypatch.setattr(setup_module, "run_first_setup", lambda db, url: opened.append(url))
    monkeypatch.setattr(QApplication, "exec", lambda *_a: 0)  # the main window is not driven here
    monkeypatch.setenv(app_module.OZON_URL_ENV, "http://127.0.0.1:8765")
    args = argparse.Namespace(db=str(tmp_path / "new.sqlite"), demo=False, self_test=False)
    assert app_module.run_app(args) == 0
    assert opened == ["http://127.0.0.1:8765"]
    for widget in QApplication.topLevelWidgets():
        widget.close()

    opened.clear()
    assert app_module.run_app(argparse.Namespace(db=None, demo=False, self_test=True)) == 0
    assert opened == []  # the self-test's demo database never asks


def test_desk_menu_reopens_the_assistant_and_hands_the_desk_to_the_chosen_person(
    qtbot: Any, tmp_path: Any, fake: FakeOzon, keys: MemoryKeyring
) -> None:
    from ozondesk.services.demo import generate
    from ozondesk.services.preferences import set_desk_agent
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=20)
    set_desk_agent(db, "zhao.ting")  # a lead
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = app_module.build_window(db, policies, fake.url)
    qtbot.addWidget(window)
    assert window.presence_panel is not None
    window.presence_panel.confirm = lambda _parent, _text: True
    window.show()
    window.start()
    try:
        window.setup_action.trigger()
        wizards = window.findChildren(SetupWizard)
        assert len(wizards) == 1
        wizard = wizards[0]
        assert wizard.isVisible() and wizard.actor == "zhao.ting"
        assert not sync.online  # only the assistant talks to Ozon meanwhile
        fill_shop(wizard, "Yuexin", fake.client_id, fake.api_key)
        press_next(qtbot, wizard, TEAM)
        qtbot.waitUntil(lambda: wizard.team_page.table.rowCount() > 0, timeout=5000)
        add_person(qtbot, wizard, "Chen Yu", "chen.yu", "agent")
        assert TeamService(db).people()[-1].login == "chen.yu"
        press_next(qtbot, wizard, DESK)
        desk = wizard.desk_page
        qtbot.waitUntil(lambda: desk.person_combo.findData("chen.yu") >= 0, timeout=5000)
        assert desk.person_combo.currentData() == "zhao.ting"  # who works here now
        desk.person_combo.setCurrentIndex(desk.person_combo.findData("chen.yu"))
        press_next(qtbot, wizard, SYNC)
        wait_sync(qtbot, wizard)
        assert synced_counts(db, "Yuexin")["chats"] == buyer_chats(fake)
        wizard.button(wizard.WizardButton.FinishButton).click()
        # Someone else works here now: the window closes so the app reopens it for them.
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
        assert window.switch_to == "chen.yu" and sync.online
    finally:
        window.close()
        sync.shutdown()
        db.dispose()


def test_each_stage_has_its_bar_and_count(qtbot: Any, db: Database) -> None:
    from ozondesk.ui.setup.first_sync import StageProgress, stage_progress

    wizard = open_wizard(qtbot, db, "http://127.0.0.1:9")
    page = wizard.sync_page
    emit = wizard.first_sync.progress.emit
    emit(StageProgress("chats", 100, None, ""))
    assert page.bars["chats"].maximum() == 0 and page.counts["chats"].text() == "100"
    emit(StageProgress("postings", 50, 114, ""))
    assert page.bars["chats"].value() == page.bars["chats"].maximum() == 1  # done
    assert (page.bars["postings"].value(), page.bars["postings"].maximum()) == (50, 114)
    assert page.counts["postings"].text() == "50/114"
    emit(StageProgress("products", 0, 0, ""))
    assert page.counts["products"].text() == "0/0" and page.bars["products"].value() == 1
    assert page.counts["returns"].text() == "—"  # nothing was owed there

    # The sync service's progress, old and new shapes alike.
    class New:
        stage, done, total, message = "returns", 3, 7, "3 of 7"

    class Old:
        chats_done, message = 42, "42 chats checked"

    assert stage_progress(New()) == StageProgress("returns", 3, 7, "3 of 7")
    assert stage_progress(Old()) == StageProgress("chats", 42, None, "42 chats checked")
