"""Entering a ticket by hand, and the escalation e-mail draft.

The new-ticket dialog shows the evidence checklist live: "Mark sent" stays disabled, naming
each missing item, until the shop ID, an order number, the error code and a screenshot are
there (the service refuses an incomplete ticket too). "Save draft" keeps it to finish later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTimer, QTimeZone, QUrl, Signal
from PySide6.QtGui import QCursor, QDesktopServices, QGuiApplication, QPixmap, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain import tickets as T
from ozondesk.domain.clock import as_utc, utcnow
from ozondesk.domain.escalation import EmailDraft
from ozondesk.errors import UserError
from ozondesk.i18n import _, language
from ozondesk.ui.tickets.model import category_label, kind_label
from ozondesk.ui.tickets.screenshot import RegionPicker, grab_screen, png_bytes, stamp

MOSCOW_TZ = QTimeZone(b"Europe/Moscow")
# Long enough to click the browser's window or taskbar entry, short enough not to wait about.
SCREENSHOT_DELAY_MS = 5000


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str
    data: bytes
    kind: str  # screenshot | file


@dataclass(frozen=True)
class TicketInput:
    kind: str
    category: str
    number: str
    shop_ref: str
    orders: tuple[str, ...]
    error_code: str
    question: str
    sent_at: datetime
    attachments: tuple[Attachment, ...]
    send: bool  # mark sent (checked for evidence) or keep as a draft


def split_orders(text: str) -> list[str]:
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part.strip()]


class TicketDialog(QDialog):
    """New ticket. ``submitted`` carries a :class:`TicketInput`; the workspace saves it and
    closes the dialog, or shows the refusal here with everything typed kept."""

    submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None, shop_ref: str = "",
                 now: datetime | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketDialog")
        self.setWindowTitle(_("New ticket to Ozon"))
        self.attachments: list[Attachment] = []
        self._picker: RegionPicker | None = None
        form = QFormLayout()
        self.kind = QComboBox(self)
        self.kind.setObjectName("ticketKind")
        for key in T.KINDS:
            self.kind.addItem(kind_label(key), key)
        form.addRow(_("Type"), self.kind)
        self.category = QComboBox(self)
        self.category.setObjectName("ticketCategory")
        for key in T.CATEGORIES:
            label = category_label(key)
            if key in T.TICKET_ONLY:
                label = _("{category} (ticket only)").format(category=label)
            self.category.addItem(label, key)
        form.addRow(_("Category"), self.category)
        self.number = QLineEdit(self)
        self.number.setObjectName("ticketNumber")
        self.number.setMaxLength(T.MAX_NUMBER)
        self.number.setPlaceholderText(_("as Seller Center shows it"))
        form.addRow(_("Ticket number"), self.number)
        self.sent_at = QDateTimeEdit(self)
        self.sent_at.setObjectName("ticketSentAt")
        self.sent_at.setTimeZone(MOSCOW_TZ)
        self.sent_at.setDisplayFormat("dd.MM.yyyy HH:mm")
        self.sent_at.setDateTime(QDateTime.fromSecsSinceEpoch(int((now or utcnow()).timestamp()), MOSCOW_TZ))
        form.addRow(_("Sent (Moscow time)"), self.sent_at)
        self.shop_ref = QLineEdit(shop_ref, self)
        self.shop_ref.setObjectName("ticketShopId")
        self.shop_ref.setMaxLength(32)
        form.addRow(_("Shop ID"), self.shop_ref)
        self.orders = QLineEdit(self)
        self.orders.setObjectName("ticketOrders")
        self.orders.setPlaceholderText(_("e.g. 12345678-0001, 12345678-0002"))
        form.addRow(_("Order numbers"), self.orders)
        self.error_code = QLineEdit(self)
        self.error_code.setObjectName("ticketErrorCode")
        self.error_code.setMaxLength(100)
        form.addRow(_("Error code"), self.error_code)
        self.question = QPlainTextEdit(self)
        self.question.setObjectName("ticketQuestion")
        self.question.setPlaceholderText(_("What was asked, as sent"))
        self.question.setFixedHeight(70)
        form.addRow(_("Question"), self.question)
        self.files = QListWidget(self)
        self.files.setObjectName("ticketAttachments")
        self.files.setFixedHeight(60)
        shot = QPushButton(_("Screenshot…"), self)
        shot.setObjectName("ticketScreenshot")
        shot.setToolTip(_("Grab the screen, drag over the browser with the ozon.ru address bar; the Moscow time is stamped on it"))
        # Qt cannot list other programs' windows portably: the browser is taken from the
        # screen (now, or after a pause to bring it forward), OzonDesk's own windows directly.
        self.shot_menu = QMenu(shot)
        self.shot_menu.setObjectName("ticketScreenshotMenu")
        self.shot_menu.addAction(_("Region of the screen now…"), self.take_screenshot)
        self.shot_menu.addAction(
            _("Screen in {n} seconds (bring the browser forward)…").format(n=SCREENSHOT_DELAY_MS // 1000),
            self.take_delayed_screenshot)
        self.windows_menu = self.shot_menu.addMenu(_("OzonDesk window"))
        self.windows_menu.aboutToShow.connect(self.fill_windows_menu)
        shot.setMenu(self.shot_menu)
        self.delay_ms = SCREENSHOT_DELAY_MS
        attach = QPushButton(_("Attach file…"), self)
        attach.setObjectName("ticketAttachFile")
        attach.clicked.connect(self._attach_file)
        row = QHBoxLayout()
        row.addWidget(shot)
        row.addWidget(attach)
        row.addStretch(1)
        files = QVBoxLayout()
        files.addWidget(self.files)
        files.addLayout(row)
        form.addRow(_("Attachments"), files)
        self.checklist = QLabel(self)
        self.checklist.setObjectName("ticketChecklist")
        self.checklist.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("ticketError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828")
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.send_button = self.buttons.addButton(_("Mark sent"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("ticketMarkSent")
        self.draft_button = self.buttons.addButton(_("Save draft"), QDialogButtonBox.ButtonRole.ActionRole)
        self.draft_button.setObjectName("ticketSaveDraft")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.send_button.clicked.connect(lambda: self._submit(True))
        self.draft_button.clicked.connect(lambda: self._submit(False))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.checklist)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for edit in (self.shop_ref, self.orders, self.error_code, self.number):
            edit.textChanged.connect(self._update)
        self.kind.currentIndexChanged.connect(self._update)
        self.category.currentIndexChanged.connect(self._update)
        self.resize(560, 0)
        self._update()

    def missing(self) -> list[str]:
        shots = sum(1 for a in self.attachments if a.kind == "screenshot")
        return T.missing_evidence(T.Evidence(self.shop_ref.text(), tuple(split_orders(self.orders.text())),
                                             self.error_code.text(), shots))

    def _update(self) -> None:
        missing = self.missing()
        lines = [("✔ " if key not in missing else "✘ ") + _(T.EVIDENCE[key]) for key in T.EVIDENCE]
        self.checklist.setText(_("Evidence Ozon asks for: {items}").format(items="   ".join(lines)))
        self.send_button.setEnabled(not missing and bool(self.number.text().strip()))
        self.send_button.setToolTip(T.incomplete_message(missing) if missing else "")
        self.draft_button.setEnabled(bool(self.number.text().strip()))

    def add_attachment(self, attachment: Attachment) -> None:
        self.attachments.append(attachment)
        label = _("{name} (screenshot)").format(name=attachment.name) if attachment.kind == "screenshot" else attachment.name
        self.files.addItem(label)
        self._update()

    def add_screenshot(self, pixmap: QPixmap, now: datetime | None = None) -> None:
        at = now or utcnow()
        name = "screenshot-{t}.png".format(t=as_utc(at).strftime("%Y%m%d-%H%M%S"))
        self.add_attachment(Attachment(name, "image/png", png_bytes(stamp(pixmap, at)), "screenshot"))

    def take_screenshot(self, screen: QScreen | None = None) -> None:
        """A still of the screen now, to drag the region to keep over (Enter: all of it)."""
        self._pick_region(grab_screen(screen or self.screen()))

    def take_delayed_screenshot(self) -> None:
        """The dialog steps aside for ``delay_ms`` so the agent can bring the browser with
        Seller Center forward; then the screen under the mouse is grabbed as above."""
        self.hide()
        QTimer.singleShot(self.delay_ms, self._grab_after_delay)

    def _grab_after_delay(self) -> None:
        screen = QGuiApplication.screenAt(QCursor.pos()) or self.screen()
        still = grab_screen(screen)
        self.show()
        self._pick_region(still)

    def _pick_region(self, still: QPixmap) -> None:
        if still.isNull():
            self.show_error(_("this system does not allow taking a screenshot; attach one as a file"))
            return
        self._picker = RegionPicker(still)
        self._picker.taken.connect(lambda pixmap: self.add_screenshot(pixmap))
        self._picker.showFullScreen()

    def app_windows(self) -> list[QWidget]:
        """OzonDesk's own visible windows, this dialog aside."""
        return [w for w in QApplication.topLevelWidgets()
                if w.isVisible() and w is not self and w is not self._picker and not isinstance(w, QMenu)]

    def fill_windows_menu(self) -> None:
        self.windows_menu.clear()
        for window in self.app_windows():
            title = window.windowTitle() or _("OzonDesk")
            self.windows_menu.addAction(title, lambda w=window: self.grab_window(w))
        if self.windows_menu.isEmpty():
            self.windows_menu.addAction(_("No other OzonDesk window is open")).setEnabled(False)

    def grab_window(self, window: QWidget) -> None:
        """One of OzonDesk's windows as it is drawn, stamped at once."""
        pixmap = window.grab()
        if pixmap.isNull():
            self.show_error(_("this system does not allow taking a screenshot; attach one as a file"))
            return
        self.add_screenshot(pixmap)

    def _attach_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Attach file"), "",
                                                    _("Images and documents (*.png *.jpg *.jpeg *.pdf *.txt)"))
        if not path:
            return
        try:
            with open(path, "rb") as handle:
                data = handle.read(10 * 1024 * 1024 + 1)
        except OSError as exc:
            self.show_error(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc))
            return
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        image = name.lower().endswith((".png", ".jpg", ".jpeg"))
        mime = "image/png" if name.lower().endswith(".png") else "image/jpeg" if image else "application/octet-stream"
        self.add_attachment(Attachment(name, mime, data, "screenshot" if image else "file"))

    def value(self, send: bool) -> TicketInput:
        return TicketInput(
            kind=str(self.kind.currentData()), category=str(self.category.currentData()),
            number=self.number.text(), shop_ref=self.shop_ref.text(),
            orders=tuple(split_orders(self.orders.text())), error_code=self.error_code.text(),
            question=self.question.toPlainText(),
            sent_at=datetime.fromtimestamp(self.sent_at.dateTime().toSecsSinceEpoch(), UTC),
            attachments=tuple(self.attachments), send=send)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.buttons.setEnabled(True)

    def _submit(self, send: bool) -> None:
        self.error.setVisible(False)
        try:
            value = self.value(send)
            T.check_kind_and_category(value.kind, value.category)
            T.check_number(value.number)
            T.check_orders(value.orders)
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.buttons.setEnabled(False)
        self.submitted.emit(value)


