"""Escalation e-mails to the platform's China seller support, in English as Ozon asks.

Two drafts: an escalation of a ticket (or an account manager's silence) past Ozon's own
deadline, and the "Missing AM" report of a shop without a manager. Their texts are versioned
templates (``VERSION`` goes into the draft so a reviewer can tell which text went out), each
with a Chinese gloss for the agent; the subject formats are the platform's and fixed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from ozondesk.domain.clock import to_msk
from ozondesk.i18n import N_

VERSION = 1

ESCALATION_SUBJECT = "Escalation Request: SELLER-CHN-{shop_id}-{problem_type}"
ESCALATION_BODY = """Dear Ozon Seller Support,

We request an escalation: our {what} has not been answered within Ozon's own response time.

Shop ID: {shop_id}
Ticket number: {ticket_number}
Problem type: {problem_type}
Orders: {orders}
Error code: {error_code}
Asked: {asked_msk} (Moscow time)
Ozon's answer was due: {due_msk} (Moscow time)
Waiting for an answer: {waited}

What we asked:
{question}

Evidence attached to the ticket:
{evidence}

Please have the ticket answered, or tell us whom to contact.

Best regards,
{signature}
"""
ESCALATION_GLOSS = N_("Escalation e-mail to Ozon's China seller support: shop ID, ticket number, what was asked and when (Moscow time), how long it has waited and the evidence attached.")

MISSING_AM_SUBJECT = "Missing AM {seller_id}"
MISSING_AM_BODY = """Dear Ozon Seller Support,

Our shop has no personal account manager assigned, or the manager does not answer.

Seller ID: {seller_id}
Shop name: {shop_name}
Reported: {now_msk} (Moscow time)

Please assign an account manager to our shop.

Best regards,
{signature}
"""
MISSING_AM_GLOSS = N_("\"Missing AM\" report: tells Ozon the shop has no account manager, with the seller ID.")

_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class EmailDraft:
    to: str  # empty until a lead fills in the team's escalation address
    subject: str
    body: str
    gloss: str  # English msgid; shown translated
    version: int = VERSION

    def mailto(self) -> str:
        """A ``mailto:`` URL for the system's mail client; the address may be empty."""
        return "mailto:{to}?subject={subject}&body={body}".format(
            to=quote(self.to, safe="@"), subject=quote(self.subject, safe=""),
            body=quote(self.body, safe=""))

    def as_text(self) -> str:
        head = f"To: {self.to}\n" if self.to else ""
        return f"{head}Subject: {self.subject}\n\n{self.body}"


def msk_text(value: datetime) -> str:
    return to_msk(value).strftime("%Y-%m-%d %H:%M MSK")


def waited_text(waited: timedelta) -> str:
    minutes = max(0, int(waited.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins or not parts:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


def subject_token(text: str) -> str:
    """A subject field with nothing but letters, digits, dash and underscore."""
    return _SAFE.sub("", text) or "unknown"


def escalation_draft(
    *,
    to: str,
    shop_id: str,
    problem_type: str,
    ticket_number: str,
    what: str,
    question: str,
    orders: Sequence[str],
    error_code: str | None,
    asked_at: datetime,
    due_at: datetime | None,
    now: datetime,
    evidence: Sequence[str],
    signature: str,
) -> EmailDraft:
    values = {
        "shop_id": subject_token(shop_id),
        "problem_type": subject_token(problem_type),
        "ticket_number": ticket_number,
        "what": what,
        "orders": ", ".join(orders) or "none",
        "error_code": error_code or "none",
        "asked_msk": msk_text(asked_at),
        "due_msk": msk_text(due_at) if due_at else "unknown",
        "waited": waited_text(now - asked_at),
        "question": question.strip() or "(see the ticket)",
        "evidence": "\n".join(f"- {item}" for item in evidence) or "- none",
        "signature": signature or "Seller support team",
    }
    return EmailDraft(to, ESCALATION_SUBJECT.format(**values), ESCALATION_BODY.format(**values),
                      ESCALATION_GLOSS)


def missing_am_draft(*, to: str, seller_id: str, shop_name: str, now: datetime,
                     signature: str) -> EmailDraft:
    values = {"seller_id": subject_token(seller_id), "shop_name": shop_name,
              "now_msk": msk_text(now), "signature": signature or "Seller support team"}
    return EmailDraft(to, MISSING_AM_SUBJECT.format(**values), MISSING_AM_BODY.format(**values),
                      MISSING_AM_GLOSS)
