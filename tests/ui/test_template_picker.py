"""The template picker: search by title, tag, category or Chinese gloss; keys; filled preview."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ozondesk.domain.packs import load_starter_pack
from ozondesk.services.compose import TemplateChoice
from ozondesk.ui.template_picker import TemplateListModel, TemplatePicker, matches

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def choices() -> list[TemplateChoice]:
    return [
        TemplateChoice(id=i, slug=t.id, title=t.title, body=t.body, gloss_zh=t.gloss_zh,
                       tags=t.tags, category=t.category, usage_count=0)
        for i, t in enumerate(load_starter_pack().templates, start=1)
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", None),  # everything
        ("возврат одобрен", {"return-approved"}),  # title words, any order, both required
        ("ОДОБРЕН", {"return-approved"}),  # case folded
        ("розыск", {"delay-lost-parcel"}),  # a tag
        ("таможн", {"delay-customs"}),  # part of a word
        ("海关", {"delay-customs"}),  # the Chinese gloss
        ("compliance-marking", {"compliance-marking"}),  # the slug
        ("маркировка честныи", set()),  # й is not folded to и
        ("нет такого шаблона", set()),
    ],
)
def test_search(query: str, expected: set[str] | None) -> None:
    items = choices()
    found = {c.slug for c in items if matches(c, query)}
    assert found == ({c.slug for c in items} if expected is None else expected)


def test_yo_and_ye_match_each_other() -> None:
    item = TemplateChoice(1, "x", "Ещё раз о заказе", "Текст", "", ("всё",), "other", 0)
    assert matches(item, "еще") and matches(item, "ВСЕ") and matches(item, "ещё")


def test_the_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = TemplateListModel()
    model.set_templates(choices())
    qtmodeltester.check(model, force_py=True)
    model.set_query("возврат")
    qtmodeltester.check(model, force_py=True)
    wanted = [c.slug for c in choices() if matches(c, "возврат")]
    assert 0 < len(wanted) < len(choices())  # the query filters, and something is left
    assert [model.choice(r).slug for r in range(model.rowCount())] == wanted  # type: ignore[union-attr]
    first = model.index(0)
    assert model.data(first, Qt.ItemDataRole.UserRole) == model.choice(0).id  # type: ignore[union-attr]
    assert "\n" in model.data(first)  # title, then the gloss


def test_keys_move_and_choose_and_escape_cancels(qtbot: Any) -> None:
    picker = TemplatePicker()
    qtbot.addWidget(picker)
    picker.set_templates(choices())
    picker.show()
    qtbot.keyClicks(picker.search, "return")  # ASCII slug words: keyClicks types Latin only
    shown = [picker.model.choice(r).slug for r in range(picker.model.rowCount())]  # type: ignore[union-attr]
    assert shown and all("return" in s for s in shown)
    assert picker.current().slug == shown[0]  # type: ignore[union-attr]
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.current().slug == shown[1]  # type: ignore[union-attr]
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)  # stays on the first
    assert picker.current().slug == shown[0]  # type: ignore[union-attr]
    with qtbot.waitSignal(picker.chosen, timeout=1000) as chosen:
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert chosen.args[0].slug == shown[0]
    with qtbot.waitSignal(picker.cancelled, timeout=1000):
        qtbot.keyClick(picker.search, Qt.Key.Key_Escape)


def test_nothing_found_says_so_and_enter_does_nothing(qtbot: Any) -> None:
    picker = TemplatePicker()
    qtbot.addWidget(picker)
    picker.set_templates(choices())
    picker.show()
    picker.set_filter("zzzz")
    assert picker.model.rowCount() == 0 and picker.empty.isVisible()
    assert picker.current() is None and not picker.choose_current()


def test_the_preview_is_filled_from_the_conversation_and_names_what_is_missing(qtbot: Any) -> None:
    picker = TemplatePicker()
    qtbot.addWidget(picker)
    picker.set_templates(choices())
    picker.set_values({"order_number": "123-0001", "buyer_name": "Анна"}, NOW)
    picker.set_filter("order-tracking")
    text = picker.preview.toPlainText()
    assert "{tracking_number}" in text and "To fill in by hand" in text
    picker.set_filter("greeting-first-reply")
    text = picker.preview.toPlainText()
    assert "Здравствуйте, Анна!" in text and "123-0001" in text
    assert "告" in text or "问候" in text  # the gloss is shown to the agent


def test_a_category_is_found_by_its_name_in_the_interface_language() -> None:
    """#17: a Chinese agent types 物流延误, not logistics-delay."""
    from ozondesk.i18n import set_language

    items = choices()
    by_code = {c.slug for c in items if c.category == "logistics-delay"}
    assert by_code and {c.slug for c in items if matches(c, "logistics-delay")} >= by_code
    set_language("zh_CN")
    try:
        assert {c.slug for c in items if matches(c, "物流延误")} == by_code
    finally:
        set_language("en")
