"""The Moscow clock with Beijing time beside it, ticking every second, and when each
working window (buyer chats, verified support, Ozon tickets) closes or opens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import QWidget

from ozondesk.domain.calendar import BusinessCalendar
from ozondesk.domain.clock import BEIJING, MOSCOW, to_msk, to_zone
from ozondesk.i18n import _
from ozondesk.ui.elided_label import ElidedLabel
from ozondesk.ui.inbox_model import format_left


def clock_text(now: datetime) -> str:
    msk = to_zone(now, MOSCOW)
    bj = to_zone(now, BEIJING)
    return _("Moscow {msk} · Beijing {bj}").format(
        msk=msk.strftime("%H:%M:%S"), bj=bj.strftime("%H:%M")
    )


def window_text(label: str, calendar: BusinessCalendar, now: datetime) -> str:
    """E.g. "Chats: open until 23:00 (8 h 55 min)" or "Support: opens Mon 09:00 (2 d 19 h)"."""
    is_open, change = calendar.window_at(now)
    if change is None:
        return _("{window}: closed").format(window=label)
    local = to_msk(change)
    when = local.strftime("%H:%M") if local.date() == to_msk(now).date() else local.strftime("%d.%m %H:%M")
    left = format_left((change - now).total_seconds())
    if is_open:
        return _("{window}: open until {time} MSK ({left})").format(window=label, time=when, left=left)
    return _("{window}: opens {time} MSK ({left})").format(window=label, time=when, left=left)


class ClockLabel(ElidedLabel):  # elided: the status bar must not widen the window
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("clock")
        self.windows: list[tuple[str, BusinessCalendar]] = []

    def set_windows(self, windows: Sequence[tuple[str, BusinessCalendar]]) -> None:
        """The first window is shown beside the clock, all of them on hover."""
        self.windows = list(windows)

    def show_time(self, now: datetime) -> None:
        text = clock_text(now)
        lines = [_("Your local time: {local}").format(local=now.astimezone().strftime("%Y-%m-%d %H:%M:%S"))]
        for n, (label, calendar) in enumerate(self.windows):
            line = window_text(label, calendar, now)
            lines.append(line)
            if n == 0:
                text += " · " + line
        self.setText(text)
        self.setToolTip("\n".join(lines))
