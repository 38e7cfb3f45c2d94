"""A conversation: its thread in Moscow time, and the order, items, logistics and deadlines beside it."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from ozondesk.domain.clock import to_msk
from ozondesk.i18n import N_, _
from ozondesk.services.conversation import ConversationDetail, PostingView
from ozondesk.ui.inbox_model import format_left

SIDE_LABELS = {"buyer": N_("Buyer"), "seller": N_("Seller"), "platform": N_("Ozon")}
SIDE_COLORS = {"buyer": "#f3f6fb", "seller": "#eef8ee", "platform": "#fff8e1"}
DELIVERY_LABELS = {
    "queued": N_("queued"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "pending": N_("pending"),
}
STATE_LABELS = {"ok": N_("ok"), "due-soon": N_("due soon"), "breached": N_("breached")}
STATUS_LABELS = {
    "open": N_("open"),
    "waiting_buyer": N_("waiting for the buyer"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}
TARGET_LABELS = {
    "first-response": N_("First response"),
    "next-response": N_("Next response"),
    "resolution": N_("Resolution"),
}


def msk_text(value: datetime | None) -> str:
    return to_msk(value).strftime("%d.%m.%Y %H:%M") + " " + _("MSK") if value else "—"


def thread_html(detail: ConversationDetail) -> str:
    parts = []
    for m in detail.messages:
        who = _(SIDE_LABELS.get(m.side, m.side))
        if m.author:
            who += f" · {escape(m.author)}"
        local = m.at.astimezone().strftime("%d.%m %H:%M")
        files = "".join(f"<div>📎 {escape(name)}</div>" for name in m.attachments)
        shown = _(DELIVERY_LABELS.get(m.delivery_state, m.delivery_state))
        state = "" if m.delivery_state in ("received", "delivered") else f" · {escape(shown)}"
        your_time = escape(_("your time"))
        parts.append(
            f'<div style="background:{SIDE_COLORS.get(m.side, "#fff")};padding:6px;margin:4px">'
            f'<b>{who}</b> <span style="color:#666" title="{your_time} {local}">'
            f"{msk_text(m.at)}{state}</span>"
            f'<div style="white-space:pre-wrap">{escape(m.text)}</div>{files}</div>'
        )
    return "".join(parts) or escape(_("No messages yet."))


def _posting_html(p: PostingView) -> str:
    rows = [
        (_("Posting"), f"{p.posting_number} ({p.scheme})"),
        (_("Order"), p.order_number or "—"),
        (_("Status"), p.status),
        (_("Created"), msk_text(p.created_at)),
        (_("Shipped"), msk_text(p.shipped_at)),
        (_("ETA"), msk_text(p.eta)),
        (_("Delivered"), msk_text(p.delivered_at)),
        (_("Tracking"), p.tracking_number or "—"),
        (_("Carrier"), f"{p.carrier or '—'}: {p.carrier_status or '—'}"),
        (_("Warehouse"), p.warehouse_status or "—"),
    ]
    table = "".join(f"<tr><td style='color:#666'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    items = "".join(
        f"<li>{escape(i.name)} × {i.quantity} — {i.price} {escape(i.currency)}"
        f"<br><span style='color:#666'>SKU {i.sku} · {escape(i.offer_id)}</span></li>"
        for i in p.items
    )
    heading = escape(_("Items"))
    return f"<table>{table}</table><h4>{heading}</h4><ul>{items}</ul>"


def context_html(detail: ConversationDetail, now: datetime) -> str:
    parts = [f"<h3>{escape(detail.title)}</h3>"]
    for target in detail.targets:
        label = _(TARGET_LABELS[target.kind])
        if target.met_at is not None:
            late = target.deadline is not None and target.met_at > target.deadline
            verdict = _("met late") if late else _("met")
            parts.append(f"<div>{escape(label)}: {escape(verdict)} {msk_text(target.met_at)}</div>")
        elif target.countdown is not None and target.deadline is not None:
            left = format_left((target.deadline - now).total_seconds())
            due = escape(_("due"))
            state = escape(_(STATE_LABELS.get(target.countdown.state, target.countdown.state)))
            parts.append(
                f"<div><b>{escape(label)}</b>: {escape(left)} · {due} {msk_text(target.deadline)}"
                f" ({state})</div>"
            )
    if detail.timeline:
        heading = escape(_("How the first-response deadline was counted"))
        parts.append(f"<h4>{heading}</h4><ul>")
        for seg in detail.timeline:
            what = _("counted") if seg.counted else escape(seg.reason or _("not counted"))
            end = to_msk(seg.end).strftime("%d.%m %H:%M") if seg.end else "…"
            parts.append(f"<li>{to_msk(seg.start).strftime('%d.%m %H:%M')}–{end}: {what}</li>")
        parts.append("</ul>")
    if detail.posting:
        parts.append(_posting_html(detail.posting))
    else:
        parts.append("<p>" + escape(_("No order is linked to this conversation.")) + "</p>")
    return "".join(parts)


class ConversationView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel(_("Select a conversation"), self)
        self.thread = QTextBrowser(self)
        self.thread.setObjectName("thread")
        self.context = QTextBrowser(self)
        self.context.setObjectName("context")
        split = QSplitter(self)
        split.addWidget(self.thread)
        split.addWidget(self.context)
        split.setSizes([500, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(split, 1)
        self.detail: ConversationDetail | None = None

    def show_detail(self, detail: ConversationDetail, now: datetime) -> None:
        self.detail = detail
        self.header.setText(
            _("{title} · {status} · {category}").format(
                title=detail.title, status=_(STATUS_LABELS.get(detail.status, detail.status)), category=detail.category or "—"
            )
        )
        self.thread.setHtml(thread_html(detail))
        self.thread.verticalScrollBar().setValue(self.thread.verticalScrollBar().maximum())
        self.context.setHtml(context_html(detail, now))

    def show_error(self, message: str) -> None:
        self.detail = None
        self.header.setText(message)
        self.thread.clear()
        self.context.clear()
