"""Images in buyer chats, as the thread shows them: read from the message's Markdown, never
shown raw, with Ozon's moderation status in words.

A message with ``is_image`` carries its picture as Markdown in ``data`` — ``![name](url)``,
or in the published example a plain link ``[text](url)`` — and ``moderate_image_status``:
``SUCCESS`` (passed moderation), ``MODERATION`` (being checked), ``FAILED`` (refused). The
store keeps the status in the message's attachments as ``image:<STATUS>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from ozondesk.i18n import N_

MD_LINK = re.compile(r"(?P<bang>!?)\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
MAX_NAME = 200
IMAGE_TAG = "image"
MODERATION = {
    "SUCCESS": N_("passed Ozon's moderation"),
    "MODERATION": N_("being checked by Ozon's moderation"),
    "FAILED": N_("refused by Ozon's moderation; the buyer does not see it"),
}
UNKNOWN_MODERATION = N_("moderation status not given")


@dataclass(frozen=True)
class ChatImage:
    url: str
    name: str  # the Markdown's text, or the file name the URL ends in
    rest: str  # the message's words around the picture, Markdown removed


def image_of(text: str, *, any_link: bool = False) -> ChatImage | None:
    """The picture a message's Markdown names: ``![…](…)``, or with ``any_link`` (the message
    is flagged ``is_image``) also a plain ``[…](…)``."""
    for m in MD_LINK.finditer(text):
        if m.group("bang") or any_link:
            url = m.group("url")
            name = m.group("alt").strip() or PurePath(url.split("?", 1)[0]).name or "image"
            rest = (text[: m.start()] + text[m.end() :]).strip()
            return ChatImage(url=url, name=name[:MAX_NAME], rest=rest)
    return None


def links_as_text(text: str) -> str:
    """Markdown links turned into their words: ``[ модель ](https://…)`` reads ``модель``."""
    return MD_LINK.sub(lambda m: m.group("alt").strip() or PurePath(m.group("url")).name, text)


def image_attachment(status: str | None) -> str:
    """How the store marks an image message: ``image:SUCCESS``, or ``image`` without a status."""
    return f"{IMAGE_TAG}:{status.upper()}" if status else IMAGE_TAG


def moderation_of(attachments: tuple[str, ...] | list[str]) -> str | None:
    """The moderation status an image message's attachments hold, or None when it is no image.
    An image stored before statuses were kept reads as ``""``."""
    for a in attachments:
        if a == IMAGE_TAG:
            return ""
        if a.startswith(IMAGE_TAG + ":"):
            return a.split(":", 1)[1]
    return None


def moderation_label(status: str) -> str:
    """An English msgid for the status, to translate where shown."""
    return MODERATION.get(status.upper(), UNKNOWN_MODERATION)
