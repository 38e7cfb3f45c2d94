"""Contract hooks of the posting, return and product methods the client calls today."""

from __future__ import annotations

from datetime import UTC, datetime

from contract_harness import RequestHook, ResponseHook

from ozondesk.ozon.records import (
    parse_fbo_posting,
    parse_fbs_posting,
    parse_posting_page,
    parse_products,
    parse_return_page,
)

SINCE = datetime(2026, 4, 1, tzinfo=UTC)
TO = datetime(2026, 4, 2, tzinfo=UTC)
PRODUCT = ("sku", "offer_id", "name", "quantity", "price")

RESPONSES = {
    "v3_posting_fbs_get": ResponseHook(
        lambda body: parse_fbs_posting(body.get("result")),
        (
            "result.posting_number",
            "result.order_number",
            "result.order_id",
            "result.status",
            "result.substatus",
            ("result.tpl_integration_type", "non_integrated"),  # rFBS
            "result.delivery_method.tpl_provider",
            "result.in_process_at",
            "result.shipment_date",
            "result.available_actions",
            *(f"result.products[].{f}" for f in (*PRODUCT, "currency_code")),
        ),
    ),
    "v2_posting_fbo_get": ResponseHook(
        lambda body: parse_fbo_posting(body.get("result")),
        (
            "result.posting_number",
            "result.order_number",
            "result.order_id",
            "result.status",
            "result.substatus",
            "result.created_at",
            "result.analytics_data.client_delivery_date_end",
            *(f"result.products[].{f}" for f in (*PRODUCT, "currency_code")),
        ),
    ),
    "v4_posting_fbs_list": ResponseHook(
        lambda body: parse_posting_page(body, parse_fbs_posting),
        (
            "postings[].posting_number",
            "postings[].order_number",
            "postings[].status",
            "postings[].substatus",
            "postings[].shipment_date",
            "postings[].available_actions",
            "postings[].analytics_data.client_delivery_date_end",
            "postings[].in_process_at",
            *(f"postings[].products[].{f}" for f in PRODUCT),
            "postings[].products[].price.currency",
            "cursor",
            "has_next",
        ),
    ),
    "v3_posting_fbo_list": ResponseHook(
        lambda body: parse_posting_page(body, parse_fbo_posting),
        (
            "postings[].posting_number",
            "postings[].order_number",
            "postings[].order_id",
            "postings[].status",
            "postings[].substatus",
            "postings[].created_at",
            *(f"postings[].products[].{f}" for f in PRODUCT),
            "has_next",
        ),
    ),
    "v1_returns_list": ResponseHook(
        parse_return_page,
        (
            "returns[].id",
            "returns[].posting_number",
            "returns[].order_number",
            "returns[].schema",
            "returns[].type",
            "returns[].return_reason_name",
            "returns[].visual.status.sys_name",
            "returns[].visual.status.display_name",
            "returns[].visual.change_moment",
            "returns[].product.sku",
            "returns[].product.offer_id",
            "returns[].product.name",
            "returns[].product.quantity",
            "has_next",
        ),
    ),
    "v3_product_info_list": ResponseHook(
        parse_products,
        (
            "items[].sku",
            "items[].id",
            "items[].offer_id",
            "items[].name",
            "items[].price",
            "items[].currency_code",
            "items[].primary_image",
            "items[].is_archived",
        ),
    ),
}

REQUESTS = {
    "v3_posting_fbs_get": RequestHook(lambda c: c.fbs_get("57195475-0050-3")),
    "v2_posting_fbo_get": RequestHook(lambda c: c.fbo_get("50520644-0012-7")),
    "v4_posting_fbs_list": RequestHook(lambda c: c.fbs_list(["12345-1"], SINCE, TO)),
    # The FBO list documents filter.order_numbers ([S1], [S2]); its example shows posting_numbers.
    "v3_posting_fbo_list": RequestHook(
        lambda c: c.fbo_list(["9121072335-0187"], SINCE, TO), extra=("filter.order_numbers",)
    ),
    "v1_returns_list": RequestHook(lambda c: c.returns_list(["789456123-0002-3"])),
    "v3_product_info_list": RequestHook(lambda c: c.product_info([33373353831])),
}
