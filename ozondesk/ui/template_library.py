"""The template library: every template with its live and pending revision, and an editor.

Anyone on the desk proposes a template or a change (Save draft, Submit for review);
only a lead is offered to review it. The body is linted while typing with the
composer's highlighter, and the screen says when a submission would take effect:
three working days later, the live text staying until then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain import review
from ozondesk.domain.clock import utcnow
from ozondesk.domain.display_names import category_name
from ozondesk.domain.lint import Finding
from ozondesk.domain.roles import allowed
from ozondesk.domain.template_lint import lint_template_body
from ozondesk.domain.templates import CATEGORIES, language_for
from ozondesk.i18n import N_, _
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.templates import (
    RevisionRecord,
    TemplateHistory,
    TemplateRecord,
    TemplateService,
)
from ozondesk.ui.empty_state import EmptyState
from ozondesk.ui.findings_list import severity_item
from ozondesk.ui.fitted_table import fit_columns
from ozondesk.ui.lint_highlighter import LintHighlighter
from ozondesk.ui.table_models import RecordTableModel, WordSearch, fold
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.template_review import (
    Clock,
    error_text,
    format_msk,
    run_for,
    status_label,
)

log = logging.getLogger("ozondesk.ui")

LINT_MS = 250
SAVE_KEYS = "Ctrl+S"
NEW_KEYS = "Ctrl+Shift+N"
# For the desk's keyboard help: (keys, what they do).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    (SAVE_KEYS, N_("Save the template as a draft")),
    (NEW_KEYS, N_("Start a new template")),
)
LIBRARY_COLUMNS = (N_("Template"), N_("Category"), N_("Live"), N_("In work"), N_("Uses"))


def haystack(record: TemplateRecord) -> str:
    titles = [r.title for r in (record.live, record.pending) if r is not None]
    return fold(" ".join((record.slug, record.category, category_name(record.category), record.gloss_zh,
                          *record.tags, *titles)))


def title_of(record: TemplateRecord) -> str:
    shown = record.live or record.pending
    return shown.title if shown is not None else record.slug


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]


class TemplateLibraryModel(RecordTableModel[TemplateRecord]):
    """Templates matching the search: every word must occur in slug, title, tags or gloss."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = WordSearch(haystack)

    def set_templates(self, records: Sequence[TemplateRecord]) -> None:
        self._search.set_records(records)
        self._reset(self._search.shown())

    def set_query(self, query: str) -> None:
        self._search.query = query
        self._reset(self._search.shown())

    @property
    def total(self) -> int:
        """Templates loaded, whatever the search."""
        return len(self._search.records)

    def record(self, row: int) -> TemplateRecord | None:
        return self.at(row)

    def row_of(self, template_id: int) -> int:
        return self.find(lambda r: r.id == template_id)

    def headers(self) -> list[str]:
        return [_(c) for c in LIBRARY_COLUMNS]

    def cell(self, r: TemplateRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{title_of(r)}\n{r.gloss_zh}" if r.gloss_zh else title_of(r)
            if column == 1:
                return category_name(r.category)
            if column == 2:
                return f"#{r.live.number}" if r.live is not None else "—"
            if column == 3:
                return pending_text(r.pending)
            return r.usage_count
        if role == Qt.ItemDataRole.ToolTipRole:
            return ", ".join(r.tags) or r.slug
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None


def pending_text(pending: RevisionRecord | None) -> str:
    if pending is None:
        return "—"
    text = f"#{pending.number} {status_label(pending.status)}"
    if pending.status == "submitted":
        text += " → " + format_msk(pending.effective_at)
    return text


class TemplateLibrary(QWidget):
    loaded = Signal()  # the list is shown
    opened = Signal(int)  # template id whose revisions the editor shows
    saved = Signal(object)  # RevisionRecord saved (draft) or submitted
    refused = Signal(str)  # one-line reason shown
    linted = Signal()
    review_requested = Signal(int)  # revision id, for the lead's review workspace

    def __init__(
        self,
        service: TemplateService,
        runner: TaskRunner,
        actor: DeskAgent,
        parent: QWidget | None = None,
        *,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("template-library")
        self.service, self.runner, self.actor, self.clock = service, runner, actor, clock
        self.can_edit = allowed(actor.role, "template.edit")
        self.can_review = allowed(actor.role, "template.review")
        self.template_id: int | None = None  # None: the editor holds a new template
        self.pending: RevisionRecord | None = None
        self.findings: list[Finding] = []
        self._busy = False
        self._select_after: int | None = None
        self._loaded: tuple[str, ...] = ()

        self.search = QLineEdit(self)
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText(_("Search templates by title, tag or Chinese gloss…"))
        self.search.setClearButtonEnabled(True)
        self.model = TemplateLibraryModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        fit_columns(self.table, stretch=0)  # the title takes what the short columns leave
        self.empty = EmptyState(self.table)
        self._listed = False  # the first list has arrived: an empty one means no templates
        self.new_button = QPushButton(_("New template"), self)
        self.new_button.setObjectName("newTemplate")

        self.slug = QLineEdit(self)
        self.slug.setObjectName("templateSlug")
        self.slug.setPlaceholderText(_("latin-letters-and-hyphens"))
        self.title = QLineEdit(self)
        self.title.setObjectName("templateTitle")
        self.category = QComboBox(self)
        self.category.setObjectName("templateCategory")
        for code in CATEGORIES:
            self.category.addItem(category_name(code), code)  # shown translated, stored as code
        self.tags = QLineEdit(self)
        self.tags.setObjectName("templateTags")
        self.tags.setPlaceholderText(_("comma-separated, e.g. возврат, деньги"))
        self.gloss = QLineEdit(self)
        self.gloss.setObjectName("templateGloss")
        self.gloss.setPlaceholderText(_("what the template says, in Chinese"))
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("templateBody")
        self.body.setPlaceholderText(_("Russian text for buyers; placeholders like {deadline_msk}"))
        self.highlighter = LintHighlighter(self.body.document())
        self.lint_list = QListWidget(self)
        self.lint_list.setObjectName("templateFindings")
        self.lint_list.setMaximumHeight(100)
        self.state = QLabel(self)
        self.state.setObjectName("templateState")
        self.state.setWordWrap(True)
        self.effect = QLabel(self)
        self.effect.setObjectName("templateEffect")
        self.effect.setWordWrap(True)
        self.save_button = QPushButton(_("Save draft"), self)
        self.save_button.setObjectName("saveDraft")
        self.submit_button = QPushButton(_("Submit for review"), self)
        self.submit_button.setObjectName("submitTemplate")
        self.review_button = QPushButton(_("Open in review"), self)
        self.review_button.setObjectName("openReview")
        self.message = QLabel(self)
        self.message.setObjectName("libraryMessage")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow(_("Id"), self.slug)
        form.addRow(_("Title"), self.title)
        form.addRow(_("Category"), self.category)
        form.addRow(_("Tags"), self.tags)
        form.addRow(_("Chinese gloss"), self.gloss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.submit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.review_button)
        editor = QWidget(self)
        right = QVBoxLayout(editor)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.state)
        right.addLayout(form)
        right.addWidget(self.body, 3)
        right.addWidget(self.lint_list)
        right.addWidget(self.effect)
        right.addLayout(buttons)
        right.addWidget(self.message)
        listing = QWidget(self)
        left = QVBoxLayout(listing)
        left.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left.addLayout(top)
        left.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(listing)
        splitter.addWidget(editor)
        # Half each: a Russian title and its Chinese gloss wrap over many lines in less, and
        # the editor's fields are short.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([650, 650])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._lint_timer = QTimer(self)
        self._lint_timer.setSingleShot(True)
        self._lint_timer.setInterval(LINT_MS)
        self._lint_timer.timeout.connect(self._lint)
        self._linter_ready = False
        self.review_button.setVisible(self.can_review)
        for widget in (self.new_button, self.save_button, self.submit_button):
            widget.setVisible(self.can_edit)
        if self.can_edit:
            # Only inside this screen, so the keys don't fight other workspaces' shortcuts.
            for keys, slot in ((SAVE_KEYS, self.save_draft), (NEW_KEYS, self.new_template)):
                shortcut = QShortcut(QKeySequence(keys), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self.search.textChanged.connect(self.model.set_query)
        self.model.modelReset.connect(self._update_empty)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._open(cur.row()))
        self.body.textChanged.connect(self._lint_timer.start)
        self.category.currentIndexChanged.connect(self._lint_timer.start)  # the linter follows it
        self.body.textChanged.connect(self._set_enabled)
        self.title.textChanged.connect(self._set_enabled)
        self.slug.textChanged.connect(self._set_enabled)
        self.new_button.clicked.connect(self.new_template)
        self.save_button.clicked.connect(self.save_draft)
        self.submit_button.clicked.connect(self.submit)
        self.review_button.clicked.connect(self._request_review)
        # The rules and pymorphy3's dictionaries load on the worker, not in the first keystroke.
        self._run(lambda: lint_template_body("Сделаем завтра."), self._linter_loaded,
                        lambda exc: log.error("lint rules failed to load: %s", exc))
        self.new_template()

    # -- loading ---------------------------------------------------------------------
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        run_for(self, self.runner, work, on_done, on_error)

    def refresh(self) -> None:
        now = self.clock()
        self._run(lambda: self.service.templates(now), self._show_list,
                        lambda exc: self._say(error_text(exc, "loading templates"), error=True))

    def _show_list(self, records: list[TemplateRecord]) -> None:
        just_saved = self._select_after is not None
        keep = self._select_after if just_saved else self.template_id
        self._select_after = None
        self._listed = True
        self.model.set_templates(records)
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            self.table.selectionModel().blockSignals(True)
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.selectionModel().blockSignals(False)
            # A reload (say, on coming back to this workspace) never throws away unsaved typing.
            if just_saved or not self.is_dirty():
                self._open(row)
        self.loaded.emit()

    def _update_empty(self) -> None:
        if not self._listed or self.model.rowCount():
            self.empty.clear_message()
        elif self.model.total:
            self.empty.show_message(_("No template matches this search: {clear}"),
                                    clear=(_("clear the search"), self.search.clear))
        elif self.can_edit:
            self.empty.show_message(
                _("No templates yet: {new} (Ctrl+Shift+N), or import a pack with "
                  "“ozondesk templates import pack.json”."),
                new=(_("write the first one"), self.new_template),
            )
        else:
            self.empty.show_message(
                _("No templates yet: a team lead or trainer writes them here, or imports a pack "
                  "with “ozondesk templates import pack.json”.")
            )

    def fields(self) -> tuple[str, ...]:
        return (self.slug.text(), self.title.text(), self.category_code(), self.tags.text(),
                self.gloss.text(), self.body.toPlainText())

    def category_code(self) -> str:
        return str(self.category.currentData() or "")

    def set_category(self, code: str) -> None:
        """Choose a category by code; one with no built-in name is added under its own title."""
        index = self.category.findData(code)
        if index < 0:
            self.category.addItem(category_name(code), code)
            index = self.category.count() - 1
        self.category.setCurrentIndex(index)

    def is_dirty(self) -> bool:
        """Whether the editor holds changes that are not saved."""
        return self.fields() != self._loaded

    def current(self) -> TemplateRecord | None:
        return self.model.record(self.table.currentIndex().row())

    def _open(self, row: int) -> None:
        record = self.model.record(row)
        if record is None:
            return
        self.template_id = record.id
        self.slug.setText(record.slug)
        self.slug.setReadOnly(True)
        self.set_category(record.category)
        self.tags.setText(", ".join(record.tags))
        self.gloss.setText(record.gloss_zh)
        self.state.setText(_("Loading…"))
        template_id, now = record.id, self.clock()
        self._run(lambda: self.service.template_history(template_id, now),
                        lambda history: self._fill(record, history),
                        lambda exc: self._say(error_text(exc, "loading a template"), error=True))

    def _fill(self, record: TemplateRecord, history: TemplateHistory) -> None:
        if history.template_id != self.template_id:
            return  # another template was opened meanwhile
        latest = history.revisions[-1] if history.revisions else None
        self.pending = record.pending
        shown = record.pending or latest
        self.title.setText(shown.title if shown else "")
        self.body.setPlainText(shown.body if shown else "")
        parts = [
            _("Live: revision #{number}, in force since {time} MSK.").format(
                number=record.live.number, time=format_msk(record.live.effective_at))
            if record.live is not None
            else _("No revision is in force yet.")
        ]
        approved_waiting = [r for r in history.revisions if r.status == "approved"
                            and r.number != history.live_number and r.effective_at is not None
                            and (record.live is None or r.number > record.live.number)]
        for r in approved_waiting:
            parts.append(_("Revision #{number} is approved and takes effect {time} MSK.").format(
                number=r.number, time=format_msk(r.effective_at)))
        if record.pending is not None:
            parts.append(_("In work: revision #{number}, {status}.").format(
                number=record.pending.number, status=status_label(record.pending.status)))
        elif latest is not None and latest.status == "rejected":
            parts.append(_("Revision #{number} was rejected by {who}: {comment}").format(
                number=latest.number, who=latest.reviewed_by or "—", comment=latest.review_comment or ""))
        self.state.setText(" ".join(parts))
        self._loaded = self.fields()
        self._show_effect()
        self._set_enabled()
        self.opened.emit(history.template_id)

    def new_template(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self.template_id = None
        self._select_after = None  # a reload still on its way must not reopen the last template
        self.pending = None
        self.slug.clear()
        self.slug.setReadOnly(False)
        self.title.clear()
        self.set_category("other")
        self.tags.clear()
        self.gloss.clear()
        self.body.clear()
        self.state.setText(_("New template: it is offered to agents once a lead approves it."))
        self._loaded = self.fields()
        self._show_effect()
        self._set_enabled()

    # -- lint ------------------------------------------------------------------------
    def _linter_loaded(self, _result: object) -> None:
        self._linter_ready = True
        self._lint()

    def _lint(self) -> None:
        if not self._linter_ready:
            return
        text = self.body.toPlainText()
        # An escalation e-mail is English: only its placeholders are checked.
        language = language_for(str(self.category.currentData() or ""))
        self.findings = lint_template_body(text, language=language) if text.strip() else []
        self.highlighter.set_findings(self.findings, text)
        self.lint_list.clear()
        for f in self.findings:
            self.lint_list.addItem(severity_item(f))
        self._set_enabled()
        self.linted.emit()

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    # -- saving ----------------------------------------------------------------------
    def _show_effect(self) -> None:
        pending = self.pending
        if pending is not None and pending.status == "submitted":
            text = _("Submitted {submitted} MSK; if a lead approves it, it takes effect {time} MSK "
                     "at the earliest, and the live revision stays until then.").format(
                submitted=format_msk(pending.submitted_at), time=format_msk(pending.effective_at))
        else:
            text = _("Submitted now, it would take effect {time} MSK at the earliest (3 working days, "
                     "production calendar); the live revision stays until then.").format(
                time=format_msk(review.effective_at(self.clock())))
        self.effect.setText(text)

    def save_draft(self) -> None:
        self._save(submit=False)

    def submit(self) -> None:
        self._save(submit=True)

    def _save(self, submit: bool) -> None:
        if self._busy or not self.can_edit:
            return
        if submit and self.errors():
            self._say(_("Fix the errors underlined in the text before submitting."), error=True)
            self.refused.emit(self.message.text())
            return
        fields: dict[str, Any] = dict(
            slug=self.slug.text().strip(), title=self.title.text().strip(), body=self.body.toPlainText(),
            category=self.category_code(), tags=split_tags(self.tags.text()),
            gloss_zh=self.gloss.text().strip(),
        )
        template_id, actor_id, now = self.template_id, self.actor.id, self.clock()

        def work() -> RevisionRecord:
            return self.service.propose(actor_id, template_id, now=now, submit=submit, **fields)

        self._busy = True
        self._set_enabled()
        self._run(work, self._saved, self._refused)

    def _saved(self, record: RevisionRecord) -> None:
        self._busy = False
        if record.status == "submitted":
            text = _("Submitted revision #{number}; if a lead approves it, it takes effect {time} MSK "
                     "at the earliest.").format(number=record.number, time=format_msk(record.effective_at))
        else:
            text = _("Saved revision #{number} as a draft.").format(number=record.number)
        self._say(text)
        self.template_id = record.template_id
        self._select_after = record.template_id
        self._set_enabled()
        self.saved.emit(record)
        self.refresh()

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        text = error_text(exc, "saving a template")
        self._say(text, error=True)
        self._set_enabled()
        self.refused.emit(text)

    def _request_review(self) -> None:
        if self.can_review and self.pending is not None and self.pending.status == "submitted":
            self.review_requested.emit(self.pending.id)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#b71c1c" if error else "color:#1b5e20")
        self.message.setText(text)

    def _set_enabled(self) -> None:
        filled = bool(self.title.text().strip() and self.body.toPlainText().strip()
                      and (self.template_id is not None or self.slug.text().strip()))
        ready = self.can_edit and not self._busy and filled
        self.save_button.setEnabled(ready)
        self.submit_button.setEnabled(ready and not self.errors())
        self.review_button.setEnabled(
            self.can_review and self.pending is not None and self.pending.status == "submitted"
        )
