"""The trainee's side of drills: pick a mock ticket, answer it against the clock, see the score.

Everything on this screen is marked as training: nothing written here reaches a buyer.
The scenario stays hidden until the trainee presses Start, because the time limit runs
from the start the service stores. The result lists each criterion, never the answer key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.domain.drills import CRITERION_LABELS, FAMILY_LABELS, MockContext
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.drills import AttemptResult, AttemptStart, DrillBrief, DrillService
from ozondesk.services.preferences import DeskAgent
from ozondesk.ui.drill_editor import LintedEditor
from ozondesk.ui.empty_state import EmptyState
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.tasks import TaskRunner

BANNER_STYLE = "background:#ff8f00;color:white;font-weight:bold;padding:6px;border-radius:3px"


def format_clock(seconds: float) -> str:
    """``m:ss`` for a countdown, ``+m:ss`` once it is over."""
    whole = int(abs(seconds))
    text = f"{whole // 60}:{whole % 60:02d}"
    return text if seconds >= 0 else "+" + text


def _rubles(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0₽"  # 5 490 ₽, as Russian prices read


def context_html(ctx: MockContext) -> str:
    """The mock order and its logistics, as the order card of a real conversation shows them."""
    rows = [
        (_("Buyer"), ctx.buyer_name),
        (_("Order"), ctx.order_number),
        (_("Posting"), f"{ctx.posting_number} · {ctx.scheme}"),
        (_("Status"), ctx.status),
        (_("Ordered"), ctx.ordered_at.strftime("%d.%m.%Y") if ctx.ordered_at else ""),
    ]
    out = "".join(f"<tr><td style='color:#666'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows if v)
    items = "".join(
        f"<li>{escape(i.name)} × {i.quantity} — {_rubles(i.price_rub)}</li>" for i in ctx.items
    )
    events = "".join(
        f"<li><span style='color:#666'>{e.date.strftime('%d.%m')}</span> {escape(e.event)}</li>"
        for e in ctx.logistics
    )
    html = f"<table cellspacing='4'>{out}</table>"
    if items:
        html += "<b>{}</b><ul>{}</ul>".format(escape(_("Items")), items)
    if events:
        html += "<b>{}</b><ul>{}</ul>".format(escape(_("Logistics")), events)
    if ctx.notes_zh:
        html += f"<p style='color:#555'>{escape(ctx.notes_zh)}</p>"
    return html


def result_html(result: AttemptResult) -> str:
    """Score and per-criterion verdicts; the facts are counted, never named."""
    colour = "#2e7d32" if result.passed else "#d32f2f"
    verdict = _("Passed") if result.passed else _("Not passed: a drill passes only at 100")
    score = _("Score: {score} / 100").format(score=result.score)
    head = f"<p style='color:{colour};font-weight:bold'>{escape(score)} — {escape(verdict)}</p>"
    lines = []
    for c in result.criteria:
        mark = "✔" if c.passed else "✘"
        label = _(CRITERION_LABELS.get(c.name, c.name))
        detail = f" ({escape(c.detail)})" if c.detail else ""
        lines.append(f"<li>{mark} {escape(label)}: {c.points}/{c.max_points}{detail}</li>")
    html = head + f"<ul>{''.join(lines)}</ul>"
    if result.comment:
        html += "<p><b>{}</b> {}</p>".format(
            escape(_("Trainer's comment ({name}):").format(name=result.commented_by or "")),
            escape(result.comment),
        )
    return html


class DrillTraineePanel(QWidget):
    submitted = Signal(object)  # AttemptResult
    failed = Signal(str)

    def __init__(
        self,
        service: DrillService,
        runner: TaskRunner,
        actor: DeskAgent,
        *,
        clock: Callable[[], datetime] = utcnow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.actor = actor
        self.clock = clock
        self.briefs: list[DrillBrief] = []
        self.history: list[AttemptResult] = []
        self.current: DrillBrief | None = None
        self.attempt: AttemptStart | None = None
        self.result: AttemptResult | None = None
        self._busy = False
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._update_countdown)
        self._build()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = QLabel(
            _("TRAINING MODE — mock tickets only: nothing you write here is sent to a buyer"), self
        )
        self.banner.setObjectName("trainingBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.drill_list = QListWidget(self)
        self.drill_list.setObjectName("drillList")
        self.drill_list.currentRowChanged.connect(self._select)
        self.empty = EmptyState(self.drill_list)
        self.history_label = QLabel(self)
        self.history_label.setObjectName("drillHistory")
        self.history_label.setWordWrap(True)
        self.history_label.setTextFormat(Qt.TextFormat.RichText)
        self.history_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left = QWidget(self)
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.addWidget(QLabel(_("Drills"), self))
        left_col.addWidget(self.drill_list, 2)
        left_col.addWidget(QLabel(_("My attempts"), self))
        left_col.addWidget(self.history_label, 1)

        self.title_label = QLabel(self)
        self.title_label.setObjectName("drillTitle")
        self.countdown = QLabel(self)
        self.countdown.setObjectName("drillCountdown")
        self.start_button = QPushButton(_("Start"), self)
        self.start_button.setObjectName("startDrill")
        self.start_button.setToolTip(_("Show the ticket and start the clock"))
        self.start_button.clicked.connect(self.start)
        head = QHBoxLayout()
        head.addWidget(self.title_label, 1)
        head.addWidget(self.countdown)
        head.addWidget(self.start_button)

        self.scenario = QLabel(self)
        self.scenario.setObjectName("drillScenario")
        self.scenario.setWordWrap(True)
        self.scenario.setTextFormat(Qt.TextFormat.RichText)
        self.scenario.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.context_label = QLabel(self)
        self.context_label.setObjectName("drillContext")
        self.context_label.setWordWrap(True)
        self.context_label.setTextFormat(Qt.TextFormat.RichText)
        self.answer = LintedEditor(self.runner, clock=self.clock, parent=self)
        self.submit_button = QPushButton(_("Submit answer"), self)
        self.submit_button.setObjectName("submitDrill")
        self.submit_button.clicked.connect(self.submit)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("drillResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.notice = QLabel(self)
        self.notice.setObjectName("drillNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color:#d32f2f")

        right = QWidget(self)
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(head)
        # The ticket (message, order, items, logistics) scrolls: at its full height it pushed
        # the window taller than a 720 px screen.
        ticket = QWidget(self)
        ticket_col = QVBoxLayout(ticket)
        ticket_col.setContentsMargins(0, 0, 0, 0)
        ticket_col.addWidget(self.scenario)
        ticket_col.addWidget(self.context_label)
        ticket_col.addStretch(1)
        self.ticket_area = QScrollArea(self)
        self.ticket_area.setObjectName("drillTicket")
        self.ticket_area.setWidget(ticket)
        self.ticket_area.setWidgetResizable(True)
        self.ticket_area.setFrameShape(QFrame.Shape.NoFrame)
        self.ticket_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        col.addWidget(self.ticket_area, 3)
        col.addWidget(self.answer, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.notice, 1)
        bottom.addWidget(self.submit_button)
        col.addLayout(bottom)
        col.addWidget(self.result_label)

        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([280, 720])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self._show_idle()

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        agent_id = self.actor.id

        def work() -> tuple[list[DrillBrief], list[AttemptResult]]:
            return self.service.drills(agent_id), self.service.history(agent_id)

        run_for(self, self.runner, work, self._loaded, self._failed)

    def _loaded(self, loaded: tuple[list[DrillBrief], list[AttemptResult]]) -> None:
        briefs, history = loaded
        selected = self.current.id if self.current else None
        self.briefs, self.history = briefs, history
        self.drill_list.blockSignals(True)
        self.drill_list.clear()
        for brief in briefs:
            family = _(FAMILY_LABELS.get(brief.family, brief.family))
            best = "" if brief.best_score is None else f" · {brief.best_score}"
            mark = "✔ " if brief.passed else ""
            minutes = _("{n} min").format(n=brief.time_limit_minutes)
            item = QListWidgetItem(f"{mark}{brief.title}\n{family} · {minutes}{best}")
            item.setToolTip(brief.set_title)
            self.drill_list.addItem(item)
        row = next((i for i, b in enumerate(briefs) if b.id == selected), -1)
        if row >= 0:
            # Reselecting the drill on screen keeps what it shows (a result, a running clock).
            self.drill_list.setCurrentRow(row)
            if self.attempt is None:
                self.current = briefs[row]
        self.drill_list.blockSignals(False)
        if briefs:
            self.empty.clear_message()
        else:
            self.empty.show_message(
                _("No drills yet: a trainer adds a drill set on the Trainer tab (Import drill "
                  "set…) or with “ozondesk drill import set.json”.")
            )
        self.history_label.setText(self._history_html(history))

    def _history_html(self, history: Sequence[AttemptResult]) -> str:
        if not history:
            return "<span style='color:#666'>{}</span>".format(escape(_("No attempts yet.")))
        lines = []
        for h in history[:30]:
            when = to_msk(h.submitted_at or h.started_at).strftime("%d.%m %H:%M")
            score = _("not submitted") if h.score is None else f"{h.score}/100"
            line = f"{when} {escape(h.drill_title)} — {escape(score)}"
            if h.comment:
                line += f"<br><i>{escape(h.comment)}</i>"
            lines.append(f"<li>{line}</li>")
        return f"<ul>{''.join(lines)}</ul>"

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        message = exc.message if isinstance(exc, UserError) else _("drills failed: {error}").format(error=exc)
        self.notice.setText(message)
        self.failed.emit(message)
        self._update_buttons()

    # -- one drill -----------------------------------------------------------------------
    def _select(self, row: int) -> None:
        if self.attempt is not None and self.result is None:
            return  # the list is locked while a drill runs
        self.current = self.briefs[row] if 0 <= row < len(self.briefs) else None
        self.attempt = None
        self.result = None
        self._show_idle()

    def _show_idle(self) -> None:
        self._tick.stop()
        brief = self.current
        self.title_label.setText(f"<b>{escape(brief.title)}</b>" if brief else escape(_("Choose a drill on the left.")))
        if brief is not None:
            hint = _("Time limit: {n} min. The ticket appears when you press Start.").format(
                n=brief.time_limit_minutes
            )
            if brief.open_attempt_id is not None:
                hint = _("You started this drill earlier: Start resumes it, and its clock kept running.")
            self.scenario.setText(escape(hint))
        else:
            self.scenario.clear()
        self.context_label.clear()
        self.countdown.clear()
        self.result_label.clear()
        self.notice.clear()
        self.answer.editor.clear()
        self.answer.set_read_only(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.attempt is not None and self.result is None
        self.start_button.setEnabled(self.current is not None and not running and not self._busy)
        self.start_button.setText(_("Try again") if self.result is not None else _("Start"))
        self.submit_button.setEnabled(running and not self._busy)
        self.drill_list.setEnabled(not running)

    def start(self) -> None:
        if self.current is None or self._busy:
            return
        self._busy = True
        self._update_buttons()
        agent_id, drill_id = self.actor.id, self.current.id
        run_for(self, self.runner, lambda: self.service.start(agent_id, drill_id), self._started, self._failed)

    def _started(self, attempt: AttemptStart) -> None:
        self._busy = False
        self.attempt = attempt
        self.result = None
        self.current = attempt.drill
        brief = attempt.drill
        self.scenario.setText(
            f"<p style='font-size:110%'>{escape(brief.scenario_ru)}</p>"
            f"<p style='color:#555'>{escape(brief.gloss_zh)}</p>"
        )
        self.context_label.setText(context_html(brief.context))
        self.result_label.clear()
        self.notice.clear()
        self.answer.editor.clear()
        self.answer.set_read_only(False)
        self.answer.editor.setFocus()
        self._tick.start()
        self._update_countdown()
        self._update_buttons()

    def seconds_left(self) -> float | None:
        if self.attempt is None:
            return None
        return (self.attempt.ends_at - self.clock()).total_seconds()

    def _update_countdown(self) -> None:
        left = self.seconds_left()
        if left is None or self.result is not None:
            self._tick.stop()
            return
        if left >= 0:
            self.countdown.setText(escape(_("Time left: {clock}").format(clock=format_clock(left))))
            self.countdown.setStyleSheet("color:#333" if left > 60 else "color:#ef8f00")
        else:
            self.countdown.setText(escape(_("Over the limit: {clock}").format(clock=format_clock(left))))
            self.countdown.setStyleSheet("color:#d32f2f;font-weight:bold")

    def submit(self) -> None:
        if self.attempt is None or self.result is not None or self._busy:
            return
        self.answer.lint_now()
        self._busy = True
        self.answer.set_read_only(True)
        self._update_buttons()
        agent_id, attempt_id, text = self.actor.id, self.attempt.attempt_id, self.answer.text
        run_for(self, self.runner, lambda: self.service.submit(agent_id, attempt_id, text), self._submitted,
                self._failed_submit)

    def _failed_submit(self, exc: BaseException) -> None:
        self.answer.set_read_only(False)
        self._failed(exc)

    def _submitted(self, result: AttemptResult) -> None:
        self._busy = False
        self.result = result
        self._tick.stop()
        if result.elapsed_seconds is not None:
            self.countdown.setText(escape(_("Time taken: {clock}").format(clock=format_clock(result.elapsed_seconds))))
            self.countdown.setStyleSheet("color:#333")
        self.result_label.setText(result_html(result))
        self._update_buttons()
        self.submitted.emit(result)
        self.refresh()
