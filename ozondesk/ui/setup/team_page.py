"""Page 2 of the setup assistant: the team — who answers buyers, who leads, who trains.

Each person is added at once (``TeamService.add`` on the database worker), so leaving the
assistant halfway keeps them. Next needs at least one active team lead: leads approve
templates and manage the team.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from ozondesk.i18n import N_, _
from ozondesk.ui.settings_dialog import ERROR_STYLE, OK_STYLE

if TYPE_CHECKING:
    from ozondesk.ui.setup.wizard import SetupWizard

ROLES = (("agent", N_("agent")), ("lead", N_("team lead")), ("trainer", N_("trainer")))


class Team(Protocol):
    """What the assistant needs of ``ozondesk.services.team.TeamService``."""

    def people(self) -> Sequence[Any]: ...

    def add(self, login: str, name: str, role: str, *, actor: str | None = None) -> Any: ...


def role_label(role: str) -> str:
    return next((_(label) for value, label in ROLES if value == role), role)


def person_name(person: Any) -> str:
    return str(getattr(person, "name", None) or getattr(person, "display_name", "") or person.login)


def is_active(person: Any) -> bool:
    return bool(getattr(person, "active", True))


class TeamPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.assistant = wizard
        self.setTitle(_("Your team"))
        self.setSubTitle(
            _("Add everyone who answers buyers. Leads approve templates and manage the team; "
              "trainers run drills.")
        )
        self.people: list[Any] = []
        self.adding = False

        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("people")
        self.table.setHorizontalHeaderLabels([_("Name"), _("Login"), _("Role")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("personName")
        self.name_edit.setPlaceholderText(_("Display name, e.g. Wang Fang"))
        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("personLogin")
        self.login_edit.setPlaceholderText(_("login, e.g. wang.fang"))
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("personRole")
        for value, label in ROLES:
            self.role_combo.addItem(_(label), value)
        self.add_button = QPushButton(_("Add"), self)
        self.add_button.setObjectName("addPerson")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_person)
        self.login_edit.returnPressed.connect(self.add_person)
        self.status = QLabel(self)
        self.status.setObjectName("teamStatus")
        self.status.setWordWrap(True)
        self.need_lead = QLabel(
            _("Add at least one team lead to go on: leads approve templates and manage the team."),
            self,
        )
        self.need_lead.setObjectName("needLead")
        self.need_lead.setWordWrap(True)

        row = QHBoxLayout()
        row.addWidget(self.name_edit, 2)
        row.addWidget(self.login_edit, 2)
        row.addWidget(self.role_combo, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.need_lead)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.reload()

    def reload(self) -> None:
        self.assistant.run(lambda: list(self.assistant.team.people()), self._show)

    def _show(self, people: list[Any]) -> None:
        self.people = people
        self.table.setRowCount(len(people))
        for row, person in enumerate(people):
            name = person_name(person)
            if not is_active(person):
                name = _("{name} (inactive)").format(name=name)
            for column, text in enumerate((name, person.login, role_label(person.role))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.need_lead.setVisible(not self.has_lead())
        self.completeChanged.emit()

    def has_lead(self) -> bool:
        return any(p.role == "lead" and is_active(p) for p in self.people)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.has_lead() and not self.adding

    def actor(self) -> str | None:
        """Who adds people: the desk's own person when the assistant was reopened, else the first
        lead; nobody (the administrator's first run) while the team has no lead."""
        if self.assistant.actor is not None:
            return self.assistant.actor
        lead = next((p for p in self.people if p.role == "lead" and is_active(p)), None)
        return lead.login if lead is not None else None

    def add_person(self) -> bool:
        name, login = self.name_edit.text().strip(), self.login_edit.text().strip()
        role = self.role_combo.currentData()
        if not name or not login:
            self._say(_("Enter the person's display name and login, then press Add."), False)
            return False
        if self.adding:
            return False
        team, actor = self.assistant.team, self.actor()
        self.adding = True
        self.add_button.setEnabled(False)
        self.completeChanged.emit()
        self.assistant.run(
            lambda: team.add(login, name, role, actor=actor),
            lambda _person: self._added(name, role),
            self._refused,
        )
        return True

    def _added(self, name: str, role: str) -> None:
        self.adding = False
        self.add_button.setEnabled(True)
        self.name_edit.clear()
        self.login_edit.clear()
        self.name_edit.setFocus()
        self._say(_("{name} added as {role}.").format(name=name, role=role_label(role)), True)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self.adding = False
        self.add_button.setEnabled(True)
        self.completeChanged.emit()
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        self._say(_("Not added: {reason}").format(reason=message), False)

    def _say(self, text: str, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)
