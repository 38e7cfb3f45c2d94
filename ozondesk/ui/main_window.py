"""The main window: inbox, Moscow clock, shop presence, and syncing with Ozon."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import N_, _
from ozondesk.services.changes import OpChanges, conversation_changed
from ozondesk.services.chat_start import ChatStartService
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationDetail, ConversationService
from ozondesk.services.decisions import DecisionService
from ozondesk.services.desk_presence import DeskPresenceService
from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.services.notifications import DueSoon, DueSoonService
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.presence import PresenceService
from ozondesk.services.saved_views import SavedViews
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.ui import template_library, template_review
from ozondesk.ui.chat_starter import ChatStarter
from ozondesk.ui.clock import ClockLabel
from ozondesk.ui.composer import Composer
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.deadline_dialog import DeadlineDialog
from ozondesk.ui.due_notifier import DueNotifier, message_text
from ozondesk.ui.elided_label import ElidedLabel
from ozondesk.ui.empty_state import EmptyState, show_inbox_empty
from ozondesk.ui.inbox_columns import InboxColumns
from ozondesk.ui.inbox_filters import InboxFilterBar
from ozondesk.ui.inbox_model import InboxModel
from ozondesk.ui.inbox_panes import InboxPanes
from ozondesk.ui.inbox_refresh import InboxRefresher
from ozondesk.ui.log_toggle import log_toggle_action
from ozondesk.ui.log_view import LogView
from ozondesk.ui.presence_label import PresenceLabel
from ozondesk.ui.presence_panel import PresencePanel
from ozondesk.ui.settings_dialog import SettingsDialog
from ozondesk.ui.shortcut_help import ShortcutHelp
from ozondesk.ui.shortcut_scope import widget_shortcut
from ozondesk.ui.status_line import WorkspaceStatusLabel
from ozondesk.ui.sync_worker import SyncController, SyncRound
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.team_desk import TeamDesk
from ozondesk.ui.team_screen import role_label
from ozondesk.ui.window_layout import WindowLayout
from ozondesk.ui.workspaces import Workspaces

PRESENCE_REFRESH_MS = 60_000
DEFAULT_SIZE = (1440, 900)


def default_size() -> tuple[int, int]:
    """The first window's size: roomy, but within the screen it opens on (a 1280×720 laptop too)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    area = screen.availableGeometry()
    return min(DEFAULT_SIZE[0], area.width()), min(DEFAULT_SIZE[1], area.height())


def window_title(db_name: str, agent: DeskAgent | None) -> str:
    """Who is at this desk and in which role, so a shared screen never leaves it in doubt."""
    if agent is None:
        return _("OzonDesk — {db}").format(db=db_name)
    return _("OzonDesk — {person}, {role} — {db}").format(
        person=agent.name, role=role_label(agent.role), db=db_name
    )


