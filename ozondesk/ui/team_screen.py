"""The lead's Team workspace: the people of the team, their roles and whether they work here,
and the audit trail of every change.

Every read and write runs on the DB worker; the screen only shows frozen records. The service
decides who may change the team and keeps the last lead (a hidden workspace is only a
convenience): its refusals come back as one line, in the dialog that asked (whose typing
stays) or under the buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk
from ozondesk.domain.roles import ROLES
from ozondesk.i18n import N_, _
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.team import NAME_MAX, Person, TeamChange, TeamService
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.table_models import RecordTableModel
from ozondesk.ui.tasks import TaskRunner

ROLE_LABELS = {"agent": N_("agent"), "lead": N_("team lead"), "trainer": N_("trainer")}
PEOPLE_COLUMNS = (N_("Name"), N_("Login"), N_("Role"), N_("State"))
HISTORY_COLUMNS = (N_("When (MSK)"), N_("Who"), N_("Person"), N_("Change"))


def role_label(role: object) -> str:
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else str(role)


def describe(entry: TeamChange) -> str:
    """One team change in words: what happened, old → new."""
    old, new = entry.detail.get("old"), entry.detail.get("new")
    if entry.action == "team.add" and isinstance(new, dict):
        return _("added: {name}, {role}").format(name=new.get("name", ""), role=role_label(new.get("role")))
    if entry.action == "team.rename":
        return _("renamed: {old} → {new}").format(old=old, new=new)
    if entry.action == "team.role":
        return _("role: {old} → {new}").format(old=role_label(old), new=role_label(new))
    if entry.action == "team.deactivate":
        return _("deactivated")
    if entry.action == "team.reactivate":
        return _("reactivated")
    return entry.action


class PeopleModel(RecordTableModel[Person]):
    """Everyone in the team, in the order they joined; people who left in italics."""

    def set_people(self, people: Sequence[Person]) -> None:
        self._reset(people)

    def row_of(self, login: str) -> int:
        return self.find(lambda p: p.login == login)

    def headers(self) -> list[str]:
        return [_(c) for c in PEOPLE_COLUMNS]

    def cell(self, person: Person, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            state = _("active") if person.active else _("inactive")
            return (person.name, person.login, role_label(person.role), state)[column]
        if role == Qt.ItemDataRole.FontRole and not person.active:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return person.login
        return None


class HistoryModel(RecordTableModel[TeamChange]):
    """The team's audit trail, newest change first."""

    def set_entries(self, entries: Sequence[TeamChange]) -> None:
        self._reset(reversed(entries))

    def headers(self) -> list[str]:
        return [_(c) for c in HISTORY_COLUMNS]

    def cell(self, entry: TeamChange, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                to_msk(entry.at).strftime("%d.%m.%Y %H:%M"),
                entry.agent or _("administrator"),
                entry.subject.removeprefix("person:"),
                describe(entry),
            )[column]
        return None


