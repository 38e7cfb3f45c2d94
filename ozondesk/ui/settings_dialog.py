"""Settings: the desk's Ozon shops (name, Client-Id, API key), the polling interval and the
interface language (applied at the next start).

The API key goes to the OS keyring through ``CredentialStore`` and is never shown back:
the key field stays empty when a shop is edited (empty means "keep the stored key"). A key
whose save failed (no usable keyring) stays in its field, and the message says which keyring
to install or unlock.
Keyring and database calls run on the database worker, the connection test on the
sync controller's network thread; the dialog itself never blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ozondesk.i18n import _
from ozondesk.services.credentials import CredentialStore, ShopRef
from ozondesk.services.preferences import (
    LANGUAGE_CHOICES,
    interface_language,
    set_interface_language,
)
from ozondesk.services.sync import poll_interval, set_poll_interval
from ozondesk.settings.options import LANGUAGE, POLL_INTERVAL
from ozondesk.ui.dialog_fit import fit_height
from ozondesk.ui.shop_plan import ShopPlanView
from ozondesk.ui.sync_worker import ConnectionResult, SyncController
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.translation_settings import TranslationSettingsBox

# The registry's bounds, so the spin box never offers a value the option would refuse.
POLL_MIN, POLL_MAX = POLL_INTERVAL.minimum or 10, POLL_INTERVAL.maximum or 3600
POLL_SAVE_DELAY_MS = 400
ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"


def check_shop(
    name: str, client_id: str, api_key: str, others: list[ShopRef], key_required: bool
) -> dict[str, str]:
    """Problems with the form, by field ("name", "client_id", "api_key"); empty when it is fine."""
    problems: dict[str, str] = {}
    name, client_id, api_key = name.strip(), client_id.strip(), api_key.strip()
    if not name:
        problems["name"] = _("Give the shop a name.")
    elif len(name) > 200:
        problems["name"] = _("The name is too long (at most 200 characters).")
    elif any(s.name == name for s in others):
        problems["name"] = _("Another shop already has this name.")
    if not client_id:
        problems["client_id"] = _(
            "Enter the Client-Id from the seller cabinet (Settings → Seller API)."
        )
    elif not client_id.isdigit() or int(client_id) <= 0:
        problems["client_id"] = _("The Client-Id is a number, as shown in the seller cabinet.")
    else:
        clash = next((s for s in others if s.client_id == client_id), None)
        if clash is not None:
            problems["client_id"] = _("Shop {shop} already uses this Client-Id.").format(
                shop=clash.name
            )
    if not api_key:
        if key_required:
            problems["api_key"] = _("Paste the API key from the seller cabinet.")
    elif any(c.isspace() for c in api_key):
        problems["api_key"] = _(
            "The API key has spaces in it: copy it again from the seller cabinet."
        )
    return problems


class SettingsDialog(QDialog):
    shops_changed = Signal()
    poll_changed = Signal(int)
    language_changed = Signal(str)

    def __init__(
        self,
        credentials: CredentialStore,
        runner: TaskRunner,
        controller: SyncController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        self.setObjectName("settings")
        self.resize(720, 600)
        self.credentials = credentials
        self.db = credentials.db
        self.runner = runner
        self.controller = controller
        self.shops: list[ShopRef] = []
        self.editing: str | None = None  # name of the shop in the form; None for a new one
        self.busy = 0
        # Replaced in tests; a real dialog asks.
        self.confirm: Callable[[str], bool] = self._ask

        # -- shops ---------------------------------------------------------------------
        self.shop_list = QListWidget(self)
        self.shop_list.setObjectName("shops")
        self.shop_list.currentItemChanged.connect(self._selected)
        self.add_button = QPushButton(_("Add shop"), self)
        self.remove_button = QPushButton(_("Remove shop"), self)
        self.add_button.clicked.connect(self.new_shop)
        self.remove_button.clicked.connect(self.remove_shop)
        self.remove_button.setEnabled(False)
        self.empty_hint = QLabel(
            _("No shop yet: add one with its Client-Id and API key from the seller cabinet."), self
        )
        self.empty_hint.setWordWrap(True)

        self.name_edit = QLineEdit(self)
        self.client_id_edit = QLineEdit(self)
        self.client_id_edit.setPlaceholderText(_("e.g. 123456"))
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, edit in (
            ("name", _("Shop name"), self.name_edit),
            ("client_id", _("Client-Id"), self.client_id_edit),
            ("api_key", _("API key"), self.key_edit),
        ):
            error = QLabel(self)
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.errors[key] = error
            holder = QVBoxLayout()
            holder.setSpacing(1)
            holder.addWidget(edit)
            holder.addWidget(error)
            form.addRow(label, holder)
            edit.textEdited.connect(lambda _text, k=key: self._clear_error(k))
        self.form_title = QLabel(self)
        self.save_button = QPushButton(_("Save shop"), self)
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_shop)
        self.test_button = QPushButton(_("Test connection"), self)
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.test_button.setEnabled(controller is not None)
        self.status = QLabel(self)  # the result of the last save, removal or test
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QVBoxLayout()
        left.addWidget(self.shop_list)
        left.addWidget(self.empty_hint)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        right = QVBoxLayout()
        right.addWidget(self.form_title)
        right.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right.addLayout(buttons)
        right.addWidget(self.status)
        self.plan = ShopPlanView(self.db, runner, self)
        right.addWidget(self.plan)
        right.addStretch(1)
        shops_box = QGroupBox(_("Ozon shops"), self)
        shops_layout = QHBoxLayout(shops_box)
        shops_layout.addLayout(left, 2)
        shops_layout.addLayout(right, 3)

        # -- polling -------------------------------------------------------------------
        self.poll_spin = QSpinBox(self)
        self.poll_spin.setRange(POLL_MIN, POLL_MAX)
        self.poll_spin.setSuffix(_(" s"))
        self.poll_spin.setEnabled(False)  # until the stored value is known
        self.poll_status = QLabel(self)
        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        self._poll_timer.setInterval(POLL_SAVE_DELAY_MS)
        self._poll_timer.timeout.connect(self._save_poll)
        self.poll_spin.valueChanged.connect(lambda _v: self._poll_timer.start())
        sync_box = QGroupBox(_("Synchronisation"), self)
        sync_form = QFormLayout(sync_box)
        sync_form.addRow(_("Check for new messages every"), self.poll_spin)
        sync_form.addRow("", self.poll_status)
        note = QLabel(
            _(
                "While you are online, unread chats are checked at this interval and queued replies are sent."
            ),
            self,
        )
        note.setWordWrap(True)
        sync_form.addRow(note)
        self.poll_scope = QLabel(_("For the whole team: every desk uses this interval."), self)
        self.poll_scope.setWordWrap(True)
        sync_form.addRow(self.poll_scope)

        # -- interface language (read at start-up, so it applies at the next start) ------
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("language")
        for choice, label in LANGUAGE_CHOICES:
            if choice in LANGUAGE.choices:
                self.language_combo.addItem(_(label), choice)
        self.language_combo.setEnabled(False)  # until the stored choice is known
        self.language_combo.currentIndexChanged.connect(self._save_language)
        self.language_status = QLabel(self)
        self.language_status.setWordWrap(True)
        language_box = QGroupBox(_("Interface language"), self)
        language_form = QFormLayout(language_box)
        language_form.addRow(_("Language"), self.language_combo)
        language_form.addRow("", self.language_status)
        language_note = QLabel(
            _("Applies at the next start of OzonDesk. Replies to buyers stay in Russian."), self
        )
        language_note.setWordWrap(True)
        language_form.addRow(language_note)
        self.language_scope = QLabel(
            _("For this computer only: each desk chooses its own language."), self
        )
        self.language_scope.setWordWrap(True)
        language_form.addRow(self.language_scope)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(shops_box, 1)
        layout.addWidget(sync_box)
        layout.addWidget(language_box)
        self.translation_box = TranslationSettingsBox(self.db, runner, credentials.backend, self)
        layout.addWidget(self.translation_box)
        layout.addWidget(close)

        self.new_shop()
        self.reload()

    # -- loading ----------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self._run(
            lambda: (self.credentials.shops(), poll_interval(self.db), interface_language(self.db)),
            lambda loaded: self._loaded(loaded, select),
        )

    def _loaded(self, loaded: tuple[list[ShopRef], int, str], select: str | None) -> None:
        shops, seconds, language = loaded
        if not self.language_combo.isEnabled():
            self.language_combo.blockSignals(True)
            self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
            self.language_combo.blockSignals(False)
            self.language_combo.setEnabled(True)
        self.shops = shops
        self.shop_list.blockSignals(True)
        self.shop_list.clear()
        for shop in shops:
            item = QListWidgetItem(
                _("{name} (Client-Id {client_id})").format(name=shop.name, client_id=shop.client_id)
            )
            item.setData(Qt.ItemDataRole.UserRole, shop.name)
            self.shop_list.addItem(item)
        self.shop_list.blockSignals(False)
        self.empty_hint.setVisible(not shops)
        if not self.poll_spin.isEnabled():
            self.poll_spin.blockSignals(True)
            self.poll_spin.setValue(seconds)
            self.poll_spin.blockSignals(False)
            self.poll_spin.setEnabled(True)
        # A saved shop is shown as stored; otherwise the form keeps what the agent is typing.
        wanted = select if select is not None else self.editing
        row = next(
            (
                r
                for r in range(self.shop_list.count())
                if self.shop_list.item(r).data(Qt.ItemDataRole.UserRole) == wanted
            ),
            None,
        )
        if row is None:
            if self.editing is not None or select is not None:
                self.new_shop()  # the shop in the form is gone
            return
        if select is not None:
            self.shop_list.setCurrentRow(row)  # fills the form
        else:
            self.shop_list.blockSignals(True)
            self.shop_list.setCurrentRow(row)
            self.shop_list.blockSignals(False)

    # -- the form ---------------------------------------------------------------------
    def new_shop(self) -> None:
        self.shop_list.blockSignals(True)
        self.shop_list.setCurrentRow(-1)
        self.shop_list.clearSelection()
        self.shop_list.blockSignals(False)
        self._fill(None)

    def _selected(self, current: QListWidgetItem | None, _previous: Any) -> None:
        name = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self._fill(next((s for s in self.shops if s.name == name), None))

    def _fill(self, shop: ShopRef | None) -> None:
        self.editing = shop.name if shop else None
        self.form_title.setText(
            _("Edit shop {name}").format(name=shop.name) if shop else _("New shop")
        )
        self.name_edit.setText(shop.name if shop else "")
        self.client_id_edit.setText(shop.client_id if shop else "")
        self.key_edit.clear()
        self.key_edit.setPlaceholderText(
            _("stored in the system keyring — leave empty to keep it")
            if shop
            else _("paste the API key")
        )
        self.remove_button.setEnabled(shop is not None)
        self.plan.show_shop(shop.name if shop else None)
        for key in self.errors:
            self._clear_error(key)

    def _clear_error(self, key: str) -> None:
        self.errors[key].clear()
        self.errors[key].hide()

    def _show_errors(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            if key in problems:
                label.setText(problems[key])
                label.show()
            else:
                self._clear_error(key)

    def _say(self, text: str, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)

    def _others(self) -> list[ShopRef]:
        return [s for s in self.shops if s.name != self.editing]

    def save_shop(self) -> bool:
        """Validate and save the form; False (and inline messages) when the input is wrong."""
        name, client_id = self.name_edit.text().strip(), self.client_id_edit.text().strip()
        api_key = self.key_edit.text().strip()
        problems = check_shop(name, client_id, api_key, self._others(), self.editing is None)
        self._show_errors(problems)
        if problems:
            self._say(_("Nothing was saved: correct the fields marked in red."), False)
            return False
        editing = self.editing
        # The key stays in its (masked) field until it is stored: a save refused for want of a
        # keyring must not make the agent fetch it from the seller cabinet again.
        if editing is None:
            work = lambda: self.credentials.save(name, client_id, api_key)  # noqa: E731
        else:
            work = lambda: self.credentials.update(editing, name, client_id, api_key)  # noqa: E731
        self._say(_("Saving…"), True)
        self._run(work, self._saved, self._save_failed)
        return True

    def _saved(self, shop: ShopRef) -> None:
        self.key_edit.clear()
        self._say(
            _("Shop {name} saved; its key is in the system keyring.").format(name=shop.name), True
        )
        self.shops_changed.emit()
        self.reload(select=shop.name)

    def _save_failed(self, exc: BaseException) -> None:
        self._say(_("Not saved: {reason}").format(reason=_reason(exc)), False)

    def remove_shop(self) -> None:
        name = self.editing
        if name is None:
            return
        question = _(
            "Remove shop {name}? Its API key is deleted from the system keyring; "
            "its conversations stay in the database."
        ).format(name=name)
        if not self.confirm(question):
            return
        self._run(
            lambda: self.credentials.remove(name),
            lambda _ok: self._removed(name),
            self._save_failed,
        )

    def _removed(self, name: str) -> None:
        self._say(_("Shop {name} removed.").format(name=name), True)
        self.shops_changed.emit()
        self.reload()

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, _("Remove shop"), question)
        return answer == QMessageBox.StandardButton.Yes

    # -- connection test --------------------------------------------------------------
    def test_connection(self) -> bool:
        if self.controller is None:
            return False
        client_id, api_key = self.client_id_edit.text().strip(), self.key_edit.text().strip()
        problems = check_shop("-", client_id, api_key, [], self.editing is None)
        problems.pop("name", None)
        self._show_errors(problems)
        if problems:
            self._say(_("Correct the fields marked in red to test the connection."), False)
            return False
        self.test_button.setEnabled(False)
        self._say(_("Testing the connection…"), True)
        self.controller.test_connection(client_id, api_key, self.editing, self._tested)
        return True

    def _tested(self, result: ConnectionResult) -> None:
        self.test_button.setEnabled(True)
        if result.ok:
            self._say(result.message, True)
        elif result.what_to_do:
            self._say(
                _("Connection failed: {message}\nWhat to do: {hint}").format(
                    message=result.message, hint=result.what_to_do
                ),
                False,
            )
        else:
            self._say(_("Connection failed: {message}").format(message=result.message), False)

    # -- polling ----------------------------------------------------------------------
    def _save_poll(self) -> None:
        seconds = self.poll_spin.value()
        self.poll_status.setText(_("Saving…"))
        self._run(
            lambda: set_poll_interval(self.db, seconds),
            lambda _none: self._poll_saved(seconds),
            lambda exc: self.poll_status.setText(
                _("Not saved: {reason}").format(reason=_reason(exc))
            ),
        )

    def _poll_saved(self, seconds: int) -> None:
        self.poll_status.setText(_("Saved."))
        self.poll_changed.emit(seconds)

    # -- interface language -----------------------------------------------------------
    def _save_language(self, _index: int) -> None:
        choice = self.language_combo.currentData()
        self.language_status.setText(_("Saving…"))
        self._run(
            lambda: set_interface_language(self.db, choice),
            lambda _none: self._language_saved(choice),
            lambda exc: self.language_status.setText(
                _("Not saved: {reason}").format(reason=_reason(exc))
            ),
        )

    def _language_saved(self, choice: str) -> None:
        self.language_status.setText(_("Saved: restart OzonDesk to switch the language."))
        self.language_changed.emit(choice)

    # -- plumbing ---------------------------------------------------------------------
    def _run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.busy += 1

        def done(result: Any) -> None:
            self.busy -= 1
            on_done(result)

        def failed(exc: BaseException) -> None:
            self.busy -= 1
            (on_error or self._save_failed)(exc)

        self.runner.run(work, done, failed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        fit_height(self)  # the notes wrap into more lines in Russian and Chinese

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        if self._poll_timer.isActive():  # a change still waiting for its debounce
            self._poll_timer.stop()
            self._save_poll()
        super().done(result)


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc) or type(exc).__name__
