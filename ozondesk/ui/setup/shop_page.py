"""Page 1 of the setup assistant: the Ozon shop — name, Client-Id, API key, a connection test.

The key goes to the OS keyring through ``CredentialStore`` when the agent presses Next; if the
keyring refuses it, the typed key stays in its field and the reason is shown. The connection
test runs on the assistant's network thread and names what failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from ozondesk.i18n import _
from ozondesk.services.credentials import Credentials, ShopRef, register_secret
from ozondesk.services.setup import ConnectionCheck, check_connection
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.settings_dialog import ERROR_STYLE, OK_STYLE, check_shop

if TYPE_CHECKING:
    from ozondesk.ui.setup.wizard import SetupWizard


def where_to_find_text() -> str:
    return _(
        "Where to find them: in the Ozon seller cabinet (seller.ozon.ru) open Settings → Seller API "
        "(Настройки → Seller API). The Client-Id is shown there. Press “Generate key” "
        "(Сгенерировать ключ), choose the Admin token type (a key whose role lacks chats cannot "
        "read them) and copy the key at once: Ozon shows it only once."
    )


class ShopPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.assistant = wizard
        self.setTitle(_("Your Ozon shop"))
        self.setSubTitle(_("OzonDesk reads the shop's buyer chats, orders and returns with a Seller API key."))
        self.editing: ShopRef | None = None  # the stored shop shown in the form
        self.shops: list[ShopRef] = []
        self.saving = False
        self._saved = False  # the form was just saved: the next validatePage lets Next through

        self.hint = QLabel(where_to_find_text(), self)
        self.hint.setObjectName("shopHint")
        self.hint.setWordWrap(True)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("shopName")
        self.client_id_edit = QLineEdit(self)
        self.client_id_edit.setObjectName("clientId")
        self.client_id_edit.setPlaceholderText(_("e.g. 123456"))
        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("apiKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.key_edit.setPlaceholderText(_("paste the API key"))
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, edit in (
            ("name", _("Shop name"), self.name_edit),
            ("client_id", _("Client-Id"), self.client_id_edit),
            ("api_key", _("API key"), self.key_edit),
        ):
            error = QLabel(self)
            error.setObjectName(f"{key}Error")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.errors[key] = error
            column = QVBoxLayout()
            column.setSpacing(1)
            column.addWidget(edit)
            column.addWidget(error)
            form.addRow(label, column)
            edit.textEdited.connect(lambda _text, k=key: self._edited(k))
        self.test_button = QPushButton(_("Test connection"), self)
        self.test_button.setObjectName("testConnection")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.status = QLabel(self)  # one line: the test's verdict, or why saving failed
        self.status.setObjectName("shopStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_check: ConnectionCheck | None = None

        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)

    # -- loading --------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.assistant.run(self.assistant.credentials.shops, self._loaded)

    def _loaded(self, shops: list[ShopRef]) -> None:
        wanted = self.assistant.shop_name
        shop = next((s for s in shops if s.name == wanted), shops[0] if shops else None)
        self.shops = shops
        if shop is None or (self.editing is None and self._typed()):
            return  # nothing stored yet, or the agent is already typing a new one
        self.editing = shop
        self.assistant.shop_name = shop.name
        self.name_edit.setText(shop.name)
        self.client_id_edit.setText(shop.client_id)
        if not self.key_edit.text():
            self.key_edit.setPlaceholderText(_("stored in the system keyring — leave empty to keep it"))
        self._say(_("Shop {name} is saved; change it here or press Next.").format(name=shop.name), True)


    def _typed(self) -> bool:
        return any(e.text().strip() for e in (self.name_edit, self.client_id_edit, self.key_edit))

    # -- the form -------------------------------------------------------------------------
    def _edited(self, key: str) -> None:
        self.errors[key].clear()
        self.errors[key].hide()
        self._saved = False

    def _show_errors(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def _say(self, text: str, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)

    def _form(self) -> tuple[str, str, str]:
        return (self.name_edit.text().strip(), self.client_id_edit.text().strip(),
                self.key_edit.text().strip())  # fmt: skip

    def _unchanged(self) -> bool:
        name, client_id, key = self._form()
        e = self.editing
        return e is not None and not key and (name, client_id) == (e.name, e.client_id)

    # -- connection test ------------------------------------------------------------------
    def test_connection(self) -> bool:
        name, client_id, key = self._form()
        problems = check_shop(name or "-", client_id, key, [], self.editing is None)
        problems.pop("name", None)
        self._show_errors(problems)
        if problems:
            self._say(_("Correct the fields marked in red to test the connection."), False)
            return False
        stored = self.editing.name if self.editing is not None and not key else None
        credentials, make_client = self.assistant.credentials, self.assistant.make_client

        def work() -> ConnectionCheck:
            api_key = credentials.load(stored).api_key if stored else key
            register_secret(api_key)
            with make_client(Credentials(name, client_id, api_key), retries=1) as client:
                return check_connection(client)

        self.test_button.setEnabled(False)
        self._say(_("Testing the connection…"), True)
        run_for(self, self.assistant.net, work, self._tested, self._test_failed)
        return True

    def _tested(self, check: ConnectionCheck) -> None:
        self.last_check = check
        self.test_button.setEnabled(True)
        self._say(check.line, check.ok)

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.last_check = ConnectionCheck("refused", _reason(exc))
        self._say(_("The test could not run: {reason}").format(reason=_reason(exc)), False)

    # -- saving on Next -------------------------------------------------------------------
    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self._saved or self._unchanged():
            self._saved = False
            return True
        if self.saving:
            return False
        name, client_id, key = self._form()
        others = [s for s in self.shops if self.editing is None or s.name != self.editing.name]
        problems = check_shop(name, client_id, key, others, self.editing is None)
        self._show_errors(problems)
        if problems:
            self._say(_("Nothing was saved: correct the fields marked in red."), False)
            return False
        credentials, editing = self.assistant.credentials, self.editing

        def work() -> ShopRef:
            if editing is None:
                return credentials.save(name, client_id, key)
            return credentials.update(editing.name, name, client_id, key)

        self.saving = True
        self._say(_("Saving…"), True)
        self.assistant.run(work, self._stored, self._not_stored)
        return False  # Next again once it is stored

    def _stored(self, shop: ShopRef) -> None:
        self.saving = False
        self.editing = shop
        self.assistant.shop_name = shop.name
        self.key_edit.clear()  # in the keyring now; the field forgets it
        self.key_edit.setPlaceholderText(_("stored in the system keyring — leave empty to keep it"))
        self._say(_("Shop {name} saved; its key is in the system keyring.").format(name=shop.name), True)
        self._saved = True
        if self.assistant.currentPage() is self:
            self.assistant.next()

    def _not_stored(self, exc: BaseException) -> None:
        self.saving = False
        # The typed key stays in its field, so the agent can retry once the keyring works.
        self._say(_("Not saved: {reason}").format(reason=_reason(exc)), False)


def _reason(exc: BaseException) -> str:
    message: Any = getattr(exc, "message", None)
    return str(message) if message else str(exc) or type(exc).__name__
