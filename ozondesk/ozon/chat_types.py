"""What each ``chat_type`` of the chat list is to the desk.

The seller's own chats with the platform become tickets (the support chat) or the account
manager's thread; the notification chats are read-only news without deadlines. Types compare
normalized (upper case), as the records module does.
"""

from __future__ import annotations

from ozondesk.ozon.records import BUYER_CHAT_TYPES

SUPPORT = "SELLER_SUPPORT"
PERSONAL_MANAGER = "SELLER_PERSONAL_MANAGER_UNITY_CRM"
NOTIFICATION_TYPES = frozenset({
    "SELLER_NOTIFICATION_LOGISTICS",
    "SELLER_API_NOTIFICATIONS",
    "SELLER_NOTIFICATION_UPDATE_CONTENT",
    "SELLER_BUSINESS_DEVELOPMENT_GROUP",
})
# chat_type -> the ticket kind (domain.tickets.KINDS) its conversation is.
TICKET_KINDS = {SUPPORT: "support", PERSONAL_MANAGER: "am"}


def role(chat_type: str) -> str:
    """"buyer", "ticket", "notification", or "other" (left alone)."""
    if chat_type in BUYER_CHAT_TYPES:
        return "buyer"
    if chat_type in TICKET_KINDS:
        return "ticket"
    if chat_type in NOTIFICATION_TYPES:
        return "notification"
    return "other"
