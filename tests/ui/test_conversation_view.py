"""The context panel beside the thread: delivery answer, compliance flags, the buyer's earlier conversations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QUrl

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.compliance import flags
from ozondesk.domain.logistics import Suggestion
from ozondesk.i18n import set_language
from ozondesk.services.conversation import (
    ConversationDetail,
    EarlierConversation,
    ItemView,
    MessageView,
    PostingView,
    TemplateRef,
)
from ozondesk.ui.conversation_view import ConversationView


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


NOW = msk(23, 12)
CUSTOMS = Suggestion("customs", "delay-customs", "Held at customs (ETA was 20.11.2026): apologise.",
                     {"eta_date": date(2026, 11, 30)})
REFS = {
    "delay-customs": TemplateRef("delay-customs", "Задержка на таможне", "致歉：订单在海关清关时延误"),
    "compliance-marking": TemplateRef("compliance-marking", "Маркировка «Честный знак»", "商品已在“诚信标志”系统中标识"),
}


def earlier(n: int) -> tuple[EarlierConversation, ...]:
    return tuple(
        EarlierConversation(100 + i, "buyer_ticket" if i == 0 else "buyer_chat",
                            "Возврат товара" if i == 0 else "", f"Где заказ номер {i}?" + " очень" * 30,
                            "resolved", msk(20 - i, 9, 30), "555-0001-2" if i == 0 else None)
        for i in range(n)
    )


def detail(**over: Any) -> ConversationDetail:
    posting = PostingView("555-0001-1", "555-0001", "FBS", "delivering", "OZ1RU", "СДЭК",
                          "Задерживается на таможне", "Передан перевозчику", msk(5, 10), msk(7, 10),
                          msk(20, 12), None,
                          (ItemView(1, "RUN", "Кроссовки беговые", 1, Decimal("3290.00"), "RUB"),))
    base = ConversationDetail(
        id=7, kind="buyer_chat", title="Анна", status="open", category="logistics-delay", priority="normal",
        assignee=None, sla_policy="chat-first-response", received_at=msk(23, 11),
        messages=(MessageView(1, "buyer", None, "Где заказ?", (), msk(23, 11), "received"),),
        posting=posting, targets=(), timeline=(),
        earlier=earlier(5), earlier_more=3, compliance=flags(["Кроссовки беговые"]),
        suggestion=CUSTOMS, templates=REFS,
    )
    return dataclasses.replace(base, **over)


def make_view(qtbot: Any) -> ConversationView:
    view = ConversationView()
    qtbot.addWidget(view)
    view.show()
    return view


def test_insert_button_emits_the_suggested_template_with_its_values(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(), NOW)
    box = view.panel.suggestion
    assert box.isVisible() and box.insert_button.isEnabled()
    assert "Задержка на таможне" in box.heading.text()
    assert box.reason.text() == CUSTOMS.reason
    with qtbot.waitSignal(view.insert_template) as got:
        qtbot.mouseClick(box.insert_button, Qt.MouseButton.LeftButton)
    slug, values = got.args
    assert slug == "delay-customs"
    assert values == {"eta_date": date(2026, 11, 30)} and type(values["eta_date"]) is date


def test_no_template_fits_or_it_is_missing_from_the_library(qtbot: Any) -> None:
    view = make_view(qtbot)
    box = view.panel.suggestion
    view.show_detail(detail(suggestion=Suggestion("delivered", None, "Delivered on 21.11.2026.")), NOW)
    assert box.isVisible() and not box.insert_button.isEnabled()
    assert box.reason.text() == "Delivered on 21.11.2026."
    view.show_detail(detail(templates={}), NOW)
    assert not box.insert_button.isEnabled() and "delay-customs" in box.heading.text()
    view.show_detail(detail(suggestion=None, posting=None), NOW)
    assert not box.isVisible()
    assert "No order is linked" in view.context.toPlainText()


def test_earlier_conversations_are_listed_and_open_on_click(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(), NOW)
    text = view.context.toPlainText()
    assert "Earlier conversations with this buyer" in text
    assert "Ticket · 20.11.2026 09:30 MSK · resolved · 555-0001-2" in text
    assert "Возврат товара" in text  # a ticket shows its subject, a chat its last message
    assert "Где заказ номер 1?" in text and "очень очень" in text and "…" in text
    assert text.index("20.11.2026") < text.index("19.11.2026")  # newest first, as the service sends them
    assert "and 3 more" in text
    html = view.context.toHtml()
    assert all(f"conversation:{100 + i}" in html for i in range(5))
    with qtbot.waitSignal(view.open_conversation) as got:
        view.context.anchorClicked.emit(QUrl("conversation:103"))
    assert got.args == [103]


def test_no_earlier_list_when_there_is_none(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(earlier=(), earlier_more=0), NOW)
    assert "Earlier conversations" not in view.context.toPlainText()


def test_compliance_flags_explain_and_offer_their_template(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(), NOW)
    text = view.context.toPlainText()
    assert "«Честный знак» marking" in text and "DataMatrix" in text
    assert "Because of: Shoes (кроссовок)" in text


def test_reasons_for_a_flag_are_grouped_by_category(qtbot: Any) -> None:
    view = make_view(qtbot)
    names = ["Светодиодная лента 5 м", "Смарт-часы S8 Pro", "Кроссовки детские"]
    view.show_detail(detail(compliance=flags(names)), NOW)
    text = view.context.toPlainText()
    assert "Because of: Electronics (светодиодный, смарт часы)" in text
    assert "Because of: Shoes (кроссовок)" in text  # marking: the shoes alone, not the children's goods
    assert "Because of: Children's goods (детский)" in text
    assert "compliance-marking" in view.context.toHtml()
    with qtbot.waitSignal(view.insert_template) as got:
        view.context.anchorClicked.emit(QUrl("template:compliance-marking"))
    assert got.args == ["compliance-marking", {}]


def test_a_flag_whose_template_is_not_in_the_library_says_so(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(templates={}), NOW)
    assert "Template compliance-marking is not in the library." in view.context.toPlainText()
    assert "template:" not in view.context.toHtml()


def test_flags_speak_chinese_to_chinese_agents(qtbot: Any) -> None:
    view = make_view(qtbot)
    try:
        set_language("zh_CN")
        view.show_detail(detail(), NOW)
        text = view.context.toPlainText()
        assert "诚信标志" in text and "买家会用 App 扫码核验" in text
        assert "致歉：订单在海关清关时延误" in view.panel.suggestion.heading.text()
    finally:
        set_language("en")


def test_a_broken_rule_file_is_shown_not_hidden(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(compliance=(), compliance_problem="compliance rules are not valid JSON"), NOW)
    assert "compliance rules are not valid JSON" in view.context.toPlainText()


def test_an_error_clears_the_context(qtbot: Any) -> None:
    view = make_view(qtbot)
    view.show_detail(detail(), NOW)
    view.show_error("conversation #7 no longer exists")
    assert view.detail is None and view.context.toPlainText() == ""
    assert not view.panel.suggestion.isVisible()
    with qtbot.assertNotEmitted(view.insert_template):
        view.panel.suggestion.insert_button.click()
