"""The lead's template review: the queue, a word diff against the live text, lint, approve/reject.

Everything that reads or writes the database runs on the DB worker; the screen only
shows frozen records. The service decides who may approve (a hidden button is a
convenience): its refusals, and a revision another lead reviewed meanwhile, come back
as one line under the buttons and the queue is reloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.domain.display_names import category_name
from ozondesk.domain.review import state_name
from ozondesk.domain.roles import allowed
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.templates import ReviewItem, RevisionRecord, TemplateHistory, TemplateService
from ozondesk.ui.empty_state import EmptyState
from ozondesk.ui.findings_list import severity_item
from ozondesk.ui.fitted_table import fit_columns
from ozondesk.ui.pdf_export import table_html
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.table_models import RecordTableModel
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.template_diff import TemplateDiffView

log = logging.getLogger("ozondesk.ui")

Clock = Callable[[], datetime]

APPROVE_KEYS = "Ctrl+Shift+A"
REJECT_KEYS = "Ctrl+Shift+R"
# For the desk's keyboard help: (keys, what they do).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    (APPROVE_KEYS, N_("Approve the selected template revision")),
    (REJECT_KEYS, N_("Reject the selected template revision (with a comment)")),
)
AUDIT_LABELS = {
    "template.create": N_("created"),
    "template.edit": N_("edited"),
    "template.submit": N_("submitted"),
    "template.details": N_("details changed"),
    "template.approve": N_("approved"),
    "template.reject": N_("rejected"),
}
QUEUE_COLUMNS = (N_("Template"), N_("Category"), N_("Author"), N_("Submitted (MSK)"),
                 N_("Takes effect (MSK)"))


def format_msk(value: datetime | None) -> str:
    return to_msk(value).strftime("%d.%m.%Y %H:%M") if value is not None else "—"


def status_label(status: str) -> str:
    return state_name(status)


def error_text(exc: BaseException, doing: str) -> str:
    """One line for the screen: the service's own sentence, or what failed for a bug."""
    if isinstance(exc, UserError):
        return exc.message
    log.error("%s failed: %s", doing, exc, exc_info=exc)
    return _("Something went wrong ({error}); the details are in the log.").format(
        error=type(exc).__name__
    )


class ReviewQueueModel(RecordTableModel[ReviewItem]):
    """The submitted revisions, oldest submission first."""

    def set_items(self, items: Sequence[ReviewItem]) -> None:
        self._reset(items)

    def item(self, row: int) -> ReviewItem | None:
        return self.at(row)

    def row_of(self, revision_id: int) -> int:
        return self.find(lambda it: it.revision.id == revision_id)

    def headers(self) -> list[str]:
        return [_(c) for c in QUEUE_COLUMNS]

    def cell(self, item: ReviewItem, column: int, role: int) -> Any:
        rev = item.revision
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                rev.title,
                category_name(item.category),
                rev.author or "—",
                format_msk(rev.submitted_at),
                format_msk(rev.effective_at),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return _("Earliest effect: 3 working days after submission; the live revision stays "
                     "in force until then.")
        if role == Qt.ItemDataRole.UserRole:
            return rev.id
        return None


