"""The presence panel: the desk agent's status, auto-away, and the shop's offline allowance.

The agent picks online / away / offline; after N idle minutes (no mouse or keyboard input
anywhere in the app) the status becomes away, and the next input brings it back to online
if the away was automatic. The panel shows today's and yesterday's shop offline minutes
inside the daily window, the allowance left today, who is online, and a warning once the
shop's state is warning / at-risk / demotion. A day before the database's first presence record
shows "no record" instead of minutes: nothing is known of it, so it is never counted as offline.

All database work runs on the shared ``TaskRunner``; the only synchronous write is
``final_offline()``, called by the main window on quit after the runner has stopped.
Going offline while nobody else is online inside the window asks for confirmation
(``confirm`` is an attribute so tests can replace the dialog).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from ozondesk.domain.clock import utcnow
from ozondesk.domain.presence import PresenceDay, Status
from ozondesk.i18n import N_, _
from ozondesk.services.desk_presence import DeskPresenceService, PresenceSnapshot, inside_window
from ozondesk.services.preferences import DeskAgent
from ozondesk.settings.options import AUTO_AWAY_MINUTES
from ozondesk.ui.presence_label import STATE_STYLE, STATE_TEXT
from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")

HEARTBEAT_MS = 60_000
STATUS_TEXT: dict[str, str] = {
    "online": N_("Online"),
    "away": N_("Away"),
    "offline": N_("Offline"),
}
ACTIVITY_EVENTS = frozenset({
    QEvent.Type.MouseMove,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
})


def default_confirm(parent: QWidget | None, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        _("Leave the shop offline?"),
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class IdleWatcher(QObject):
    """Application-wide input watcher: ``idle`` after ``idle_ms`` without input, ``active`` on the next."""

    idle = Signal()
    active = Signal()

    def __init__(self, idle_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.is_idle = False
        self.running = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(idle_ms)
        self.timer.timeout.connect(self._went_idle)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.running = True
        self.timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.running = False
        self.timer.stop()

    def set_idle_ms(self, idle_ms: int) -> None:
        self.timer.setInterval(idle_ms)
        if self.running and not self.is_idle:
            self.timer.start()

    def activity(self) -> None:
        if not self.running:
            return
        self.timer.start()
        if self.is_idle:
            self.is_idle = False
            self.active.emit()

    def _went_idle(self) -> None:
        self.is_idle = True
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in ACTIVITY_EVENTS:
            self.activity()
        return False


class PresencePanel(QWidget):
    """Status selector, auto-away setting, and the shop's presence numbers."""

    status_changed = Signal(str)  # the desk agent's status after a change was stored
    snapshot_shown = Signal(object)

    def __init__(
        self,
        service: DeskPresenceService,
        runner: TaskRunner,
        agent: DeskAgent | None,
        idle_ms: int | None = None,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presence-panel")
        self.service = service
        self.runner = runner
        self.agent = agent
        self.clock = clock
        self.confirm: Callable[[QWidget | None, str], bool] = default_confirm
        self.snapshot: PresenceSnapshot | None = None
        self.status: Status | None = None
        self.auto_away = False
        self._closed = False
        # Counts the agent's status choices: a snapshot read before the latest one was stored
        # must not put the older status back on screen (the idle watch would act on it).
        self._status_seq = 0
        # idle_ms given (tests): fixed; else the stored minutes are loaded at start().
        self._fixed_idle = idle_ms is not None

        self.status_box = QComboBox(self)
        for value, text in STATUS_TEXT.items():
            self.status_box.addItem(_(text), value)
        self.status_box.activated.connect(self._picked)
        self.idle_spin = QSpinBox(self)
        # This desk's auto-away minutes (a desk option): its bounds and default are the option's.
        self.idle_spin.setRange(AUTO_AWAY_MINUTES.minimum or 1, AUTO_AWAY_MINUTES.maximum or 240)
        self.idle_spin.setValue(AUTO_AWAY_MINUTES.default)
        self.idle_spin.setSuffix(_(" min"))
        self.idle_spin.setPrefix(_("Away after "))
        self.idle_spin.setToolTip(_("Auto-away: minutes without mouse or keyboard input"))
        self.idle_spin.valueChanged.connect(self._idle_changed)
        self.numbers = QLabel(self)
        self.numbers.setObjectName("presence-numbers")
        self.who = QLabel(self)
        self.who.setObjectName("presence-who")
        self.warning = QLabel(self)
        self.warning.setObjectName("presence-warning")
        self.warning.setWordWrap(False)
        # Long warnings are cut at the window's edge rather than widening it; the tooltip has it all.
        for label in (self.who, self.warning):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.warning.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for widget in (self.status_box, self.idle_spin, self.numbers, self.who, self.warning):
            layout.addWidget(widget)
        layout.addStretch(1)
        if agent is None:
            for widget in (self.status_box, self.idle_spin):
                widget.setEnabled(False)
            self.status_box.setToolTip(_("No agent at this desk: add an agent to set a status"))
            self.status_box.setCurrentIndex(self.status_box.findData("offline"))
        else:
            self.status_box.setToolTip(_("Your status: the shop is online while one agent is online or away"))

        self.idle = IdleWatcher(idle_ms if idle_ms is not None else AUTO_AWAY_MINUTES.default * 60_000, self)
        self.idle.idle.connect(self._went_idle)
        self.idle.active.connect(self._came_back)
        self.heartbeat_timer = QTimer(self)
        self.heartbeat_timer.setInterval(HEARTBEAT_MS)
        self.heartbeat_timer.timeout.connect(self.refresh)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Recover an unclean last exit, go online, and start the heartbeat and idle watch."""
        now = self.clock()
        agent = self.agent
        if agent is not None:
            fixed = self._fixed_idle

            def begin() -> tuple[datetime | None, int | None, PresenceSnapshot]:
                recovered = self.service.begin_session(agent.id, agent.login, now)
                minutes = None if fixed else self.service.idle_minutes()
                return recovered, minutes, self.service.snapshot(agent.id, agent.login, now)

            self.runner.run(begin, self._begun, self._failed)
        else:
            self.refresh()
        self.heartbeat_timer.start()

    def stop(self) -> None:
        self.heartbeat_timer.stop()
        self.idle.stop()

    def final_offline(self) -> None:
        """On quit, after the runner stopped: record offline synchronously (a clean exit)."""
        self.stop()
        if self.agent is not None and not self._closed:
            self._closed = True
            self.service.end_session(self.agent.id, self.agent.login, self.clock())

    def _begun(self, result: tuple[datetime | None, int | None, PresenceSnapshot]) -> None:
        recovered, minutes, snapshot = result
        if recovered is not None:
            log.info("presence: the last session ended uncleanly; offline recorded at %s", recovered)
        if minutes is not None:
            self.idle_spin.blockSignals(True)
            self.idle_spin.setValue(minutes)
            self.idle_spin.blockSignals(False)
            self.idle.set_idle_ms(minutes * 60_000)
        self._show(snapshot)
        if self.heartbeat_timer.isActive():  # not stopped meanwhile
            # Idle time counts from when the agent is known to be online: before that there is
            # no status to leave for "away" (and a slow start must not use up the idle time).
            self.idle.start()
        if snapshot.status is not None:
            self.status_changed.emit(snapshot.status)

    # -- refreshing --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Heartbeat (with a desk agent) and a fresh snapshot, on the database worker."""
        now = self.clock()
        agent = self.agent

        def work() -> PresenceSnapshot:
            if agent is not None:
                self.service.heartbeat(agent.id, now)
            return self.service.snapshot(
                agent.id if agent else None, agent.login if agent else None, now
            )

        seq = self._status_seq
        self.runner.run(work, lambda snapshot: self._show(snapshot, seq), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.warning.setText(_("Presence not updated: {error}").format(error=str(exc)))
        self.warning.setStyleSheet(STATE_STYLE["at-risk"])
        self.warning.show()

    def _show(self, snapshot: PresenceSnapshot, seq: int | None = None) -> None:
        self.snapshot = snapshot
        summary = snapshot.summary
        if snapshot.status is not None and (seq is None or seq == self._status_seq):
            self.status = snapshot.status
            self.status_box.setCurrentIndex(self.status_box.findData(snapshot.status))
        today = summary.days[-1] if summary.days else None
        yesterday = summary.days[-2] if len(summary.days) > 1 else None
        self.numbers.setText(
            _("Shop offline today {today} · yesterday {yesterday} · {left:.0f} min left today").format(
                today=day_minutes(today), yesterday=day_minutes(yesterday),
                left=summary.minutes_left_today,
            )
        )
        tip = _("Counted inside {start}–{end} MSK; more than {allowance:.0f} offline minutes on two days in a row demotes the shop").format(
            start=_hhmm(snapshot.rules.window_start_minute),
            end=_hhmm(snapshot.rules.window_end_minute),
            allowance=snapshot.rules.allowance_minutes,
        )
        if summary.known_from is None:
            tip += "\n" + _("No presence record yet: offline minutes are counted from the first one.")
        elif any(d.unknown or d.unknown_seconds > 0 for d in summary.days):
            first = summary.known_from.astimezone(snapshot.rules.tz)
            tip += "\n" + _("The first presence record is from {when} MSK: the time before it is unknown, not offline.").format(
                when=first.strftime("%d.%m %H:%M")
            )
        self.numbers.setToolTip(tip)
        self.who.setText(
            _("Online: {who}").format(who=", ".join(summary.online_agents) or _("nobody"))
        )
        self.who.setToolTip(self.who.text())
        self.warning.setStyleSheet(STATE_STYLE[summary.status])
        if summary.status == "ok":
            self.warning.hide()
        else:
            self.warning.setText(_(STATE_TEXT[summary.status]) + " — " + _(ADVICE[summary.status]))
            self.warning.setToolTip(self.warning.text())
            self.warning.show()
        self.snapshot_shown.emit(snapshot)

    # -- changing the status -------------------------------------------------------------------
    def _picked(self, index: int) -> None:
        wanted = self.status_box.itemData(index)
        if wanted == "offline" and self.status != "offline" and not self.may_go_offline():
            self.status_box.setCurrentIndex(self.status_box.findData(self.status or "online"))
            return
        self.auto_away = False
        self.set_status(wanted)

    def set_status(self, status: Status) -> None:
        agent = self.agent
        if agent is None or self._closed:
            return
        now = self.clock()
        self.status = status
        self.status_box.setCurrentIndex(self.status_box.findData(status))
        self._status_seq += 1
        seq = self._status_seq

        def work() -> PresenceSnapshot:
            self.service.set_status(agent.id, agent.login, status, now)
            return self.service.snapshot(agent.id, agent.login, now)

        self.runner.run(work, lambda snapshot: self._status_stored(snapshot, seq), self._failed)

    def _status_stored(self, snapshot: PresenceSnapshot, seq: int) -> None:
        self._show(snapshot, seq)
        if snapshot.status is not None:
            self.status_changed.emit(snapshot.status)

    def _went_idle(self) -> None:
        if self.status == "online":
            self.auto_away = True
            self.set_status("away")

    def _came_back(self) -> None:
        if self.auto_away and self.status == "away":
            self.auto_away = False
            self.set_status("online")

    def _idle_changed(self, minutes: int) -> None:
        self.idle.set_idle_ms(minutes * 60_000)
        self.runner.run(lambda: self.service.set_idle_minutes(minutes), lambda _r: None, self._failed)

    # -- confirmation ---------------------------------------------------------------------------
    def offline_warning(self, now: datetime | None = None) -> str | None:
        """The confirmation text when going offline leaves the shop uncovered inside the window.

        From the last snapshot (refreshed every minute and after each change): None when another
        agent is online, when ``now`` is outside the window, or before the first snapshot.
        """
        snapshot = self.snapshot
        if self.agent is None or snapshot is None or self.status in (None, "offline"):
            return None
        now = now or self.clock()
        if snapshot.others_online or not inside_window(snapshot.rules, now):
            return None
        left = snapshot.summary.minutes_left_today
        if now.astimezone(snapshot.rules.tz).date() != snapshot.at.astimezone(snapshot.rules.tz).date():
            left = snapshot.rules.allowance_minutes  # a new day began since the snapshot
        until = _hhmm(snapshot.rules.window_end_minute)
        return _("Nobody else is online: the shop goes offline now. {left:.0f} minutes of today's offline allowance remain (window until {end} MSK); more than that on two days in a row demotes the shop. Go offline?").format(
            left=left, end=until
        )

    def may_go_offline(self, now: datetime | None = None) -> bool:
        text = self.offline_warning(now)
        return text is None or self.confirm(self.window(), text)


ADVICE = {
    "ok": N_("all good"),
    "warning": N_("keep someone online to stay within today's allowance"),
    "at-risk": N_("another day over the allowance today demotes the shop: keep someone online"),
    "demotion": N_("the shop has two breach days in a row"),
}


def day_minutes(day: PresenceDay | None) -> str:
    """A day's offline minutes, or "no record" for a day before the first presence record."""
    if day is None or day.unknown:
        return _("no record")
    return _("{minutes:.0f} min").format(minutes=day.offline_minutes)


def _hhmm(minute: int) -> str:
    return (datetime(2000, 1, 1) + timedelta(minutes=minute)).strftime("%H:%M") if minute < 1440 else "24:00"
