"""Page 3 of the setup assistant: this desk — who works here, and the interface language.

Both are saved when the agent presses Next (``preferences.set_desk_agent`` and
``set_interface_language``, on the database worker). The language is read at start-up, so it
takes effect at the next start; the page says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWizardPage

from ozondesk.i18n import _
from ozondesk.services.preferences import (
    LANGUAGE_CHOICES,
    desk_agent,
    interface_language,
    set_desk_agent,
    set_interface_language,
)
from ozondesk.ui.settings_dialog import ERROR_STYLE, OK_STYLE
from ozondesk.ui.setup.team_page import is_active, person_name, role_label

if TYPE_CHECKING:
    from ozondesk.ui.setup.wizard import SetupWizard


class DeskPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.assistant = wizard
        self.setTitle(_("This desk"))
        self.setSubTitle(_("Who works at this computer, and in which language OzonDesk speaks to them."))
        self.saving = False
        self._saved = False
        self.person_combo = QComboBox(self)
        self.person_combo.setObjectName("deskPerson")
        self.person_combo.currentIndexChanged.connect(self._changed)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("deskLanguage")
        for choice, label in LANGUAGE_CHOICES:
            self.language_combo.addItem(_(label), choice)
        self.language_combo.currentIndexChanged.connect(self._changed)
        note = QLabel(
            _("The language takes effect at the next start of OzonDesk. Replies to buyers stay in Russian."),
            self,
        )
        note.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("deskStatus")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Who works here"), self.person_combo)
        form.addRow(_("Interface language"), self.language_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        team, db = self.assistant.team, self.assistant.db

        def work() -> tuple[list[Any], str | None, str]:
            current = desk_agent(db)
            return list(team.people()), current.login if current else None, interface_language(db)

        self.person_combo.setEnabled(False)
        self.assistant.run(work, self._loaded)

    def _loaded(self, loaded: tuple[list[Any], str | None, str]) -> None:
        people, current, language = loaded
        chosen = self.assistant.desk_login or current
        self.person_combo.blockSignals(True)
        self.person_combo.clear()
        for person in people:
            if is_active(person):
                self.person_combo.addItem(
                    _("{name} ({role})").format(name=person_name(person), role=role_label(person.role)),
                    person.login,
                )
        self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(chosen)))
        self.person_combo.blockSignals(False)
        self.person_combo.setEnabled(True)
        self.language_combo.blockSignals(True)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
        self.language_combo.blockSignals(False)
        self.completeChanged.emit()

    def _changed(self, _index: int) -> None:
        self._saved = False

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.person_combo.count() > 0 and not self.saving

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self._saved:
            self._saved = False
            return True
        if self.saving or self.person_combo.currentData() is None:
            return False
        login, language, db = self.person_combo.currentData(), self.language_combo.currentData(), self.assistant.db

        def work() -> None:
            set_desk_agent(db, login)
            set_interface_language(db, language)

        self.saving = True
        self.completeChanged.emit()
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(_("Saving…"))
        self.assistant.run(work, lambda _none: self._stored(login), self._not_stored)
        return False  # Next again once it is stored

    def _stored(self, login: str) -> None:
        self.saving = False
        self.assistant.desk_login = login
        self.status.setText(_("Saved."))
        self._saved = True
        self.completeChanged.emit()
        if self.assistant.currentPage() is self:
            self.assistant.next()

    def _not_stored(self, exc: BaseException) -> None:
        self.saving = False
        self.completeChanged.emit()
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(_("Not saved: {reason}").format(reason=message))
