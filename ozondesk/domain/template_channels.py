"""Which templates suit which conversation: a template's ``channel`` against a conversation's kind.

An answer to a product question or a comment on a review is public and worded for every
shopper; a chat template («Здравствуйте, {buyer_name}!») read on a product page is wrong,
and a public answer sent in a chat reads oddly. So a question shows only question
templates, a review only review templates, and every other kind (chats, tickets,
return and cancellation requests) the rest.
"""

from __future__ import annotations

# The conversation kinds whose replies are public, and the template channel each one takes.
_PUBLIC_CHANNEL = {"question": "question", "review": "review"}


def fits(channel: str, kind: str) -> bool:
    """Whether a template of ``channel`` may be offered in a conversation of ``kind``."""
    if channel == "email":
        return False  # an English e-mail to Ozon's support, filled in the Tickets workspace
    wanted = _PUBLIC_CHANNEL.get(kind)
    if wanted is not None:
        return channel == wanted
    return channel not in _PUBLIC_CHANNEL.values()