class EscalationDialog(QDialog):
    """An e-mail draft: open it in the mail client (``mailto:``) or copy it, then *Mark as sent*
    once it went out. Only that confirmation counts as an escalation sent (``sent`` fires once):
    an opened or copied draft may never be sent. A draft without a ticket (the Missing AM
    report) has no such step."""

    sent = Signal()

    def __init__(self, draft: EmailDraft, parent: QWidget | None = None, countable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("escalationDialog")
        self.setWindowTitle(_("Escalation e-mail"))
        self.draft = draft
        self._sent = False
        # The body is English as Ozon asks; the agent reads what it says in their own language.
        chinese = language().startswith("zh") and bool(draft.gloss_zh)
        gloss = QLabel(draft.gloss_zh if chinese else _(draft.gloss), self)
        gloss.setObjectName("escalationGloss")
        gloss.setWordWrap(True)
        form = QFormLayout()
        to = QLineEdit(draft.to, self)
        to.setReadOnly(True)
        to.setObjectName("escalationTo")
        form.addRow(_("To"), to)
        self.no_address = QLabel(_("No escalation address yet: a team lead sets it under Tickets to Ozon → Escalation address…"), self)
        self.no_address.setObjectName("escalationNoAddress")
        self.no_address.setWordWrap(True)
        self.no_address.setStyleSheet("color: #c62828")
        self.no_address.setVisible(not draft.to)
        subject = QLineEdit(draft.subject, self)
        subject.setReadOnly(True)
        subject.setObjectName("escalationSubject")
        form.addRow(_("Subject"), subject)
        self.body = QPlainTextEdit(draft.body, self)
        self.body.setReadOnly(True)
        self.body.setObjectName("escalationBody")
        version = QLabel(_("Template {slug}, revision {n}, in English as Ozon asks").format(
            slug=draft.template, n=draft.version), self)
        version.setObjectName("escalationVersion")
        version.setWordWrap(True)
        self.state = QLabel(self)
        self.state.setObjectName("escalationState")
        self.state.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.open_button = buttons.addButton(_("Open in mail client"), QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("escalationOpen")
        self.copy_button = buttons.addButton(_("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("escalationCopy")
        self.sent_button = buttons.addButton(_("Mark as sent"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.sent_button.setObjectName("escalationMarkSent")
        self.sent_button.setEnabled(False)
        self.sent_button.setToolTip(_("After you have sent the e-mail: counts it as an escalation sent"))
        self.sent_button.setVisible(countable)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.open_button.clicked.connect(self.open_mail)
        self.copy_button.clicked.connect(self.copy)
        self.sent_button.clicked.connect(self.mark_sent)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(gloss)
        layout.addLayout(form)
        layout.addWidget(self.no_address)
        layout.addWidget(self.body, 1)
        layout.addWidget(version)
        layout.addWidget(self.state)
        layout.addWidget(buttons)
        self.resize(640, 520)

    def _handed_over(self, text: str) -> None:
        self.state.setText(text)
        if not self._sent:
            self.sent_button.setEnabled(True)

    def open_mail(self) -> None:
        QDesktopServices.openUrl(QUrl(self.draft.mailto()))
        self._handed_over(_("Opened in the mail client. Once it is sent, press Mark as sent."))

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.draft.as_text())
        self._handed_over(_("Copied. Once it is sent, press Mark as sent."))

    def mark_sent(self) -> None:
        if self._sent:
            return
        self._sent = True
        self.sent_button.setEnabled(False)
        self.state.setText(_("Marked as sent."))
        self.sent.emit()
        self.accept()
