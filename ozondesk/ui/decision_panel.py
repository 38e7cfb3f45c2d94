"""What an rFBS return request or a conditional cancellation asks, and its decision buttons.

The panel shows the request from the ``ConversationDetail`` (loaded off the GUI thread) and
never queries anything. A button opens :class:`DecisionDialog`, which says what the decision
does, asks for what Ozon requires (a reason, a comment, an amount) and checks it with
``domain.decisions``; only a confirmed, complete decision leaves as
``decision_requested(conversation_id, Decision)`` for the window to queue.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain import decisions as D
from ozondesk.domain.clock import to_msk
from ozondesk.domain.decisions import DecisionView
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

KIND_TITLES = {
    "return_request": N_("rFBS return request"),
    "cancellation": N_("Cancellation request"),
}
INITIATORS = {
    "CLIENT": N_("the buyer"),
    "SELLER": N_("the seller"),
    "OZON": N_("Ozon"),
    "SYSTEM": N_("the system"),
    "DELIVERY": N_("the delivery service"),
}
# Cancellation states are documented (ON_APPROVAL, APPROVED, REJECTED); return states are
# not, so a return shows Ozon's own Russian state name.
CANCEL_STATES = {
    "ON_APPROVAL": N_("waiting for your decision"),
    "APPROVED": N_("approved"),
    "REJECTED": N_("rejected"),
}


def _msk(value: datetime | None) -> str:
    return to_msk(value).strftime("%d.%m.%Y %H:%M") + " " + _("MSK") if value else "—"


def state_text(view: DecisionView) -> str:
    if view.kind == "cancellation" and view.state in CANCEL_STATES:
        return _(CANCEL_STATES[view.state])
    return view.state_name or _("state not named by Ozon")


def decision_html(view: DecisionView) -> str:
    """The request's facts as rich text: no raw code, no raw link on screen."""
    title = escape(_(KIND_TITLES.get(view.kind, N_("Request"))))
    rows: list[tuple[str, str]] = [
        (_("Status"), state_text(view)),
        (_("Posting"), view.posting_number),
    ]
    if view.number:
        rows.append((_("Request"), view.number))
    if view.product_name:
        rows.append((_("Item"), view.product_name))
    if view.amount is not None:
        rows.append((_("Amount"), f"{view.amount} {view.currency}"))
    if view.reason:
        rows.append((_("Reason"), view.reason))
    if view.kind == "return_request" and view.is_defect:
        rows.append((_("Defect"), _("the buyer reports a defect")))
    if view.initiator:
        rows.append((_("Asked by"), _(INITIATORS.get(view.initiator, N_("someone else")))))
    rows.append((_("Requested"), _msk(view.requested_at)))
    if view.auto_decision_at is not None:
        rows.append((_("Ozon approves it by itself"), _msk(view.auto_decision_at)))
    if view.decided_at is not None:
        rows.append((_("Decided"), _msk(view.decided_at)))
    table = "".join(
        f"<tr><td style='color:#666'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows
    )
    parts = [f"<h3>{title}</h3><table>{table}</table>"]
    if view.buyer_comment:
        said = escape(_("The buyer wrote:"))
        parts.append(f"<p><i>{said}</i> {escape(view.buyer_comment)}</p>")
    if view.decision_comment:
        said = escape(_("Decision comment:"))
        parts.append(f"<p><i>{said}</i> {escape(view.decision_comment)}</p>")
    if view.photos:
        names = [_("Photo {n}").format(n=n) for n in range(1, len(view.photos) + 1)]
        links = " · ".join(
            f"<a href='{escape(url, quote=True)}'>{escape(name)}</a>"
            for name, url in zip(names, view.photos, strict=True)
        )
        heading = escape(_("Buyer photos:"))
        parts.append(f"<p>{heading} {links}</p>")
    return "".join(parts)


