"""The context panel's part for a product question or a review: the product, and for a review
its rating, photos, the order's state and whether the shop has replied. Plain HTML from the
detail the panel already holds; nothing is fetched here."""

from __future__ import annotations

from html import escape

from ozondesk.i18n import N_, _, ngettext
from ozondesk.services.conversation import FeedbackContext

ORDER_STATUS_LABELS = {"DELIVERED": N_("delivered"), "CANCELLED": N_("cancelled")}
PLATFORM_STATUS_LABELS = {
    "NEW": N_("new"),
    "VIEWED": N_("viewed"),
    "PROCESSED": N_("processed"),
    "UNPROCESSED": N_("not processed"),
}


def _link(url: str | None, text: str) -> str:
    if not url or not url.startswith(("https://", "http://")):
        return escape(text)
    return f"<a href='{escape(url, quote=True)}'>{escape(text)}</a>"


def _row(label: str, value: str) -> str:
    return f"<tr><td style='color:#666'>{escape(label)}</td><td>{value}</td></tr>"


def feedback_html(fb: FeedbackContext) -> str:
    rows = [
        _row(_("Product"), _link(fb.product_url, fb.product_name or _("not fetched yet"))),
        _row(_("SKU"), escape(str(fb.sku)) if fb.sku is not None else "—"),
        _row(_("Offer ID"), escape(fb.offer_id or "—")),
    ]
    if fb.image:
        rows.append(_row(_("Photo"), _link(fb.image, _("open the photo"))))
    if fb.kind == "review":
        stars = "★" * (fb.rating or 0) + "☆" * (5 - (fb.rating or 0))
        rows.append(_row(_("Rating"), f"<b>{stars}</b> ({fb.rating or '—'}/5)"))
        order = ORDER_STATUS_LABELS.get(fb.order_status or "")
        rows.append(_row(_("Order"), escape(_(order)) if order else escape(_("not known"))))
    status = PLATFORM_STATUS_LABELS.get(fb.platform_status or "")
    rows.append(_row(_("On Ozon"), escape(_(status)) if status else "—"))
    if fb.has_reply:
        replied = _("the shop has replied") if fb.kind == "review" else _("the shop has answered")
    elif fb.replies:
        replied = _("only shoppers have replied")
    else:
        replied = _("no reply yet")
    rows.append(_row(_("Reply"), escape(replied)))
    if fb.link:
        rows.append(_row(_("On the product page"), _link(fb.link, _("open the question"))))
    parts = [f"<table>{''.join(rows)}</table>"]
    if fb.kind == "review" and (fb.photos or fb.videos):
        heading = escape(_("Buyer's photos"))
        links = " ".join(_link(url, str(n)) for n, url in enumerate(fb.photos, 1))
        videos = (
            "<br>" + escape(ngettext("{n} video on Ozon", "{n} videos on Ozon", fb.videos)
                            .format(n=fb.videos))
            if fb.videos else ""
        )
        parts.append(f"<h4>{heading}</h4><p>{links}{videos}</p>")
    note = (_("A public answer: every shopper on the product page reads it.")
            if fb.kind == "question"
            else _("A public comment: every shopper on the product page reads it."))
    parts.append(f"<p style='color:#666'>{escape(note)}</p>")
    return "".join(parts)
