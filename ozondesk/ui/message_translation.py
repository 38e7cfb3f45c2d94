"""Chinese translations of buyer messages under the originals in the thread.

Each buyer (or Ozon) message gets a small "Translate" link; a conversation can also be set to
translate every such message by itself, remembered on this desk. The translation goes to the
engine on a worker of its own (``ozondesk.ui.tasks.TaskRunner``): a slow engine must never hold
up the database worker the inbox pages through, nor the GUI thread. The original stays as it is;
the translation is shown under it, marked as machine-made, and a failure is one line there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Literal, Protocol

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QCheckBox

from ozondesk.i18n import _
from ozondesk.services.conversation import ConversationDetail, MessageView
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.translation.engine import display_name
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.tasks import TaskRunner

Lang = Literal["ru", "zh"]

# Sides whose messages a Chinese-speaking agent reads: the buyer's, and Ozon's answers to tickets.
# The seller side is the desk's own Russian, written with its Chinese at hand.
TRANSLATED_SIDES = frozenset({"buyer", "platform"})
LINK_SCHEME = "translate"
AUTO_REMEMBERED = 1000  # conversations whose auto-translate choice this desk keeps (newest first)


class TranslationResult(Protocol):
    """What ``ozondesk.services.translation.Translation`` carries, as far as the desk shows it."""

    @property
    def text(self) -> str: ...
    @property
    def engine(self) -> str: ...
    @property
    def cached(self) -> bool: ...
    @property
    def masked(self) -> tuple[str, ...]: ...
    @property
    def lost(self) -> tuple[str, ...]: ...  # protected parts the engine dropped, put at the end


class GlossaryPair(Protocol):
    @property
    def ru(self) -> str: ...
    @property
    def zh(self) -> str: ...


class UsageLine(Protocol):
    @property
    def day(self) -> date: ...
    @property
    def engine(self) -> str: ...
    @property
    def characters(self) -> int: ...


class Translator(Protocol):
    """The part of ``ozondesk.services.translation.TranslationService`` the desk uses.

    ``translate`` blocks on the network and raises ``UserError`` with one line (bad key,
    exhausted quota, no network, no engine): call it on a worker only.
    """

    def configured(self) -> bool: ...
    def engine_name(self) -> str | None: ...
    def translate(self, text: str, to: Lang, *, source: Lang | None = None) -> TranslationResult: ...
    def glossary(self) -> Sequence[GlossaryPair]: ...
    def set_glossary_entry(self, ru: str, zh: str) -> None: ...
    def delete_glossary_entry(self, ru: str) -> None: ...
    def usage(self, days: int = 30) -> Sequence[UsageLine]: ...


def engine_label(engine: str) -> str:
    return display_name(engine)


def machine_mark(engine: str) -> str:
    """The label every machine translation carries, e.g. «机器翻译 · Yandex»."""
    return _("Machine translation · {engine}").format(engine=engine_label(engine))


@dataclass(frozen=True)
class Shown:
    """One message's translation state: asked for (``pending``), done, or failed."""

    text: str  # the original it belongs to: an edited message is translated afresh
    pending: bool = False
    translation: TranslationResult | None = None
    error: str = ""


def translatable(message: MessageView) -> bool:
    return message.side in TRANSLATED_SIDES and bool(message.text.strip())


