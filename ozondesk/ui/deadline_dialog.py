"""Why a deadline is where it is (Ctrl+E): each target, and which hours counted or were skipped."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ozondesk.domain.display_names import WINDOW, deadline_label, policy_name
from ozondesk.i18n import _
from ozondesk.services.conversation import ConversationDetail
from ozondesk.ui.conversation_view import STATE_LABELS, msk_text
from ozondesk.ui.deadline_labels import reply_window_of, target_label
from ozondesk.ui.inbox_deadline import (
    format_left,
    local_short,
    met_verdict,
    segment_reason,
    segment_span,
)


def deadline_html(detail: ConversationDetail, now: datetime) -> str:
    parts = [f"<h3>{escape(detail.title)}</h3>",
             "<p>" + escape(_("Policy: {policy}").format(policy=policy_name(detail.sla_policy))) + "</p>"]
    for target in detail.targets:
        label = escape(target_label(target))
        if target.met_at is not None:
            parts.append(f"<p><b>{label}</b>: {escape(met_verdict(target))} {msk_text(target.met_at)}</p>")
            continue
        countdown = target.countdown
        if countdown is None:
            continue
        state = escape(_(STATE_LABELS.get(countdown.state, countdown.state)))
        counted = format_left(countdown.counted_seconds_left)
        if target.deadline is None:
            wall = escape(_("paused: the clock waits until the pause ends"))
            due = "—"
        else:
            wall = escape(format_left((target.deadline - now).total_seconds()))
            due = (msk_text(target.deadline) + " · " + escape(_("your time")) + " "
                   + local_short(target.deadline))
        parts.append(
            f"<p><b>{label}</b> ({state})<br>"
            + escape(_("Due: {due}")).format(due=due) + "<br>"
            + escape(_("Wall-clock time left: {left}")).format(left=wall) + "<br>"
            + escape(_("Working time left: {left}").format(left=counted)) + "</p>"
        )
    parts.append(_window_html(detail, now))
    if detail.timeline:
        parts.append("<h4>" + escape(_("How the first-response deadline was counted")) + "</h4>")
        rows = []
        for seg in detail.timeline:
            colour = "#2e7d32" if seg.counted else "#888"
            rows.append(
                f"<tr><td>{segment_span(seg)}</td>"
                f"<td style='color:{colour}'>{escape(segment_reason(seg))}</td></tr>"
            )
        parts.append("<table cellpadding='3'>" + "".join(rows) + "</table>")
    else:
        parts.append("<p>" + escape(_("No deadline is running for this conversation.")) + "</p>")
    return "".join(parts)


def _window_html(detail: ConversationDetail, now: datetime) -> str:
    """The third deadline: until when Ozon accepts a chat message from the seller, and why."""
    label = escape(deadline_label(WINDOW))
    verdict = reply_window_of(detail, now)
    if verdict is None:
        return (f"<p><b>{label}</b><br>"
                + escape(_("No reply window: a public answer can be posted at any time.")) + "</p>")
    if verdict.closes_at is None:
        when = escape(_("no closing time yet"))
    else:
        when = (msk_text(verdict.closes_at) + " · "
                + escape(format_left((verdict.closes_at - now).total_seconds())))
    # Not the conversation's "open"/"closed" (a status): whether Ozon takes a message now.
    state = escape(_("accepting messages") if verdict.allowed else _("no longer accepting messages"))
    rule = escape(_("Ozon accepts the seller's chat messages for 48 h after the buyer's last message;"
                    " FBS and rFBS orders also until 72 h after delivery."))
    return (f"<p><b>{label}</b> ({state})<br>{when}<br>{escape(verdict.reason)}<br>"
            f"<span style='color:#666'>{rule}</span></p>")


class DeadlineDialog(QDialog):
    def __init__(self, detail: ConversationDetail, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deadline-explanation")
        self.setWindowTitle(_("Deadline explanation"))
        self.resize(520, 480)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser(self)
        self.text.setHtml(deadline_html(detail, now))
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
