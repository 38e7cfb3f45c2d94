"""Settings: shops go to the keyring (never the database), bad input saves nothing, polling is editable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import MemoryKeyring

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.credentials import KEYRING_SERVICE, CredentialStore
from ozondesk.services.sync import poll_interval
from ozondesk.store.db import Database
from ozondesk.ui.settings_dialog import SettingsDialog
from ozondesk.ui.sync_worker import SyncController
from ozondesk.ui.tasks import TaskRunner

KEY = "9d3c7a1e-5b2f-4c8d-a0e1-f2a3b4c5d6e7"


@pytest.fixture
def keys() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def store(db: Database, keys: MemoryKeyring) -> CredentialStore:
    return CredentialStore(db, keys)


@pytest.fixture
def dialog(qtbot: Any, store: CredentialStore, runner: TaskRunner) -> SettingsDialog:
    dlg = SettingsDialog(store, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.poll_spin.isEnabled(), timeout=5000)
    return dlg


def fill(dlg: SettingsDialog, name: str, client_id: str, key: str) -> None:
    dlg.name_edit.setText(name)
    dlg.client_id_edit.setText(client_id)
    dlg.key_edit.setText(key)


def idle(qtbot: Any, dlg: SettingsDialog) -> None:
    qtbot.waitUntil(lambda: dlg.busy == 0, timeout=5000)


def test_a_new_shop_goes_to_the_keyring_and_never_to_the_database(
    qtbot: Any, dialog: SettingsDialog, store: CredentialStore, keys: MemoryKeyring,
    db: Database, db_path: Path,
) -> None:
    fill(dialog, "Yuexin", "123456", KEY)
    with qtbot.waitSignal(dialog.shops_changed, timeout=5000):
        assert dialog.save_shop()
    idle(qtbot, dialog)
    assert keys.entries == {(KEYRING_SERVICE, "123456"): KEY}
    assert [(s.name, s.client_id) for s in store.shops()] == [("Yuexin", "123456")]
    # Shown back: the name and Client-Id, never the key.
    assert dialog.shop_list.count() == 1 and "123456" in dialog.shop_list.item(0).text()
    assert dialog.editing == "Yuexin" and dialog.key_edit.text() == ""
    assert "keep" in dialog.key_edit.placeholderText()
    texts = [w.text() for w in dialog.findChildren(type(dialog.status))] + [dialog.key_edit.text()]
    assert not any(KEY in t for t in texts)
    db.dispose()
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert b"123456" in blob and KEY.encode() not in blob


@pytest.mark.parametrize(
    ("name", "client_id", "key", "field", "words"),
    [
        ("", "123456", KEY, "name", "name"),
        ("Shop", "", KEY, "client_id", "Client-Id"),
        ("Shop", "12ab", KEY, "client_id", "number"),
        ("Shop", "0", KEY, "client_id", "number"),
        ("Shop", "123456", "", "api_key", "Paste"),
        ("Shop", "123456", "abc def", "api_key", "spaces"),
    ],
)
def test_bad_input_shows_a_message_and_saves_nothing(
    qtbot: Any, dialog: SettingsDialog, store: CredentialStore, keys: MemoryKeyring,
    name: str, client_id: str, key: str, field: str, words: str,
) -> None:
    fill(dialog, name, client_id, key)
    assert dialog.save_shop() is False
    label = dialog.errors[field]
    assert label.isVisible() and words in label.text()
    assert "Nothing was saved" in dialog.status.text()
    assert [k for k, lbl in dialog.errors.items() if lbl.isVisible()] == [field]
    idle(qtbot, dialog)
    assert store.shops() == [] and keys.entries == {}
    # Typing in the field clears its message.
    qtbot.keyClicks(dialog.name_edit if field == "name" else
                    dialog.client_id_edit if field == "client_id" else dialog.key_edit, "1")
    assert not label.isVisible()


def test_a_second_shop_may_not_take_a_name_or_client_id_in_use(
    qtbot: Any, dialog: SettingsDialog, store: CredentialStore, keys: MemoryKeyring
) -> None:
    store.save("Yuexin", "123456", KEY)
    dialog.reload()
    idle(qtbot, dialog)
    dialog.new_shop()
    fill(dialog, "Other", "123456", "other-key-0001")
    assert dialog.save_shop() is False
    assert "Yuexin" in dialog.errors["client_id"].text()
    fill(dialog, "Yuexin", "777", "other-key-0001")
    assert dialog.save_shop() is False and dialog.errors["name"].isVisible()
    idle(qtbot, dialog)
    assert [s.name for s in store.shops()] == ["Yuexin"] and len(keys.entries) == 1


def test_editing_keeps_the_stored_key_and_moves_it_with_the_client_id(
    qtbot: Any, dialog: SettingsDialog, store: CredentialStore, keys: MemoryKeyring
) -> None:
    store.save("Yuexin", "123456", KEY)
    dialog.reload(select="Yuexin")
    idle(qtbot, dialog)
    assert dialog.editing == "Yuexin" and dialog.client_id_edit.text() == "123456"
    fill(dialog, "Yuexin Global", "654321", "")  # empty key: keep the stored one
    with qtbot.waitSignal(dialog.shops_changed, timeout=5000):
        assert dialog.save_shop()
    idle(qtbot, dialog)
    assert [(s.name, s.client_id) for s in store.shops()] == [("Yuexin Global", "654321")]
    assert keys.entries == {(KEYRING_SERVICE, "654321"): KEY}  # the old entry is gone
    assert store.load("Yuexin Global").api_key == KEY


def test_removing_a_shop_deletes_its_keyring_entry(
    qtbot: Any, dialog: SettingsDialog, store: CredentialStore, keys: MemoryKeyring
) -> None:
    store.save("Yuexin", "123456", KEY)
    store.save("Second", "777", "second-key-0001")
    dialog.reload(select="Second")
    idle(qtbot, dialog)
    asked: list[str] = []
    dialog.confirm = lambda text: asked.append(text) or False
    dialog.remove_shop()
    idle(qtbot, dialog)
    assert len(store.shops()) == 2 and "keyring" in asked[0]  # said no: nothing removed
    dialog.confirm = lambda text: True
    with qtbot.waitSignal(dialog.shops_changed, timeout=5000):
        dialog.remove_shop()
    idle(qtbot, dialog)
    assert [s.name for s in store.shops()] == ["Yuexin"]
    assert keys.entries == {(KEYRING_SERVICE, "123456"): KEY}
    assert dialog.shop_list.count() == 1 and dialog.editing is None


def test_the_polling_interval_is_shown_and_saved(
    qtbot: Any, dialog: SettingsDialog, db: Database
) -> None:
    assert dialog.poll_spin.value() == poll_interval(db) == 60
    assert (dialog.poll_spin.minimum(), dialog.poll_spin.maximum()) == (10, 3600)
    with qtbot.waitSignal(dialog.poll_changed, timeout=5000) as saved:
        dialog.poll_spin.setValue(45)
    assert saved.args == [45] and poll_interval(db) == 45
    dialog.poll_spin.setValue(5)  # below the minimum: clamped
    assert dialog.poll_spin.value() == 10


def test_connection_test_runs_off_the_gui_thread_and_shows_the_hint(
    qtbot: Any, db: Database, store: CredentialStore, runner: TaskRunner,
    request: pytest.FixtureRequest,
) -> None:
    threads: list[threading.Thread] = []

    class Recording(OzonClient):
        def _once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
            threads.append(threading.current_thread())
            return super()._once(path, body)

    with FakeOzon(port=0, chats=5, messages=2, lifetime=60) as fake:
        def make(creds: Any, **kw: Any) -> OzonClient:
            options: dict[str, Any] = {"rate": None, "backoff": 0.001, "max_backoff": 0.01, "timeout": 5.0}
            options.update(kw)
            return Recording(creds.client_id, creds.api_key, fake.url, **options)

        controller = SyncController(db, store, runner, make_client=make)
        request.addfinalizer(controller.shutdown)
        dlg = SettingsDialog(store, runner, controller)
        qtbot.addWidget(dlg)
        fill(dlg, "Yuexin", fake.client_id, fake.api_key)
        assert dlg.test_connection()
        qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=5000)
        assert dlg.status.text().startswith("Connected")
        fake.inject("badkey", "/v3/chat/list")
        assert dlg.test_connection()
        qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=5000)
        assert "Connection failed" in dlg.status.text()
        assert "What to do: check the shop's Client-Id and API key" in dlg.status.text()
        assert fake.api_key not in dlg.status.text()
        # Nothing was saved by testing.
        idle(qtbot, dlg)
        assert store.shops() == []
        controller.shutdown()
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_the_interface_language_is_chosen_and_applies_at_the_next_start(
    qtbot: Any, dialog: SettingsDialog, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozondesk.services.preferences import interface_language, startup_language

    combo = dialog.language_combo
    assert combo.isEnabled() and combo.currentData() == "system"
    assert [combo.itemData(i) for i in range(combo.count())] == ["system", "zh_CN", "ru", "en"]
    assert [combo.itemText(i) for i in range(1, combo.count())] == ["简体中文", "Русский", "English"]
    with qtbot.waitSignal(dialog.language_changed, timeout=5000) as saved:
        combo.setCurrentIndex(combo.findData("zh_CN"))
    assert saved.args == ["zh_CN"] and interface_language(db) == "zh_CN"
    assert "next start" in dialog.language_status.text() or "restart" in dialog.language_status.text()
    # Read at start-up; OZONDESK_LANG (set to en for every test) still wins over the stored choice.
    assert startup_language(db) == "en"
    monkeypatch.delenv("OZONDESK_LANG")
    assert startup_language(db) == "zh_CN"
    # A dialog opened later shows the stored choice.
    again = SettingsDialog(dialog.credentials, dialog.runner)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.language_combo.isEnabled(), timeout=5000)
    assert again.language_combo.currentData() == "zh_CN"
    with qtbot.waitSignal(again.language_changed, timeout=5000):
        again.language_combo.setCurrentIndex(again.language_combo.findData("system"))
    monkeypatch.setattr("locale.getlocale", lambda *a: ("ru_RU", "UTF-8"))
    assert interface_language(db) == "system" and startup_language(db) == "ru"


def test_the_app_starts_in_the_stored_language(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozondesk import app as app_module
    from ozondesk import i18n
    from ozondesk.services.preferences import set_interface_language

    set_interface_language(db, "ru")
    monkeypatch.delenv("OZONDESK_LANG")
    app_module.apply_interface_language(db)
    assert i18n.language() == "ru" and i18n._("Settings") == "Настройки"
    monkeypatch.setenv("OZONDESK_LANG", "zh_CN")  # the environment still wins
    app_module.apply_interface_language(db)
    assert i18n.language() == "zh_CN"


def test_the_language_is_this_desks_and_the_interval_the_teams(
    qtbot: Any, dialog: SettingsDialog, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozondesk.settings import options
    from ozondesk.settings.desk import DeskSettings
    from ozondesk.store.models import Setting

    assert dialog.language_scope.text() == "For this computer only: each desk chooses its own language."
    assert dialog.poll_scope.text() == "For the whole team: every desk uses this interval."
    with qtbot.waitSignal(dialog.language_changed, timeout=5000):
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("ru"))
    with qtbot.waitSignal(dialog.poll_changed, timeout=5000):
        dialog.poll_spin.setValue(120)
    assert DeskSettings.for_url(db.url).get(options.LANGUAGE) == "ru"
    with db.begin() as session:
        assert session.get(Setting, "ui.language") is None
        assert session.get(Setting, "sync.poll").value == {"seconds": 120}

    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "another-desk"))
    other = SettingsDialog(dialog.credentials, dialog.runner)
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: other.language_combo.isEnabled() and other.poll_spin.isEnabled(), timeout=5000)
    assert other.language_combo.currentData() == "system" and other.poll_spin.value() == 120


def test_without_a_usable_keyring_the_typed_key_stays_and_the_message_says_what_to_install(
    qtbot: Any, db: Database, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")
    dlg = SettingsDialog(CredentialStore(db, plaintext), runner)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.poll_spin.isEnabled(), timeout=5000)
    fill(dlg, "Yuexin", "123456", KEY)
    assert dlg.save_shop()
    idle(qtbot, dlg)
    assert dlg.key_edit.text() == KEY  # still there, masked, to save again after the fix
    assert dlg.key_edit.echoMode() == dlg.key_edit.EchoMode.Password
    text = dlg.status.text()
    assert text.startswith("Not saved: the keyring backend keyrings.alt.file.PlaintextKeyring")
    assert "apt-get install gnome-keyring" in text and "\n" not in text and KEY not in text
    assert not (tmp_path / "keyring_pass.cfg").exists()
    assert dlg.shop_list.count() == 0 and CredentialStore(db, MemoryKeyring()).shops() == []

    # Once a system keyring is there, the same key is saved without typing it again.
    keys = MemoryKeyring()
    dlg.credentials = CredentialStore(db, keys)
    with qtbot.waitSignal(dlg.shops_changed, timeout=5000):
        assert dlg.save_shop()
    idle(qtbot, dlg)
    assert keys.entries == {(KEYRING_SERVICE, "123456"): KEY} and dlg.key_edit.text() == ""


def test_a_locked_keyring_says_unlock_it_and_keeps_the_key(
    qtbot: Any, dialog: SettingsDialog, keys: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.errors

    def locked(service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    monkeypatch.setattr(keys, "set_password", locked)
    monkeypatch.setattr("sys.platform", "linux")
    fill(dialog, "Yuexin", "123456", KEY)
    assert dialog.save_shop()
    idle(qtbot, dialog)
    assert dialog.status.text().startswith("Not saved: the system keyring is locked: unlock the login keyring")
    assert dialog.key_edit.text() == KEY and dialog.shop_list.count() == 0
