"""The context beside a conversation: deadlines, the order, a logistics answer, compliance flags
and the buyer's earlier conversations.

Everything shown comes in the :class:`ConversationDetail` (fetched off the GUI thread), so
this panel never queries anything. It asks the window to act through two signals:
``insert_template(slug, extra_values)`` and ``open_conversation(id)``.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk
from ozondesk.domain.compliance import pick
from ozondesk.domain.display_names import (
    COUNTDOWN_STATE_NAMES,
    STATUS_NAMES,
    WINDOW,
    deadline_label,
    posting_status_name,
    status_name,
)
from ozondesk.domain.logistics import Suggestion
from ozondesk.i18n import _, language, ngettext
from ozondesk.services.conversation import ConversationDetail, PostingView, TemplateRef
from ozondesk.ui.deadline_labels import TARGET_LABELS as TARGET_LABELS  # importers of the old home
from ozondesk.ui.deadline_labels import reply_window_of, target_label
from ozondesk.ui.decision_panel import DecisionPanel, decision_html
from ozondesk.ui.feedback_context import feedback_html
from ozondesk.ui.inbox_deadline import met_verdict, segment_reason, segment_span
from ozondesk.ui.inbox_model import KIND_LABELS, format_left

STATE_LABELS = COUNTDOWN_STATE_NAMES
STATUS_LABELS = STATUS_NAMES  # kept for importers; display_names holds the names
CONVERSATION_LINK = "conversation"
TEMPLATE_LINK = "template"
PREVIEW_CHARS = 80


def msk_text(value: datetime | None) -> str:
    return to_msk(value).strftime("%d.%m.%Y %H:%M") + " " + _("MSK") if value else "—"


def template_name(ref: TemplateRef | None, slug: str) -> str:
    """How the panel names a template: its gloss for Chinese agents, else its (Russian) title."""
    if ref is None:
        return slug
    if language() == "zh_CN" and ref.gloss_zh:
        return f"{ref.title} — {ref.gloss_zh}"
    return ref.title


def _posting_facts(p: PostingView) -> list[tuple[str, str]]:
    """The cancellation and whether Ozon lets the seller start a chat, when the API said."""
    rows = []
    if p.cancel_reason:
        who = (
            _("{reason} (by {initiator})").format(reason=p.cancel_reason, initiator=p.cancel_initiator)
            if p.cancel_initiator
            else p.cancel_reason
        )
        rows.append((_("Cancelled"), who))
    if p.can_create_chat is not None:
        rows.append(
            (
                _("Start a chat"),
                _("Ozon allows the seller to start a chat")
                if p.can_create_chat
                else _("not offered: Ozon does not allow it for this posting now"),
            )
        )
    return rows


def carrier_text(carrier: str | None, status: str | None) -> str:
    """The carrier and its status; either alone when the other is unknown («—: Ожидает
    сборки» read as a carrier named "—")."""
    if carrier and status:
        return f"{carrier}: {status}"
    return carrier or status or "—"


def _posting_html(p: PostingView) -> str:
    rows = [
        (_("Posting"), f"{p.posting_number} ({p.scheme})"),
        (_("Order"), p.order_number or "—"),
        (_("Status"), posting_status_name(p.status)),
        (_("Created"), msk_text(p.created_at)),
        *([(_("Ship by"), msk_text(p.ship_by))] if p.ship_by else []),
        (_("Shipped"), msk_text(p.shipped_at)),
        (_("ETA"), msk_text(p.eta)),
        (_("Delivered"), msk_text(p.delivered_at)),
        (_("Tracking"), p.tracking_number or "—"),
        (_("Carrier"), carrier_text(p.carrier, p.carrier_status)),
        (_("Warehouse"), p.warehouse_status or "—"),
        *_posting_facts(p),
    ]
    table = "".join(f"<tr><td style='color:#666'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    items = "".join(
        f"<li>{escape(i.name)} × {i.quantity} — {i.price} {escape(i.currency)}"
        f"<br><span style='color:#666'>SKU {i.sku} · {escape(i.offer_id)}</span></li>"
        for i in p.items
    )
    heading = escape(_("Items"))
    return f"<table>{table}</table><h4>{heading}</h4><ul>{items}</ul>"


def compliance_html(detail: ConversationDetail) -> str:
    if detail.compliance_problem:
        return "<p style='color:#b00020'>" + escape(detail.compliance_problem) + "</p>"
    if not detail.compliance:
        return ""
    heading = escape(_("Compliance"))
    template_label = escape(_("Template:"))
    parts = [f"<h4>{heading}</h4><ul>"]
    for flag in detail.compliance:
        keywords: dict[str, dict[str, None]] = {}  # category title → its keywords found, in order
        for m in flag.matches:
            keywords.setdefault(pick(m.category_title), {})[m.keyword.lstrip("=")] = None
        because = "; ".join(f"{title} ({', '.join(found)})" for title, found in keywords.items())
        reasons = escape(_("Because of: {reasons}").format(reasons=because))
        line = (
            f"<li><b>⚑ {escape(pick(flag.title))}</b>"
            f"<br>{escape(pick(flag.explain))}"
            f"<br><span style='color:#666'>{reasons}</span>"
        )
        if flag.template:
            ref = detail.templates.get(flag.template)
            name = escape(template_name(ref, flag.template))
            if ref is not None:
                line += f"<br>{template_label} <a href='{TEMPLATE_LINK}:{flag.template}'>{name}</a>"
            else:
                missing = escape(_("Template {slug} is not in the library.").format(slug=flag.template))
                line += f"<br><span style='color:#666'>{missing}</span>"
        parts.append(line + "</li>")
    parts.append("</ul>")
    return "".join(parts)


def earlier_html(detail: ConversationDetail) -> str:
    if not detail.earlier:
        return ""
    heading = escape(_("Earlier conversations with this buyer"))
    parts = [f"<h4>{heading}</h4><ul>"]
    for c in detail.earlier:
        kind = _(KIND_LABELS.get(c.kind, c.kind))
        status = status_name(c.status)
        text = c.subject or c.preview
        if len(text) > PREVIEW_CHARS:
            text = text[: PREVIEW_CHARS - 1] + "…"
        posting = f" · {escape(c.posting_number)}" if c.posting_number else ""
        parts.append(
            f"<li><a href='{CONVERSATION_LINK}:{c.id}'>{escape(kind)} · {escape(msk_text(c.received_at))}</a>"
            f" · {escape(status)}{posting}<br><span style='color:#666'>{escape(text)}</span></li>"
        )
    parts.append("</ul>")
    if detail.earlier_more:
        more = ngettext("and {n} more", "and {n} more", detail.earlier_more).format(n=detail.earlier_more)
        parts.append(f"<p style='color:#666'>{escape(more)}</p>")
    return "".join(parts)


def context_html(detail: ConversationDetail, now: datetime) -> str:
    parts = [f"<h3>{escape(detail.title)}</h3>"]
    for target in detail.targets:
        label = target_label(target)
        if target.met_at is not None:
            parts.append(f"<div>{escape(label)}: {escape(met_verdict(target))} {msk_text(target.met_at)}</div>")
        elif target.countdown is not None and target.deadline is not None:
            left = format_left((target.deadline - now).total_seconds())
            state = escape(_(STATE_LABELS.get(target.countdown.state, target.countdown.state)))
            parts.append(
                f"<div><b>{escape(label)}</b>: {msk_text(target.deadline)} · {escape(left)}"
                f" ({state})</div>"
            )
    window = reply_window_of(detail, now)
    if window is not None and window.closes_at is not None:
        left = format_left((window.closes_at - now).total_seconds())
        label = deadline_label(WINDOW)
        parts.append(f"<div><b>{escape(label)}</b>: {msk_text(window.closes_at)} · {escape(left)}</div>")
    if detail.timeline:
        heading = escape(_("How the first-response deadline was counted"))
        parts.append(f"<h4>{heading}</h4><ul>")
        for seg in detail.timeline:
            parts.append(f"<li>{segment_span(seg)}: {escape(segment_reason(seg))}</li>")
        parts.append("</ul>")
    if detail.feedback is not None:
        parts.append(feedback_html(detail.feedback))
    elif detail.posting:
        parts.append(_posting_html(detail.posting))
    else:
        parts.append("<p>" + escape(_("No order is linked to this conversation.")) + "</p>")
    parts.append(compliance_html(detail))
    parts.append(earlier_html(detail))
    return "".join(parts)


class SuggestionBox(QFrame):
    """The logistics answer for the order, with a button that inserts its template."""

    insert_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logisticsSuggestion")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel(self)
        self.heading.setObjectName("suggestionTemplate")
        self.heading.setWordWrap(True)
        self.reason = QLabel(self)
        self.reason.setObjectName("suggestionReason")
        self.reason.setWordWrap(True)
        self.insert_button = QPushButton(_("Insert"), self)
        self.insert_button.setObjectName("insertSuggestion")
        self.insert_button.setToolTip(_("Insert this template into the reply, filled from the order"))
        self.insert_button.clicked.connect(self.insert_requested)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        top.addWidget(self.insert_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.reason)

    def show_suggestion(self, suggestion: Suggestion | None, ref: TemplateRef | None) -> None:
        if suggestion is None:
            self.setVisible(False)
            return
        self.setVisible(True)
        self.reason.setText(suggestion.reason)
        if suggestion.slug is None:
            self.heading.setText(_("Delivery answer: no template fits"))
            self.insert_button.setEnabled(False)
        elif ref is None:
            self.heading.setText(
                _("Delivery answer: {slug} (not in the template library)").format(slug=suggestion.slug)
            )
            self.insert_button.setEnabled(False)
        else:
            self.heading.setText(_("Delivery answer: {template}").format(template=template_name(ref, ref.slug)))
            self.insert_button.setEnabled(True)


def may_offer_start_chat(detail: ConversationDetail) -> bool:
    """Whether the posting allows the seller to start a chat (its available_actions said so)
    and this conversation is not that chat already; the shop's key is checked by the window."""
    return detail.kind != "buyer_chat" and detail.posting is not None and detail.posting.can_create_chat is True


