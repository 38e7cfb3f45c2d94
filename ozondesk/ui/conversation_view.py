"""A conversation: its thread in Moscow time, and its context (``context_panel``) beside it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.display_names import category_name, status_name
from ozondesk.i18n import N_, _
from ozondesk.services.conversation import ConversationDetail, MessageView
from ozondesk.ui.context_panel import (
    STATE_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    ContextPanel,
    context_html,
    msk_text,
)
from ozondesk.ui.elided_label import ElidedLabel
from ozondesk.ui.message_body import message_body_html

# Other views import these from here; they moved to context_panel with the context.
__all__ = [
    "STATE_LABELS", "STATUS_LABELS", "TARGET_LABELS", "ConversationView", "context_html", "msk_text", "thread_html",
]

SIDE_LABELS = {"buyer": N_("Buyer"), "seller": N_("Seller"), "platform": N_("Ozon")}
SIDE_COLORS = {"buyer": "#f3f6fb", "seller": "#eef8ee", "platform": "#fff8e1"}
DELIVERY_LABELS = {
    "queued": N_("queued"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "pending": N_("pending"),
}


def thread_html(detail: ConversationDetail, below: Callable[[MessageView], str] | None = None) -> str:
    """The messages as HTML; ``below(message)`` adds what goes under one (its translation)."""
    parts = []
    for m in detail.messages:
        who = _(SIDE_LABELS.get(m.side, m.side))
        if m.author:
            who += f" · {escape(m.author)}"
        local = m.at.astimezone().strftime("%d.%m %H:%M")
        shown = _(DELIVERY_LABELS.get(m.delivery_state, m.delivery_state))
        state = "" if m.delivery_state in ("received", "delivered") else f" · {escape(shown)}"
        your_time = escape(_("your time"))
        parts.append(
            f'<div style="background:{SIDE_COLORS.get(m.side, "#fff")};padding:6px;margin:4px">'
            f'<b>{who}</b> <span style="color:#666" title="{your_time} {local}">'
            f"{msk_text(m.at)}{state}</span>"
            f"{message_body_html(m.text, m.attachments)}{below(m) if below else ''}</div>"
        )
    return "".join(parts) or escape(_("No messages yet."))


class ConversationView(QWidget):
    """The thread with the context panel beside it.

    ``open_conversation(id)`` asks the window to open another conversation (one of the
    buyer's earlier ones); ``insert_template(slug, extra_values)`` asks it to put a template
    into the reply, ``extra_values`` (a dict) overriding what the conversation fills.
    """

    open_conversation = Signal(int)
    insert_template = Signal(str, object)
    decision_requested = Signal(int, object)  # conversation id, domain.decisions.Decision
    start_chat_requested = Signal(int)  # conversation id whose posting's buyer chat to start
    detail_shown = Signal(object)  # the ConversationDetail just drawn
    link_clicked = Signal(QUrl)  # a link of the thread that is not a web address (translate:<id>)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Elided: a long subject in the header must not widen the window.
        self.header = ElidedLabel(_("Select a conversation"), self)
        self.thread = QTextBrowser(self)
        self.thread.setObjectName("thread")
        # Links in messages (a buyer's photo, a product page) open in the browser, not here;
        # the desk's own links (a message's Translate) go to whoever listens to link_clicked.
        self.thread.setOpenLinks(False)
        self.thread.anchorClicked.connect(self._follow_link)
        self.below_message: Callable[[MessageView], str] | None = None
        self.panel = ContextPanel(self)
        self.panel.open_conversation.connect(self.open_conversation)
        self.panel.insert_template.connect(self.insert_template)
        self.panel.decision_requested.connect(self.decision_requested)
        self.panel.start_chat_requested.connect(self.start_chat_requested)
        self.context = self.panel.browser
        self.split = QSplitter(self)
        self.split.addWidget(self.thread)
        self.split.addWidget(self.panel)
        self.split.setSizes([500, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.header_row = QHBoxLayout()  # the header, then controls others add (auto-translate)
        self.header_row.addWidget(self.header, 1)
        layout.addLayout(self.header_row)
        layout.addWidget(self.split, 1)
        self.detail: ConversationDetail | None = None

    def take_panel(self) -> ContextPanel:
        """The context panel, out of this view: the main window shows it as a pane of its own
        (collapsible) and the thread keeps the view's whole width."""
        self.panel.setParent(None)
        return self.panel

    def add_header_action(self, action: QAction) -> QToolButton:
        """A tool button for ``action`` at the right end of the header line."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        self.header_row.addWidget(button)
        return button

    def show_detail(self, detail: ConversationDetail, now: datetime) -> None:
        self.detail = detail
        self.header.setText(
            _("{title} · {status} · {category}").format(
                title=detail.title, status=status_name(detail.status),
                category=category_name(detail.category) or "—"
            )
        )
        self.thread.setHtml(thread_html(detail, self.below_message))
        self.thread.verticalScrollBar().setValue(self.thread.verticalScrollBar().maximum())
        self.panel.show_detail(detail, now)
        self.detail_shown.emit(detail)

    def redraw_thread(self) -> None:
        """Draw the thread again where the reader is (a translation arrived under a message)."""
        if self.detail is None:
            return
        bar = self.thread.verticalScrollBar()
        at_end, value = bar.value() >= bar.maximum(), bar.value()
        self.thread.setHtml(thread_html(self.detail, self.below_message))
        bar.setValue(bar.maximum() if at_end else value)

    def _follow_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        else:
            self.link_clicked.emit(url)

    def show_error(self, message: str) -> None:
        self.detail = None
        self.header.setText(message)
        self.thread.clear()
        self.panel.clear()
