"""What the platform accepts as a public reply: an answer to a product question or a seller
comment on a review. Both are shown to every shopper on the product page.

Ozon documents the answer's text as 2 to 3,000 characters (``/v1/question/answer/create``); the
comment method documents no bound, so the same one is kept for both. Plain text only, as in
chats.
"""

from __future__ import annotations

from ozondesk.domain.send_window import _CONTROL, _MARKUP
from ozondesk.i18n import _

MIN_CHARS = 2
MAX_CHARS = 3000
PUBLIC_KINDS = ("question", "review")
# The names Ozon shows instead of a buyer's own (normalised: lower case, ё as е): no name at all.
ANONYMOUS_AUTHORS = frozenset({"пользователь ozon", "покупатель", "пользователь", "аноним"})


def real_author(name: str | None) -> str | None:
    """``name`` if it is a person's name, None for Ozon's stand-ins («Пользователь OZON»)."""
    if not name or not name.strip():
        return None
    key = " ".join(name.lower().replace("ё", "е").split())
    return None if key in ANONYMOUS_AUTHORS else name.strip()


def check_public_text(text: str) -> str | None:
    """Why the platform would refuse ``text`` as a public answer or comment, or None."""
    stripped = text.strip()
    if not stripped:
        return _("the reply is empty")
    if len(stripped) < MIN_CHARS:
        return _("a public reply needs at least {min} characters").format(min=MIN_CHARS)
    if len(text) > MAX_CHARS:
        return _("the reply has {n} characters; the platform accepts at most {max}").format(
            n=len(text), max=MAX_CHARS
        )
    if _CONTROL.search(text):
        return _("the reply contains control characters; only plain text is accepted")
    if _MARKUP.search(text):
        return _("the reply contains HTML markup; only plain text is accepted")
    return None
