"""Settings' list of what the selected shop's Ozon plan allows, kind by kind.

The sync learns it from the answers (``ozondesk.services.capabilities``); this shows the last
finding, read off the GUI thread: allowed, not in the plan (with the plan the spec names), or
not checked yet.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from ozondesk.domain.clock import to_msk
from ozondesk.i18n import _
from ozondesk.services.capabilities import KindState, plan_summary
from ozondesk.store.db import Database
from ozondesk.ui.tasks import TaskRunner


def plan_html(states: list[KindState]) -> str:
    rows = []
    for k in states:
        if k.state == "allowed":
            mark, text, colour = "✔", _("allowed"), "#1b7f3b"
        elif k.state == "denied":
            mark, colour = "✘", "#b00020"
            text = (
                _("not in the plan: needs {plan}").format(plan=k.needs)
                if k.needs
                else _("not in the plan")
            )
        else:
            mark, text, colour = "?", _("not checked yet: the next sync finds out"), "#666"
        when = (
            " · " + _("checked {when} MSK").format(when=to_msk(k.checked_at).strftime("%d.%m %H:%M"))
            if k.checked_at
            else ""
        )
        rows.append(
            f"<tr><td style='padding-right:12px'>{escape(k.label)}</td><td style='color:{colour}'>{mark} {escape(text)}"
            f"<span style='color:#666'>{escape(when)}</span></td></tr>"
        )
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"


class ShopPlanView(QGroupBox):
    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(_("What this shop's Ozon plan allows"), parent)
        self.setObjectName("shop_plan")
        self.db = db
        self.runner = runner
        self.shop: str | None = None
        self.label = QLabel(self)
        self.label.setObjectName("shop_plan_list")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.setVisible(False)

    def show_shop(self, shop: str | None) -> None:
        """Show ``shop``'s plan (None hides the list: a new shop has no findings yet)."""
        self.shop = shop
        if shop is None:
            self.setVisible(False)
            return
        db = self.db
        self.runner.run(lambda: plan_summary(db, shop), lambda states: self._show(shop, states))

    def _show(self, shop: str, states: list[KindState]) -> None:
        if shop != self.shop:
            return  # another shop was selected meanwhile
        self.label.setText(plan_html(states))
        self.setVisible(True)
