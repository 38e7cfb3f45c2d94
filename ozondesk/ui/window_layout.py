"""The main window's layout kept on this desk: restored when the window opens, saved when it
closes and a second after each change (so a crash loses at most that second).

What is kept: the window's geometry (clamped to a screen of this machine: a laptop away
from its second monitor must not open the window out of sight), its toolbars and docks, the
inbox's three panes (for the compact list and for the table view apart) and the
thread/composer splitter, the inbox columns' order and the ones hidden or shown from the
header's menu (their widths follow the language and content, ``inbox_columns``), the
checkable view choices (table view, the context pane shown) and the workspace last shown. The values are desk options (``ozondesk.settings.options``); writing
the small INI file on the GUI thread is as cheap as QSettings doing the same.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView

from ozondesk.errors import UserError
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.settings.registry import Option
from ozondesk.ui.workspaces import Workspaces

if TYPE_CHECKING:
    from ozondesk.ui.inbox_columns import InboxColumns
    from ozondesk.ui.inbox_panes import InboxPanes

log = logging.getLogger("ozondesk.ui")

SAVE_DELAY_MS = 1000
MIN_WIDTH, MIN_HEIGHT = 480, 320


def clamp_geometry(
    rect: tuple[int, int, int, int],
    area: tuple[int, int, int, int],
    minimum: tuple[int, int] = (MIN_WIDTH, MIN_HEIGHT),
) -> tuple[int, int, int, int]:
    """``rect`` (x, y, width, height) shrunk to ``area`` (but not below ``minimum``) and moved
    inside it; a window wider or taller than the area keeps its top-left corner (the title bar)
    on screen."""
    x, y, width, height = rect
    ax, ay, aw, ah = area
    width = max(min(width, aw), minimum[0])
    height = max(min(height, ah), minimum[1])
    x = max(ax, min(x, ax + aw - width))
    y = max(ay, min(y, ay + ah - height))
    return x, y, width, height


def _screen_area(rect: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    x, y, width, height = rect
    screen = QGuiApplication.screenAt(QPoint(x + width // 2, y + height // 2))
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return None
    area = screen.availableGeometry()
    return area.x(), area.y(), area.width(), area.height()


class WindowLayout(QObject):
    def __init__(
        self,
        window: QMainWindow,
        desk: DeskSettings,
        table: QTableView,
        splitters: dict[Option[tuple[int, ...]], QSplitter],
        workspaces: Workspaces,
        toggles: dict[Option[bool], QAction] | None = None,
        panes: InboxPanes | None = None,
        columns: InboxColumns | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.desk = desk
        self.table = table
        self.splitters = splitters
        self.workspaces = workspaces
        self.toggles = toggles or {}
        self.panes = panes
        self.columns = columns
        # Splitter sizes as last seen on screen: a splitter on a hidden workspace has none.
        self._sizes: dict[Option[tuple[int, ...]], tuple[int, ...]] = {}
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_DELAY_MS)
        self.timer.timeout.connect(self.save)

    # -- restoring --------------------------------------------------------------------------
    def restore(self) -> None:
        """Geometry, toolbars, splitters and columns; before the window is shown."""
        desk = self.desk
        geometry = desk.get(options.WINDOW_GEOMETRY)
        if geometry:
            area = _screen_area(geometry)
            hint = self.window.minimumSizeHint()
            minimum = (max(MIN_WIDTH, hint.width()), max(MIN_HEIGHT, hint.height()))
            x, y, width, height = clamp_geometry(geometry, area, minimum) if area else geometry
            self.window.setGeometry(QRect(x, y, width, height))
        if desk.get(options.WINDOW_MAXIMIZED):
            self.window.setWindowState(self.window.windowState() | Qt.WindowState.WindowMaximized)
        state = desk.get(options.WINDOW_STATE)
        if state and not self.window.restoreState(state):
            log.info("window state from %s not restored (another version's)", desk.path)
        # The view choices before the splitters: switching to the table view sets pane widths,
        # which the stored ones then replace.
        for toggle, action in self.toggles.items():
            action.setChecked(desk.get(toggle))
        for option, splitter in self.splitters.items():
            sizes = desk.get(option)
            if len(sizes) == splitter.count() and sum(sizes) > 0:
                splitter.setSizes(list(sizes))
                self._sizes[option] = sizes
        if self.panes is not None:
            self.panes.restore_sizes(desk.get(options.INBOX_SPLITTER), desk.get(options.TABLE_SPLITTER))
        self._restore_columns()

    def _restore_columns(self) -> None:
        header = self.table.horizontalHeader()
        count = header.count()
        order = self.desk.get(options.COLUMN_ORDER)
        if sorted(order) == list(range(count)):  # another version's columns: keep the default
            for visual, logical in enumerate(order):
                header.moveSection(header.visualIndex(logical), visual)
        hidden = set(self.desk.get(options.HIDDEN_COLUMNS))
        if self.columns is not None:
            self.columns.restore(hidden, self.desk.get(options.SHOWN_COLUMNS))
        elif hidden and all(0 <= c < count for c in hidden) and len(hidden) < count:  # one stays shown
            for column in range(count):
                header.setSectionHidden(column, column in hidden)

    def restore_workspace(self) -> None:
        """The workspace shown at the last close, once every workspace is there (the role may
        have lost it meanwhile: then the inbox stays)."""
        name = self.desk.get(options.LAST_WORKSPACE)
        if name != self.workspaces.current:
            self.workspaces.show(name)

    # -- saving -----------------------------------------------------------------------------
    def watch(self) -> None:
        """Save a moment after the agent changes the layout."""
        header = self.table.horizontalHeader()
        header.sectionMoved.connect(self.schedule)
        if self.columns is not None:
            self.columns.fitted.connect(self.schedule)
        else:
            header.sectionResized.connect(self.schedule)
        for action in self.toggles.values():
            action.toggled.connect(self.schedule)
        if self.panes is not None:
            self.panes.split.splitterMoved.connect(self.schedule)
        for splitter in self.splitters.values():
            splitter.splitterMoved.connect(self.schedule)
            # Another workspace hides the inbox: its splitters' sizes are noted as it goes.
            splitter.installEventFilter(self)
        self.workspaces.changed.connect(self.schedule)
        self.window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Move,
                                                       QEvent.Type.WindowStateChange):
            self.schedule()
        elif event.type() == QEvent.Type.Hide:
            for option, splitter in self.splitters.items():
                sizes = tuple(splitter.sizes())
                if watched is splitter and sum(sizes) > 0:
                    self._sizes[option] = sizes
        return False

    def schedule(self, *_args: object) -> None:
        self._note_sizes()
        self.timer.start()

    def _note_sizes(self, *_args: object) -> None:
        for option, splitter in self.splitters.items():
            sizes = tuple(splitter.sizes())
            if splitter.isVisible() and sum(sizes) > 0:
                self._sizes[option] = sizes
        if self.panes is not None:
            self.panes.note()

    def save(self) -> None:
        self.timer.stop()
        window = self.window
        maximized = window.isMaximized()
        rect = window.normalGeometry() if maximized or window.isFullScreen() else window.geometry()
        values: dict[Option[object], object] = {
            options.WINDOW_MAXIMIZED: maximized,
            options.WINDOW_STATE: bytes(window.saveState().data()),
            options.LAST_WORKSPACE: self.workspaces.current or "inbox",
        }
        if rect.isValid():
            values[options.WINDOW_GEOMETRY] = (rect.x(), rect.y(), rect.width(), rect.height())
        self._note_sizes()
        values.update(self._sizes)
        if self.panes is not None:
            values[options.INBOX_SPLITTER] = self.panes.sizes_for(False)
            values[options.TABLE_SPLITTER] = self.panes.sizes_for(True)
        header = self.table.horizontalHeader()
        values[options.COLUMN_ORDER] = tuple(header.logicalIndex(v) for v in range(header.count()))
        if self.columns is not None:
            # The agent's choices, not what a narrow pane hid for now.
            values[options.HIDDEN_COLUMNS] = tuple(sorted(self.columns.chosen_hidden))
            values[options.SHOWN_COLUMNS] = tuple(sorted(self.columns.chosen_shown))
        else:
            values[options.HIDDEN_COLUMNS] = tuple(c for c in range(header.count()) if header.isSectionHidden(c))
        for toggle, action in self.toggles.items():
            values[toggle] = action.isChecked()
        try:
            self.desk.update(values)  # type: ignore[arg-type]
        except (UserError, ValueError) as exc:
            # Closing the window must never fail over its layout.
            log.warning("window layout not saved: %s", exc)