class TemplateReview(QWidget):
    """The review workspace. Leads get Approve/Reject; other roles see the queue read-only."""

    loaded = Signal()  # the queue is shown
    history_loaded = Signal(int)  # template id
    reviewed = Signal(object)  # the RevisionRecord after approval or rejection
    refused = Signal(str)  # the one-line reason shown

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
        self.setObjectName("template-review")
        self.service, self.runner, self.actor, self.clock = service, runner, actor, clock
        self.can_review = allowed(actor.role, "template.review")
        self._busy = False
        self._select_after: int | None = None
        self._history_for: int | None = None

        self.model = ReviewQueueModel(self)
        self.queue = QTableView(self)
        self.queue.setObjectName("reviewQueue")
        self.queue.setModel(self.model)
        self.queue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.queue.verticalHeader().setVisible(False)
        fit_columns(self.queue, stretch=0)
        self.empty = EmptyState(self.queue)

        self.header = QLabel(self)
        self.header.setObjectName("reviewHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.diff = TemplateDiffView(self)
        self.findings = QListWidget(self)
        self.findings.setObjectName("reviewFindings")
        self.findings.setMaximumHeight(110)
        self.comment = QPlainTextEdit(self)
        self.comment.setObjectName("reviewComment")
        self.comment.setPlaceholderText(_("Comment for the author (required to reject)"))
        self.comment.setMaximumHeight(70)
        self.approve_button = QPushButton(_("Approve"), self)
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setToolTip(
            _("Approve ({keys})").format(keys=QKeySequence(APPROVE_KEYS).toString(
                QKeySequence.SequenceFormat.NativeText))
        )
        self.reject_button = QPushButton(_("Reject"), self)
        self.reject_button.setObjectName("rejectButton")
        self.reject_button.setToolTip(
            _("Reject ({keys})").format(keys=QKeySequence(REJECT_KEYS).toString(
                QKeySequence.SequenceFormat.NativeText))
        )
        self.message = QLabel(self)
        self.message.setObjectName("reviewMessage")
        self.message.setWordWrap(True)
        self.readonly_note = QLabel(
            _("Only a team lead can approve or reject; you can read the queue and the history."), self
        )
        self.history = QTextBrowser(self)
        self.history.setObjectName("reviewHistory")

        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        details = QWidget(self)
        right = QVBoxLayout(details)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.header)
        right.addWidget(self.diff, 3)
        right.addWidget(QLabel(_("Lint findings in the submitted text"), details))
        right.addWidget(self.findings)
        right.addWidget(self.comment)
        right.addLayout(buttons)
        right.addWidget(self.readonly_note)
        right.addWidget(self.message)
        right.addWidget(QLabel(_("History of this template"), details))
        right.addWidget(self.history, 2)
        queue_box = QWidget(self)
        left = QVBoxLayout(queue_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(QLabel(_("Waiting for review"), queue_box))
        left.addWidget(self.queue)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(queue_box)
        splitter.addWidget(details)
        # The queue's five columns (dates, a name, a category) need more than a third of a
        # 1280 px window in Russian; the diff keeps the larger share.
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        for widget in (self.approve_button, self.reject_button, self.comment):
            widget.setVisible(self.can_review)
        self.readonly_note.setVisible(not self.can_review)
        if self.can_review:
            # Only for this screen, so the keys don't fight other workspaces' shortcuts.
            for keys, slot in ((APPROVE_KEYS, self.approve), (REJECT_KEYS, self.reject)):
                shortcut = QShortcut(QKeySequence(keys), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject)
        self.queue.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show(cur.row()))
        self._set_enabled()

    # -- loading ---------------------------------------------------------------------
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        run_for(self, self.runner, work, on_done, on_error)

    def refresh(self) -> None:
        now = self.clock()
        self._run(lambda: self.service.review_items(now), self._show_queue,
                        lambda exc: self._say(error_text(exc, "loading the review queue"), error=True))

    def select_revision(self, revision_id: int) -> None:
        """Reload the queue and select ``revision_id`` (the library's "Open in review")."""
        self._select_after = revision_id
        self.refresh()

    def current(self) -> ReviewItem | None:
        return self.model.item(self.queue.currentIndex().row())

    def _show_queue(self, items: list[ReviewItem]) -> None:
        keep = self._select_after
        if keep is None and self.current() is not None:
            keep = self.current().revision.id  # type: ignore[union-attr]
        self._select_after = None
        self.model.set_items(items)
        if items:
            self.empty.clear_message()
        else:
            self.empty.show_message(
                _("Nothing waits for review. When someone submits a new or changed template, it "
                  "appears here; meanwhile the Templates workspace shows the live ones.")
            )
        row = self.model.row_of(keep) if keep is not None else -1
        if items:
            self.queue.setCurrentIndex(self.model.index(max(row, 0), 0))
        else:
            self._show(-1)
        self._set_enabled()
        self.loaded.emit()

    def _show(self, row: int) -> None:
        item = self.model.item(row)
        self._set_enabled()
        if item is None:
            self.header.clear()
            self.diff.clear()
            self.findings.clear()
            return
        rev = item.revision
        live = item.live
        stays = (
            _("the live revision #{number} stays in force until then").format(number=live.number)
            if live is not None
            else _("until then the template is not offered to agents")
        )
        self.header.setText(
            "<b>{title}</b> · {category} · {revision}<br>{submitted}<br>{effect}".format(
                title=escape(rev.title),
                category=escape(category_name(item.category)),
                revision=escape(_("revision #{number} by {author}").format(
                    number=rev.number, author=rev.author or "—")),
                submitted=escape(_("Submitted {time} MSK").format(time=format_msk(rev.submitted_at))),
                effect=escape(_("Takes effect at the earliest {time} MSK (3 working days, production "
                                "calendar); {stays}.").format(time=format_msk(rev.effective_at),
                                                              stays=stays)),
            )
        )
        self.diff.show_diff(
            live.body if live is not None else None,
            rev.body,
            _("Live revision #{number}").format(number=live.number) if live is not None else "",
        )
        self.findings.clear()
        for finding in item.findings:
            self.findings.addItem(severity_item(finding))
        if not item.findings:
            self.findings.addItem(QListWidgetItem(_("No lint findings.")))
        self.load_history(rev.template_id)

    def load_history(self, template_id: int) -> None:
        self._history_for = template_id
        now = self.clock()
        self._run(
            lambda: self.service.template_history(template_id, now),
            self._show_history,
            lambda exc: self._say(error_text(exc, "loading the template history"), error=True),
        )

    def _show_history(self, history: TemplateHistory) -> None:
        if history.template_id != self._history_for:
            return  # another template was selected meanwhile
        self.history.setHtml(history_html(history))
        self.history_loaded.emit(history.template_id)

    # -- review ----------------------------------------------------------------------
    def approve(self) -> None:
        self._decide("approve")

    def reject(self) -> None:
        self._decide("reject")

    def _decide(self, action: str) -> None:
        item = self.current()
        if item is None or self._busy or not self.can_review:
            return
        comment = self.comment.toPlainText().strip()
        revision_id, actor_id, now = item.revision.id, self.actor.id, self.clock()
        if action == "approve":
            def work() -> RevisionRecord:
                return self.service.approve(actor_id, revision_id, now, comment)
        else:
            def work() -> RevisionRecord:
                # The service refuses a blank comment: the rule lives there, not here.
                return self.service.reject(actor_id, revision_id, now, comment)
        self._busy = True
        self._set_enabled()
        self._run(work, self._decided, self._refused)

    def _decided(self, record: RevisionRecord) -> None:
        self._busy = False
        self.comment.clear()
        if record.status == "approved":
            text = _("Approved “{title}” (revision #{number}); it takes effect {time} MSK.").format(
                title=record.title, number=record.number, time=format_msk(record.effective_at))
        else:
            text = _("Rejected “{title}” (revision #{number}); the author sees your comment.").format(
                title=record.title, number=record.number)
        self._say(text)
        self.reviewed.emit(record)
        self.refresh()
        self.load_history(record.template_id)

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        text = error_text(exc, "reviewing a template")
        self._say(text, error=True)
        self.refused.emit(text)
        self.refresh()  # a revision someone else reviewed leaves the queue

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#b71c1c" if error else "color:#1b5e20")
        self.message.setText(text)

    def _set_enabled(self) -> None:
        ready = self.can_review and not self._busy and self.current() is not None
        self.approve_button.setEnabled(ready)
        self.reject_button.setEnabled(ready)


