"""When the platform accepts a seller's chat message, and what text it accepts.

Ozon's rules for ``/v1/chat/send/message``: plain text of 1 to 1,000 characters; for FBO
only within 48 h of the buyer's last message; for FBS/rFBS from payment until 72 h after
delivery, and after that within 48 h of the buyer's last message. A chat with no known
posting gets the 48-hour rule, the one that applies to every scheme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ozondesk.domain.clock import as_utc, to_msk
from ozondesk.i18n import _

MAX_CHARS = 1000
AFTER_BUYER = timedelta(hours=48)
AFTER_DELIVERY = timedelta(hours=72)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    # When the window closes; None if it is open with no known end (FBS before delivery) or shut.
    closes_at: datetime | None


def check_text(text: str) -> str | None:
    """Why the platform would refuse ``text``, or None if it is acceptable."""
    if not text.strip():
        return _("the reply is empty")
    if len(text) > MAX_CHARS:
        return _("the reply has {n} characters; the platform accepts at most {max}").format(
            n=len(text), max=MAX_CHARS
        )
    if _CONTROL.search(text):
        return _("the reply contains control characters; only plain text is accepted")
    if _MARKUP.search(text):
        return _("the reply contains HTML markup; only plain text is accepted")
    return None


def reply_window(
    now: datetime,
    scheme: str | None,
    last_buyer_message_at: datetime | None,
    delivered_at: datetime | None = None,
    paid: bool = True,
) -> Verdict:
    """Whether a reply sent at ``now`` falls inside the platform's window."""
    now = as_utc(now)
    buyer_end = as_utc(last_buyer_message_at) + AFTER_BUYER if last_buyer_message_at else None
    if scheme in ("FBS", "rFBS"):
        if delivered_at is None:
            if paid:
                return Verdict(True, _("open until 72 h after delivery"), None)
        else:
            delivery_end = as_utc(delivered_at) + AFTER_DELIVERY
            end = max(delivery_end, buyer_end) if buyer_end else delivery_end
            if now < end:
                return Verdict(True, _("open until {when} MSK").format(when=to_msk(end).strftime("%d.%m %H:%M")), end)
            return Verdict(
                False,
                _(
                    "the window closed: more than 72 h after delivery and 48 h after the buyer's last message"
                ),
                end,
            )
    if buyer_end is None:
        if scheme == "FBO":
            return Verdict(False, _("for FBO orders only the buyer can start a chat"), None)
        return Verdict(False, _("the buyer has not written yet, so there is no reply window"), None)
    if now < buyer_end:
        return Verdict(True, _("open until 48 h after the buyer's last message"), buyer_end)
    return Verdict(False, _("the window closed 48 h after the buyer's last message"), buyer_end)


def can_send(
    text: str,
    now: datetime,
    scheme: str | None,
    last_buyer_message_at: datetime | None,
    delivered_at: datetime | None = None,
) -> Verdict:
    """Text and window together: what the composer asks before a reply reaches the outbox."""
    problem = check_text(text)
    window = reply_window(now, scheme, last_buyer_message_at, delivered_at)
    if problem is not None:
        return Verdict(False, problem, window.closes_at)
    return window
