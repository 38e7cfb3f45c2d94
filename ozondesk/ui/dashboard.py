"""The team lead's dashboard: service figures per agent and per day or week, against the platform's targets.

Everything is computed on the database worker (:class:`~ozondesk.services.metrics.MetricsService`
streams the period's rows through :mod:`ozondesk.domain.metrics`), one Moscow day per job, so
neither the window nor the other work of the single worker waits for a period of 100,000
conversations; the template, presence and coverage figures are read meanwhile beside the worker
(:meth:`~ozondesk.ui.tasks.TaskRunner.run_aside`) when the database allows two readers at once; this widget only draws the result. A result that arrives after a newer
request was made is dropped. The service checks the role: an agent or trainer who opens the
dashboard sees the refusal, not figures. The first time the widget is shown it loads itself.
"""

from __future__ import annotations

import csv
import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ozondesk.atomic_file import replacing
from ozondesk.domain import metrics
from ozondesk.domain.clock import as_utc, msk_date, to_msk
from ozondesk.domain.metrics import ALL, BREACH_REASONS, BREACH_TITLES, AllAgents, Period, Tallies
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.metrics import (
    DashboardContext,
    DashboardData,
    MetricsService,
    assemble,
    day_steps,
)
from ozondesk.services.preferences import DeskAgent
from ozondesk.ui import dashboard_charts as charts
from ozondesk.ui.dashboard_models import (
    TableModel,
    agent_label,
    day_label,
    fill_agents,
    fill_coverage,
    fill_kinds,
    fill_targets,
    fill_templates,
    seconds,
)
from ozondesk.ui.empty_state import EmptyState
from ozondesk.ui.fitted_table import fit_columns
from ozondesk.ui.pdf_export import save_pdf, table_html
from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")

DEFAULT_DAYS = 14
DATE_DEBOUNCE_MS = 400
AgentKey = str | None | AllAgents


def _at_least(name: str, target: float) -> str:
    """A target's legend entry, e.g. "FRR ≥ 90%": the symbols read the same in every language."""
    return "{name} ≥ {target}".format(name=name, target=f"{target:g}%")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


@dataclass
class _Load:
    """One refresh in progress: its choices and what the worker has counted so far."""

    generation: int
    first: date
    last: date
    period: Period
    agent: AgentKey
    now: datetime
    steps: list[tuple[date, date]]
    counted: Tallies
    done: int = 0
    context: DashboardContext | None = None
    aside: bool = False  # the context is read beside the worker, while it counts
    failed: bool = False


