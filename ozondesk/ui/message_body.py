"""A message's body in the thread: text with Markdown links as links, images as entries.

An image shows as its name (a link that opens it in the browser) and Ozon's moderation
status in words; neither the Markdown nor the address is ever printed.
"""

from __future__ import annotations

from html import escape

from ozondesk.domain.chat_images import (
    IMAGE_TAG,
    MD_LINK,
    image_of,
    moderation_label,
    moderation_of,
)
from ozondesk.i18n import _
from ozondesk.resources import resource_path

# An icon, not 📎: many desktops have no colour emoji font and drew an empty box (#17).
ATTACHMENT_ICON = resource_path("icons", "thread", "attachment.svg").as_uri()


def _text_html(text: str) -> str:
    """Escaped text whose Markdown links became anchors labelled with their words."""
    out: list[str] = []
    last = 0
    for m in MD_LINK.finditer(text):
        out.append(escape(text[last : m.start()]))
        label = m.group("alt").strip() or _("link")
        out.append(f"<a href='{escape(m.group('url'), quote=True)}'>{escape(label)}</a>")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def message_body_html(text: str, attachments: tuple[str, ...]) -> str:
    status = moderation_of(attachments)
    files = "".join(
        f"<div><img src='{ATTACHMENT_ICON}' width='16' height='16'> {escape(name)}</div>"
        for name in attachments
        if name != IMAGE_TAG and not name.startswith(IMAGE_TAG + ":")
    )
    image = image_of(text, any_link=True) if status is not None else None
    if image is None:
        body = f'<div style="white-space:pre-wrap">{_text_html(text)}</div>'
        if status is not None:  # flagged as an image, but its text names none
            label, said = escape(_("Image")), escape(_(moderation_label(status)))
            body += f"<div><b>{label}</b> · {said}</div>"
        return body + files
    words = f'<div style="white-space:pre-wrap">{_text_html(image.rest)}</div>' if image.rest else ""
    label, said = escape(_("Image:")), escape(_(moderation_label(status or "")))
    entry = (
        f"<div><b>{label}</b> <a href='{escape(image.url, quote=True)}'>{escape(image.name)}</a>"
        f" · <span style='color:#666'>{said}</span></div>"
    )
    return words + entry + files
