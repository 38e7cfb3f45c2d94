"""Settings → Translation: the team's engine, this desk's key, and exactly what would be sent.

The engine, server address and Yandex folder id are the team's (the database's settings); the
key goes to this desk's OS keyring only (``TranslationService.configure``). The preview masks a
sample message the way every request is masked, so whoever chooses the engine sees what leaves
the desk. Saving and loading run on the database worker; the test translation on a worker of
its own, since an engine may take its whole timeout to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt, Signal
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
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.translation_protect import plain_preview, protect
from ozondesk.i18n import N_, _
from ozondesk.services.translation import TranslationService
from ozondesk.store.db import Database
from ozondesk.translation.engine import display_name
from ozondesk.translation.engines import NEEDS_KEY, EngineConfig
from ozondesk.ui.dialog_fit import fit_height
from ozondesk.ui.tasks import TaskRunner

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"
ENGINES = ("", "yandex", "libretranslate", "deepl")
# Where the text goes: the first thing a seller bound by 152-FZ needs to know.
WHERE = {
    "": N_("No translation: agents see and write Russian only."),
    "yandex": N_("Yandex Cloud processes the text in Russia. Needs an API key of a service account "
                 "with the ai.translate.user role."),
    "libretranslate": N_("Your own LibreTranslate server: the text stays on your machines. A "
                         "server without keys needs none."),
    "deepl": N_("DeepL processes the text outside Russia (in the EU). Personal data below is "
                "masked, but the rest of each message leaves Russia."),
}
URL_HINTS = {
    "yandex": "https://translate.api.cloud.yandex.net",
    "libretranslate": "http://127.0.0.1:5000",
    "deepl": "https://api.deepl.com",
}
SAMPLE = ("Здравствуйте! Меня зовут Анна Петрова, заказ 12345678-0001-1 не пришёл. "
          "Телефон +7 912 345-67-89, anna@mail.ru. Ответьте до 18:00 МСК сегодня.")


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc) or type(exc).__name__


class TranslationSettingsDialog(QDialog):
    saved = Signal()

    def __init__(self, db: Database, runner: TaskRunner, backend: KeyringBackend | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Translation"))
        self.setObjectName("translation_settings")
        self.db, self.runner, self.backend = db, runner, backend
        self.service = TranslationService(db, keyring_backend=backend)
        # Engine calls get their own worker: the database worker must not wait on a network.
        self.network = TaskRunner(self)
        self.busy = 0
        self.glossary: list[tuple[str, str]] = []
        self.stored_keys: dict[str, bool] = {}

        self.engine_combo = QComboBox(self)
        self.engine_combo.setObjectName("engine")
        for engine in ENGINES:
            self.engine_combo.addItem(display_name(engine) if engine else _("None"), engine)
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.url_edit = QLineEdit(self)
        self.folder_edit = QLineEdit(self)
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.key_state = QLabel(self)
        self.key_state.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Engine"), self.engine_combo)
        form.addRow("", self.where)
        form.addRow(_("Server address"), self.url_edit)
        self.folder_label = QLabel(_("Folder id"), self)
        form.addRow(self.folder_label, self.folder_edit)
        self.key_label = QLabel(_("Key"), self)
        form.addRow(self.key_label, self.key_edit)
        # A row of its own: a form computes a wrapped label's height only for its own rows.
        form.addRow("", self.key_state)
        scope = QLabel(_("The engine is the whole team's; the key is kept in this computer's "
                         "keyring only."), self)
        scope.setWordWrap(True)
        form.addRow(scope)

        self.sample = QPlainTextEdit(self)
        self.sample.setObjectName("sample")
        self.sample.setPlainText(SAMPLE)
        self.sample.setMaximumHeight(70)
        self.sent = QPlainTextEdit(self)
        self.sent.setObjectName("sent")
        self.sent.setReadOnly(True)
        self.sent.setMaximumHeight(70)
        self.masked = QLabel(self)
        self.masked.setWordWrap(True)
        preview_box = QGroupBox(_("What is sent"), self)
        preview = QVBoxLayout(preview_box)
        preview.addWidget(QLabel(_("A buyer's message:"), self))
        preview.addWidget(self.sample)
        preview.addWidget(QLabel(_("What the engine receives:"), self))
        preview.addWidget(self.sent)
        preview.addWidget(self.masked)

        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button = QPushButton(_("Test translation"), self)
        self.test_button.setAutoDefault(False)
        self.save_button = QPushButton(_("Save"), self)
        self.save_button.setAutoDefault(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(preview_box, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(600, 560)

        self.engine_combo.currentIndexChanged.connect(lambda _i: self._engine_changed())
        self.sample.textChanged.connect(self._update_preview)
        self.test_button.clicked.connect(self.test)
        self.save_button.clicked.connect(self.save)
        self._set_enabled(False)  # until the stored choice is known
        self._engine_changed()
        self.load()

    # -- state --------------------------------------------------------------------------------
    def engine(self) -> str:
        return str(self.engine_combo.currentData() or "")

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.engine_combo, self.save_button, self.test_button):
            widget.setEnabled(enabled)
        if enabled:
            self._engine_changed()

    def _engine_changed(self) -> None:
        engine = self.engine()
        self.where.setText(_(WHERE[engine]))
        self.where.setStyleSheet("color: #b26a00;" if engine == "deepl" else "")
        self.url_edit.setEnabled(bool(engine))
        self.url_edit.setPlaceholderText(URL_HINTS.get(engine, ""))
        for widget in (self.folder_label, self.folder_edit):
            widget.setVisible(engine == "yandex")
        for widget in (self.key_label, self.key_edit, self.key_state):
            widget.setVisible(bool(engine))
        if engine:
            stored = self.stored_keys.get(engine, False)
            if stored:
                self.key_state.setText(_("A key is stored on this computer; leave empty to keep it."))
            elif engine in NEEDS_KEY:
                self.key_state.setText(_("No key on this computer yet."))
            else:
                self.key_state.setText(_("Only if the server asks for one."))
        self.test_button.setEnabled(bool(engine) and self.busy == 0)
        self._update_preview()
        if self.isVisible():
            fit_height(self)  # a longer note or key line may need more lines

    def _update_preview(self) -> None:
        # Pure and fast (no database, no network): fine on the GUI thread as the agent types.
        protected = protect(self.sample.toPlainText(), self.glossary)
        self.sent.setPlainText(plain_preview(protected, lambda kind: _(TOKEN_NAMES[kind])))
        if protected.masked:
            self.masked.setText(_("Kept on this computer: {kinds}").format(
                kinds=", ".join(_(KIND_NAMES[k]) for k in protected.masked)))
        else:
            self.masked.setText(_("No personal data found in this message."))

    def _say(self, text: str, ok: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)

    def _run(self, runner: TaskRunner, work: Callable[[], Any], on_done: Callable[[Any], None]
             ) -> None:
        self.busy += 1
        self.test_button.setEnabled(False)
        self.save_button.setEnabled(False)

        def finish() -> None:
            self.busy -= 1
            if self.busy == 0:
                self._set_enabled(True)

        def done(result: Any) -> None:
            finish()
            on_done(result)

        def failed(exc: BaseException) -> None:
            finish()
            self._say(_reason(exc), ok=False)

        runner.run(work, done, failed)

    # -- loading, saving, testing ----------------------------------------------------------
    def load(self) -> None:
        service = self.service

        def work() -> tuple[EngineConfig, list[tuple[str, str]], dict[str, bool]]:
            config = service.config()
            stored: dict[str, bool] = {}
            for engine in ENGINES[1:]:
                try:
                    stored[engine] = service.key_stored(engine)
                except Exception:  # noqa: BLE001 - no usable keyring: said when saving a key
                    stored[engine] = False
            return config, [(e.ru, e.zh) for e in service.glossary()], stored

        self._run(self.runner, work, self._loaded)

    def _loaded(self, loaded: tuple[EngineConfig, list[tuple[str, str]], dict[str, bool]]) -> None:
        config, self.glossary, self.stored_keys = loaded
        index = self.engine_combo.findData(config.engine)
        self.engine_combo.setCurrentIndex(max(index, 0))
        self.url_edit.setText(config.url)
        self.folder_edit.setText(config.folder_id)
        self._engine_changed()

    def _form(self) -> tuple[str, str, str, str]:
        return (self.engine(), self.url_edit.text().strip(), self.folder_edit.text().strip(),
                self.key_edit.text().strip())

    def save(self) -> None:
        engine, url, folder, key = self._form()
        service = self.service

        def work() -> str:
            service.configure(engine, url=url, folder_id=folder, key=key or None)
            return engine

        self._run(self.runner, work, self._saved)

    def _saved(self, engine: str) -> None:
        if self.key_edit.text().strip():
            self.stored_keys[engine] = True
        self.key_edit.clear()
        self._engine_changed()
        self._say(_("Saved: {engine}.").format(
            engine=display_name(engine) if engine else _("no translation")), ok=True)
        self.saved.emit()

    def test(self) -> None:
        engine, url, folder, key = self._form()
        override = EngineConfig(engine, url, folder)
        db, backend = self.db, self.backend
        text = self.sample.toPlainText().strip() or SAMPLE

        def work() -> str:
            probe = TranslationService(db, override=override, key=key or None,
                                       keyring_backend=backend)
            try:
                return probe.translate(text, "zh").text
            finally:
                probe.close()

        self._say(_("Asking {engine}…").format(engine=display_name(engine)), ok=True)
        self._run(self.network, work, lambda result: self._say(
            _("It works: {text}").format(text=result), ok=True))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        fit_height(self)  # the notes wrap into more lines in Russian and Chinese

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        # A test call may still wait on the network: it ends by itself, its answer dropped.
        self.network.shutdown(wait=False)
        self.service.close()
        super().done(result)


KIND_NAMES = {
    "email": N_("e-mail addresses"),
    "phone": N_("phone numbers"),
    "card": N_("card numbers"),
    "order_number": N_("order and posting numbers"),
    "number": N_("other long numbers"),
    "name": N_("names"),
    "address": N_("addresses"),
}


# How a token shows in the preview of what is sent: «[телефон 3]», «[电话 3]».
TOKEN_NAMES = {
    "email": N_("e-mail"),
    "phone": N_("phone"),
    "card": N_("card"),
    "order_number": N_("order number"),
    "number": N_("number"),
    "name": N_("name"),
    "address": N_("address"),
    "placeholder": N_("placeholder"),
    "deadline": N_("deadline"),
    "glossary": N_("glossary term"),
}


class TranslationSettingsBox(QGroupBox):
    """The Translation group of the Settings dialog: the chosen engine, and a button to change it."""

    def __init__(self, db: Database, runner: TaskRunner, backend: KeyringBackend | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Translation"), parent)
        self.db, self.runner, self.backend = db, runner, backend
        self.dialog: TranslationSettingsDialog | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("translation_summary")
        self.summary.setWordWrap(True)
        self.button = QPushButton(_("Translation settings…"), self)
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.open_dialog)
        row = QHBoxLayout(self)
        row.addWidget(self.summary, 1)
        row.addWidget(self.button)
        self.refresh()

    def refresh(self) -> None:
        service = TranslationService(self.db, keyring_backend=self.backend)
        self.runner.run(lambda: service.config().engine, self._show)

    def _show(self, engine: str) -> None:
        self.summary.setText(
            _("Engine: {engine}").format(engine=display_name(engine)) if engine
            else _("No translation engine chosen.")
        )

    def open_dialog(self) -> TranslationSettingsDialog:
        if self.dialog is None or not self.dialog.isVisible():
            self.dialog = TranslationSettingsDialog(self.db, self.runner, self.backend,
                                                    self.window())
            self.dialog.saved.connect(self.refresh)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog
