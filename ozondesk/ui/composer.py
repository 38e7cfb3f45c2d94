"""The reply composer: templates, live lint with one-click fixes, drafts, and a guarded send.

Everything that touches the database runs on the single DB worker (:class:`TaskRunner`);
linting runs on the GUI thread after a short pause in typing (about 1 ms per 1,000
characters once the rules are loaded; the load itself happens on the worker when the
first composer is created). The Send button stays disabled, with the reasons shown,
while the text is empty or too long, has an error-level finding or an unfilled
placeholder, or falls outside the platform's reply window. At send time the worker
checks, in the same transaction that queues the reply, that no buyer message arrived
after the one the agent saw; if one did, nothing is written and the new messages are
shown first, and a second press sends.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.domain.display_names import WINDOW, deadline_kind_of_target, deadline_label
from ozondesk.domain.lint import Finding, LintContext, default_linter
from ozondesk.domain.lint.public import lint_reply_for
from ozondesk.domain.public_reply import MAX_CHARS as PUBLIC_MAX_CHARS
from ozondesk.domain.public_reply import check_public_text
from ozondesk.domain.send_window import MAX_CHARS, Verdict, check_text, reply_window
from ozondesk.domain.template_channels import fits as template_fits
from ozondesk.domain.templates import PLACEHOLDERS, fill_template, format_value
from ozondesk.errors import UserError
from ozondesk.i18n import _, ngettext
from ozondesk.services.compose import (
    ComposeService,
    ComposeState,
    IncomingMessage,
    SendOutcome,
    TemplateChoice,
    newest_incoming_id,
)
from ozondesk.services.conversation import ConversationDetail
from ozondesk.services.file_sender import FileService
from ozondesk.ui.elided_label import ElidedLabel
from ozondesk.ui.file_attach import AttachButton
from ozondesk.ui.findings_list import FindingsListMixin
from ozondesk.ui.inbox_model import format_left
from ozondesk.ui.lint_highlighter import LintHighlighter
from ozondesk.ui.send_label import send_label
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.template_picker import TemplatePicker

log = logging.getLogger("ozondesk.ui")

AUTOSAVE_MS = 1000
LINT_MS = 150
PLACEHOLDER_RULE = "composer.placeholder"
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")

_linter_ready = False


def _warm_linter() -> bool:
    # Compiles the rules and loads pymorphy3's dictionaries (~0.1 s) off the GUI thread.
    default_linter().lint("Сделаем завтра.", LintContext(now=utcnow()))
    return True


def warm_up_linter(runner: TaskRunner, on_ready: Callable[[], None] | None = None) -> None:
    """Load the linter on the worker; the app may call this at start-up, the composer does."""

    def done(_result: object) -> None:
        global _linter_ready
        _linter_ready = True
        if on_ready is not None:
            on_ready()

    if _linter_ready:
        if on_ready is not None:
            on_ready()
        return
    runner.run(_warm_linter, done, lambda exc: log.error("lint rules failed to load: %s", exc))


def placeholder_findings(text: str, values: dict[str, Any], now: datetime | None) -> list[Finding]:
    """An error for every ``{…}`` left in the reply, with the value as fix when it is known."""
    out = []
    for m in _PLACEHOLDER.finditer(text):
        name = m.group(1).strip()
        token = m.group(0)
        suggestion = ""
        if name in PLACEHOLDERS:
            message = _("Fill in {token} ({description}).").format(
                token=token, description=PLACEHOLDERS[name].description
            )
            if values.get(name) is not None:
                try:
                    suggestion = format_value(name, values[name], now=now)
                except (TypeError, ValueError):
                    suggestion = ""
        else:
            message = _("Unknown placeholder {token}: replace it with the text itself.").format(
                token=token
            )
        out.append(
            Finding(PLACEHOLDER_RULE, "placeholder", "error", m.start(), m.end(), token, message,
                    suggestion)
        )
    return out


class Composer(FindingsListMixin, QWidget):
    """Place it under the conversation view; feed it ``set_conversation`` when one opens."""

    sent = Signal(int)  # conversation id: the reply is committed to the outbox (queued)
    draft_saved = Signal(int)  # conversation id: the draft is committed (or deleted when blank)
    new_messages = Signal(int, object)  # conversation id, tuple[IncomingMessage]: send stopped
    refused = Signal(str)  # the reason a send did not happen
    linted = Signal(object)  # list[Finding] of the current text
    loaded = Signal(int)  # conversation id: draft and reply-window facts are in

    def __init__(
        self,
        service: ComposeService,
        runner: TaskRunner,
        *,
        agent_id: int | None = None,
        agent_name: str | None = None,
        shop_name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        autosave_ms: int = AUTOSAVE_MS,
        lint_ms: int = LINT_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.agent_id = agent_id
        self.agent_name = agent_name
        self.shop_name = shop_name
        self.clock = clock

        self.detail: ConversationDetail | None = None
        self.state: ComposeState | None = None
        self.seen_incoming_id: int | None = None
        self.template_slug: str | None = None
        self.findings: list[Finding] = []
        self.fixes: list[str | None] = []
        self.last_lint_ms = 0.0
        self.last_outcome: SendOutcome | None = None
        self.notice_kind = ""
        self._linted_text: str | None = None
        self._last_text = ""
        self._generation = 0
        self._dirty = False
        self._loading = False
        self._busy = False
        self._ready = False

        self._build()
        self._autosave = QTimer(self, singleShot=True, interval=autosave_ms)
        self._autosave.timeout.connect(self.flush_draft)
        self._lint_timer = QTimer(self, singleShot=True, interval=lint_ms)
        self._lint_timer.timeout.connect(self.lint_now)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._refresh)
        self._tick.start()
        self._set_enabled(False)
        warm_up_linter(runner, self._linter_loaded)

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.sla_label = QLabel(self)
        self.sla_label.setObjectName("slaCountdown")
        self.window_label = QLabel(self)
        self.window_label.setObjectName("windowCountdown")
        # Elided (plain text), as the reply-window line wraps: neither may widen the window.
        self.saved_label = ElidedLabel("", self)
        self.saved_label.setObjectName("draftStatus")
        self.saved_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.window_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.sla_label)
        top.addSpacing(16)
        top.addWidget(self.window_label, 1)
        top.addWidget(self.saved_label)

        self.notice = QLabel(self)
        self.notice.setObjectName("composerNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setVisible(False)

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("replyEditor")
        self.editor.setPlaceholderText(_("Write the reply in Russian… (Ctrl+Enter sends, Ctrl+T templates)"))
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._text_changed)
        self.highlighter = LintHighlighter(self.editor.document())

        self._build_findings_list()

        self.picker = TemplatePicker(self)
        self.picker.setVisible(False)
        self.picker.chosen.connect(self.insert_template)
        self.picker.cancelled.connect(self._close_picker)

        left = QWidget(self)
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.editor, 3)
        col.addWidget(self.findings_list, 1)
        col.addWidget(self.fix_button)
        split = self.body_split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(self.picker)
        split.setSizes([600, 300])

        self.templates_button = QPushButton(_("Templates…"), self)
        self.templates_button.setToolTip(_("Insert a template (Ctrl+T)"))
        self.templates_button.clicked.connect(self.open_templates)
        self.counter = QLabel(self)
        self.counter.setObjectName("charCounter")
        self.blockers_label = QLabel(self)
        self.blockers_label.setObjectName("sendBlockers")
        self.blockers_label.setWordWrap(True)
        self.blockers_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.send_button = QPushButton(_("Send"), self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip(_("Queue the reply for sending (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        # Files for buyer chats (ui/file_attach.py); queued like a reply.
        self.attach_button = AttachButton(
            FileService(self.service.db, self.clock), self.runner, self.agent_id, self
        )
        self.attach_button.queued.connect(self.sent)
        self.attach_button.refused.connect(self._file_refused)
        bottom = self.button_row = QHBoxLayout()
        bottom.addWidget(self.templates_button)
        bottom.addWidget(self.attach_button)
        bottom.addWidget(self.counter)
        bottom.addStretch(1)
        bottom.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(split, 1)
        # Why Send is disabled, on a line of its own over the buttons: beside them, in the
        # table view's narrower centre, the leftover room wrapped Chinese one character a line.
        layout.addWidget(self.blockers_label)
        layout.addLayout(bottom)

    def add_side_panel(self, panel: QWidget, toggle: QWidget) -> None:
        """A panel left of the editor (ui/translate_panel.py) and the button that shows it, after Templates."""
        self.body_split.insertWidget(0, panel)
        self.button_row.insertWidget(self.button_row.indexOf(self.templates_button) + 1, toggle)

    # -- conversation --------------------------------------------------------------------
    @property
    def conversation_id(self) -> int | None:
        return self.detail.id if self.detail is not None else None

    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    def set_conversation(self, detail: ConversationDetail, now: datetime | None = None) -> None:
        """Show ``detail``'s composer. The same conversation again keeps the text being written
        and what the agent is known to have seen (a refresh is not a reading)."""
        now = now or self.clock()
        same = self.detail is not None and self.detail.id == detail.id
        if not same:
            self.flush_draft()
            self._generation += 1
            self.seen_incoming_id = newest_incoming_id(detail)
            self.template_slug = None
            self.state = None
            self._linted_text = None
            self._set_text("")
            self._show_findings([])
            self._hide_notice()
            self.saved_label.clear()
            self._set_enabled(False)
        self.detail = detail
        self._label_send(detail.kind)
        self.attach_button.set_conversation(detail.id, detail.kind)
        generation = self._generation
        agent_id = self.agent_id
        self.runner.run(
            lambda: self.service.open(
                detail, agent_id, now, shop_name=self.shop_name, agent_name=self.agent_name
            ),
            lambda state: self._opened(generation, state, restore=not same),
            lambda exc: self._open_failed(generation, exc),
        )
        self._refresh()

    def clear_conversation(self) -> None:
        """No conversation open (e.g. the view shows an error): save and empty the composer."""
        self.flush_draft()
        self._generation += 1
        self.detail = self.state = None
        self._label_send(None)
        self._set_text("")
        self._show_findings([])
        self._hide_notice()
        self._set_enabled(False)
        self._refresh()

    def _opened(self, generation: int, state: ComposeState, restore: bool) -> None:
        if generation != self._generation:
            return
        self.state = state
        if restore and state.draft is not None:
            self._set_text(state.draft.text)
            self.template_slug = state.draft.template_slug
            self.saved_label.setText(
                _("Draft from {time} MSK").format(time=to_msk(state.draft.updated_at).strftime("%d.%m %H:%M"))
            )
        self._set_enabled(True)
        self.picker.set_values(state.values, self.clock())
        self._update_counter()  # a public reply's limit differs from a chat's
        self._refresh()
        self.lint_now()
        self.loaded.emit(state.conversation_id)

    def _label_send(self, kind: str | None) -> None:
        # The tooltip follows in _update_send_state (it shows what blocks sending first).
        self.send_button.setText(send_label(kind)[0])

    def _open_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._show_notice("error", escape(_("Could not open the reply: {error}").format(error=exc)))

    # -- text, drafts -------------------------------------------------------------------
    def _set_text(self, text: str) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._loading = False
        self._dirty = False
        self._autosave.stop()
        self._update_counter()

    def _file_refused(self, reason: str) -> None:
        self._show_notice("refused", escape(reason))
        self.refused.emit(reason)

    def _set_enabled(self, enabled: bool) -> None:
        self.editor.setReadOnly(not enabled)
        self.templates_button.setEnabled(enabled)
        self._update_send_state()

    def _text_changed(self) -> None:
        text = self.text
        # Re-highlighting also reports a change of the document: only a new text counts.
        if text == self._last_text:
            return
        self._last_text = text
        self._update_counter()
        if self._loading:
            return
        if not self.text.strip():
            self.template_slug = None
        self._dirty = True
        self._autosave.start()
        self._lint_timer.start()
        self._update_send_state()

    def flush_draft(self) -> None:
        """Save the draft now (on the worker) if it changed since the last save."""
        self._autosave.stop()
        if not self._dirty or self.detail is None or self.state is None:
            return
        self._dirty = False
        self._save(self.detail.id, self.text, self.template_slug)

    def _save(self, conversation_id: int, text: str, slug: str | None) -> None:
        agent_id, now = self.agent_id, self.clock()
        generation = self._generation
        self.runner.run(
            lambda: self.service.drafts.save(conversation_id, agent_id, text, now, slug),
            lambda saved: self._saved(generation, conversation_id, saved.record),
            lambda exc: self._save_failed(generation, exc),
        )

    def _saved(self, generation: int, conversation_id: int, record: Any) -> None:
        if generation == self._generation:
            if record is None:
                self.saved_label.setText(_("Draft cleared"))
            else:
                self.saved_label.setText(
                    _("Draft saved {time}").format(time=to_msk(record.updated_at).strftime("%H:%M:%S"))
                )
        self.draft_saved.emit(conversation_id)

    def _save_failed(self, generation: int, exc: BaseException) -> None:
        log.warning("draft not saved: %s", exc)
        if generation == self._generation:
            self._dirty = True
            self._autosave.start()
            self.saved_label.setText(_("Draft NOT saved: {error}").format(error=exc))

    def final_save(self) -> None:
        """Save an unsaved draft on the calling thread: for application exit, after the
        TaskRunner is shut down (its pending jobs are cancelled, so an async save could be lost)."""
        self._autosave.stop()
        if self._dirty and self.detail is not None and self.state is not None:
            self._dirty = False
            self.service.drafts.save(
                self.detail.id, self.agent_id, self.text, self.clock(), self.template_slug
            )

    # -- lint ----------------------------------------------------------------------------
    def _linter_loaded(self) -> None:
        self._ready = True
        self.lint_now()

    def _context(self, now: datetime) -> LintContext:
        values = self.state.values if self.state else {}
        deadline = values.get("deadline_msk")
        calendar = self.state.calendar if self.state else None
        return LintContext(now=now, deadline=deadline if isinstance(deadline, datetime) else None,
                           calendar=calendar)

    def lint_now(self) -> list[Finding]:
        """Lint the current text at once (the debounce calls this; so does Send)."""
        self._lint_timer.stop()
        if not self._ready:
            return self.findings
        text = self.text
        now = self.clock()
        values = self.state.values if self.state else {}
        started = time.perf_counter()
        findings = placeholder_findings(text, values, now) + default_linter().lint(text, self._context(now))
        if self.state is not None and self.state.is_public:
            # Every shopper reads an answer or a review comment: the public-reply rules too.
            findings = lint_reply_for(self.state.kind, findings, text, self.state.public)
        self.last_lint_ms = (time.perf_counter() - started) * 1000
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        self._linted_text = text
        self._show_findings(findings)
        self.linted.emit(findings)
        return findings

    def _show_findings(self, findings: Sequence[Finding]) -> None:
        self._list_findings(findings, self.state.values if self.state else {})
        self._update_send_state()

    # -- templates -----------------------------------------------------------------------
    def open_templates(self) -> None:
        if self.state is None:
            return
        now = self.clock()
        self.runner.run(lambda: self.service.templates(now), self._templates_loaded,
                        lambda exc: self._show_notice("error", escape(str(exc))))
        self.picker.setVisible(True)
        self.picker.search.setFocus()
        self.picker.search.selectAll()

    def _templates_loaded(self, choices: list[TemplateChoice]) -> None:
        kind = self.detail.kind if self.detail is not None else "buyer_chat"
        self.picker.set_templates([c for c in choices if template_fits(c.channel, kind)])

    def _close_picker(self) -> None:
        self.picker.setVisible(False)
        self.editor.setFocus()

    def insert_template(self, choice: TemplateChoice, extra_values: dict[str, Any] | None = None) -> None:
        """Insert ``choice`` filled from the conversation, ``extra_values`` (e.g. a new delivery
        date from the context panel) taking precedence; what nothing fills stays in braces."""
        if self.state is None or self.editor.isReadOnly():
            return
        values = {**self.state.values, **(extra_values or {})}
        filled = fill_template(choice.body, values, self.clock())
        cursor = self.editor.textCursor()
        if not self.text.strip():
            cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(filled.text)
        self.editor.setTextCursor(cursor)
        self.template_slug = choice.slug
        self._close_picker()
        self.lint_now()

    def insert_template_slug(self, slug: str, extra_values: dict[str, Any] | None = None) -> None:
        """Insert the live template ``slug`` (the context panel's Insert and template links)."""
        if self.state is None or self.editor.isReadOnly():
            return
        now = self.clock()
        generation = self._generation
        extra = dict(extra_values or {})

        def found(choices: list[TemplateChoice]) -> None:
            if generation != self._generation:
                return  # another conversation was opened meanwhile
            choice = next((c for c in choices if c.slug == slug), None)
            if choice is None:
                self._show_notice("error", escape(_("Template {slug} is not in the library.").format(slug=slug)))
                return
            self.insert_template(choice, extra)

        self.runner.run(lambda: self.service.templates(now), found,
                        lambda exc: self._show_notice("error", escape(str(exc))))

    # -- send ----------------------------------------------------------------------------
    def window(self, now: datetime | None = None) -> Verdict | None:
        if self.state is None or self.state.is_public:
            return None  # answers and review comments have no reply window
        s = self.state
        return reply_window(now or self.clock(), s.scheme, s.last_buyer_at, s.delivered_at)

    def send_blockers(self) -> list[str]:
        """Why Send is disabled now; empty when it may be pressed."""
        if self.detail is None:
            return [_("No conversation is open.")]
        if self.state is None or not self._ready:
            return [_("Loading…")]
        if self._busy:
            return [_("Queueing…")]
        text = self.text
        out: list[str] = []
        problem = check_public_text(text) if self.state.is_public else check_text(text)
        if problem is not None:
            out.append(problem)
        current = self._linted_text == text
        placeholders = [f.text for f in self.findings if f.rule == PLACEHOLDER_RULE] if current else []
        if placeholders:
            out.append(_("fill in {names}").format(names=", ".join(dict.fromkeys(placeholders))))
        errors = [f for f in self.findings if f.severity == "error" and f.rule != PLACEHOLDER_RULE]
        if current and errors:
            out.append(
                ngettext("{n} error to fix: {first}", "{n} errors to fix: {first}", len(errors)).format(
                    n=len(errors), first=errors[0].message
                )
            )
        if not self.state.has_chat:
            out.append(_("this conversation has no Ozon chat to reply in"))
        verdict = self.window()
        if verdict is not None and not verdict.allowed:
            out.append(verdict.reason)
        return out

    def send(self) -> bool:
        """Queue the reply if nothing stands in the way; False (with the reason shown) if not."""
        if self._busy or self.detail is None:
            return False
        if self._linted_text != self.text:
            self.lint_now()
        blockers = self.send_blockers()
        if blockers:
            self._show_notice("blocked", escape(_("Not sent: {reasons}").format(reasons="; ".join(blockers))))
            self.refused.emit(blockers[0])
            return False
        conversation_id, text, slug = self.detail.id, self.text, self.template_slug
        seen, agent_id, generation = self.seen_incoming_id, self.agent_id, self._generation
        was_dirty = self._dirty
        self._busy = True
        self._dirty = False  # the send deletes the draft; a save queued after it must not revive it
        self._autosave.stop()
        self.editor.setReadOnly(True)
        self._update_send_state()
        self.runner.run(
            lambda: self.service.send(conversation_id, text, agent_id, seen, slug),
            lambda outcome: self._send_done(generation, conversation_id, text, slug, outcome),
            lambda exc: self._send_failed(generation, conversation_id, text, slug, was_dirty, exc),
        )
        return True

    def _send_done(
        self, generation: int, conversation_id: int, text: str, slug: str | None, outcome: SendOutcome
    ) -> None:
        self._busy = False
        self.last_outcome = outcome
        here = generation == self._generation
        if outcome.queued is None:
            if here:
                self.seen_incoming_id = max(m.id for m in outcome.new_messages)
                self.editor.setReadOnly(False)
                self._dirty = True
                self._autosave.start()
                self._show_notice("collision", self._collision_html(outcome.new_messages))
            else:
                self._save(conversation_id, text, slug)
            self.new_messages.emit(conversation_id, outcome.new_messages)
            self.refused.emit(_("new buyer messages arrived"))
        else:
            if here:
                self.template_slug = None
                self._set_text("")
                self.editor.setReadOnly(False)
                self.lint_now()
                self.saved_label.clear()
                self._show_notice(
                    "queued",
                    escape(_("Reply queued: it goes out when the connection to Ozon is up, and shows as queued until then.")),
                )
            self.sent.emit(conversation_id)
        self._update_send_state()

    def _send_failed(
        self, generation: int, conversation_id: int, text: str, slug: str | None, was_dirty: bool,
        exc: BaseException,
    ) -> None:
        self._busy = False
        reason = exc.message if isinstance(exc, UserError) else _("could not queue the reply: {error}").format(error=exc)
        if not isinstance(exc, UserError):
            log.warning("queueing a reply failed: %s", exc)
        if generation == self._generation:
            self.editor.setReadOnly(False)
            self._dirty = self._dirty or was_dirty
            if self._dirty:
                self._autosave.start()
            self._show_notice("refused", escape(_("Not sent: {reason}").format(reason=reason)))
        elif was_dirty:
            self._save(conversation_id, text, slug)
        self.refused.emit(reason)
        self._update_send_state()

    def _collision_html(self, messages: Sequence[IncomingMessage]) -> str:
        head = ngettext(
            "The buyer wrote {n} new message while you were replying. Read it first; press Send again to send your reply as it is.",
            "The buyer wrote {n} new messages while you were replying. Read them first; press Send again to send your reply as it is.",
            len(messages),
        ).format(n=len(messages))
        msk = escape(_("MSK"))
        items = "".join(
            f"<li><span style='color:#666'>{to_msk(m.at).strftime('%d.%m %H:%M')} {msk}</span> "
            f"<span style='white-space:pre-wrap'>{escape(m.text)}</span></li>"
            for m in messages
        )
        return f"<b>{escape(head)}</b><ul>{items}</ul>"

    # -- status --------------------------------------------------------------------------
    def _show_notice(self, kind: str, html: str) -> None:
        colours = {"collision": "#fff3e0", "queued": "#e8f5e9", "blocked": "#ffebee", "refused": "#ffebee",
                   "error": "#ffebee"}
        self.notice_kind = kind
        self.notice.setStyleSheet(f"background:{colours.get(kind, '#fff')};padding:6px")
        self.notice.setText(html)
        self.notice.setVisible(True)

    def _hide_notice(self) -> None:
        self.notice_kind = ""
        self.notice.clear()
        self.notice.setVisible(False)

    def _update_counter(self) -> None:
        n = len(self.text)
        limit = PUBLIC_MAX_CHARS if self.state is not None and self.state.is_public else MAX_CHARS
        colour = "#d32f2f" if n > limit else "#666"
        self.counter.setText(f"<span style='color:{colour}'>{n} / {limit}</span>")

    def _update_send_state(self) -> None:
        blockers = self.send_blockers()
        self.send_button.setEnabled(not blockers)
        warnings = sum(1 for f in self.findings if f.severity == "warning") if self._linted_text == self.text else 0
        shown = "; ".join(blockers) if self.detail is not None else ""
        if not blockers and warnings:
            shown = ngettext("{n} warning: you may still send", "{n} warnings: you may still send", warnings).format(n=warnings)
        self.blockers_label.setText(shown)
        self.blockers_label.setVisible(bool(shown))
        self.send_button.setToolTip(
            shown or send_label(self.detail.kind if self.detail is not None else None)[1]
        )

    def _refresh(self) -> None:
        now = self.clock()
        self.sla_label.setText(self._sla_text(now))
        self.window_label.setText(self._window_text(now))
        self._update_send_state()

    def _sla_text(self, now: datetime) -> str:
        if self.detail is None:
            return ""
        due = self.detail.due
        if due is None:
            return escape(_("SLA: nothing due"))
        # The stored running deadline: the inbox row's own, under the same name.
        left = (due.due - now).total_seconds()
        colour = "#d32f2f" if left < 0 else "#333"
        label = deadline_label(deadline_kind_of_target(due.target))
        text = escape(_("{label}: {left}").format(label=label, left=format_left(left)))
        return f"<span style='color:{colour}'>{text}</span>"

    def _window_text(self, now: datetime) -> str:
        if self.state is not None and self.state.is_public:
            return escape(_("Public reply: every shopper on the product page reads it"))
        verdict = self.window(now)
        if verdict is None:
            return ""
        if not verdict.allowed:
            closed = escape(_("Reply window closed"))
            return f"<span style='color:#d32f2f'>{closed}</span>"
        if verdict.closes_at is None:
            # FBS/rFBS before delivery: the window ends 72 h after a delivery yet to come, so
            # there is no time to count down to; say so under the deadline's own name.
            return escape(_("{label}: no closing time yet (72 h after delivery)").format(
                label=deadline_label(WINDOW)))
        left = (verdict.closes_at - now).total_seconds()
        return escape(_("{label}: {left}").format(label=deadline_label(WINDOW), left=format_left(left)))

    # -- keys ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.send()
                return True
            if ctrl and event.key() == Qt.Key.Key_T:
                self.open_templates()
                return True
        return super().eventFilter(watched, event)
