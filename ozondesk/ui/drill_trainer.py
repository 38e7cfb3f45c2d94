"""The trainer's side of drills: drill sets in and out, trainees' results, comments, reports.

Buttons a role may not use are hidden, but the service checks every action again.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.drills import CRITERION_LABELS, save_set
from ozondesk.domain.roles import allowed
from ozondesk.errors import UserError
from ozondesk.i18n import _, ngettext
from ozondesk.services.drills import (
    AttemptReview,
    DrillService,
    DrillSetSummary,
    ImportOutcome,
    Person,
)
from ozondesk.services.preferences import DeskAgent
from ozondesk.ui.drill_results_model import DrillResultsModel, report_headers, report_rows, when
from ozondesk.ui.empty_state import EmptyState
from ozondesk.ui.pdf_export import save_pdf, table_html
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.tasks import TaskRunner


def review_html(r: AttemptReview) -> str:
    """An attempt for the trainer: the answer, each criterion, and the facts found and missed."""
    parts = [f"<p><b>{escape(r.trainee_name)}</b> — {escape(r.drill_title)} ({escape(when(r))} MSK)</p>"]
    if r.answer is not None:
        parts.append(f"<p style='white-space:pre-wrap;background:#f5f5f5;padding:4px'>{escape(r.answer)}</p>")
    else:
        parts.append("<p>{}</p>".format(escape(_("Not submitted yet."))))
    items = []
    for c in r.criteria:
        mark = "✔" if c.passed else "✘"
        detail = f" ({escape(c.detail)})" if c.detail else ""
        label = _(CRITERION_LABELS.get(c.name, c.name))
        items.append(f"<li>{mark} {escape(label)}: {c.points}/{c.max_points}{detail}</li>")
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    texts = dict(r.fact_texts)
    for label, facts in ((_("Facts found:"), r.facts_found), (_("Facts missing:"), r.facts_missing)):
        if facts:
            lines = "".join(f"<li>{escape(f)}: {escape(texts.get(f, ''))}</li>" for f in facts)
            parts.append(f"<b>{escape(label)}</b><ul>{lines}</ul>")
    for label, values in ((_("Lint errors:"), r.lint_errors), (_("Deadlines:"), r.deadlines)):
        if values:
            parts.append("<p><b>{}</b> {}</p>".format(escape(label), escape(", ".join(values))))
    return "".join(parts)


class DrillTrainerPanel(QWidget):
    failed = Signal(str)
    done = Signal(str)  # a one-line notice of what was just done

    def __init__(
        self, service: DrillService, runner: TaskRunner, actor: DeskAgent, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.actor = actor
        self.sets: list[DrillSetSummary] = []
        self.trainees: list[Person] = []
        self._build()

    def _build(self) -> None:
        can_author = allowed(self.actor.role, "drill.author")
        can_grade = allowed(self.actor.role, "drill.grade")

        self.set_list = QListWidget(self)
        self.set_list.setObjectName("drillSets")
        self.set_list.setWordWrap(True)
        self.empty = EmptyState(self.set_list)
        self.import_button = QPushButton(_("Import drill set…"), self)
        self.import_button.setObjectName("importDrillSet")
        self.import_button.clicked.connect(self._ask_import)
        self.export_button = QPushButton(_("Export drill set…"), self)
        self.export_button.setObjectName("exportDrillSet")
        self.export_button.clicked.connect(self._ask_export)
        for button in (self.import_button, self.export_button):
            button.setVisible(can_author)
        sets_box = QWidget(self)
        sets_col = QVBoxLayout(sets_box)
        sets_col.setContentsMargins(0, 0, 0, 0)
        sets_col.addWidget(QLabel(_("Drill sets"), self))
        sets_col.addWidget(self.set_list, 1)
        sets_col.addWidget(self.import_button)
        sets_col.addWidget(self.export_button)

        self.trainee_filter = QComboBox(self)
        self.trainee_filter.setObjectName("traineeFilter")
        self.trainee_filter.addItem(_("All trainees"), None)
        self.trainee_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.csv_button = QPushButton(_("Export CSV…"), self)
        self.csv_button.setObjectName("exportCsv")
        self.csv_button.clicked.connect(self._ask_csv)
        self.pdf_button = QPushButton(_("Export PDF…"), self)
        self.pdf_button.setObjectName("exportPdf")
        self.pdf_button.clicked.connect(self._ask_pdf)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Results of"), self))
        bar.addWidget(self.trainee_filter, 1)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)

        self.model = DrillResultsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("drillResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_selected())

        self.detail = QLabel(self)
        self.detail.setObjectName("attemptDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.comment_edit = QPlainTextEdit(self)
        self.comment_edit.setObjectName("commentEditor")
        self.comment_edit.setPlaceholderText(_("Comment for the trainee…"))
        self.comment_edit.setMaximumHeight(90)
        self.comment_button = QPushButton(_("Save comment"), self)
        self.comment_button.setObjectName("saveComment")
        self.comment_button.clicked.connect(self.save_comment)
        for widget in (self.comment_edit, self.comment_button):
            widget.setVisible(can_grade)
        self.notice = QLabel(self)
        self.notice.setObjectName("trainerNotice")
        self.notice.setWordWrap(True)

        results_box = QWidget(self)
        col = QVBoxLayout(results_box)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(bar)
        col.addWidget(self.table, 2)
        col.addWidget(self.detail, 1)
        col.addWidget(self.comment_edit)
        col.addWidget(self.comment_button, 0, Qt.AlignmentFlag.AlignRight)
        col.addWidget(self.notice)

        split = QSplitter(self)
        split.addWidget(sets_box)
        split.addWidget(results_box)
        split.setSizes([240, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        self._update_buttons()

    # -- loading -------------------------------------------------------------------------
    def selected_trainee(self) -> int | None:
        value = self.trainee_filter.currentData()
        return int(value) if value is not None else None

    def refresh(self) -> None:
        agent_id, trainee = self.actor.id, self.selected_trainee()

        def work() -> tuple[list[DrillSetSummary], list[Person], list[AttemptReview]]:
            return (self.service.sets(), self.service.trainees(agent_id),
                    self.service.results(agent_id, trainee))  # fmt: skip

        run_for(self, self.runner, work, self._loaded, self._failed)

    def _loaded(self, loaded: tuple[list[DrillSetSummary], list[Person], list[AttemptReview]]) -> None:
        self.sets, trainees, reviews = loaded
        selected = self.current_review()
        self.set_list.clear()
        for s in self.sets:
            self.set_list.addItem(
                ngettext("{title} ({n} drill, version {version})", "{title} ({n} drills, version {version})",
                         s.drills).format(title=s.title, n=s.drills, version=s.version)
            )
            self.set_list.item(self.set_list.count() - 1).setData(Qt.ItemDataRole.UserRole, s.slug)
        if self.set_list.count() and self.set_list.currentRow() < 0:
            self.set_list.setCurrentRow(0)
        if self.sets:
            self.empty.clear_message()
        elif self.import_button.isVisibleTo(self):
            self.empty.show_message(_("No drill sets yet: {import_} (a JSON file with its answer keys)."),
                                    import_=(_("import one"), self._ask_import))
        else:
            self.empty.show_message(_("No drill sets yet: a trainer imports them here."))
        if [p.id for p in trainees] != [p.id for p in self.trainees]:
            self.trainees = trainees
            current = self.selected_trainee()
            self.trainee_filter.blockSignals(True)
            self.trainee_filter.clear()
            self.trainee_filter.addItem(_("All trainees"), None)
            for p in trainees:
                self.trainee_filter.addItem(f"{p.name} ({p.login})", p.id)
            index = self.trainee_filter.findData(current) if current is not None else 0
            self.trainee_filter.setCurrentIndex(max(index, 0))
            self.trainee_filter.blockSignals(False)
        self.model.set_reviews(reviews)
        again = self.model.row_of(selected.id) if selected else -1
        if again >= 0:
            self.table.selectRow(again)
        self._show_selected()

    def _failed(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, UserError) else _("drills failed: {error}").format(error=exc)
        self._notify(message, error=True)
        self.failed.emit(message)

    def _notify(self, message: str, *, error: bool = False) -> None:
        self.notice.setStyleSheet("color:#d32f2f" if error else "color:#2e7d32")
        self.notice.setText(message)
        if not error:
            self.done.emit(message)

    # -- an attempt ----------------------------------------------------------------------
    @property
    def reviews(self) -> list[AttemptReview]:
        return self.model.reviews

    def current_review(self) -> AttemptReview | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.review(rows[0].row()) if rows else None

    def select_attempt(self, attempt_id: int) -> bool:
        row = self.model.row_of(attempt_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _show_selected(self) -> None:
        review = self.current_review()
        self.detail.setText(review_html(review) if review else "")
        self.comment_edit.setPlainText(review.comment or "" if review else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        review = self.current_review()
        self.comment_button.setEnabled(review is not None and review.submitted_at is not None)
        self.csv_button.setEnabled(bool(self.reviews))
        self.pdf_button.setEnabled(bool(self.reviews))
        self.export_button.setEnabled(self.set_list.count() > 0)

    def save_comment(self) -> None:
        review = self.current_review()
        if review is None:
            return
        agent_id, attempt_id, text = self.actor.id, review.id, self.comment_edit.toPlainText()
        run_for(self, self.runner, lambda: self.service.comment(agent_id, attempt_id, text), self._commented, self._failed)

    def _commented(self, review: AttemptReview) -> None:
        self._notify(_("Comment saved for {name}.").format(name=review.trainee_name))
        self.refresh()

    # -- files ---------------------------------------------------------------------------
    def _ask_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Import drill set"), "", _("Drill sets (*.json)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> None:
        agent_id = self.actor.id
        run_for(self, self.runner, lambda: self.service.import_file(agent_id, path), self._imported, self._failed)

    def _imported(self, outcome: ImportOutcome) -> None:
        self._notify(
            _("Drill set {id}: {added} added, {updated} updated, {archived} withdrawn.").format(
                id=outcome.slug, added=outcome.added, updated=outcome.updated, archived=outcome.archived
            )
        )
        self.refresh()

    def selected_set(self) -> str | None:
        item = self.set_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _ask_export(self) -> None:
        slug = self.selected_set()
        if slug is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export drill set"), f"{slug}.json", _("Drill sets (*.json)")
        )
        if path:
            self.export_set_to(path, slug)

    def export_set_to(self, path: str | Path, slug: str | None = None) -> None:
        agent_id = self.actor.id

        def work() -> str:
            drill_set = self.service.export_set(agent_id, slug)
            save_set(drill_set, path)
            return drill_set.id

        run_for(self, self.runner, work, lambda set_id: self._notify(
            _("Drill set {id} saved to {path}.").format(id=set_id, path=path)), self._failed)

    def _ask_csv(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Export results"), "drill-results.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> None:
        agent_id, trainee = self.actor.id, self.selected_trainee()

        def work() -> None:
            text = self.service.results_csv(agent_id, trainee)
            try:
                # A BOM, so spreadsheet programs read Chinese and Cyrillic names correctly.
                Path(path).write_text(text, encoding="utf-8-sig")
            except OSError as exc:
                raise UserError(
                    _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
                ) from None

        run_for(self, self.runner, work, lambda _r: self._notify(_("Results saved to {path}.").format(path=path)),
                        self._failed)

    def _ask_pdf(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Export results"), "drill-results.pdf", "PDF (*.pdf)")
        if path:
            self.export_pdf(path)

    def export_pdf(self, path: str | Path) -> bool:
        """The results shown, as a PDF report (laid out on the GUI thread; no database needed)."""
        title = _("Drill results")
        if self.selected_trainee() is not None:
            title += " — " + self.trainee_filter.currentText()
        try:
            save_pdf(str(path), title, table_html(report_headers(), report_rows(self.reviews)))
        except OSError as exc:
            self._notify(_("cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc),
                         error=True)
            return False
        self._notify(_("Results saved to {path}.").format(path=path))
        return True