def history_html(history: TemplateHistory) -> str:
    # Six columns, two facts a cell where they belong together (who and when): nine columns
    # in a 1280 px window broke Russian headers mid-word («Редакци|я», «Коммент|арий»).
    revisions = [
        (
            (f"#{r.number}" + (" ★" if r.number == history.live_number else ""), status_label(r.status)),
            (r.title,),
            (r.author or "—", format_msk(r.submitted_at)),
            (r.reviewed_by or "—", format_msk(r.reviewed_at)),
            (format_msk(r.effective_at),),
            (r.review_comment or "",),
        )
        for r in history.revisions
    ]
    entries = [
        (
            format_msk(e.at),
            e.agent or "—",
            _(AUDIT_LABELS[e.action]) if e.action in AUDIT_LABELS else e.action,
            f"#{e.detail['revision']}" if "revision" in e.detail else "",
            str(e.detail.get("comment") or ""),
        )
        for e in history.audit
    ]
    live = (
        _("★ in force now: revision #{number}").format(number=history.live_number)
        if history.live_number is not None
        else _("No revision is in force yet.")
    )
    audit_title = _("Audit log")
    return (
        f"<p>{escape(live)}</p>"
        + lines_table_html(
            [_("Revision"), _("Title"), _("Submitted (MSK)"), _("Reviewed (MSK)"), _("Takes effect (MSK)"),
             _("Comment")],
            revisions,
        )
        + f"<p><b>{escape(audit_title)}</b></p>"
        + table_html([_("Time (MSK)"), _("Who"), _("Action"), _("Revision"), _("Comment")], entries)
    )


def lines_table_html(headers: Sequence[str], rows: Sequence[Sequence[Sequence[str]]]) -> str:
    """An HTML table whose cells hold one or more lines, each escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join("<td>" + "<br>".join(escape(line) for line in cell) + "</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f'<table border="1" cellspacing="0" cellpadding="3"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
