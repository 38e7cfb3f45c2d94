"""A compact shop-presence indicator for the status bar."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ozondesk.domain.display_names import PRESENCE_STATE_NAMES
from ozondesk.domain.presence import PresenceSummary
from ozondesk.i18n import _
from ozondesk.ui.elided_label import ElidedLabel

STATE_TEXT = PRESENCE_STATE_NAMES  # one home for the names: `ozondesk presence` prints them too
STATE_STYLE = {"ok": "", "warning": "color:#b26a00", "at-risk": "color:#c62828", "demotion": "color:#fff;background:#c62828"}


def presence_text(summary: PresenceSummary) -> str:
    # Without any record, "presence OK" would claim what nobody knows.
    state = _("No presence record yet") if summary.known_from is None else _(STATE_TEXT[summary.status])
    return _("{state} · {left:.0f} offline min left today · online: {who}").format(
        state=state,
        left=summary.minutes_left_today,
        who=", ".join(summary.online_agents) or _("nobody"),
    )


class PresenceLabel(ElidedLabel):  # elided: the status bar must not widen the window
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("presence")

    def show_summary(self, summary: PresenceSummary) -> None:
        self.setText(presence_text(summary))
        self.setStyleSheet(STATE_STYLE[summary.status])
