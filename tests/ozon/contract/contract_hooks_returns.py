"""Contract hooks of rFBS return requests, conditional cancellations and files in chat.

The spec publishes no example for ``/v2/returns/rfbs/get``'s request, nor for
``/v1/returns/rfbs/action/set`` and the cancellation ``approve``/``reject`` methods; their
requests are checked against the schema in test_returns_cancellations.py.
"""

from __future__ import annotations

import base64

from contract_harness import RequestHook, ResponseHook

from ozondesk.ozon import cancellations, chat_files, rfbs_returns

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII="
)

RESPONSES = {
    "v2_returns_rfbs_list": ResponseHook(
        rfbs_returns.parse_list,
        (
            "returns[].return_id",
            "returns[].return_number",
            "returns[].posting_number",
            "returns[].order_number",
            "returns[].created_at",
            "returns[].product.sku",
            "returns[].product.offer_id",
            "returns[].product.name",
            "returns[].product.price",
            ("returns[].product.currency_code", "KZT"),
            "returns[].state.state",
            "returns[].state.state_name",
            "returns[].state.group_state",
        ),
    ),
    "v2_returns_rfbs_get": ResponseHook(
        rfbs_returns.parse_detail,
        (
            "returns.available_actions[].action.id",
            "returns.available_actions[].action.name",
            "returns.client_photo",
            "returns.client_return_method_type.name",
            "returns.comment",
            "returns.created_at",
            "returns.order_number",
            "returns.posting_number",
            "returns.product.price",
            "returns.product.sku",
            "returns.rejection_comment",
            "returns.rejection_reason[].id",
            "returns.rejection_reason[].name",
            "returns.rejection_reason[].hint",
            "returns.rejection_reason[].is_comment_required",
            "returns.return_number",
            "returns.return_reason.name",
            "returns.return_reason.is_defect",
            "returns.state.state",
            "returns.state.state_name",
        ),
    ),
    "v2_conditional-cancellation_list": ResponseHook(
        cancellations.parse_list,
        (
            "result[].cancellation_id",
            "result[].posting_number",
            "result[].state.state",
            "result[].state.name",
            "result[].cancellation_initiator",
            "result[].cancellation_reason.name",
            "result[].cancellation_reason_message",
            "result[].cancelled_at",
            "result[].auto_approve_date",
            "result[].approve_date",
            "result[].approve_comment",
            "result[].order_date",
            "counter",
            "last_id",
        ),
    ),
    # Read by chat_files.send_file itself: anything but "success" is an error.
    "v1_chat_send_file": ResponseHook(lambda body: body.get("result"), ("result",)),
}

REQUESTS = {
    "v2_returns_rfbs_list": RequestHook(
        lambda c: rfbs_returns.rfbs_list(c, group_state=("New",), posting_number="789456123-0002-3")
    ),
    "v2_conditional-cancellation_list": RequestHook(
        lambda c: cancellations.cancellation_list(c, posting_numbers=("34009011-0094-1",))
    ),
    "v1_chat_send_file": RequestHook(
        lambda c: chat_files.send_file(c, "99feb3fc-a474-469f-95d5-268b470cc607", "a.png", PNG)
    ),
}
