"""Decision buttons of return requests and cancellations, their confirmation, and chat images."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from ozondesk.domain import decisions as D
from ozondesk.domain.decisions import DecisionView
from ozondesk.i18n import _, set_language
from ozondesk.services.conversation import ConversationDetail, MessageView
from ozondesk.ui.conversation_view import ConversationView, thread_html
from ozondesk.ui.decision_panel import DecisionDialog, DecisionPanel

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
RETURN = DecisionView(
    conversation_id=7, shop_id=1, kind="return_request", platform_id=8_000_000_000,
    number="RET-1", posting_number="10000000-1001-1", order_number="10000000-1001",
    state="NEW", state_name="Новая", reason="Не подошёл размер", buyer_comment="Мал размер",
    initiator=None, product_name="Кроссовки", sku=200000001, offer_id="YX-001",
    amount=Decimal("1290.00"), currency="RUB", is_defect=False,
    photos=("https://cdn.example/returns/1.jpg",),
    actions=({"id": 1, "name": "Одобрить возврат"}, {"id": -1, "name": "Отклонить"},
             {"id": 1020, "name": "Предложить частичную компенсацию"}),
    rejection_reasons=({"id": 11, "name": "Не та причина", "hint": "Приложите фото",
                        "comment_required": True},),
    requested_at=NOW, auto_decision_at=None, decided_at=None, decision_comment=None,
)
CANCEL = dataclasses.replace(
    RETURN, kind="cancellation", platform_id=283000006, number=None, state="ON_APPROVAL",
    state_name="На согласовании", initiator="CLIENT", photos=(), rejection_reasons=(),
    actions=({"id": "approve", "name": "approve"}, {"id": "reject", "name": "reject"}),
    auto_decision_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC), amount=None,
)


def detail(decision: DecisionView | None, **over: Any) -> ConversationDetail:
    base = ConversationDetail(
        id=7, kind=decision.kind if decision else "buyer_chat", title="10000000-1001-1 · Кроссовки",
        status="open", category=None, priority="normal", assignee=None,
        sla_policy="return-request", received_at=NOW,
        messages=(MessageView(1, "buyer", None, "Мал размер", (), NOW, "received"),),
        posting=None, targets=(), timeline=(), decision=decision,
    )
    return dataclasses.replace(base, **over)


class Answer(DecisionDialog):
    """The dialog as an agent fills it in, without a modal loop."""

    fill: dict[str, Any] = {}

    def exec(self) -> int:
        if "reason" in self.fill:
            self.reason.setCurrentIndex(self.reason.findData(self.fill["reason"]))
        self.comment.setPlainText(self.fill.get("comment", ""))
        self.amount.setText(self.fill.get("amount", ""))
        self.accept()
        return int(self.result())


@pytest.fixture
def view(qtbot: Any) -> ConversationView:
    v = ConversationView()
    qtbot.addWidget(v)
    v.show()
    return v


def test_a_return_shows_its_facts_and_one_button_per_offered_action(view: ConversationView) -> None:
    view.show_detail(detail(RETURN), NOW)
    panel = view.panel.decision
    assert panel.isVisible()
    labels = [panel.button(o.key).text() for o in panel.options]  # type: ignore[union-attr]
    assert labels == [
        "Approve the return",
        "Reject the return",
        "Offer a partial refund",
    ]
    facts = view.panel.browser.toPlainText()
    assert "Не подошёл размер" in facts and "1290.00 RUB" in facts and "Новая" in facts
    assert "Photo 1" in facts and "https://" not in facts  # a link by name, never the address
    assert "rfbs" not in panel.heading.text() and "-1" not in " ".join(labels)


def test_a_chat_has_no_decision_panel(view: ConversationView) -> None:
    view.show_detail(detail(RETURN), NOW)
    view.show_detail(detail(None), NOW)
    assert not view.panel.decision.isVisible()


def test_rejecting_asks_for_a_reason_and_a_comment_and_then_emits_the_decision(
    view: ConversationView, qtbot: Any
) -> None:
    view.show_detail(detail(RETURN), NOW)
    panel: DecisionPanel = view.panel.decision
    panel.dialog_factory = Answer
    Answer.fill = {"comment": "Фото не совпадает"}  # no reason chosen
    emitted: list[tuple[int, D.Decision]] = []
    view.decision_requested.connect(lambda cid, d: emitted.append((cid, d)))
    panel.button("rfbs:-1").click()  # type: ignore[union-attr]
    assert emitted == []  # refused in the dialog: nothing leaves
    Answer.fill = {"reason": 11, "comment": "Фото не совпадает"}
    panel.button("rfbs:-1").click()  # type: ignore[union-attr]
    assert emitted == [(7, D.Decision("rfbs:-1", 11, "Фото не совпадает", ""))]


def test_the_dialog_says_what_a_decision_does_and_shows_one_clear_line_on_bad_input(
    qtbot: Any,
) -> None:
    option = D.options_for("return_request", RETURN.actions)[2]
    dialog = DecisionDialog(option, RETURN)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.amount.setText("2000")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.decision is None
    assert dialog.error.text() == "the refund 2000 is more than the item's price 1290.00"
    assert dialog.findChild(type(dialog.error), "decisionConsequence").text() == (
        "The buyer keeps the item and gets the amount you enter back."
    )
    dialog.amount.setText("150,50")
    dialog.accept()
    assert dialog.payload == {
        "decision": "rfbs:1020", "action_id": 1020, "compensation_amount": "150.50"
    }


def test_a_queued_decision_disables_the_buttons_and_says_so(view: ConversationView) -> None:
    view.show_detail(detail(dataclasses.replace(CANCEL, queued=("cancellation:approve",))), NOW)
    panel = view.panel.decision
    assert [panel.button(o.key).isEnabled() for o in panel.options] == [False, False]  # type: ignore[union-attr]
    assert panel.status.text() == (
        "Decision queued, on its way to Ozon: Approve the cancellation"
    )


def test_a_cancellation_speaks_chinese_to_chinese_agents(view: ConversationView) -> None:
    set_language("zh_CN")
    try:
        view.show_detail(detail(CANCEL), NOW)
        panel = view.panel.decision
        texts = [panel.button(o.key).text() for o in panel.options]  # type: ignore[union-attr]
        # Through the catalog (translations/pending/returns.json until compiled), never a code.
        assert texts == [_("Approve the cancellation"), _("Reject the cancellation")]
        facts = view.panel.browser.toPlainText()
        assert _("waiting for your decision") in facts and _("the buyer") in facts
        assert "ON_APPROVAL" not in facts and "CLIENT" not in facts
    finally:
        set_language("en")


def test_an_image_message_shows_its_name_and_moderation_never_the_markdown() -> None:
    md = "![брак.jpg](https://cdn.example/chat-images/4/брак.jpg)"
    msgs = (
        MessageView(1, "buyer", None, md, ("image:MODERATION",), NOW, "received"),
        MessageView(2, "buyer", None, "см. [ модель ](https://www.ozon.ru/p/1)", (), NOW, "received"),
    )
    html = thread_html(detail(None, messages=msgs))
    assert "![" not in html and "](" not in html
    assert ">брак.jpg</a>" in html and "being checked by Ozon&#x27;s moderation" in html
    assert ">модель</a>" in html
