"""Contract hooks of the chat methods the client calls today."""

from __future__ import annotations

from contract_harness import RequestHook, ResponseHook

from ozondesk.ozon.records import parse_chat_list, parse_history

RESPONSES = {
    "v3_chat_list": ResponseHook(
        parse_chat_list,
        (
            "chats[].chat.chat_id",
            "chats[].chat.chat_type",
            "chats[].chat.chat_status",
            "chats[].chat.created_at",
            "chats[].first_unread_message_id",
            "chats[].last_message_id",
            "chats[].unread_count",
            "total_unread_count",
            "cursor",
            "has_next",
        ),
    ),
    "v3_chat_history": ResponseHook(
        parse_history,
        (
            "has_next",
            "messages[].message_id",
            "messages[].created_at",
            "messages[].data",
            "messages[].is_read",
            "messages[].is_image",
            "messages[].user.type",
            "messages[].user.id",
            "messages[].context.order_number",
            "messages[].context.sku",
        ),
    ),
    # send/message and start are read by the client itself, not a parser.
    "v1_chat_send_message": ResponseHook(lambda body: body.get("result"), ("result",)),
    "v1_chat_start": ResponseHook(lambda body: body.get("result"), ("result.chat_id",)),
}

REQUESTS = {
    "v3_chat_list": RequestHook(lambda c: c.chat_list("304000402034", unread_only=True)),
    "v3_chat_history": RequestHook(lambda c: c.chat_history("c", 3000000000118032000)),
    "v2_chat_read": RequestHook(lambda c: c.read_chat("c", 3000000000118032000)),
    "v1_chat_send_message": RequestHook(lambda c: c.send_message("c", "Здравствуйте!")),
    "v1_chat_start": RequestHook(lambda c: c.start_chat("47873153-0052-1")),
}
