"""Escalation e-mails to the platform's China seller support, in English as Ozon asks.

Two drafts: an escalation of a ticket (or an account manager's silence) past Ozon's own
deadline, and the "Missing AM" report of a shop without a manager. Their bodies are templates
like the buyer replies (category "escalation": reviewed, versioned, with a Chinese gloss), filled
here from the ticket; the draft names the revision, so a reviewer can tell which text went out.
The subject formats are the platform's and fixed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from ozondesk.domain.clock import to_msk
from ozondesk.domain.templates import render
from ozondesk.i18n import N_

# The platform's subject formats are fixed; the bodies are reviewed templates of category
# "escalation" (resources/templates/escalation-en.json seeds them), filled here.
ESCALATION_SLUG = "escalation-ticket"
MISSING_AM_SLUG = "escalation-missing-am"
ESCALATION_SUBJECT = "Escalation Request: SELLER-CHN-{shop_id}-{problem_type}"
MISSING_AM_SUBJECT = "Missing AM {seller_id}"
ESCALATION_GLOSS = N_("Escalation e-mail to Ozon's China seller support: shop ID, ticket number, what was asked and when (Moscow time), how long it has waited and the evidence attached.")
MISSING_AM_GLOSS = N_("\"Missing AM\" report: tells Ozon the shop has no account manager, with the seller ID.")
NO_SIGNATURE = "Seller support team"


@dataclass(frozen=True)
class EmailTemplate:
    """The revision of an escalation template in force: its English body and Chinese gloss."""

    slug: str
    revision: int
    body: str
    gloss_zh: str


_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class EmailDraft:
    to: str  # empty until a lead fills in the team's escalation address
    subject: str
    body: str
    gloss: str  # English msgid; shown translated
    template: str  # the template's slug
    version: int  # its revision number
    gloss_zh: str = ""  # the template's own Chinese gloss

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
    template: EmailTemplate,
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
    """The escalation e-mail of a ticket, its body ``template`` filled (TemplateError if the
    template uses a placeholder the ticket cannot fill)."""
    values = {
        "shop_id": subject_token(shop_id),
        "problem_type": subject_token(problem_type),
        "ticket_number": ticket_number,
        "asked_what": what,
        "order_numbers": ", ".join(orders) or "none",
        "error_code": error_code or "none",
        "sent_msk": msk_text(asked_at),
        "due_msk": msk_text(due_at) if due_at else "unknown",
        "waited": waited_text(now - asked_at),
        "question": question.strip() or "(see the ticket)",
        "evidence_list": "\n".join(f"- {item}" for item in evidence) or "- none",
        "now_msk": msk_text(now),
        "agent_name": signature or NO_SIGNATURE,
    }
    return EmailDraft(to, ESCALATION_SUBJECT.format(**values), render(template.body, values),
                      ESCALATION_GLOSS, template.slug, template.revision, template.gloss_zh)


def missing_am_draft(template: EmailTemplate, *, to: str, seller_id: str, shop_name: str,
                     now: datetime, signature: str) -> EmailDraft:
    values = {"seller_id": subject_token(seller_id), "shop_name": shop_name,
              "now_msk": msk_text(now), "agent_name": signature or NO_SIGNATURE}
    return EmailDraft(to, MISSING_AM_SUBJECT.format(**values), render(template.body, values),
                      MISSING_AM_GLOSS, template.slug, template.revision, template.gloss_zh)