class MainWindow(QMainWindow):
    setup_requested = Signal()  # Desk → Set up OzonDesk…; the app opens the setup assistant
    conversation_shown = Signal(object)  # the ConversationDetail now shown (tickets offer escalation)

    def __init__(
        self,
        inbox: InboxService,
        presence: PresenceService,
        policies: dict[str, SlaPolicy],
        db_name: str,
        conversations: ConversationService,
        sync: SyncController | None = None,
        runner: TaskRunner | None = None,
        compose: ComposeService | None = None,
        agent: DeskAgent | None = None,
        desk_presence: DeskPresenceService | None = None,
        saved_views: SavedViews | None = None,
        due_soon: DueSoonService | None = None,
        colleagues: list[DeskAgent] | None = None,
        team: TeamDesk | None = None,
        desk: DeskSettings | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(window_title(db_name, agent))
        self.resize(*default_size())
        # The sync controller shares the database worker, so it is made first and passed in.
        self.runner = runner or (sync.runner if sync is not None else TaskRunner(self))
        self.sync = sync
        self.settings_dialog: SettingsDialog | None = None
        self._reselect_id: int | None = None
        self.presence_service = presence
        self.agent = agent
        self.switch_to: str | None = None  # set when the desk changes hands; the app reopens
        self._detail: ConversationDetail | None = None
        self._explicit_id: int | None = None  # opened by id (a link, a notification), not by the list
        self.model = InboxModel(inbox, self.runner, policies, self)
        self.table = QTableView(self)
        self.table.setObjectName("inbox")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        # Columns fitted to the pane in this language (a header of its own: made before the
        # sort indicator and any header connection, which a new header would drop).
        self.columns = InboxColumns(self.table, self.model.is_held)
        header = self.table.horizontalHeader()
        # The model sorts in SQL; show its order first, or enabling sorting re-sorts by Kind.
        header.setSortIndicator(*self.model.sort_column())
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._keep_selection)
        self._total: int | None = None
        self.conversation_service = conversations
        self.view = ConversationView(self)
        self.composer: Composer | None = None
        right: QWidget = self.view
        self.reply_split: QSplitter | None = None
        if compose is not None:
            self.composer = Composer(
                compose,
                self.runner,
                agent_id=agent.id if agent else None,
                agent_name=agent.name if agent else None,
                shop_name=agent.shop_name if agent else None,
                parent=self,
            )
            self.composer.sent.connect(self._reply_queued)
            self.composer.new_messages.connect(lambda cid, _msgs: self._refresh_conversation(cid))
            self.composer.refused.connect(self.status_text_later)
            self.view.insert_template.connect(self.composer.insert_template_slug)
            # The centre: the thread over the composer, which gets the centre's whole width.
            right = self.reply_split = QSplitter(Qt.Orientation.Vertical, self)
            right.setChildrenCollapsible(False)
            right.addWidget(self.view)
            if team is not None:
                # The claim bar sits on the composer: who answers this conversation.
                box = QWidget(self)
                column = QVBoxLayout(box)
                column.setContentsMargins(0, 0, 0, 0)
                bar = team.claim_bar(box)
                bar.changed.connect(self.apply_changes)  # the row in place, no reload
                column.addWidget(bar)
                column.addWidget(self.composer)
                right.addWidget(box)
            else:
                right.addWidget(self.composer)
            right.setSizes([340, 380])  # the composer and its findings need the room
        self.view.open_conversation.connect(self.open_conversation)
        self.view.decision_requested.connect(self._decide)
        # Starting a buyer chat needs the shops' keys: only a desk with the Ozon connection.
        self.chat_starter: ChatStarter | None = None
        if sync is not None:
            make = sync.make_client
            self.chat_starter = ChatStarter(
                ChatStartService(conversations.db, sync.credentials, lambda c: make(c, retries=1)), self
            )
            self.chat_starter.offered.connect(self.view.panel.offer_start_chat)
            self.chat_starter.started.connect(self._chat_started)
            self.chat_starter.failed.connect(self._chat_not_started)
            self.view.start_chat_requested.connect(self._start_chat)
        self.team = team
        if team is not None:
            # One change record per burst of events: touched rows refresh in place.
            team.live.changes.connect(self.apply_changes)
        split = self.inbox_split = QSplitter(self)
        split.setObjectName("inbox-panes")
        self.filters = InboxFilterBar(agent.id if agent else None, self)
        self.filters.changed.connect(self.model.reload)
        self.filters.save_requested.connect(self._save_view)
        self.filters.delete_requested.connect(self._delete_view)
        self.saved_views = saved_views
        self.filters.save_button.setEnabled(saved_views is not None)
        # Three panes: the conversations (compact list, or the full table for leads), the
        # conversation with its reply, and its context; the filters span all three.
        self.panes = InboxPanes(self, split, self.table, right, self.view, self.columns)
        self.list = self.panes.list
        self.context_action = self.panes.context_action
        self.table_view_action = self.panes.table_view_action
        self.empty = EmptyState(self.panes.stack)  # what to do when the list is empty
        inbox_page = QWidget(self)
        inbox_layout = QVBoxLayout(inbox_page)
        inbox_layout.setContentsMargins(0, 0, 0, 0)
        inbox_layout.addWidget(self.filters)
        inbox_layout.addWidget(split, 1)
        QShortcut(QKeySequence("Ctrl+K"), self, self._focus_search)
        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        workspace_bar = QToolBar(_("Workspaces"), self)
        workspace_bar.setObjectName("workspace-toolbar")
        workspace_bar.setMovable(False)
        # On the left, so the presence toolbar never pushes a workspace behind the » chevron.
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, workspace_bar)
        self.workspaces = Workspaces(self.pages, workspace_bar, self)
        self.addActions(self.workspaces.actions())
        self.inbox_action = self.add_workspace("inbox", _("Inbox"), inbox_page)
        self.table.selectionModel().currentRowChanged.connect(self._open_current)
        self._open_pending = False
        self.model.dataChanged.connect(self._page_arrived)

        # Elided, as every status bar text: a long line must not make the window wider; and
        # one line per workspace (WorkspaceStatusLabel is an ElidedLabel).
        self.status_text = WorkspaceStatusLabel(_("Loading inbox…"), self)
        self.workspaces.changed.connect(self.status_text.show_workspace)
        self.clock = ClockLabel(self)
        windows = ((N_("Chats"), "chat-first-response"), (N_("Verified support"), "verified-support"),
                   (N_("Ozon tickets"), "ozon-ticket"))
        self.clock.set_windows([(_(label), policies[name].calendar) for label, name in windows
                                if name in policies])
        self.presence = PresenceLabel(self)
        bar = self.statusBar()
        bar.addWidget(self.status_text, 1)
        bar.addPermanentWidget(self.presence)
        bar.addPermanentWidget(self.clock)

        self.model.loaded.connect(self._loaded)
        self.model.relisted.connect(self._relisted)
        self.refresher = InboxRefresher(self.model, (self.list, self.table), self._keep_open, self,
                                        shown=self.panes.current_view)
        self.model.failed.connect(self._failed)
        self._build_sync()
        self.presence_panel: PresencePanel | None = None
        if desk_presence is not None:
            self._build_presence_panel(desk_presence, agent)
        for inbox_view in (self.table, self.list):
            # On the inbox only (widget_shortcut: PySide drops QShortcut's context argument):
            # J and K are letters while the agent types a reply, Return chooses in a search.
            for key in ("J", "Down"):
                widget_shortcut(key, inbox_view, lambda: self._move(1))
            for key in ("K", "Up"):
                widget_shortcut(key, inbox_view, lambda: self._move(-1))
            # Enter on the list takes the agent to the reply; the conversation is already open.
            for key in ("Return", "Enter"):
                widget_shortcut(key, inbox_view, self._focus_reply)
            widget_shortcut("?", inbox_view, self.show_shortcuts)
        self.help_action = QAction(_("&Keyboard shortcuts"), self)
        self.help_action.setShortcut(QKeySequence("F1"))
        self.help_action.triggered.connect(self.show_shortcuts)
        self.explain_action = QAction(_("&Explain the deadline"), self)
        self.explain_action.setShortcut(QKeySequence("Ctrl+E"))
        self.explain_action.triggered.connect(self.explain_deadline)
        self.addActions([self.help_action, self.explain_action, self.table_view_action, self.context_action])
        view_menu = self.menuBar().addMenu(_("&View"))
        view_menu.addAction(self.table_view_action)
        view_menu.addAction(self.context_action)
        self.menuBar().addMenu(_("&Conversation")).addAction(self.explain_action)
        self.menuBar().addMenu(_("&Help")).addAction(self.help_action)
        self.shortcut_help: ShortcutHelp | None = None
        self._fill_work_as(colleagues)

        self.notifier: DueNotifier | None = None
        if due_soon is not None:
            self.notifier = DueNotifier(due_soon, self.runner, agent.id if agent else None, parent=self)
            self.notifier.notified.connect(self._due_soon)
            if self.notifier.tray is not None:
                self.notifier.tray.messageClicked.connect(self._open_notified)
        self._last_notified: list[DueSoon] = []

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.presence_timer = QTimer(self)
        self.presence_timer.setInterval(PRESENCE_REFRESH_MS)
        self.presence_timer.timeout.connect(self.refresh_presence)

        # This desk's layout from the last close; without desk settings (tests) the defaults.
        self.window_layout: WindowLayout | None = None
        if desk is not None:
            # The inbox panes keep their widths per mode themselves (self.panes).
            splitters = {options.REPLY_SPLITTER: self.reply_split} if self.reply_split is not None else {}
            toggles = {options.TABLE_VIEW: self.table_view_action, options.CONTEXT_PANEL: self.context_action}
            self.window_layout = WindowLayout(self, desk, self.table, splitters, self.workspaces, toggles,
                                              panes=self.panes, columns=self.columns)
            self.window_layout.restore()
            self.panes.apply_context()

    def start(self) -> None:
        # The desk opens on the list, so J/K, the arrows and Enter work before any click.
        self.panes.current_view().setFocus()
        self.model.reload(self.filters.current())
        self._load_filter_choices()
        self.refresh_presence()
        self.tick()
        self.timer.start()
        self.presence_timer.start()
        if self.sync is not None:
            self.sync.start()
        if self.presence_panel is not None:
            self.presence_panel.start()
        if self.notifier is not None:
            self.notifier.start()
        if self.team is not None:
            self.team.start()
        if self.window_layout is not None:
            self.window_layout.restore_workspace()  # every workspace is there by now
            self.window_layout.watch()

    # -- workspaces ------------------------------------------------------------------------
    def add_workspace(self, name: str, title: str, widget: QWidget) -> QAction:
        action = self.workspaces.add(name, title, widget)
        self.addAction(action)  # Ctrl+N works with the toolbar hidden too
        return action

    def show_workspace(self, name: str) -> bool:
        return self.workspaces.show(name)

    # -- who works at this desk ------------------------------------------------------------
    def _fill_work_as(self, colleagues: list[DeskAgent] | None) -> None:
        # None: the desk's person is fixed (team mode: the database login says who).
        self.work_as_menu.menuAction().setVisible(colleagues is not None)
        colleagues = colleagues or []
        roles = {"agent": _("agent"), "lead": _("team lead"), "trainer": _("trainer")}
        for person in colleagues:
            action = self.work_as_menu.addAction(
                _("{name} ({role})").format(name=person.name, role=roles.get(person.role, person.role))
            )
            action.setCheckable(True)
            action.setChecked(self.agent is not None and person.id == self.agent.id)
            action.setEnabled(not action.isChecked())
            action.triggered.connect(lambda _checked=False, login=person.login: self.work_as(login))
        self.work_as_menu.setEnabled(bool(colleagues))

    def work_as(self, login: str) -> bool:
        """Hand the desk to another colleague: this window closes (presence offline, draft saved)
        and the app opens again for them. False when the close was cancelled."""
        self.switch_to = login
        if not self.close():
            self.switch_to = None
            return False
        return True

    # -- keyboard help and deadline explanation --------------------------------------------
    def shortcut_entries(self) -> list[tuple[str, str]]:
        native = QKeySequence.SequenceFormat.NativeText
        entries = [
            ("J / ↓", _("Next conversation")),
            ("K / ↑", _("Previous conversation")),
            (_("Enter"), _("Go to the reply of the open conversation")),
            ("Ctrl+K", _("Search messages")),
            ("Ctrl+Enter", _("Send the reply (queued for Ozon)")),
            ("Ctrl+T", _("Insert a template")),
            ("F1 / ?", _("This list of shortcuts")),
        ]
        for action in [self.explain_action, self.settings_action, self.sync_action, self.log_action,
                       self.quit_action, self.table_view_action, self.context_action,
                       *self.workspaces.actions()]:
            if not action.shortcut().isEmpty():
                entries.append((action.shortcut().toString(native), action.text().replace("&", "")))
        for name, module in (("templates", template_library), ("review", template_review)):
            if self.workspaces.widget(name) is not None:
                entries += [(keys, _(text)) for keys, text in module.SHORTCUTS]
        return entries

    def show_shortcuts(self) -> ShortcutHelp:
        self.shortcut_help = ShortcutHelp(self.shortcut_entries(), self)
        self.shortcut_help.show()
        return self.shortcut_help

    def explain_deadline(self) -> DeadlineDialog | None:
        if self._detail is None:
            self.status_text.setText(_("Open a conversation first: its deadline is explained here."))
            return None
        dialog = DeadlineDialog(self._detail, utcnow(), self)
        dialog.show()
        return dialog

    def _focus_reply(self) -> None:
        if self.refresher.retry_current():
            return  # Enter on a row that failed to load asks for it again
        if self.composer is not None and self.composer.editor.isEnabled():
            self.composer.editor.setFocus()

    # -- due-soon notifications -------------------------------------------------------------
    def _due_soon(self, due: list[DueSoon]) -> None:
        self._last_notified = due
        self.status_text.setText(_("Due soon: {what}").format(what=message_text(due)))

    def _open_notified(self) -> None:
        if self._last_notified:
            self.open_conversation(self._last_notified[0].conversation_id)

    def open_conversation(self, conversation_id: int) -> None:
        """Open a conversation by id, whether or not it is in the list's current view."""
        self.show_workspace("inbox")
        self._explicit_id = conversation_id
        if self.selected_id != conversation_id:
            self.table.clearSelection()
        now = utcnow()
        self.runner.run(
            lambda: self.conversation_service.detail(conversation_id, now),
            lambda detail: self._show(detail, now),
            lambda exc: self.view.show_error(str(exc)),
        )

    # -- the agent's presence ------------------------------------------------------------
    def _build_presence_panel(self, service: DeskPresenceService, agent: DeskAgent | None) -> None:
        self.presence_panel = PresencePanel(service, self.runner, agent, parent=self)
        self.presence.hide()  # the panel shows the shop's presence; once is enough
        bar = self.addToolBar(_("Presence"))
        bar.setObjectName("presence-toolbar")
        bar.addWidget(self.presence_panel)
        self.presence_panel.status_changed.connect(self._presence_status)

    def _presence_status(self, status: str) -> None:
        # Online or away: poll Ozon; offline: stop polling (F5 still syncs once).
        if self.sync is not None:
            self.online_action.setChecked(status != "offline")
        self.refresh_presence()

    # -- syncing ---------------------------------------------------------------------
    def _build_sync(self) -> None:
        self.log_view = LogView(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_view)
        self.log_view.hide()
        self.sync_label = ElidedLabel("", self)
        self.sync_label.setObjectName("sync-status")
        self.sync_bar = QProgressBar(self)
        self.sync_bar.setRange(0, 0)  # busy indicator: a sync's length is not known up front
        self.sync_bar.setMaximumWidth(90)
        self.sync_bar.setTextVisible(False)
        self.sync_bar.hide()
        bar = self.statusBar()
        # Index 1: after the one normal widget (the status text), before presence and clock.
        bar.insertPermanentWidget(1, self.sync_bar)
        bar.insertPermanentWidget(1, self.sync_label)

        self.settings_action = QAction(_("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.sync_action = QAction(_("&Sync now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.sync_now)
        self.cancel_action = QAction(_("&Cancel sync"), self)
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self._cancel_sync)
        self.online_action = QAction(_("Work &online"), self)
        self.online_action.setCheckable(True)
        self.online_action.setChecked(True)
        self.online_action.toggled.connect(self._set_online)
        self.log_action = log_toggle_action(self, self.log_view, _("Sync &log"))
        self.setup_action = QAction(_("Set &up OzonDesk…"), self)
        self.setup_action.triggered.connect(self.setup_requested.emit)
        desk = self.desk_menu = self.menuBar().addMenu(_("&Desk"))
        desk.addAction(self.setup_action)
        desk.addAction(self.settings_action)
        self.work_as_menu = desk.addMenu(_("&Work as"))
        desk.addSeparator()
        # Through close(), so leaving this way asks the same coverage question as the title bar.
        self.quit_action = QAction(_("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        desk.addAction(self.quit_action)
        sync_menu = self.menuBar().addMenu(_("S&ync"))
        for action in (self.sync_action, self.cancel_action, self.online_action, self.log_action):
            sync_menu.addAction(action)
        for action in (
            self.settings_action, self.sync_action, self.cancel_action, self.log_action,
            self.quit_action,
        ):
            self.addAction(action)  # shortcuts work with the menu bar hidden too

        if self.sync is None:
            for action in (self.settings_action, self.sync_action, self.online_action):
                action.setEnabled(False)
            return
        self.sync.configured.connect(self._sync_configured)
        self.sync.configured.connect(self._update_empty)  # a shop saved or removed
        self.sync.started.connect(self._sync_started)
        self.sync.progress.connect(self._sync_progress)
        self.sync.finished.connect(self._sync_done)
        self.sync.failed.connect(self._sync_done)

    def open_settings(self) -> SettingsDialog | None:
        if self.sync is None:
            return None
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.sync.credentials, self.runner, self.sync, self)
            self.settings_dialog.shops_changed.connect(lambda: self.sync and self.sync.refresh(sync=True))
            self.settings_dialog.poll_changed.connect(lambda _s: self.sync and self.sync.refresh())
        else:
            self.settings_dialog.reload()
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()
        return self.settings_dialog

    def sync_now(self) -> None:
        if self.sync is None:
            return
        if not self.sync.has_shops:
            self.sync_label.setText(_("No Ozon shop configured — Settings → Shops"))
            # F5 must answer: the line above is there from the start, so say it where the eye is.
            self.status_text.setText(_("Can't sync: no Ozon shop is connected. Set one up: Desk → Set up OzonDesk…"))
            return
        if self.sync.busy:
            self.sync_label.setText(_("A sync is running; another follows it."))
        self.sync.sync_now()

    def _cancel_sync(self) -> None:
        if self.sync is not None and self.sync.busy:
            self.sync.cancel()
            self.sync_label.setText(_("Cancelling the sync…"))

    def _set_online(self, online: bool) -> None:
        if self.sync is not None:
            self.sync.set_online(online)

    def _sync_configured(self) -> None:
        assert self.sync is not None
        no_shop = _("No Ozon shop configured — Settings → Shops")
        offline = _("Working offline: no polling; F5 syncs once")
        if not self.sync.has_shops:
            self.sync_label.setText(no_shop)
        elif not self.sync.online:
            self.sync_label.setText(offline)
        elif not self.sync.busy and self.sync_label.text() in ("", no_shop, offline):
            self.sync_label.setText(_("Checking Ozon every {n} s").format(n=self.sync.poll_seconds))

    def _sync_started(self, kind: str) -> None:
        self.cancel_action.setEnabled(True)
        if kind == "sync":
            self.sync_bar.show()
            self.sync_label.setText(_("Syncing with Ozon…"))

    def _sync_progress(self, message: str) -> None:
        self.sync_label.setText(message)

    def _sync_done(self, result: SyncRound) -> None:
        self.cancel_action.setEnabled(False)
        self.sync_bar.hide()
        self.log_view.add(result.entries)
        if result.changed:
            self.apply_changes(result.changes)
        at = to_msk(utcnow()).strftime("%H:%M")
        problems = len(result.entries)
        if result.cancelled:
            text = _("Sync cancelled at {time} MSK").format(time=at)
        elif result.offline or (result.aborted and result.kind == "sync"):
            text = _("Sync failed at {time} MSK: see the sync log (Ctrl+L) for what to do").format(time=at)
        elif result.kind == "deliver" and not problems and not result.sent:
            return  # a quiet outbox check: keep the last sync's line
        elif problems:
            text = _("Synced at {time} MSK with {n} problems: see the sync log (Ctrl+L)").format(
                time=at, n=problems
            )
        else:
            text = _("Synced at {time} MSK").format(time=at)
        if result.queued:
            text += " · " + _("{n} replies queued").format(n=result.queued)
        self.sync_label.setText(text)

    def reload_inbox(self) -> None:
        """Reload after a sync changed something, keeping the open conversation on screen.

        The open one may have been opened by id (a notification, a link) rather than picked
        in the list: it is the one to find again, not the list's current row."""
        self._reselect_id = self.shown_id
        self.model.reload()

    def tick(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        self.clock.show_time(now)
        first, last = self.panes.visible_rows()
        if first >= 0:
            self.model.tick(now, first, last)

    def refresh_presence(self) -> None:
        now = utcnow()
        self.runner.run(
            lambda: self.presence_service.summary(now),
            self.presence.show_summary,
            lambda exc: self._failed(str(exc)),
        )

    def _open_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conversation_id = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        # The row's page may still be loading: open it when the page arrives.
        self._open_pending = conversation_id is None and current.isValid()
        if conversation_id is None:
            return
        self._reselect_id = None
        self._explicit_id = None
        now = utcnow()
        self.runner.run(
            lambda: self.conversation_service.detail(int(conversation_id), now),
            lambda detail: self._show(detail, now),
            lambda exc: self.view.show_error(str(exc)),
        )

    def _page_arrived(
        self, top: QModelIndex | None = None, bottom: QModelIndex | None = None, roles: object = None,
        *_args: object,
    ) -> None:
        if roles:
            # A repaint of some roles (the countdown tick), not a page: during a reload its rows are
            # still the old view's, and "finding" the open conversation there ended the search for it.
            return
        if self._reselect_id is not None and top is not None and bottom is not None:
            self._reselect(top.row(), bottom.row())
        if self._open_pending:
            self._open_current(self.table.currentIndex(), QModelIndex())

    def _reselect(self, first: int, last: int) -> None:
        """After a reload, select the conversation that was open, once its row is loaded."""
        for row in range(max(0, first), last + 1):
            found = self.model.row_at(row)
            if found is not None and found.id == self._reselect_id:
                self.table.selectRow(row)
                return

    @property
    def shown_id(self) -> int | None:
        """The conversation whose thread is wanted on screen."""
        return self._explicit_id if self._explicit_id is not None else self.selected_id

    def _show(self, detail: ConversationDetail, now: datetime) -> None:
        if detail.id == self.shown_id:
            self._detail = detail
            self.view.show_detail(detail, now)
            if self.chat_starter is not None:
                self.chat_starter.check(detail)
            self.conversation_shown.emit(detail)
            if self.composer is not None and self.composer.conversation_id != detail.id:
                self.composer.set_conversation(detail, now)
            bar = self.team.bar if self.team is not None else None
            if bar is not None and bar.conversation_id != detail.id:
                bar.set_conversation(detail.id)

    def _refresh_conversation(self, conversation_id: int) -> None:
        """Show the thread again (new buyer messages, or our reply queued), keeping the draft."""
        now = utcnow()
        self.runner.run(
            lambda: self.conversation_service.detail(conversation_id, now),
            lambda detail: self._show(detail, now),
            lambda exc: self.view.show_error(str(exc)),
        )

    def _reply_queued(self, conversation_id: int) -> None:
        self.status_text.setText(_("Reply queued; it goes out when the Ozon connection delivers it."))
        outcome = self.composer.last_outcome if self.composer is not None else None
        self.apply_changes(outcome.changes if outcome is not None and outcome.changes.inbox
                           else conversation_changed(conversation_id))
        if conversation_id != self.shown_id:
            self._refresh_conversation(conversation_id)

    # -- changes from this desk's writes, other desks (team mode) and other writers ----------
    def apply_changes(self, changes: OpChanges) -> None:
        """Refresh what a write or a live event touched: its rows in place (selection and
        scroll kept), the open thread when it is one of them, presence when it moved."""
        self.refresher.apply(changes)
        shown = self.shown_id
        if shown is not None and (changes.every_conversation or shown in changes.conversations):
            self._refresh_conversation(shown)
        if changes.presence:
            self.refresh_presence()

    def _relisted(self, total: int) -> None:
        self.status_text.setText(_("{n} conversations in this view").format(n=total))
        self._update_empty(total)
        if total and not self.table.currentIndex().isValid() and self.shown_id is None:
            self.table.selectRow(0)  # the list was empty (a first sync): open its first row

    def _keep_open(self, conversation_id: int) -> None:
        """The open conversation left the listing: its thread stays, as if opened by id."""
        if self._explicit_id is None:
            self._explicit_id = conversation_id

    def status_text_later(self, message: str) -> None:
        self.status_text.setText(message)

    # -- filters and saved views -----------------------------------------------------------
    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _load_filter_choices(self) -> None:
        inbox = self.model.service
        self.runner.run(inbox.categories, self.filters.set_categories, lambda exc: self._failed(str(exc)))
        views = self.saved_views
        if views is not None:
            self.runner.run(views.all, self.filters.set_views, lambda exc: self._failed(str(exc)))

    def _save_view(self, name: str, flt: InboxFilter) -> None:
        views = self.saved_views
        if views is None:
            return
        self.runner.run(lambda: (views.save(name, flt), views.all())[1], self.filters.set_views,
                        lambda exc: self._failed(str(exc)))

    def _delete_view(self, name: str) -> None:
        views = self.saved_views
        if views is None:
            return
        self.runner.run(lambda: (views.delete(name), views.all())[1], self.filters.set_views,
                        lambda exc: self._failed(str(exc)))

    def _keep_selection(self, *_args: object) -> None:
        self._reselect_id = self.shown_id

    def _loaded(self, total: int) -> None:
        self.status_text.setText(_("{n} conversations in this view").format(n=total))
        self._update_empty(total)
        if self._reselect_id is not None:
            # The ordered ids are known before any page arrives: find the open one anywhere.
            row = self.model.row_of(self._reselect_id)
            if row >= 0:
                self.table.selectRow(row)
                self.panes.scroll_to(row)
                return
        if total and not self.table.currentIndex().isValid() and self._reselect_id is None:
            self.table.selectRow(0)

    # -- the empty inbox says what to do next ------------------------------------------------
    def _update_empty(self, total: int | None = None) -> None:
        if total is not None:
            self._total = total
        if self._total != 0:
            self.empty.clear_message()
            return
        inbox = self.model.service
        self.runner.run(lambda: inbox.count(InboxFilter(statuses=())), self._show_empty,
                        lambda exc: self._failed(str(exc)))

    def _show_empty(self, stored: int) -> None:
        if self._total != 0:
            return  # a reload found conversations meanwhile
        show_inbox_empty(
            self.empty,
            has_shop=self.sync is not None and self.sync.has_shops,
            stored=stored,
            setup=self.setup_requested.emit,
            sync=self.sync_now,
            clear=self.clear_filters,
        )

    def clear_filters(self) -> None:
        """Every conversation, whatever its status, kind or text."""
        self.filters.apply(InboxFilter(statuses=()))

    def _decide(self, conversation_id: int, decision: object) -> None:
        """Queue a confirmed decision on a return or cancellation (off the GUI thread)."""
        if self.agent is None:
            self.status_text.setText(_("Choose who works at this desk first (Desk → Work as)."))
            return
        service = DecisionService(self.conversation_service.db)
        agent_id = self.agent.id
        self.runner.run(
            lambda: service.decide(conversation_id, agent_id, decision),  # type: ignore[arg-type]
            lambda outcome: self._decision_queued(conversation_id, outcome.changes),
            lambda exc: self.status_text.setText(str(exc)),
        )

    def _start_chat(self, conversation_id: int) -> None:
        if self.chat_starter is not None:
            self.status_text.setText(_("Starting a chat with the buyer…"))
            self.chat_starter.start(conversation_id, self.agent.id if self.agent else None)

    def _chat_started(self, chat_conversation_id: int) -> None:
        self.status_text.setText(_("Chat with the buyer started."))
        self.open_conversation(chat_conversation_id)
        # The new chat joins the list; once its row is there it is the one selected.
        self._reselect_id = chat_conversation_id
        self.model.reload()

    def _chat_not_started(self, conversation_id: int, message: str) -> None:
        self.status_text.setText(message)
        self.view.panel.offer_start_chat(conversation_id, True)  # may be tried again

    def _decision_queued(self, conversation_id: int, changes: OpChanges) -> None:
        # Its row in place (the status moves when the decision is delivered), its thread again.
        self.status_text.setText(_("Decision queued; it goes out when the Ozon connection delivers it."))
        self.apply_changes(changes)
        if conversation_id != self.shown_id:
            self._refresh_conversation(conversation_id)

    def _failed(self, message: str) -> None:
        self.status_text.setText(_("Error: {message}").format(message=message))

    def _move(self, step: int) -> None:
        current = self.table.currentIndex()
        row = max(0, min(self.model.rowCount() - 1, (current.row() if current.isValid() else -1) + step))
        self.table.selectRow(row)
        self.panes.scroll_to(row)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.presence_panel is not None and not self.presence_panel.may_go_offline():
            event.ignore()  # the agent stays: the shop would go offline with nobody online
            return
        if self.window_layout is not None:
            self.window_layout.save()
        # Gone from the screen at once: the last writes below (a draft, offline, the claims)
        # and the sync's stop (bounded, sync_worker.QUIT_WAIT_MS) happen behind it.
        self.hide()
        self.timer.stop()
        self.presence_timer.stop()
        if self.notifier is not None:
            self.notifier.stop()
        if self.sync is not None:
            self.sync.shutdown()
        if self.chat_starter is not None:
            self.chat_starter.shutdown()
        self.runner.shutdown()
        if self.composer is not None:
            self.composer.final_save()  # after the worker stopped, so no queued save is lost
        if self.presence_panel is not None:
            self.presence_panel.final_offline()  # likewise: offline is the last presence write
        if self.team is not None:
            self.team.shutdown()  # this desk's claims go, so colleagues can answer
        super().closeEvent(event)

    @property
    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        value = self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
        return int(value) if value is not None else None