class PersonDialog(QDialog):
    """Asks for what one change needs (login, name, role); OK asks the screen, which closes
    the dialog when the change is saved, or shows the refusal in it with the typing kept."""

    submitted = Signal()

    def __init__(self, title: str, parent: QWidget | None = None, *, login: bool = False,
                 name: str | None = None, role: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("personDialog")
        form = QFormLayout()
        self.login: QLineEdit | None = None
        self.name: QLineEdit | None = None
        self.role: QComboBox | None = None
        if login:
            self.login = QLineEdit(self)
            self.login.setObjectName("personLogin")
            self.login.setMaxLength(64)
            self.login.setPlaceholderText(_("e.g. wang.fang"))
            form.addRow(_("Login"), self.login)
        if name is not None:
            self.name = QLineEdit(name, self)
            self.name.setObjectName("personName")
            self.name.setMaxLength(NAME_MAX)
            form.addRow(_("Name"), self.name)
        if role is not None:
            self.role = QComboBox(self)
            self.role.setObjectName("personRole")
            for key in ROLES:
                self.role.addItem(role_label(key), key)
            self.role.setCurrentIndex(ROLES.index(role) if role in ROLES else 0)  # type: ignore[arg-type]
            form.addRow(_("Role"), self.role)
        self.error = QLabel(self)
        self.error.setObjectName("personError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> dict[str, str]:
        values = {}
        if self.login is not None:
            values["login"] = self.login.text()
        if self.name is not None:
            values["name"] = self.name.text()
        if self.role is not None:
            values["role"] = str(self.role.currentData())
        return values

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.set_busy(False)

    def _ok(self) -> None:
        self.error.setVisible(False)
        self.set_busy(True)
        self.submitted.emit()


class TeamScreen(QWidget):
    """The Team workspace: add, rename, change role, deactivate or reactivate, and the history."""

    loaded = Signal()  # people and history are shown
    changed = Signal(object)  # the Person after a saved change
    refused = Signal(str)  # the one-line reason shown

    def __init__(self, service: TeamService, runner: TaskRunner, actor: DeskAgent,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team-screen")
        self.service, self.runner, self.actor = service, runner, actor
        self.dialog: PersonDialog | None = None
        self._busy = False
        self._select_after: str | None = None

        self.model = PeopleModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("teamTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.rename_selected())
        self.empty = QLabel(_("Nobody in the team yet: add the first person with “Add person…”."), self)
        self.empty.setObjectName("teamEmpty")
        self.empty.setVisible(False)

        self.add_button = QPushButton(_("Add person…"), self)
        self.add_button.setObjectName("addPersonButton")
        self.rename_button = QPushButton(_("Rename…"), self)
        self.rename_button.setObjectName("renamePersonButton")
        self.role_button = QPushButton(_("Change role…"), self)
        self.role_button.setObjectName("changeRoleButton")
        self.deactivate_button = QPushButton(_("Deactivate"), self)
        self.deactivate_button.setObjectName("deactivateButton")
        self.deactivate_button.setToolTip(
            _("The person can no longer work at a desk; their replies and reviews keep their name."))
        self.reactivate_button = QPushButton(_("Reactivate"), self)
        self.reactivate_button.setObjectName("reactivateButton")
        self.message = QLabel(self)
        self.message.setObjectName("teamMessage")
        self.message.setWordWrap(True)

        self.history_model = HistoryModel(self)
        self.history = QTableView(self)
        self.history.setObjectName("teamHistory")
        self.history.setModel(self.history_model)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.role_button,
                       self.deactivate_button, self.reactivate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QWidget(self)
        upper = QVBoxLayout(top)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addWidget(self.table)
        upper.addWidget(self.empty)
        upper.addLayout(buttons)
        upper.addWidget(self.message)
        bottom = QWidget(self)
        lower = QVBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(QLabel(_("Changes to the team"), self))
        lower.addWidget(self.history)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.add_button.clicked.connect(self.add_person)
        self.rename_button.clicked.connect(self.rename_selected)
        self.role_button.clicked.connect(self.change_role_selected)
        self.deactivate_button.clicked.connect(lambda: self._set_active(False))
        self.reactivate_button.clicked.connect(lambda: self._set_active(True))
        self.table.selectionModel().currentRowChanged.connect(lambda _cur, _prev: self._set_enabled())
        self._set_enabled()

    # -- loading -------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)  # type: ignore[arg-type]
        # Each time: the setup assistant or a script may have changed the team meanwhile, and
        # a single SQLite desk hears of no change to people (the poller does not watch them).
        self.refresh()

    def refresh(self) -> None:
        service = self.service
        run_for(self, self.runner, lambda: (service.people(), service.history()), self._show,
                lambda exc: self._say(str(exc)))

    def current(self) -> Person | None:
        return self.model.at(self.table.currentIndex().row())

    def _show(self, loaded: tuple[list[Person], list[TeamChange]]) -> None:
        people, history = loaded
        keep = self._select_after or (self.current().login if self.current() else None)
        self._select_after = None
        self.model.set_people(people)
        self.history_model.set_entries(history)
        self.empty.setVisible(not people)
        row = self.model.row_of(keep) if keep else -1
        if people:
            self.table.setCurrentIndex(self.model.index(max(row, 0), 0))
        self._set_enabled()
        self.loaded.emit()

    def _set_enabled(self) -> None:
        person = self.current()
        idle = not self._busy
        self.add_button.setEnabled(idle)
        self.rename_button.setEnabled(idle and person is not None)
        self.role_button.setEnabled(idle and person is not None)
        self.deactivate_button.setEnabled(idle and person is not None and person.active)
        self.reactivate_button.setEnabled(idle and person is not None and not person.active)

    def _say(self, text: str, refusal: bool = True) -> None:
        self.message.setText(text)
        if refusal:
            self.refused.emit(text)

    # -- changes ---------------------------------------------------------------------------
    def add_person(self) -> None:
        dialog = self._open(PersonDialog(_("Add a person"), self, login=True, name="", role="agent"))

        def submitted() -> None:
            values = dialog.values()  # read on the GUI thread, as typed when OK was pressed
            self._apply(lambda: self.service.add(values["login"], values["name"], values["role"],
                                                 actor=self.actor.login), dialog)

        dialog.submitted.connect(submitted)

    def rename_selected(self) -> None:
        person = self.current()
        if person is None:
            return
        dialog = self._open(PersonDialog(_("Rename {login}").format(login=person.login), self,
                                         name=person.name))
        def submitted() -> None:
            name = dialog.values()["name"]
            self._apply(lambda: self.service.rename(person.login, name, actor=self.actor.login), dialog)

        dialog.submitted.connect(submitted)

    def change_role_selected(self) -> None:
        person = self.current()
        if person is None:
            return
        dialog = self._open(PersonDialog(_("Role of {name}").format(name=person.name), self,
                                         role=person.role))
        def submitted() -> None:
            role = dialog.values()["role"]
            self._apply(lambda: self.service.set_role(person.login, role, actor=self.actor.login), dialog)

        dialog.submitted.connect(submitted)

    def _set_active(self, active: bool) -> None:
        person = self.current()
        if person is None:
            return
        change = self.service.reactivate if active else self.service.deactivate
        self._apply(lambda: change(person.login, actor=self.actor.login))

    def _open(self, dialog: PersonDialog) -> PersonDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()
        return dialog

    def _forget(self, dialog: PersonDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _apply(self, work: Callable[[], Person], dialog: PersonDialog | None = None) -> None:
        self._busy = True
        self._set_enabled()

        def done(person: Person) -> None:
            self._busy = False
            if dialog is not None:
                dialog.accept()
            self._say(_("Saved: {name} ({login}), {role}, {state}.").format(
                name=person.name, login=person.login, role=role_label(person.role),
                state=_("active") if person.active else _("inactive")), refusal=False)
            self._select_after = person.login
            self.changed.emit(person)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._set_enabled()
            if dialog is not None and dialog.isVisible():
                dialog.show_error(str(exc))
                self.refused.emit(str(exc))
            else:
                self._say(str(exc))

        run_for(self, self.runner, work, done, failed)