class ContextPanel(QWidget):
    insert_template = Signal(str, object)  # template slug, dict of extra placeholder values
    open_conversation = Signal(int)  # conversation id
    decision_requested = Signal(int, object)  # conversation id, domain.decisions.Decision
    start_chat_requested = Signal(int)  # conversation id whose posting's buyer chat to start

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.decision = DecisionPanel(self)  # return requests and cancellations only
        self.decision.decision_requested.connect(self.decision_requested)
        self.suggestion = SuggestionBox(self)
        self.suggestion.setVisible(False)
        self.suggestion.insert_requested.connect(self._insert_suggestion)
        # Offered by the window (offer_start_chat) once it knows the shop has a key.
        self.start_chat_button = QPushButton(_("Start a chat with the buyer"), self)
        self.start_chat_button.setObjectName("startChat")
        self.start_chat_button.setToolTip(_("Ask Ozon to open a chat with the buyer about this posting"))
        self.start_chat_button.setVisible(False)
        self.start_chat_button.clicked.connect(self._start_chat)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("context")
        # Links are requests to the window (open a conversation, insert a template), never navigation.
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self.follow_link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.decision)
        layout.addWidget(self.suggestion)
        layout.addWidget(self.start_chat_button)
        layout.addWidget(self.browser, 1)
        self.detail: ConversationDetail | None = None

    def show_detail(self, detail: ConversationDetail, now: datetime) -> None:
        previous = self.detail
        self.detail = detail
        if previous is None or previous.id != detail.id or not may_offer_start_chat(detail):
            self.start_chat_button.setVisible(False)
        facts = decision_html(detail.decision) if detail.decision is not None else ""
        self.browser.setHtml(facts + context_html(detail, now))
        self.decision.show_view(detail.decision)
        s = detail.suggestion
        self.suggestion.show_suggestion(s, detail.templates.get(s.slug) if s and s.slug else None)

    def offer_start_chat(self, conversation_id: int, offered: bool) -> None:
        """Show or hide "start a chat", if this conversation is still the one shown."""
        if self.detail is None or self.detail.id != conversation_id:
            return
        self.start_chat_button.setVisible(offered and may_offer_start_chat(self.detail))
        self.start_chat_button.setEnabled(True)

    def _start_chat(self) -> None:
        if self.detail is not None:
            self.start_chat_button.setEnabled(False)  # one request at a time; the window answers
            self.start_chat_requested.emit(self.detail.id)

    def clear(self) -> None:
        self.detail = None
        self.start_chat_button.setVisible(False)
        self.browser.clear()
        self.decision.show_view(None)
        self.suggestion.setVisible(False)

    def follow_link(self, url: QUrl) -> None:
        kind, _sep, value = url.toString().partition(":")
        if kind == CONVERSATION_LINK and value.isdigit():
            self.open_conversation.emit(int(value))
        elif kind == TEMPLATE_LINK and value:
            self.insert_template.emit(value, {})
        elif url.scheme() in ("http", "https"):
            # A product page or a buyer's photo on Ozon: the system browser shows it.
            QDesktopServices.openUrl(url)

    def _insert_suggestion(self) -> None:
        s = self.detail.suggestion if self.detail else None
        if s is not None and s.slug:
            values: dict[str, Any] = dict(s.values)
            self.insert_template.emit(s.slug, values)