class Dashboard(QWidget):
    loaded = Signal(object)  # DashboardData drawn
    failed = Signal(str)  # why nothing is shown
    progressed = Signal(int)  # percent of the period's days counted

    def __init__(
        self,
        service: MetricsService,
        runner: TaskRunner,
        actor: DeskAgent,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.actor = actor
        self.data: DashboardData | None = None
        self._generation = 0
        self._agent_keys: list[AgentKey] = [ALL]
        self._shown_once = False
        self._filling_agents = False
        self.summary = ""

        today = msk_date(service.clock())
        self.first_edit = QDateEdit(_qdate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.last_edit = QDateEdit(_qdate(today))
        for edit in (self.first_edit, self.last_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.period_box = QComboBox()
        self.period_box.addItem(_("per day"), "day")
        self.period_box.addItem(_("per week"), "week")
        self.agent_box = QComboBox()
        self.agent_box.addItem(_("All agents"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.csv_button = QPushButton(_("Export CSV…"))
        self.pdf_button = QPushButton(_("Export PDF…"))
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("From")))
        bar.addWidget(self.first_edit)
        bar.addWidget(QLabel(_("to")))
        bar.addWidget(self.last_edit)
        bar.addWidget(self.period_box)
        bar.addWidget(QLabel(_("Agent")))
        bar.addWidget(self.agent_box)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)

        self.status = QLabel(_("Choose a period and press Refresh."))
        self.status.setWordWrap(True)
        self.commission = QLabel()
        self.commission.setWordWrap(True)

        self.targets_model = TableModel(self)
        self.agents_model = TableModel(self)
        self.templates_model = TableModel(self)
        self.kinds_model = TableModel(self)
        self.kinds_view = self._table(self.kinds_model)
        self.kinds_view.setObjectName("dashboardKinds")
        self.coverage_model = TableModel(self)
        self.targets_view = self._table(self.targets_model)
        self.agents_view = self._table(self.agents_model)
        self.templates_view = self._table(self.templates_model)
        self.coverage_view = self._table(self.coverage_model)
        self.coverage_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.empty = EmptyState(self.agents_view)

        self.rates_view = self._chart_view()
        self.response_view = self._chart_view()
        self.breaches_view = self._chart_view()

        overview = QSplitter(Qt.Orientation.Vertical)
        overview.addWidget(self.targets_view)
        overview.addWidget(self.agents_view)
        trends = QWidget()
        grid = QGridLayout(trends)
        grid.addWidget(self.rates_view, 0, 0)
        grid.addWidget(self.response_view, 0, 1)
        grid.addWidget(self.breaches_view, 1, 0, 1, 2)
        coverage = QWidget()
        coverage_layout = QVBoxLayout(coverage)
        coverage_layout.addWidget(
            QLabel(_("Share of each hour (09:00–23:00 MSK) in which someone was online or away; grey “–”: no record yet, so unknown."))
        )
        coverage_layout.addWidget(self.coverage_view)
        self.tabs = QTabWidget()
        self.tabs.addTab(overview, _("Overview"))
        self.tabs.addTab(trends, _("Trends"))
        self.tabs.addTab(self.kinds_view, _("By kind"))
        self.tabs.addTab(self.templates_view, _("Templates"))
        self.tabs.addTab(coverage, _("Presence coverage"))
        from ozondesk.services.tickets import TicketService
        from ozondesk.ui.tickets.dashboard_panel import TicketFiguresPanel

        self.tickets_panel = TicketFiguresPanel(TicketService(service.db, service.clock), runner, self)
        self.tabs.addTab(self.tickets_panel, _("Ozon tickets"))

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.commission)
        layout.addWidget(self.tabs, 1)

        self._date_timer = QTimer(self)
        self._date_timer.setSingleShot(True)
        self._date_timer.setInterval(DATE_DEBOUNCE_MS)
        self._date_timer.timeout.connect(self.refresh)
        self.first_edit.dateChanged.connect(self._date_timer.start)
        self.last_edit.dateChanged.connect(self._date_timer.start)
        self.period_box.currentIndexChanged.connect(self.refresh)
        self.agent_box.currentIndexChanged.connect(self._agent_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())

    # -- building blocks ----------------------------------------------------------------

    def _table(self, model: TableModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        fit_columns(view)
        return view

    @staticmethod
    def _chart_view() -> QChartView:
        view = QChartView()
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(220)
        return view

    # -- choices ------------------------------------------------------------------------

    def period(self) -> tuple[date, date]:
        return _pydate(self.first_edit.date()), _pydate(self.last_edit.date())

    def granularity(self) -> Period:
        return "week" if self.period_box.currentData() == "week" else "day"

    def agent(self) -> AgentKey:
        index = self.agent_box.currentIndex()
        return self._agent_keys[index] if 0 <= index < len(self._agent_keys) else ALL

    def set_agent(self, key: AgentKey) -> None:
        """Choose the agent filter (ALL, a login, or None for unassigned) once it is listed."""
        if key in self._agent_keys:
            self.agent_box.setCurrentIndex(self._agent_keys.index(key))

    def _agent_changed(self, _index: int) -> None:
        if not self._filling_agents:
            self.refresh()

    # -- loading ------------------------------------------------------------------------

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)  # type: ignore[arg-type]
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def refresh(self) -> None:
        """(Re)load the figures for the chosen period on the worker; a stale answer is dropped.

        The conversations are counted a few days per worker job, each job queued when the
        last one is back, so an inbox page or a draft save asked for meanwhile waits for one
        step, not for the whole period."""
        self._date_timer.stop()
        self._shown_once = True
        self._generation += 1
        first, last = self.period()
        try:
            steps = day_steps(first, last)
        except UserError as exc:
            self._failed(self._generation, exc)
            return
        load = _Load(
            generation=self._generation,
            first=first,
            last=last,
            period=self.granularity(),
            agent=self.agent(),
            now=as_utc(self.service.clock()),
            steps=steps,
            counted=Tallies(first, last, self.granularity()),
        )
        self.status.setText(_("Loading…"))
        self.tickets_panel.load(first, last, load.now)
        service, actor_id = self.service, self.actor.id
        # Templates, presence and names do not depend on the counts: on a database each
        # reader reaches through its own connection they are read beside the worker while it
        # counts the days, so the figures come about that much sooner.
        load.aside = service.concurrent_reads
        run = self.runner.run_aside if load.aside else self.runner.run
        run(
            lambda: service.context(actor_id, first, last, load.agent, load.now),
            lambda context: self._context_loaded(load, context),
            lambda exc: self._load_failed(load, exc),
        )
        if load.aside:
            self._next_step(load)

    def _context_loaded(self, load: _Load, context: DashboardContext) -> None:
        if load.generation != self._generation or load.failed:
            return
        load.context = context
        if not load.aside or load.done == len(load.steps):
            self._next_step(load)

    def _next_step(self, load: _Load) -> None:
        service, actor_id = self.service, self.actor.id
        if load.done == len(load.steps):
            context = load.context
            if context is None:
                return  # counted before the context came: its arrival assembles
            self.runner.run(
                lambda: assemble(context, load.counted),
                lambda data: self._loaded(load.generation, data),
                lambda exc: self._load_failed(load, exc),
            )
            return
        step_first, step_last = load.steps[load.done]

        def count() -> None:
            # Merged on the worker: the GUI thread never touches the tallies.
            load.counted.merge(
                service.tally_days(
                    actor_id, load.first, load.last, step_first, step_last, load.period, load.now
                )
            )

        self.runner.run(
            count,
            lambda _none: self._step_done(load),
            lambda exc: self._load_failed(load, exc),
        )

    def _step_done(self, load: _Load) -> None:
        if load.generation != self._generation or load.failed:
            return
        load.done += 1
        percent = round(100 * load.done / len(load.steps))
        self.status.setText(_("Loading… {percent}%").format(percent=percent))
        self.progressed.emit(percent)
        self._next_step(load)

    def _load_failed(self, load: _Load, exc: BaseException) -> None:
        # The context and the counts both check the role: say why once, and count no further.
        if load.failed:
            return
        load.failed = True
        self._failed(load.generation, exc)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        message = str(exc)
        self.status.setText(_("Cannot show the figures: {reason}").format(reason=message))
        self.failed.emit(message)

    def _loaded(self, generation: int, data: DashboardData) -> None:
        if generation != self._generation:
            return
        self.data = data
        self._fill_agent_box(data)
        report = data.report
        names = data.agent_names
        fill_targets(self.targets_model, report)
        fill_agents(self.agents_model, report, names)
        fill_kinds(self.kinds_model, report)
        fill_templates(self.templates_model, data.templates)
        fill_coverage(self.coverage_model, data.coverage)
        for view in (self.targets_view, self.agents_view, self.kinds_view, self.templates_view):
            view.resizeColumnsToContents()  # a few dozen rows: cheap
        self._draw_charts(data)
        t = report.total
        if t.conversations:
            self.empty.clear_message()
        else:
            self.empty.show_message(
                _("No buyer conversations in this period: choose a longer period, or sync with "
                  "Ozon first (F5) — the figures appear as conversations come in.")
            )
        self.commission.setText(self.commission_text(t.frr, t.commission_penalty_pct))
        self.summary = _(
            "{first} – {last} (Moscow days): {n} buyer conversations; figures as of {now} MSK."
        ).format(
            first=report.first_day.isoformat(),
            last=report.last_day.isoformat(),
            n=t.conversations,
            now=to_msk(data.now).strftime("%Y-%m-%d %H:%M"),
        )
        self.status.setText(self.summary)
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(True)
        self.loaded.emit(data)

    @staticmethod
    def commission_text(frr: float | None, penalty: float) -> str:
        if frr is None:
            return _("Commission estimate: no conversation was due in this period.")
        if penalty <= 0:
            return _("Commission estimate: FRR {frr} meets the 90% target; no extra commission.").format(
                frr=f"{frr:.1f}%"
            )
        return _(
            "Commission estimate: FRR {frr} is under 90%, which costs about {penalty} of "
            "commission (0.1% per point, at most 0.5%)."
        ).format(frr=f"{frr:.1f}%", penalty=f"{penalty:.2f}%")

    def _fill_agent_box(self, data: DashboardData) -> None:
        keys: list[AgentKey] = [ALL, *sorted(data.agent_names), None]
        if keys == self._agent_keys:
            return
        current = self.agent()
        self._filling_agents = True
        try:
            self.agent_box.clear()
            for key in keys:
                if isinstance(key, AllAgents):
                    self.agent_box.addItem(_("All agents"))
                else:
                    self.agent_box.addItem(agent_label(key, data.agent_names))
            self._agent_keys = keys
            self.agent_box.setCurrentIndex(keys.index(current) if current in keys else 0)
        finally:
            self._filling_agents = False

    def _draw_charts(self, data: DashboardData) -> None:
        report, agent = data.report, data.agent
        targets = report.targets
        points = report.series_for(agent)
        labels = [day_label(d) for d, _f in points]
        self._set_chart(
            self.rates_view,
            charts.line_chart(
                _("Rates"),
                labels,
                [
                    (_("FRR"), [f.frr for _d, f in points]),
                    (_("Response rate"), [f.response_rate for _d, f in points]),
                    (_("Resolved in 48 h"), [f.resolved_48h_rate for _d, f in points]),
                ],
                [
                    (_at_least(_("FRR"), targets.frr_pct), targets.frr_pct, 0),
                    (_at_least(_("Response rate"), targets.response_rate_pct), targets.response_rate_pct, 1),
                    (_at_least(_("Resolved in 48 h"), targets.resolved_48h_pct), targets.resolved_48h_pct, 2),
                ],
                "%",
                y_max=100.0,
            ),
        )
        chat = report.series_for(agent, "buyer_chat")
        self._set_chart(
            self.response_view,
            charts.line_chart(
                _("First response in chat, seconds"),
                labels,
                [
                    (_("Average"), [f.avg_first_response_s for _d, f in chat]),
                    (_("Median"), [f.median_first_response_s for _d, f in chat]),
                    (_("90th percentile"), [f.p90_first_response_s for _d, f in chat]),
                ],
                [("{name} ≤ {limit}".format(name=_("Average"), limit=seconds(targets.avg_chat_response_s)),
                  targets.avg_chat_response_s, 0)],
                _("s"),
            ),
        )
        self._set_chart(
            self.breaches_view,
            charts.stacked_bar_chart(
                _("SLA breaches by reason"),
                labels,
                [(_(BREACH_TITLES[r]), [f.breaches.get(r, 0) for _d, f in points]) for r in BREACH_REASONS],
            ),
        )

    @staticmethod
    def _set_chart(view: QChartView, chart: QChart) -> None:
        old = view.chart()
        view.setChart(chart)
        # QChartView owns the chart it shows; the replaced one is ours to delete.
        if old is not None and old is not chart:
            old.deleteLater()

    # -- export ---------------------------------------------------------------------------

    def _shown_period(self) -> tuple[date, date]:
        """The period of the figures on screen (the date fields may have moved on since)."""
        if self.data is None:
            return self.period()
        return self.data.report.first_day, self.data.report.last_day

    def _default_name(self, suffix: str) -> str:
        first, last = self._shown_period()
        return f"ozondesk-report-{first.isoformat()}-{last.isoformat()}.{suffix}"

    def _export(
        self, path: str | None, caption: str, suffix: str, file_filter: str,
        write: Callable[[str], None],
    ) -> bool:
        """Ask for the file when ``path`` is None, ``write`` it, and say how that went."""
        if self.data is None:
            return False
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, caption, self._default_name(suffix), file_filter)
            if not path:
                return False
        try:
            write(path)
        except OSError as exc:
            self.status.setText(
                _("Cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
            )
            return False
        self.status.setText(_("Saved {path}").format(path=path))
        return True

    def export_csv(self, path: str | None = None) -> bool:
        """The per-agent and total rows, as ``ozondesk report --format csv`` writes them."""

        def write(target: str) -> None:
            assert self.data is not None
            with replacing(target) as temporary, open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(metrics.CSV_HEADER)
                writer.writerows(metrics.csv_rows(self.data.report, self.data.agent_names))

        return self._export(path, _("Export CSV"), "csv", _("CSV files (*.csv)"), write)

    def report_html(self) -> str:
        """The dashboard's tables as HTML, for the PDF."""
        if self.data is None:
            return ""
        parts = [f"<p>{html.escape(self.summary)}</p>", f"<p>{html.escape(self.commission.text())}</p>"]
        for title, model in (
            (_("Targets"), self.targets_model),
            (_("Agents"), self.agents_model),
            (_("By kind"), self.kinds_model),
            (_("Templates"), self.templates_model),
            (_("Presence coverage, % of each hour"), self.coverage_model),
        ):
            headers, rows = model.cells()
            parts.append(f"<h3>{html.escape(title)}</h3>")
            parts.append(table_html(headers, rows))
        return "".join(parts)

    def export_pdf(self, path: str | None = None) -> bool:
        def write(target: str) -> None:
            first, last = self._shown_period()
            title = _("Service report {first} – {last}").format(first=first.isoformat(), last=last.isoformat())
            with replacing(target) as temporary:
                save_pdf(str(temporary), title, self.report_html())

        return self._export(path, _("Export PDF"), "pdf", _("PDF files (*.pdf)"), write)
