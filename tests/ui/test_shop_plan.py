"""Settings shows, per shop, which kinds of work its Ozon plan allows, as the sync found it;
the posting context shows the cancellation, the ship-by date and whether a chat may be started."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from support import MemoryKeyring

from ozondesk.i18n import set_language
from ozondesk.ozon import errors as E
from ozondesk.services.capabilities import CapabilityGate
from ozondesk.services.conversation import ItemView, PostingView
from ozondesk.services.credentials import CredentialStore
from ozondesk.store.db import Database
from ozondesk.store.repos import capabilities as repo
from ozondesk.ui.context_panel import _posting_html
from ozondesk.ui.settings_dialog import SettingsDialog
from ozondesk.ui.tasks import TaskRunner

KEY = "9d3c7a1e-5b2f-4c8d-a0e1-f2a3b4c5d6e7"
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def store(db: Database) -> CredentialStore:
    credentials = CredentialStore(db, MemoryKeyring())
    credentials.save("Yuexin", "123456", KEY)
    credentials.save("Second", "654321", KEY)
    with db.begin() as s:
        shop_id = repo.shop_id(s, "Yuexin")
    assert shop_id is not None
    gate = CapabilityGate(db, shop_id, lambda: T0)
    gate.allowed("/v3/chat/history")
    gate.refused("/v2/review/list", E.SubscriptionRequired(
        "not available with existing subscription", status=403, code=7))
    return credentials


def open_dialog(qtbot: Any, store: CredentialStore, runner: TaskRunner) -> SettingsDialog:
    dlg = SettingsDialog(store, runner)
    qtbot.addWidget(dlg)
    dlg.resize(1280, 720)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.shop_list.count() == 2, timeout=5000)
    return dlg


def select(qtbot: Any, dlg: SettingsDialog, name: str) -> str:
    row = next(r for r in range(dlg.shop_list.count())
               if dlg.shop_list.item(r).text().startswith(name))
    dlg.plan.label.clear()
    dlg.shop_list.setCurrentRow(row)
    qtbot.waitUntil(lambda: dlg.plan.isVisible() and bool(dlg.plan.label.text()), timeout=5000)
    return dlg.plan.label.text()


def test_each_kind_shows_allowed_denied_or_unchecked_for_the_selected_shop(
    qtbot: Any, store: CredentialStore, runner: TaskRunner
) -> None:
    dlg = open_dialog(qtbot, store, runner)
    assert not dlg.plan.isVisible()  # a new shop has no findings
    html = select(qtbot, dlg, "Yuexin")
    assert "Buyer chat history</td><td style='color:#1b7f3b'>✔ allowed" in html.replace(
        "<td style='padding-right:12px'>", "<td>")
    assert "checked 06.12 12:00 MSK" in html
    assert ("Reviews</td><td style='color:#b00020'>✘ not in the plan: needs the "
            "review-management subscription or Premium Pro") in html
    assert html.count("not checked yet: the next sync finds out") == 4
    other = select(qtbot, dlg, "Second")
    assert other.count("not checked yet") == 6 and "✔" not in other
    dlg.new_shop()
    assert not dlg.plan.isVisible()


@pytest.mark.parametrize("lang", ["en", "zh_CN", "ru"])
def test_the_plan_list_renders_in_every_language(
    qtbot: Any, store: CredentialStore, runner: TaskRunner, lang: str, tmp_path: Path
) -> None:
    set_language(lang)
    try:
        dlg = open_dialog(qtbot, store, runner)
        html = select(qtbot, dlg, "Yuexin")
        assert "{" not in dlg.plan.label.text() and html
        # Nothing clipped: the list's text fits in the width the dialog gives it.
        assert dlg.plan.label.sizeHint().width() <= dlg.plan.width()
        dlg.grab().save(str(tmp_path / f"plan-{lang}.png"))
    finally:
        set_language("en")


def posting(**over: Any) -> PostingView:
    base = PostingView("555-0001-1", "555-0001", "FBS", "cancelled", None, None, None, None,
                       T0, None, T0, None, (ItemView(1, "RUN", "Кроссовки", 1, Decimal("1.00"), "RUB"),),
                       ship_by=T0, can_create_chat=False,
                       cancel_reason="Покупатель отменил заказ", cancel_initiator="Покупатель")
    return dataclasses.replace(base, **over)


def test_the_posting_context_shows_cancellation_ship_by_and_chat_permission() -> None:
    html = _posting_html(posting())
    assert "Ship by</td><td>06.12.2026 12:00 MSK" in html
    assert "Cancelled</td><td>Покупатель отменил заказ (by Покупатель)" in html
    assert "Start a chat</td><td>not offered: Ozon does not allow it for this posting now" in html
    allowed = _posting_html(posting(can_create_chat=True, cancel_reason=None, ship_by=None))
    assert "Ozon allows the seller to start a chat" in allowed
    assert "Cancelled" not in allowed and "Ship by" not in allowed
    fbo = _posting_html(posting(can_create_chat=None, cancel_reason=None))
    assert "Start a chat" not in fbo
