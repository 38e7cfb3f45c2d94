"""What an empty list says: one sentence over the view telling the agent what to do next.

``EmptyState(view)`` lies over a list's viewport, hidden until ``show_message``. A sentence can
hold links, each a ``{name}`` placeholder given as ``name=(label, action)``: clicking the label
runs the action (clear the filters, open the setup assistant, sync now).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget

from ozondesk.i18n import _

Link = tuple[str, Callable[[], None]]
STYLE = "color: #5f6368; padding: 24px; background: transparent;"


class EmptyState(QLabel):
    def __init__(self, view: QWidget) -> None:
        host = view.viewport() if isinstance(view, QAbstractScrollArea) else view
        super().__init__(host)
        self.setObjectName("emptyState")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.setStyleSheet(STYLE)
        self.linkActivated.connect(self._follow)
        self._actions: dict[str, Callable[[], None]] = {}
        self.message = ""  # the sentence shown, as plain text ("" while hidden)
        self._host = host
        host.installEventFilter(self)
        self._fit()
        self.hide()

    def show_message(self, sentence: str, **links: Link) -> None:
        """Show ``sentence`` (translated, with ``{name}`` for each link) over the view."""
        self._actions = {name: action for name, (_label, action) in links.items()}
        html = escape(sentence).format(
            **{name: f'<a href="{name}">{escape(label)}</a>' for name, (label, _action) in links.items()}
        )
        self.message = sentence.format(**{name: label for name, (label, _action) in links.items()})
        self.setText(html)
        self._fit()
        self.show()
        self.raise_()

    def clear_message(self) -> None:
        self.message = ""
        self._actions = {}
        self.hide()

    def follow(self, name: str) -> None:
        """Run the action behind link ``name`` (what a click on it does)."""
        self._follow(name)

    def _follow(self, name: str) -> None:
        action = self._actions.get(name)
        if action is not None:
            action()

    def _fit(self) -> None:
        self.setGeometry(self._host.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._host and event.type() == QEvent.Type.Resize:
            self._fit()
        return False


def show_inbox_empty(
    empty: EmptyState,
    *,
    has_shop: bool,
    stored: int,
    setup: Callable[[], None],
    sync: Callable[[], None],
    clear: Callable[[], None],
) -> None:
    """The empty inbox: no shop yet, a shop with nothing synced, or filters hiding everything
    (``stored`` is how many conversations the database holds whatever the filters)."""
    if stored:
        empty.show_message(
            _("No conversation matches these filters: {clear}"), clear=(_("clear them"), clear)
        )
    elif not has_shop:
        empty.show_message(
            _("No Ozon shop is connected yet. {setup}: Desk → Set up OzonDesk…"),
            setup=(_("Set up a shop"), setup),
        )
    else:
        empty.show_message(
            _("Nothing synced yet: {sync} to fetch the shop's chats from Ozon."),
            sync=(_("press F5"), sync),
        )
