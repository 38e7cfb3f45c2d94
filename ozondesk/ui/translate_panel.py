"""Write in Chinese beside the reply: a Russian draft into the composer, and its back-translation.

The agent types what they mean in Chinese and presses *Translate to Russian*; the Russian comes
back from the engine (placeholders and concrete deadlines protected by the service) and replaces
the reply as one undoable edit, so the composer lints it like any other text and its Send rules
stand. The Russian draft is then translated back into Chinese and shown here, for the agent to
check the meaning before sending; when the reply is edited after that, the back-translation says
it is out of date. Nothing here sends: Send queues the composer's Russian text only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ozondesk.i18n import _, ngettext
from ozondesk.ui.composer import Composer
from ozondesk.ui.message_translation import (
    TranslationResult,
    Translator,
    engine_label,
    machine_mark,
)
from ozondesk.ui.tasks import TaskRunner

ERROR_STYLE = "color:#c62828"


class TranslatePanel(QWidget):
    """The "Write in Chinese" column left of the reply editor; ``toggle`` shows and hides it."""

    drafted = Signal(str)  # the Russian draft now in the reply
    back_translated = Signal(str)  # the Chinese back-translation of that draft
    failed = Signal(str)  # one line: why nothing changed

    def __init__(
        self, composer: Composer, translator: Translator, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent or composer)
        self.setObjectName("translatePanel")
        self.composer = composer
        self.translator = translator
        self.runner = runner
        self._generation = 0
        self._conversation: int | None = None
        self._checked_text: str | None = None  # the Russian the back-translation is of
        self.busy = False

        # A short label: the composer's button row already sets the window's narrowest width.
        self.toggle = QToolButton(composer)
        self.toggle.setText("中→RU")
        self.toggle.setObjectName("writeInChinese")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName(_("Write in Chinese"))
        self.toggle.setToolTip(
            _("Write in Chinese: type the reply in Chinese and get a Russian draft to check and send")
        )
        self.toggle.toggled.connect(self._set_open)

        self.source = QPlainTextEdit(self)
        self.source.setObjectName("chineseSource")
        self.source.setPlaceholderText(_("What you want to say, in Chinese…"))
        self.source.installEventFilter(self)
        self.translate_button = QPushButton(_("Translate to Russian"), self)
        self.translate_button.setObjectName("translateToRussian")
        self.translate_button.setToolTip(_("Put the Russian translation into the reply (Ctrl+Enter); Undo takes it back"))
        self.translate_button.clicked.connect(self.translate)
        # One short line: at 720 px the composer is low, and this column holds two editors.
        self.back_title = QLabel(self)
        self.back_title.setObjectName("backTitle")
        self.back_title.setWordWrap(True)
        self._engine: str | None = None  # of the back-translation shown
        self.back = QPlainTextEdit(self)
        self.back.setObjectName("backTranslation")
        self.back.setReadOnly(True)
        self.back.setPlaceholderText(_("The Russian draft translated back into Chinese, to check its meaning."))
        self.recheck_button = QPushButton(_("Check the reply again"), self)
        self.recheck_button.setToolTip(_("Translate the reply as it is now back into Chinese"))
        self.recheck_button.clicked.connect(self.check_back)
        self.status = QLabel(self)
        self.status.setObjectName("translateStatus")
        self.status.setWordWrap(True)
        self.status.setVisible(False)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 4, 0)
        column.addWidget(self.source, 3)
        column.addWidget(self.translate_button)
        column.addWidget(self.status)
        column.addWidget(self.back_title)
        column.addWidget(self.back, 2)
        column.addWidget(self.recheck_button)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        for button in (self.translate_button, self.recheck_button):
            # Narrower than its words when the splitter is dragged so, rather than widen the window.
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(60)
        self.setVisible(False)

        composer.loaded.connect(self._conversation_loaded)
        composer.editor.textChanged.connect(self._reply_changed)
        self._reply_changed()

    # -- showing -----------------------------------------------------------------------------
    def _set_open(self, shown: bool) -> None:
        self.setVisible(shown)
        if shown:
            split = self.composer.body_split
            sizes = split.sizes()
            total = sum(sizes)
            wanted = max(self.translate_button.sizeHint().width() + 8, total // 3)
            at = split.indexOf(self)
            if total > 0 and at >= 0:
                sizes[at] = min(wanted, total // 2)
                rest = [i for i in range(len(sizes)) if i != at and sizes[i] > 0]
                for i in rest:
                    sizes[i] = (total - sizes[at]) // len(rest)
                split.setSizes(sizes)
            self.source.setFocus()

    def _conversation_loaded(self, conversation_id: int) -> None:
        if conversation_id == self._conversation:
            return  # the same conversation refreshed: the agent's Chinese stays
        self._conversation = conversation_id
        self._generation += 1  # an answer still on its way belongs to the previous conversation
        self.busy = False
        self.source.clear()
        self.back.clear()
        self._engine = None
        self._checked_text = None
        self._say("")
        self._reply_changed()

    def _say(self, text: str, error: bool = False, *, keep_back: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "color:#666")
        self.status.setText(text)
        self.status.setVisible(bool(text))
        # An error's line (a keyring's advice can be long) gets the back-translation's room:
        # in this narrow column the wrapped label would otherwise be cut off.
        for widget in (self.back_title, self.back):
            widget.setVisible(keep_back or not error)

    def _reply_changed(self) -> None:
        text = self.composer.text
        stale = self._checked_text is not None and text != self._checked_text
        if self._engine is None:
            title = _("Back-translation:")
        elif stale:
            title = _("Back-translation · {engine}, out of date:").format(engine=engine_label(self._engine))
        else:
            title = _("Back-translation · {engine}:").format(engine=engine_label(self._engine))
        self.back_title.setText(title)
        self.back.setToolTip(machine_mark(self._engine) if self._engine else "")
        self.recheck_button.setEnabled(bool(text.strip()) and not self.busy)

    def _usable(self) -> bool:
        c = self.composer
        return c.state is not None and not c.editor.isReadOnly()

    def _fail(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.busy = False
        self.translate_button.setEnabled(True)
        self._say(str(exc), error=True)
        self._reply_changed()
        self.failed.emit(str(exc))

    # -- Chinese → Russian draft ---------------------------------------------------------------
    def translate(self) -> bool:
        """Send the Chinese to the engine; False (with the reason shown) if it cannot go now."""
        chinese = self.source.toPlainText().strip()
        if self.busy:
            return False
        if not chinese:
            self._say(_("Write the reply in Chinese first."), error=True)
            return False
        if not self._usable():
            self._say(_("Open a conversation to reply to first."), error=True)
            return False
        self._generation += 1
        generation = self._generation
        self.busy = True
        self.translate_button.setEnabled(False)
        self._say(_("Translating…"))
        self.runner.run(
            lambda: self.translator.translate(chinese, "ru", source="zh"),
            lambda result: self._drafted(generation, result),
            lambda exc: self._fail(generation, exc),
        )
        return True

    def _drafted(self, generation: int, result: TranslationResult) -> None:
        if generation != self._generation:
            return
        self.busy = False
        self.translate_button.setEnabled(True)
        if not self._usable():  # the reply is being queued: its text must not change under it
            self._fail(generation, RuntimeError(_("The reply is being sent; translate again after.")))
            return
        editor = self.composer.editor
        cursor = editor.textCursor()
        cursor.beginEditBlock()  # one step for Undo, back to what the agent had
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(result.text)
        cursor.endEditBlock()
        editor.setTextCursor(cursor)
        self.composer.lint_now()
        if result.lost:
            self._say(ngettext(
                "The engine dropped {n} protected part (a placeholder, a deadline or a number); "
                "it was put at the end of the draft: move it where it belongs.",
                "The engine dropped {n} protected parts (placeholders, deadlines or numbers); "
                "they were put at the end of the draft: move them where they belong.",
                len(result.lost),
            ).format(n=len(result.lost)), error=True, keep_back=True)
        else:
            self._say("")
        self.drafted.emit(result.text)
        self.check_back()

    # -- Russian draft → Chinese ---------------------------------------------------------------
    def check_back(self) -> bool:
        """Translate the reply as it is now back into Chinese, beside it."""
        russian = self.composer.text
        if not russian.strip() or self.busy:
            return False
        self._generation += 1
        generation = self._generation
        self.busy = True
        self.translate_button.setEnabled(False)
        self.recheck_button.setEnabled(False)
        self.back.setPlainText(_("Translating…"))
        self.runner.run(
            lambda: self.translator.translate(russian, "zh", source="ru"),
            lambda result: self._checked(generation, russian, result),
            lambda exc: self._back_failed(generation, exc),
        )
        return True

    def _checked(self, generation: int, russian: str, result: TranslationResult) -> None:
        if generation != self._generation:
            return
        self.busy = False
        if self.back.isHidden():
            self._say("")  # the error this check was the answer to is over
        self.translate_button.setEnabled(True)
        self._checked_text = russian
        self.back.setPlainText(result.text)
        self._engine = result.engine
        self._reply_changed()
        self.back_translated.emit(result.text)

    def _back_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.back.clear()
        self._fail(generation, exc)

    # -- keys ------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.source and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.translate()
                return True
        return super().eventFilter(watched, event)