class DecisionDialog(QDialog):
    """Confirms one decision and asks for what it needs; ``decision`` once accepted."""

    def __init__(
        self,
        option: D.DecisionOption,
        view: DecisionView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("decisionDialog")
        self.option = option
        self.view = view
        self.reasons = D.reasons_of(view.rejection_reasons)
        self.decision: D.Decision | None = None
        self.payload: dict[str, object] | None = None
        self.setWindowTitle(option.label_text())
        question = QLabel(
            _("{decision} for posting {posting}?").format(
                decision=option.label_text(), posting=view.posting_number
            ),
            self,
        )
        question.setObjectName("decisionQuestion")
        question.setWordWrap(True)
        consequence = QLabel(_(option.consequence), self)
        consequence.setObjectName("decisionConsequence")
        consequence.setWordWrap(True)
        form = QFormLayout()
        self.reason = QComboBox(self)
        self.reason.setObjectName("decisionReason")
        self.hint = QLabel(self)
        self.hint.setObjectName("decisionHint")
        self.hint.setWordWrap(True)
        if option.needs_reason:
            self.reason.addItem(_("Choose a reason…"), None)
            for r in self.reasons:
                self.reason.addItem(r.name, r.id)
            self.reason.currentIndexChanged.connect(self._show_hint)
            form.addRow(_("Reason Ozon shows the buyer"), self.reason)
            form.addRow("", self.hint)
        else:
            self.reason.setVisible(False)
            self.hint.setVisible(False)
        self.amount = QLineEdit(self)
        self.amount.setObjectName("decisionAmount")
        if option.needs_amount:
            limit = (
                _("at most {price} {currency}").format(price=view.amount, currency=view.currency)
                if view.amount is not None
                else ""
            )
            self.amount.setPlaceholderText(limit)
            form.addRow(_("Amount to refund"), self.amount)
        else:
            self.amount.setVisible(False)
        self.comment = QPlainTextEdit(self)
        self.comment.setObjectName("decisionComment")
        self.comment.setPlaceholderText(
            _("Required: the buyer reads it (in Russian)")
            if option.needs_comment
            else _("Optional comment (in Russian)")
        )
        self.comment.setMaximumHeight(90)
        form.addRow(_("Comment"), self.comment)
        self.error = QLabel(self)
        self.error.setObjectName("decisionError")
        self.error.setStyleSheet("color:#b00020")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton(_("Queue the decision"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("decisionConfirm")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(consequence)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def _show_hint(self) -> None:
        rid = self.reason.currentData()
        found = next((r for r in self.reasons if r.id == rid), None)
        self.hint.setText(found.hint if found is not None else "")

    def accept(self) -> None:
        rid = self.reason.currentData() if self.option.needs_reason else None
        decision = D.Decision(
            self.option.key,
            reason_id=rid if isinstance(rid, int) else None,
            comment=self.comment.toPlainText(),
            amount=self.amount.text(),
        )
        price = Decimal(self.view.amount) if self.view.amount is not None else None
        try:
            self.payload = D.check(self.option, decision, self.reasons, price)
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        self.decision = decision
        super().accept()


class DecisionPanel(QFrame):
    """Above the context: one button per decision Ozon offers now. The request's facts are at
    the top of the context beside it (:func:`decision_html`), where they can scroll."""

    decision_requested = Signal(int, object)  # conversation id, domain.decisions.Decision

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel(self)
        self.heading.setObjectName("decisionHeading")
        self.heading.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("decisionStatus")
        self.status.setWordWrap(True)
        self.buttons = QWidget(self)
        # One button a line: labels are long in Russian, and the panel may be narrow.
        self.button_row = QVBoxLayout(self.buttons)
        self.button_row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.view: DecisionView | None = None
        self.options: tuple[D.DecisionOption, ...] = ()
        self.dialog_factory = DecisionDialog
        self.setVisible(False)

    def show_view(self, view: DecisionView | None) -> None:
        self.view = view
        while self.button_row.count():
            item = self.button_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone now, not at the next event loop turn
                widget.deleteLater()
        if view is None:
            self.options = ()
            self.setVisible(False)
            return
        self.setVisible(True)
        self.heading.setText(
            "<b>" + escape(_(KIND_TITLES.get(view.kind, N_("Request")))) + "</b>"
        )
        self.options = D.options_for(view.kind, view.actions)
        if view.queued:
            labels = ", ".join(D.queued_label(view.kind, k, view.actions) for k in view.queued)
            self.status.setText(
                _("Decision queued, on its way to Ozon: {decision}").format(decision=labels)
            )
        elif not self.options:
            self.status.setText(_("Ozon offers no decision on this request now."))
        else:
            self.status.setText(_("Decide before the deadline, or Ozon decides by itself."))
        for option in self.options:
            button = QPushButton(option.label_text(), self.buttons)
            button.setObjectName(f"decide:{option.key}")
            button.setToolTip(_(option.consequence))
            button.setEnabled(not view.queued)
            button.clicked.connect(lambda _checked=False, o=option: self.ask(o))
            self.button_row.addWidget(button)

    def button(self, key: str) -> QPushButton | None:
        return self.buttons.findChild(QPushButton, f"decide:{key}")

    def ask(self, option: D.DecisionOption) -> None:
        view = self.view
        if view is None:
            return
        dialog = self.dialog_factory(option, view, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.decision is not None:
            self.decision_requested.emit(view.conversation_id, dialog.decision)
