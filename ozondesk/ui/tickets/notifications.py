"""The platform's notification chats, read-only: logistics, API, content and business news."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from ozondesk.domain.clock import to_msk
from ozondesk.i18n import N_, _
from ozondesk.services.tickets import NotificationRecord
from ozondesk.ui.table_models import RecordTableModel

SOURCES = {
    "SELLER_NOTIFICATION_LOGISTICS": N_("Logistics"),
    "SELLER_API_NOTIFICATIONS": N_("Seller API"),
    "SELLER_NOTIFICATION_UPDATE_CONTENT": N_("Product content"),
    "SELLER_BUSINESS_DEVELOPMENT_GROUP": N_("Business development"),
}
COLUMNS = (N_("When (MSK)"), N_("From"), N_("Notification"))


class NotificationsModel(RecordTableModel[NotificationRecord]):
    def set_notifications(self, records: Sequence[NotificationRecord]) -> None:
        self._reset(records)

    def headers(self) -> list[str]:
        return [_(c) for c in COLUMNS]

    def cell(self, n: NotificationRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            source = _(SOURCES[n.chat_type]) if n.chat_type in SOURCES else n.chat_type
            return (to_msk(n.created_at).strftime("%d.%m.%Y %H:%M"), source,
                    n.text.replace("\n", " "))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return n.text
        return None
