"""Small SVG icons of the inbox: conversation kinds and deadline states."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QIcon

from ozondesk.resources import resource_path

# Found the way every resource is (checkout, wheel or bundle); Qt's SVG plugin draws them.
ICON_DIR = resource_path("icons", "inbox")
KIND_ICONS = {
    "buyer_chat": "kind-chat.svg",
    "buyer_ticket": "kind-ticket.svg",
    "ozon_ticket": "kind-ozon.svg",
    "account_manager": "kind-manager.svg",
    "question": "kind-question.svg",
    "review": "kind-review.svg",
    "return_request": "kind-return.svg",
    "cancellation": "kind-cancellation.svg",
}
# ok / due-soon / breached come from the SLA engine; paused and answered from the status.
STATE_ICONS = {
    "ok": "sla-ok.svg",
    "due-soon": "sla-due-soon.svg",
    "breached": "sla-breached.svg",
    "paused": "sla-paused.svg",
    "answered": "sla-answered.svg",
}
STATE_COLORS = {
    "ok": "#2e7d32",
    "due-soon": "#b26a00",
    "breached": "#c62828",
    "paused": "#607d8b",
    "answered": "#757575",
}


@cache
def _icon(name: str) -> QIcon:
    return QIcon(str(ICON_DIR / name))


def kind_icon(kind: str) -> QIcon | None:
    name = KIND_ICONS.get(kind)
    return _icon(name) if name else None


def state_icon(state: str) -> QIcon | None:
    name = STATE_ICONS.get(state)
    return _icon(name) if name else None


def state_color(state: str) -> QColor | None:
    value = STATE_COLORS.get(state)
    return QColor(value) if value else None
