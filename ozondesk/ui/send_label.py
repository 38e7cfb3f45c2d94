"""What the composer's Send button says: a public reply is published on the product page."""

from __future__ import annotations

from ozondesk.i18n import _


def send_label(kind: str | None) -> tuple[str, str]:
    """The button text and its tooltip for a conversation of ``kind`` (None: none open)."""
    if kind == "question":
        return _("Publish answer"), _(
            "Queue the answer for publishing on the product page, for every shopper (Ctrl+Enter)"
        )
    if kind == "review":
        return _("Publish comment"), _(
            "Queue the comment for publishing under the review, for every shopper (Ctrl+Enter)"
        )
    return _("Send"), _("Queue the reply for sending (Ctrl+Enter)")
