"""The lead's dashboard: loads on the worker, shows the domain's figures, filters, exports; refuses agents."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QLineSeries
from PySide6.QtCore import QDate, Qt

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.metrics import ALL
from ozondesk.services.metrics import MetricsService
from ozondesk.services.preferences import DeskAgent
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Agent,
    Conversation,
    PresenceEventRow,
    ReplyTemplate,
    Shop,
    TemplateRevision,
    TemplateUse,
)
from ozondesk.ui.dashboard import Dashboard
from ozondesk.ui.tasks import TaskRunner


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


NOW = msk(20, 12)


@pytest.fixture
def people(db: Database) -> dict[str, DeskAgent]:
    """Two agents and a lead; conversations of 19–20 Nov with known figures; a template use; presence."""
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(msk(1, 9)))
        s.add(shop)
        s.flush()
        agents = {lg: Agent(shop_id=shop.id, login=lg, display_name=n, role=r)
                  for lg, n, r in (("wang", "王芳", "agent"), ("li", "李伟", "agent"), ("zhao", "赵婷", "lead"))}
        s.add_all(agents.values())
        s.flush()
        rows = [
            ("wang", msk(19, 10), msk(19, 10, 5)),  # in SLA
            ("wang", msk(19, 10), msk(19, 10, 20)),  # late
            ("li", msk(19, 10), msk(19, 10, 10)),  # in SLA
            ("li", msk(20, 10), None),  # overdue
        ]
        convs = []
        for n, (login, received, reply) in enumerate(rows):
            conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id=str(n),
                                sla_policy="chat-first-response", received_at=naive(received),
                                first_response_at=naive(reply) if reply else None,
                                assignee_id=agents[login].id)
            s.add(conv)
            convs.append(conv)
        template = ReplyTemplate(slug="eta", category="order-status", tags=[], gloss_zh="", channel="chat",
                                 language="ru", usage_count=1, archived=False, created_at=naive(msk(1, 9)))
        s.add(template)
        s.flush()
        revision = TemplateRevision(template_id=template.id, number=1, title="Срок доставки", body="…",
                                    status="approved", created_at=naive(msk(1, 9)),
                                    effective_at=naive(msk(2, 9)))
        s.add(revision)
        s.flush()
        s.add(TemplateUse(template_id=template.id, revision_id=revision.id, conversation_id=convs[0].id,
                          agent_id=agents["wang"].id, used_at=naive(msk(19, 10, 5)), inserted_chars=40,
                          edit_distance=10))
        s.add(PresenceEventRow(agent_id=agents["li"].id, status="online", at=naive(msk(19, 9))))
        s.add(PresenceEventRow(agent_id=agents["li"].id, status="offline", at=naive(msk(19, 9, 30))))
        return {lg: DeskAgent(a.id, lg, a.display_name, "Shop", a.role) for lg, a in agents.items()}


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


def make(qtbot: Any, db: Database, runner: TaskRunner, actor: DeskAgent) -> Dashboard:
    dash = Dashboard(MetricsService(db, clock=lambda: NOW), runner, actor)
    qtbot.addWidget(dash)
    dash.first_edit.setDate(QDate(2026, 11, 19))
    dash.last_edit.setDate(QDate(2026, 11, 20))
    dash._date_timer.stop()  # the tests refresh themselves
    return dash


def load(qtbot: Any, dash: Dashboard) -> None:
    with qtbot.waitSignal(dash.loaded, timeout=10000):
        dash.refresh()


def cell(model: Any, row: int, column: int) -> str:
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def test_a_lead_sees_the_figures(qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent],
                                 qtmodeltester: Any) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    load(qtbot, dash)
    assert dash.data is not None and dash.data.report.total.frr == 50.0
    agents = dash.agents_model
    assert [cell(agents, r, 0) for r in range(agents.rowCount())] == ["李伟 (li)", "王芳 (wang)", "All agents"]
    assert [cell(agents, 2, c) for c in (1, 2, 3)] == ["4", "4", "50.0%"]
    assert cell(agents, 1, 4) == "12.5 min"  # (5 + 20) / 2 minutes
    targets = dash.targets_model
    assert [cell(targets, 0, c) for c in range(4)] == ["First response rate (FRR)", "50.0%", "≥ 90.0%", "missed"]
    assert targets.data(targets.index(0, 3), Qt.ItemDataRole.BackgroundRole) is not None
    assert "0.50%" in dash.commission.text()
    assert cell(dash.templates_model, 0, 0) == "Срок доставки" and cell(dash.templates_model, 0, 4) == "25.0%"
    assert cell(dash.coverage_model, 0, 0) == "50"  # 09:00–10:00 on the 19th: half covered
    assert dash.coverage_model.headerData(0, Qt.Orientation.Vertical) == "19.11"
    for model in (dash.targets_model, dash.agents_model, dash.templates_model, dash.coverage_model):
        qtmodeltester.check(model, force_py=True)
    assert [dash.agent_box.itemText(i) for i in range(dash.agent_box.count())] == [
        "All agents", "李伟 (li)", "王芳 (wang)", "赵婷 (zhao)", "Unassigned"]


def test_charts_have_the_targets_as_lines(qtbot: Any, db: Database, runner: TaskRunner,
                                          people: dict[str, DeskAgent]) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    load(qtbot, dash)
    rates = {s.name(): s for s in dash.rates_view.chart().series()}
    frr_target = rates["FRR ≥ 90%"]
    assert isinstance(frr_target, QLineSeries)
    assert {p.y() for p in frr_target.points()} == {90.0}
    assert [(p.x(), p.y()) for p in rates["FRR"].points()] == [(0, 200 / 3), (1, 0.0)]
    response = {s.name(): s for s in dash.response_view.chart().series()}
    assert {p.y() for p in response["Average ≤ 120 s"].points()} == {120.0}
    assert [p.y() for p in response["Median"].points()] == [600.0]  # 5, 10 and 20 min; none on the 20th
    (bars,) = dash.breaches_view.chart().series()
    slow = next(b for b in bars.barSets() if b.label() == "slow reply")
    assert [slow.at(i) for i in range(slow.count())] == [1.0, 1.0]


def test_the_agent_filter_and_weeks_reload(qtbot: Any, db: Database, runner: TaskRunner,
                                           people: dict[str, DeskAgent]) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    load(qtbot, dash)
    with qtbot.waitSignal(dash.loaded, timeout=10000) as blocker:
        dash.set_agent("li")
    data = blocker.args[0]
    assert data.agent == "li" and dash.agent() == "li"
    assert dash.templates_model.rowCount() == 0  # li used no template
    assert cell(dash.coverage_model, 0, 0) == "50"
    rates = {s.name(): s for s in dash.rates_view.chart().series()}
    assert [(p.x(), p.y()) for p in rates["FRR"].points()] == [(0, 100.0), (1, 0.0)]
    with qtbot.waitSignal(dash.loaded, timeout=10000) as blocker:
        dash.set_agent("wang")
    assert cell(dash.coverage_model, 0, 0) == "0"
    with qtbot.waitSignal(dash.loaded, timeout=10000) as blocker:
        dash.period_box.setCurrentIndex(1)
    assert [d for d, _f in blocker.args[0].report.series_for(ALL)] == [date(2026, 11, 16)]


def test_exports(qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent],
                 tmp_path: Path) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    assert not dash.export_csv(str(tmp_path / "early.csv"))  # nothing loaded yet
    load(qtbot, dash)
    out = tmp_path / "r.csv"
    assert dash.export_csv(str(out))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["scope"], r["agent"], r["frr"]) for r in rows] == [
        ("agent", "li", "50.0"), ("agent", "wang", "50.0"), ("total", "", "50.0")]
    pdf = tmp_path / "r.pdf"
    assert dash.export_pdf(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Срок доставки" in dash.report_html() and "王芳 (wang)" in dash.report_html()
    assert not dash.export_csv(str(tmp_path / "missing" / "r.csv"))
    assert "Cannot write" in dash.status.text()


@pytest.mark.parametrize("login", ["wang", "li"])
def test_an_agent_is_refused_by_the_service(qtbot: Any, db: Database, runner: TaskRunner,
                                            people: dict[str, DeskAgent], login: str) -> None:
    # The desk agent claims to be a lead: the service reads the role from the store.
    impostor = DeskAgent(people[login].id, login, "x", "Shop", "lead")
    dash = make(qtbot, db, runner, impostor)
    with qtbot.waitSignal(dash.failed, timeout=10000) as blocker:
        dash.refresh()
    assert "only a team lead" in blocker.args[0]
    assert dash.data is None and dash.agents_model.rowCount() == 0
    assert not dash.csv_button.isEnabled()


def test_a_bad_period_says_what_to_fix(qtbot: Any, db: Database, runner: TaskRunner,
                                       people: dict[str, DeskAgent]) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    dash.first_edit.setDate(QDate(2026, 11, 21))
    with qtbot.waitSignal(dash.failed, timeout=10000):
        dash.refresh()
    assert "swap the dates" in dash.status.text()


def test_first_show_loads(qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent]) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    with qtbot.waitSignal(dash.loaded, timeout=10000):
        dash.show()


def test_other_work_runs_between_the_counting_steps(qtbot: Any, db: Database, runner: TaskRunner,
                                                   people: dict[str, DeskAgent]) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    order: list[str] = []

    def step(percent: int) -> None:
        order.append(f"step {percent}")
        if percent == 50:  # an inbox page asked for while the dashboard counts
            runner.run(lambda: "page", lambda _r: order.append("other job"))

    dash.progressed.connect(step)
    dash.loaded.connect(lambda _d: order.append("dashboard"))
    with qtbot.waitSignal(dash.loaded, timeout=10000):
        dash.refresh()
    # Two Moscow days, one step each; the page is served before the second day is counted.
    assert order == ["step 50", "other job", "step 100", "dashboard"]


def test_a_newer_refresh_wins(qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent]) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    drawn: list[Any] = []
    dash.loaded.connect(drawn.append)
    dash.refresh()
    dash.period_box.setCurrentIndex(1)  # refreshes again, per week
    qtbot.waitUntil(lambda: bool(drawn) and runner.pending == 0, timeout=10000)
    assert [d.report.period for d in drawn] == ["week"]


def test_coverage_before_the_first_presence_record_is_drawn_as_unknown(
    qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent]
) -> None:
    dash = make(qtbot, db, runner, people["zhao"])
    dash.first_edit.setDate(QDate(2026, 11, 18))  # the first record is on the 19th at 09:00
    dash._date_timer.stop()
    load(qtbot, dash)
    model = dash.coverage_model
    assert model.headerData(0, Qt.Orientation.Vertical) == "18.11"
    assert [cell(model, 0, c) for c in range(model.columnCount())] == ["–"] * 14
    grey = model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert grey is not None and grey.name() == "#d0d0d0"
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert tip == "2026-11-18, 09:00–10:00 MSK: no record (before the first presence record)"
    assert cell(model, 1, 0) == "50" and cell(model, 1, 1) == "0"  # the 19th: known, not grey
    assert model.data(model.index(1, 1), Qt.ItemDataRole.BackgroundRole).name() != "#d0d0d0"
    assert cell(model, 2, 2) == "0" and cell(model, 2, 3) == ""  # the 20th at 12:00: not begun


def test_a_failed_export_leaves_neither_a_partial_file_nor_a_temporary_one(
    qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    from ozondesk.ui import dashboard as dashboard_module

    dash = make(qtbot, db, runner, people["zhao"])
    load(qtbot, dash)
    folder = tmp_path / "exports"
    folder.mkdir()
    earlier = folder / "r.csv"
    earlier.write_text("last week's report\n", encoding="utf-8")

    def rows_then_full_disk(*_args: Any) -> Iterator[list[str]]:
        yield ["agent", "li"]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dashboard_module.metrics, "csv_rows", rows_then_full_disk)
    assert not dash.export_csv(str(earlier))
    assert dash.status.text() == f"Cannot write {earlier}: No space left on device"

    def half_a_pdf(path: str, _title: str, _body: str) -> None:
        Path(path).write_bytes(b"%PDF-1.4 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dashboard_module, "save_pdf", half_a_pdf)
    assert not dash.export_pdf(str(folder / "r.pdf"))
    assert dash.status.text() == f"Cannot write {folder / 'r.pdf'}: No space left on device"
    # The earlier file is intact, no PDF was made, no temporary file is left.
    assert sorted(p.name for p in folder.iterdir()) == ["r.csv"]
    assert earlier.read_text(encoding="utf-8") == "last week's report\n"


def test_the_context_is_read_beside_the_counting_steps(qtbot: Any, db: Database, runner: TaskRunner,
                                                       people: dict[str, DeskAgent]) -> None:
    import threading

    dash = make(qtbot, db, runner, people["zhao"])
    service = dash.service
    counting = threading.Event()
    threads: dict[str, str] = {}
    real_context, real_tally = service.context, service.tally_days

    def context(*args: Any) -> Any:
        threads["context"] = threading.current_thread().name
        # Read in turn, the worker would count nothing before the context is back: this
        # waits in vain and the load fails instead of hanging.
        assert counting.wait(30), "no day was counted while the context was read"
        return real_context(*args)

    def tally_days(*args: Any) -> Any:
        threads.setdefault("tally", threading.current_thread().name)
        counting.set()
        return real_tally(*args)

    service.context = context  # type: ignore[method-assign]
    service.tally_days = tally_days  # type: ignore[method-assign]
    load(qtbot, dash)
    assert threads["context"].startswith("ozondesk-db-aside")
    assert threads["tally"].startswith("ozondesk-db_")
    assert dash.data == MetricsService(db, clock=lambda: NOW).dashboard_in_turn(
        people["zhao"].id, date(2026, 11, 19), date(2026, 11, 20))
    assert runner.pending == 0


def test_in_turn_on_the_worker_when_readers_share_a_connection(
    qtbot: Any, db: Database, runner: TaskRunner, people: dict[str, DeskAgent], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setattr(MetricsService, "concurrent_reads", property(lambda _self: False))
    dash = make(qtbot, db, runner, people["zhao"])
    threads: list[str] = []
    real_context = dash.service.context

    def context(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real_context(*args)

    dash.service.context = context  # type: ignore[method-assign]
    load(qtbot, dash)
    assert len(threads) == 1 and threads[0].startswith("ozondesk-db_")
    assert dash.data is not None and dash.data.report.total.frr == 50.0


def test_a_refusal_is_said_once(qtbot: Any, db: Database, runner: TaskRunner,
                                people: dict[str, DeskAgent]) -> None:
    impostor = DeskAgent(people["wang"].id, "wang", "x", "Shop", "lead")
    dash = make(qtbot, db, runner, impostor)
    said: list[str] = []
    dash.failed.connect(said.append)
    dash.refresh()
    # Both the context and the first day's count check the role; the second count is never asked.
    qtbot.waitUntil(lambda: bool(said) and runner.pending == 0, timeout=10000)
    assert len(said) == 1 and "only a team lead" in said[0]
