"""Settings → Translation: the team's engine saved, the key only in the keyring, the preview of
exactly what is sent, and a test translation off the GUI thread against a loopback fake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from support import MemoryKeyring

from ozondesk.services.credentials import CredentialStore
from ozondesk.services.translation import TranslationService
from ozondesk.store.db import Database
from ozondesk.store.models import Setting
from ozondesk.translation.engines import EngineConfig
from ozondesk.translation.fake_servers import FakeTranslateServer
from ozondesk.ui.settings_dialog import SettingsDialog
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.translation_settings import TranslationSettingsDialog

WAIT = 10_000


@pytest.fixture
def keys() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def open_dialog(qtbot: Any, db: Database, runner: TaskRunner,
                keys: MemoryKeyring) -> TranslationSettingsDialog:
    dlg = TranslationSettingsDialog(db, runner, keys)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.busy == 0 and dlg.engine_combo.isEnabled(), timeout=WAIT)
    return dlg


def choose(dlg: TranslationSettingsDialog, engine: str) -> None:
    dlg.engine_combo.setCurrentIndex(dlg.engine_combo.findData(engine))


def settled(qtbot: Any, dlg: TranslationSettingsDialog) -> str:
    qtbot.waitUntil(lambda: dlg.busy == 0, timeout=WAIT)
    return dlg.status.text()


def stored_settings(db: Database) -> list[str]:
    with db.read() as session:
        return [str(v) for v in session.scalars(select(Setting.value))]


def test_the_preview_shows_exactly_what_is_sent(qtbot: Any, db: Database, runner: TaskRunner,
                                                keys: MemoryKeyring) -> None:
    dlg = open_dialog(qtbot, db, runner, keys)
    dlg.sample.setPlainText("Заказ 12345678-0001-1, звоните +7 912 345-67-89 до 18:00 МСК")
    assert dlg.sent.toPlainText() == "Заказ [order number 1], звоните [phone 2] [deadline 3]"
    assert dlg.masked.text() == "Kept on this computer: phone numbers, order and posting numbers"
    dlg.sample.setPlainText("Спасибо за заказ")
    assert dlg.sent.toPlainText() == "Спасибо за заказ"
    assert dlg.masked.text() == "No personal data found in this message."


def test_libretranslate_is_saved_for_the_team_and_tested_off_the_gui_thread(
        qtbot: Any, db: Database, runner: TaskRunner, keys: MemoryKeyring) -> None:
    dlg = open_dialog(qtbot, db, runner, keys)
    assert dlg.engine() == ""
    with FakeTranslateServer("libretranslate") as fake:
        choose(dlg, "libretranslate")
        assert dlg.where.text().startswith("Your own LibreTranslate server")
        assert dlg.folder_edit.isHidden()
        dlg.url_edit.setText(fake.url)
        dlg.sample.setPlainText("Спасибо, +7 912 345-67-89")
        dlg.test_button.click()
        assert settled(qtbot, dlg) == "It works: [zh] 谢谢, +7 912 345-67-89"
        assert fake.requests[0]["q"] == 'Спасибо, <x i="1"/>'
        dlg.save_button.click()
        assert settled(qtbot, dlg) == "Saved: LibreTranslate."
    assert TranslationService(db, keyring_backend=keys).config() == EngineConfig(
        "libretranslate", fake.url, "")


def test_a_deepl_key_goes_to_the_keyring_only_and_the_note_says_text_leaves_russia(
        qtbot: Any, db: Database, runner: TaskRunner, keys: MemoryKeyring) -> None:
    dlg = open_dialog(qtbot, db, runner, keys)
    choose(dlg, "deepl")
    assert dlg.where.text().startswith("DeepL processes the text outside Russia")
    assert dlg.key_state.text() == "No key on this computer yet."
    dlg.test_button.click()
    assert settled(qtbot, dlg) == (
        "no key for DeepL on this desk: enter it in Settings → Translation, or set "
        "OZONDESK_TRANSLATE_KEY")
    dlg.key_edit.setText("secret-deepl-key:fx")
    dlg.save_button.click()
    assert settled(qtbot, dlg) == "Saved: DeepL."
    assert keys.entries == {("ozondesk.translation", "deepl"): "secret-deepl-key:fx"}
    assert not any("secret-deepl-key" in v for v in stored_settings(db))
    assert dlg.key_edit.text() == ""
    assert dlg.key_state.text() == "A key is stored on this computer; leave empty to keep it."


def test_a_bad_address_is_one_line_and_changes_nothing(qtbot: Any, db: Database,
                                                       runner: TaskRunner,
                                                       keys: MemoryKeyring) -> None:
    dlg = open_dialog(qtbot, db, runner, keys)
    choose(dlg, "libretranslate")
    dlg.url_edit.setText("localhost:5000")
    dlg.save_button.click()
    assert settled(qtbot, dlg) == (
        "the translation server address 'localhost:5000' is not an http(s) URL, "
        "e.g. http://127.0.0.1:5000")
    assert TranslationService(db, keyring_backend=keys).config() == EngineConfig("")


def test_the_settings_dialog_shows_the_engine_and_opens_translation_settings(
        qtbot: Any, db: Database, runner: TaskRunner, keys: MemoryKeyring) -> None:
    TranslationService(db, keyring_backend=keys).configure("yandex", key="AQVN-key")
    dlg = SettingsDialog(CredentialStore(db, keys), runner)
    qtbot.addWidget(dlg)
    dlg.show()
    box = dlg.translation_box
    qtbot.waitUntil(lambda: box.summary.text() == "Engine: Yandex Cloud Translate", timeout=WAIT)
    opened = box.open_dialog()
    qtbot.addWidget(opened)
    qtbot.waitUntil(lambda: opened.busy == 0 and opened.engine() == "yandex", timeout=WAIT)
    assert opened.folder_edit.isVisible()
    assert opened.key_state.text() == "A key is stored on this computer; leave empty to keep it."
    choose(opened, "")
    opened.save_button.click()
    qtbot.waitUntil(lambda: box.summary.text() == "No translation engine chosen.", timeout=WAIT)
    opened.close()


@pytest.mark.parametrize("language", ["ru", "zh_CN", "en"])
@pytest.mark.parametrize("engine", ["yandex", "deepl"])
def test_nothing_is_clipped_in_any_language(qtbot: Any, db: Database, runner: TaskRunner,
                                            keys: MemoryKeyring, language: str,
                                            engine: str) -> None:
    from clipping import clipped
    from demo_desk import interface_language

    TranslationService(db, keyring_backend=keys).configure(engine, key="some-key:fx")
    with interface_language(language):
        dlg = open_dialog(qtbot, db, runner, keys)
        qtbot.waitUntil(lambda: dlg.engine() == engine, timeout=WAIT)
        # The stored choice arrives after the dialog is shown; its notes are laid out when
        # the event loop next runs, and then nothing may be cut.
        found: list[list[str]] = []

        def laid_out() -> bool:
            found.append(clipped(dlg, f"translation-settings/{language}/{engine}"))
            return found[-1] == []

        try:
            qtbot.waitUntil(laid_out, timeout=WAIT)
        except qtbot.TimeoutError:
            pass
        assert found[-1] == []
        assert dlg.url_edit.height() >= dlg.url_edit.minimumSizeHint().height()
        assert dlg.key_edit.height() >= dlg.key_edit.minimumSizeHint().height()