class MessageTranslations(QObject):
    """Which messages show a translation, and the auto-translate choice per conversation.

    ``changed(conversation_id)`` tells the thread to draw itself again.
    """

    changed = Signal(int)

    def __init__(
        self,
        translator: Translator,
        runner: TaskRunner,
        desk: DeskSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.translator = translator
        self.runner = runner
        self.desk = desk
        self._shown: dict[int, Shown] = {}
        self._auto: list[int] = list(self._stored_auto())

    # -- auto-translate per conversation ----------------------------------------------------
    def _stored_auto(self) -> tuple[int, ...]:
        if self.desk is None or self.desk.database is None:
            return ()
        return self.desk.get(options.TRANSLATE_AUTO)

    def is_auto(self, conversation_id: int) -> bool:
        return conversation_id in self._auto

    def set_auto(self, detail: ConversationDetail, on: bool) -> None:
        """Remember the choice for ``detail``'s conversation; turning it on translates its messages."""
        cid = detail.id
        if cid in self._auto:
            self._auto.remove(cid)
        if on:
            self._auto.insert(0, cid)
            del self._auto[AUTO_REMEMBERED:]
        if self.desk is not None and self.desk.database is not None:
            self.desk.set(options.TRANSLATE_AUTO, tuple(self._auto))
        if on:
            self.translate_all(detail)

    def conversation_shown(self, detail: ConversationDetail) -> None:
        """A conversation (or a new message in it) is on screen: translate it if it is set to."""
        if self.is_auto(detail.id):
            self.translate_all(detail)

    def translate_all(self, detail: ConversationDetail) -> None:
        asked = [self.request(detail.id, m, redraw=False) for m in detail.messages if translatable(m)]
        if any(asked):
            self.changed.emit(detail.id)  # once for all the "Translating…" lines

    # -- one message ---------------------------------------------------------------------------
    def shown(self, message: MessageView) -> Shown | None:
        state = self._shown.get(message.id)
        return state if state is not None and state.text == message.text else None

    def request(self, conversation_id: int, message: MessageView, *, redraw: bool = True) -> bool:
        """Translate ``message`` into Chinese unless it is done or on its way; True if asked now."""
        state = self.shown(message)
        if state is not None and (state.pending or state.translation is not None):
            return False
        text, mid = message.text, message.id
        self._shown[mid] = Shown(text, pending=True)
        if redraw:
            self.changed.emit(conversation_id)
        self.runner.run(
            lambda: self.translator.translate(text, "zh", source="ru"),
            lambda result: self._done(conversation_id, mid, text, Shown(text, translation=result)),
            lambda exc: self._done(conversation_id, mid, text, Shown(text, error=str(exc))),
        )
        return True

    def _done(self, conversation_id: int, message_id: int, text: str, state: Shown) -> None:
        current = self._shown.get(message_id)
        if current is None or current.text != text:
            return  # the message changed meanwhile; its new text has its own request
        self._shown[message_id] = state
        self.changed.emit(conversation_id)

    def html(self, message: MessageView) -> str:
        """What goes under ``message`` in the thread: the link, the wait, the translation or the error."""
        if not translatable(message):
            return ""
        state = self.shown(message)
        link = f"{LINK_SCHEME}:{message.id}"
        if state is None:
            label = escape(_("Translate into Chinese"))
            return f"<div style='font-size:small'><a href='{link}'>译 {label}</a></div>"
        if state.pending:
            waiting = escape(_("Translating…"))
            return f"<div style='color:#666;font-size:small'>{waiting}</div>"
        if state.translation is None:
            again = escape(_("Try again"))
            return (
                f"<div style='color:#c62828;font-size:small'>{escape(state.error)}"
                f" · <a href='{link}'>{again}</a></div>"
            )
        t = state.translation
        return (
            "<div style='margin-top:4px;margin-left:8px;padding:4px;background-color:#e3eefc'>"
            f"<div style='white-space:pre-wrap'>{escape(t.text)}</div>"
            f"<div style='color:#666;font-size:small'>{escape(machine_mark(t.engine))}</div></div>"
        )


def message_id_of(link: str) -> int | None:
    """The message id of a ``translate:<id>`` link; None for any other link."""
    scheme, _sep, rest = link.partition(":")
    if scheme != LINK_SCHEME or not rest.isdigit():
        return None
    return int(rest)


class ThreadTranslation:
    """Puts :class:`MessageTranslations` into a conversation view: the links and translations in
    its thread, and the "Translate this conversation" switch beside its header."""

    def __init__(self, view: ConversationView, translations: MessageTranslations) -> None:
        self.view = view
        self.translations = translations
        view.below_message = translations.html
        self.auto = QCheckBox(_("Translate this conversation"), view)
        self.auto.setObjectName("autoTranslate")
        self.auto.setToolTip(
            _("Show the Chinese machine translation under every buyer message of this conversation")
        )
        self.auto.setEnabled(False)
        view.header_row.addWidget(self.auto)
        view.detail_shown.connect(self._shown)
        view.link_clicked.connect(self._link)
        self.auto.toggled.connect(self._toggled)
        translations.changed.connect(self._changed)

    def _shown(self, detail: ConversationDetail) -> None:
        self.auto.blockSignals(True)  # showing the stored choice is not making one
        self.auto.setChecked(self.translations.is_auto(detail.id))
        self.auto.blockSignals(False)
        self.auto.setEnabled(True)
        self.translations.conversation_shown(detail)

    def _toggled(self, on: bool) -> None:
        if self.view.detail is not None:
            self.translations.set_auto(self.view.detail, on)

    def _link(self, url: QUrl) -> None:
        mid = message_id_of(url.toString())
        detail = self.view.detail
        if mid is None or detail is None:
            return
        message = next((m for m in detail.messages if m.id == mid), None)
        if message is not None:
            self.translations.request(detail.id, message)

    def _changed(self, conversation_id: int) -> None:
        if self.view.detail is not None and self.view.detail.id == conversation_id:
            self.view.redraw_thread()
