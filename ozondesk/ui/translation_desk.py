"""Translation on the desk: links and the auto switch in the thread, the Chinese panel in the
composer, and the lead's glossary and usage dialog under Desk.

Translations get a worker of their own: an engine may take seconds (or its timeout) to answer,
and the database worker the inbox pages through must not wait behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from ozondesk.domain.roles import allowed
from ozondesk.i18n import _
from ozondesk.services.preferences import DeskAgent
from ozondesk.settings.desk import DeskSettings
from ozondesk.ui.composer import Composer
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.message_translation import MessageTranslations, ThreadTranslation, Translator
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.translate_panel import TranslatePanel
from ozondesk.ui.translation_admin import TranslationAdmin

if TYPE_CHECKING:
    from ozondesk.store.db import Database
    from ozondesk.ui.main_window import MainWindow


class TranslationDesk:
    """Everything translation adds to a main window; built by :func:`add_translation`."""

    def __init__(
        self,
        window: QMainWindow,
        view: ConversationView,
        composer: Composer | None,
        translator: Translator,
        desk: DeskSettings | None,
        agent: DeskAgent | None,
        menu: QMenu | None = None,
    ) -> None:
        self.window = window
        self.translator = translator
        self.runner = TaskRunner(window)
        self.messages = MessageTranslations(translator, self.runner, desk, window)
        self.thread = ThreadTranslation(view, self.messages)
        self.panel: TranslatePanel | None = None
        if composer is not None:
            self.panel = TranslatePanel(composer, translator, self.runner)
            composer.add_side_panel(self.panel, self.panel.toggle)
        self.admin: TranslationAdmin | None = None
        self.admin_action: QAction | None = None
        if menu is not None and agent is not None and allowed(agent.role, "glossary.edit"):
            # The glossary is the team's and a paid engine bills the shop: a lead's matter.
            self.admin_action = QAction(_("Translation &glossary and usage…"), window)
            self.admin_action.triggered.connect(self.open_admin)
            menu.insertAction(menu.actions()[-1] if menu.actions() else None, self.admin_action)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def open_admin(self) -> TranslationAdmin:
        if self.admin is None or not self.admin.isVisible():
            self.admin = TranslationAdmin(self.translator, self.runner, self.window)
        self.admin.show()
        self.admin.raise_()
        return self.admin

    def shutdown(self) -> None:
        # An engine call may be on its way: let it end by itself, its answer dropped.
        self.runner.shutdown(wait=False)


def add_translation(
    window: MainWindow, db: Database, agent: DeskAgent | None, desk: DeskSettings | None
) -> TranslationDesk:
    """The main window's translation, through the team's engine (``services/translation.py``);
    its glossary edits are checked against ``agent``'s role by the service too."""
    from ozondesk.services.translation import TranslationService

    service = TranslationService(db, agent_id=agent.id if agent is not None else None)
    return TranslationDesk(window, window.view, window.composer, service, desk, agent, window.desk_menu)
