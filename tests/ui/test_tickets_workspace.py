"""The Tickets workspace: Ozon's deadlines longest-waiting first, the new-ticket dialog's
evidence checklist, the escalation e-mail offered exactly when Ozon's time ends, the
notifications tab, and the Moscow-time stamp on screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QLabel

from ozondesk.domain.clock import MOSCOW
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.templates import TemplateService
from ozondesk.services.tickets import TicketService
from ozondesk.settings import options
from ozondesk.settings.team import TeamSettings
from ozondesk.store.db import Database
from ozondesk.store.repos.sync import ensure_shop
from ozondesk.store.ticket_models import PlatformNotification
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.tickets.dialogs import TicketDialog
from ozondesk.ui.tickets.screenshot import RegionPicker, png_bytes, stamp, stamp_text
from ozondesk.ui.tickets.workspace import TicketsWorkspace

AM_SENT = MOSCOW.localize(datetime(2026, 12, 1, 16, 0))  # Tuesday 16:00 MSK; due 18:00


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Desk:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = Clock(AM_SENT + timedelta(minutes=30))
        self.service = TicketService(db, self.clock)
        with db.begin() as s:
            shop = ensure_shop(s, "Юэсинь", "123456789", AM_SENT)
            s.add(PlatformNotification(shop_id=shop, chat_id="n1", chat_type="SELLER_NOTIFICATION_LOGISTICS",
                                       platform_message_id="1", text="Склад Хоругвино не принимает поставки 02.12",
                                       created_at=datetime(2026, 12, 1, 6, 0)))
        TemplateService(db).seed_escalation_templates(AM_SENT - timedelta(days=10))
        self.am = self.service.add(kind="am", category="promotion-dispute", number="AM-3", sent_at=AM_SENT,
                                   shop_ref="123456789", question="Почему SKU 2001 исключён из акции?")
        self.old = self.service.add(kind="support", category="logistics", number="SR-1",
                                    sent_at=AM_SENT - timedelta(days=1), shop_ref="123456789")
        self.runner = TaskRunner()
        self.agent = DeskAgent(1, "li.ming", "Li Ming", "Юэсинь", "lead")

    def workspace(self, qtbot: Any) -> TicketsWorkspace:
        ws = TicketsWorkspace(self.service, self.runner, self.agent, clock=self.clock)
        qtbot.addWidget(ws)
        ws.resize(1280, 720)
        with qtbot.waitSignal(ws.loaded, timeout=5000):
            ws.show()
        return ws


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(db)
    yield d
    qtbot.waitUntil(lambda: d.runner.pending == 0, timeout=5000)
    d.runner.shutdown()


def column(ws: TicketsWorkspace, col: int, role: int = Qt.ItemDataRole.DisplayRole) -> list[Any]:
    return [ws.model.data(ws.model.index(r, col), role) for r in range(ws.model.rowCount())]


def select(ws: TicketsWorkspace, number: str, qtbot: Any) -> None:
    row = [ws.model.at(r).number for r in range(ws.model.rowCount())].index(number)  # type: ignore[union-attr]
    with qtbot.waitSignal(ws.detail_shown, timeout=5000):
        ws.table.selectRow(row)


def test_the_list_shows_ozons_deadlines_longest_waiting_first(desk: Desk, qtbot: Any, qtmodeltester: Any) -> None:
    ws = desk.workspace(qtbot)
    qtmodeltester.check(ws.model)
    qtmodeltester.check(ws.notes_model)
    assert column(ws, 0) == ["SR-1", "AM-3"]
    assert column(ws, 2) == ["01.12 11:00", "01.12 18:00"]  # Monday 16:00 + 4 working hours
    assert column(ws, 1) == ["1 d 0 h", "0 h 30 min"]
    assert column(ws, 1, Qt.ItemDataRole.ForegroundRole)[0].color() == QColor("#c62828")  # Ozon is late
    assert column(ws, 1, Qt.ItemDataRole.ForegroundRole)[1] is None
    assert column(ws, 7) == ["missing: order number, error code, screenshot"] * 2
    assert ws.tabs.tabText(1) == "Notifications (1)"
    assert ws.notes_model.data(ws.notes_model.index(0, 1)) == "Logistics"


def test_the_escalation_is_offered_exactly_when_the_account_managers_two_hours_end(
    desk: Desk, qtbot: Any
) -> None:
    TeamSettings(desk.db).set(options.ESCALATION_ADDRESS, "seller-escalation@example.com")
    desk.clock.at = AM_SENT + timedelta(hours=2) - timedelta(seconds=1)
    ws = desk.workspace(qtbot)
    select(ws, "AM-3", qtbot)
    assert not ws.escalate_button.isEnabled()
    assert ws.clock_line.text().startswith("due soon: Ozon's answer due 01.12 18:00 MSK")
    desk.clock.at = AM_SENT + timedelta(hours=2)
    with qtbot.waitSignal(ws.loaded, timeout=5000):
        ws.refresh()
    qtbot.waitUntil(lambda: ws.escalate_button.isEnabled(), timeout=5000)
    assert ws.clock_line.text().startswith("Ozon is late")
    ws.escalate_button.click()
    qtbot.waitUntil(lambda: ws.escalation is not None and ws.escalation.isVisible(), timeout=5000)
    dialog = ws.escalation
    assert dialog is not None
    assert dialog.findChild(type(dialog.body), "escalationBody") is dialog.body
    assert dialog.draft.subject == "Escalation Request: SELLER-CHN-123456789-PromotionDispute"
    assert dialog.draft.to == "seller-escalation@example.com"
    assert "Sent: 2026-12-01 16:00 MSK" in dialog.body.toPlainText()
    assert dialog.findChild(QLabel, "escalationVersion").text() == (
        "Template escalation-ticket, revision 1, in English as Ozon asks")
    assert not dialog.no_address.isVisible()
    assert not dialog.sent_button.isEnabled()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text().startswith(
        "To: seller-escalation@example.com\nSubject: Escalation Request: SELLER-CHN-123456789-PromotionDispute")
    # Copying is not sending: nothing is counted until the agent confirms.
    assert dialog.sent_button.isEnabled()
    assert desk.service.ticket(desk.am.id).escalations == 0
    dialog.sent_button.click()
    qtbot.waitUntil(lambda: desk.service.ticket(desk.am.id).escalations == 1, timeout=8000)
    qtbot.waitUntil(lambda: any("escalation e-mail sent" in ws.history.item(i).text()
                                for i in range(ws.history.count())), timeout=5000)


def test_mark_sent_waits_for_every_piece_of_evidence(desk: Desk, qtbot: Any) -> None:
    ws = desk.workspace(qtbot)
    dialog = ws.new_ticket()
    qtbot.addWidget(dialog)
    assert not dialog.send_button.isEnabled() and not dialog.draft_button.isEnabled()
    dialog.number.setText("SR-5001")
    dialog.category.setCurrentIndex(dialog.category.findData("tracking-anomaly"))
    assert dialog.draft_button.isEnabled() and not dialog.send_button.isEnabled()
    assert dialog.send_button.toolTip() == ("the ticket is incomplete, Ozon would send it back: add shop ID, "
                                            "order number, error code, screenshot")
    assert "✘ shop ID" in dialog.checklist.text()
    dialog.shop_ref.setText("123456789")
    dialog.orders.setText("12345678-0001, 12345678-0002")
    dialog.error_code.setText("E-4021")
    assert dialog.send_button.toolTip().endswith("add screenshot")
    shot = QPixmap(400, 300)
    shot.fill(QColor("#ffffff"))
    dialog.add_screenshot(shot, AM_SENT)
    assert dialog.send_button.isEnabled() and "✘" not in dialog.checklist.text()
    inbox_told: list[bool] = []
    ws.inbox_changed.connect(lambda: inbox_told.append(True))
    with qtbot.waitSignal(ws.saved, timeout=8000) as saved:
        dialog.send_button.click()
    view = saved.args[0]
    # Sent, it is an Ozon-support conversation in the inbox too, and the inbox is told to reload.
    assert view.conversation_id is not None and inbox_told == [True]
    assert (view.number, view.status, view.state, view.missing, view.screenshots, view.order_numbers) == (
        "SR-5001", "pending_review", "waiting", (), 1, ("12345678-0001", "12345678-0002"))
    assert view.policy == "ozon-ticket"
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    [attachment] = desk.service.attachments(view.id)
    assert attachment.kind == "screenshot" and attachment.mime == "image/png"
    stored = QImage.fromData(desk.service.attachment_data(attachment.id) or b"")
    assert (stored.width(), stored.height()) == (400, 300)


def test_a_refused_save_keeps_the_dialog_open_with_the_reason(desk: Desk, qtbot: Any) -> None:
    ws = desk.workspace(qtbot)
    dialog = ws.new_ticket()
    qtbot.addWidget(dialog)
    dialog.number.setText("SR-1")  # taken already
    dialog.draft_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert dialog.error.text() == "ticket SR-1 is entered already" and dialog.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("email"))
    dialog.category.setCurrentIndex(dialog.category.findData("account-freeze"))
    dialog.number.setText("SR-2")
    dialog.draft_button.click()
    assert dialog.error.text().startswith("Account freeze goes through a Seller Center ticket, not e-mail")


def test_the_stamp_paints_the_moscow_time_bottom_right(qtbot: Any) -> None:
    at = datetime(2026, 12, 1, 7, 5, 9, tzinfo=UTC)
    assert stamp_text(at) == "01.12.2026 10:05:09 МСК (Moscow time)"
    white = QPixmap(640, 200)
    white.fill(QColor("#ffffff"))
    image = stamp(white, at).toImage()
    assert image.pixelColor(630, 190) != QColor("#ffffff")  # the dark box in the corner
    assert image.pixelColor(5, 5) == QColor("#ffffff")  # the rest untouched
    assert png_bytes(white).startswith(b"\x89PNG")


def test_the_region_picker_keeps_the_dragged_rectangle(qtbot: Any) -> None:
    from PySide6.QtCore import QPoint

    still = QPixmap(300, 200)
    still.fill(QColor("#336699"))
    picker = RegionPicker(still)
    qtbot.addWidget(picker)
    picker.show()
    with qtbot.waitSignal(picker.taken, timeout=5000) as taken:
        qtbot.mousePress(picker, Qt.MouseButton.LeftButton, pos=QPoint(10, 20))
        qtbot.mouseMove(picker, QPoint(110, 80))
        qtbot.mouseRelease(picker, Qt.MouseButton.LeftButton, pos=QPoint(110, 80))
    assert (taken.args[0].width(), taken.args[0].height()) == (100, 60)


def test_a_ticket_dialog_never_shows_raw_keys(desk: Desk, qtbot: Any) -> None:
    dialog = TicketDialog(None, now=AM_SENT)
    qtbot.addWidget(dialog)
    labels = [dialog.category.itemText(i) for i in range(dialog.category.count())]
    assert "Account freeze (ticket only)" in labels and not any("-" in label for label in labels)
    assert [dialog.kind.itemText(i) for i in range(dialog.kind.count())] == [
        "Support ticket", "Urgent ticket", "Consultation", "Account manager", "E-mail"]


def test_an_open_conversation_of_a_late_ticket_offers_its_escalation(desk: Desk, qtbot: Any, db: Database) -> None:
    from types import SimpleNamespace

    from ozondesk.domain.clock import to_storage
    from ozondesk.store.models import Conversation
    from ozondesk.store.ticket_models import Ticket
    from ozondesk.ui.tickets.offer import EscalationOffer

    with db.begin() as s:
        conv = Conversation(shop_id=1, kind="account_manager", platform_id="pm-1", subject="", sla_policy="am-first-response",
                            received_at=to_storage(AM_SENT))
        s.add(conv)
        s.flush()
        s.get(Ticket, desk.am.id).conversation_id = conv.id  # type: ignore[union-attr]
        conv_id = conv.id
    ws = desk.workspace(qtbot)
    offer = EscalationOffer(ws)
    qtbot.addWidget(offer)
    detail = SimpleNamespace(id=conv_id, kind="account_manager")
    desk.clock.at = AM_SENT + timedelta(hours=2) - timedelta(seconds=1)
    with qtbot.waitSignal(ws.offer, timeout=5000) as early:
        ws.conversation_shown(detail)
    assert early.args == [None] and offer.isHidden()
    desk.clock.at = AM_SENT + timedelta(hours=2)
    with qtbot.waitSignal(ws.offer, timeout=5000) as due:
        ws.conversation_shown(detail)
    assert due.args[0].number == "AM-3" and not offer.isHidden()
    assert offer.text() == "Ozon is late on AM-3: escalation e-mail…"
    offer.click()
    qtbot.waitUntil(lambda: ws.escalation is not None and ws.escalation.isVisible(), timeout=5000)
    assert ws.escalation is not None and ws.escalation.draft.subject.endswith("SELLER-CHN-123456789-PromotionDispute")
    with qtbot.waitSignal(ws.offer, timeout=5000) as buyer:
        ws.conversation_shown(SimpleNamespace(id=conv_id, kind="buyer_chat"))
    assert buyer.args == [None] and offer.isHidden()


def test_a_delayed_screenshot_steps_aside_then_keeps_the_chosen_region(
    desk: Desk, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QPoint

    import ozondesk.ui.tickets.dialogs as dialogs

    still = QPixmap(400, 300)
    still.fill(QColor("#336699"))
    grabs: list[bool] = []

    def grab(_screen: Any = None) -> QPixmap:
        grabs.append(dialog.isVisible())  # the dialog is out of the way when the screen is taken
        return still

    monkeypatch.setattr(dialogs, "grab_screen", grab)
    dialog = TicketDialog(None, now=AM_SENT)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [a.text() for a in dialog.shot_menu.actions()]
    assert labels == ["Region of the screen now…", "Screen in 5 seconds (bring the browser forward)…",
                      "OzonDesk window"]
    dialog.delay_ms = 50
    dialog.take_delayed_screenshot()
    assert not dialog.isVisible() and grabs == []
    qtbot.waitUntil(lambda: dialog._picker is not None and dialog._picker.isVisible(), timeout=8000)
    assert grabs == [False] and dialog.isVisible()
    picker = dialog._picker
    assert picker is not None
    qtbot.mousePress(picker, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(picker, QPoint(210, 110))
    qtbot.mouseRelease(picker, Qt.MouseButton.LeftButton, pos=QPoint(210, 110))
    qtbot.waitUntil(lambda: len(dialog.attachments) == 1, timeout=8000)
    shot = dialog.attachments[0]
    image = QImage.fromData(shot.data)
    assert (shot.kind, image.width(), image.height()) == ("screenshot", 200, 100)
    assert "screenshot" not in dialog.missing()


def test_an_ozondesk_window_is_grabbed_whole_and_stamped(desk: Desk, qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    window.setWindowTitle("OzonDesk — Inbox")
    window.resize(320, 240)
    qtbot.addWidget(window)
    window.show()
    dialog = TicketDialog(None, now=AM_SENT)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fill_windows_menu()
    actions = {a.text(): a for a in dialog.windows_menu.actions()}
    assert "OzonDesk — Inbox" in actions and dialog.windowTitle() not in actions
    actions["OzonDesk — Inbox"].trigger()
    assert len(dialog.attachments) == 1
    image = QImage.fromData(dialog.attachments[0].data)
    assert (image.width(), image.height()) == (320, 240)
    assert image.pixelColor(305, 228) != image.pixelColor(5, 5)  # the Moscow time in the corner


def test_the_agent_corrects_a_tickets_category_and_the_policy_follows(desk: Desk, qtbot: Any) -> None:
    ws = desk.workspace(qtbot)
    select(ws, "SR-1", qtbot)
    assert ws.category.currentData() == "logistics"
    ws.category.setCurrentIndex(ws.category.findData("payment-hold"))
    ws.apply_category.click()
    qtbot.waitUntil(lambda: desk.service.ticket(desk.old.id).policy == "ozon-ticket-urgent", timeout=8000)
    qtbot.waitUntil(lambda: any(ws.history.item(i).text().endswith("category: Funds on hold")
                                for i in range(ws.history.count())), timeout=8000)
    assert ws.message.text() == "Category set: Funds on hold"


def test_the_draft_says_where_the_missing_address_is_set_and_glosses_in_chinese(qtbot: Any) -> None:
    from demo_desk import interface_language

    from ozondesk.domain.escalation import ESCALATION_GLOSS, EmailDraft
    from ozondesk.ui.tickets.dialogs import EscalationDialog

    draft = EmailDraft("", "Escalation Request: SELLER-CHN-1-Other", "Dear Ozon Seller Support,", ESCALATION_GLOSS,
                       "escalation-ticket", 2, "升级邮件（英文）：致 Ozon 中国卖家客服")
    dialog = EscalationDialog(draft)
    qtbot.addWidget(dialog)
    assert dialog.no_address.isVisibleTo(dialog)
    assert dialog.no_address.text() == (
        "No escalation address yet: a team lead sets it under Tickets to Ozon → Escalation address…")
    assert dialog.findChild(QLabel, "escalationGloss").text() == ESCALATION_GLOSS
    with interface_language("zh_CN"):
        chinese = EscalationDialog(draft)
        qtbot.addWidget(chinese)
        assert chinese.findChild(QLabel, "escalationGloss").text() == "升级邮件（英文）：致 Ozon 中国卖家客服"
    addressed = EscalationDialog(EmailDraft("x@example.com", "s", "b", ESCALATION_GLOSS, "escalation-ticket", 1))
    qtbot.addWidget(addressed)
    assert not addressed.no_address.isVisibleTo(addressed)
