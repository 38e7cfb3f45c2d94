"""The Moscow clock with Beijing time beside it, ticking every second."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QWidget

from ozondesk.domain.clock import BEIJING, MOSCOW, to_zone
from ozondesk.i18n import _


def clock_text(now: datetime) -> str:
    msk = to_zone(now, MOSCOW)
    bj = to_zone(now, BEIJING)
    return _("Moscow {msk} · Beijing {bj}").format(
        msk=msk.strftime("%H:%M:%S"), bj=bj.strftime("%H:%M")
    )


class ClockLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clock")

    def show_time(self, now: datetime) -> None:
        self.setText(clock_text(now))
        self.setToolTip(
            _("Your local time: {local}").format(local=now.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        )
