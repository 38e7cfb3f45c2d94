"""The seller's own tickets to Ozon: kinds, categories, which policy times Ozon's answer,
what evidence a ticket needs before it goes, and where it stands while Ozon owes the answer.

Here the deadline runs the other way from a buyer chat: the seller asked, and it is Ozon's
answer that is due. A ticket's clock starts when it was sent (or, for a synced support chat,
at the seller's oldest question still without an answer) and stops at Ozon's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ozondesk.domain import sla
from ozondesk.domain.policies import SlaPolicy
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

# The CLI's --kind values (a contract) with their titles.
KINDS: dict[str, str] = {
    "support": N_("Support ticket"),
    "urgent": N_("Urgent ticket"),
    "consult": N_("Consultation"),
    "am": N_("Account manager"),
    "email": N_("E-mail"),
}
# Which conversation kind of the inbox each ticket kind belongs to.
CONVERSATION_KIND = {"support": "ozon_ticket", "urgent": "ozon_ticket", "consult": "ozon_ticket",
                     "am": "account_manager", "email": "ozon_ticket"}

# Matters Ozon accepts through a ticket only, never by e-mail; they are urgent ones too,
# since money or the listing is stuck until Ozon acts.
TICKET_ONLY: dict[str, str] = {
    "account-freeze": N_("Account freeze"),
    "failed-withdrawal": N_("Failed withdrawal"),
    "delisting-appeal": N_("Product delisting appeal"),
    "tracking-anomaly": N_("Tracking anomaly"),
    "promotion-dispute": N_("Promotion eligibility dispute"),
}
CATEGORIES: dict[str, str] = {
    **TICKET_ONLY,
    "payment-hold": N_("Funds on hold"),
    "logistics": N_("Logistics and warehouse"),
    "compensation": N_("Compensation for a lost item"),
    "product-card": N_("Product card and moderation"),
    "commission": N_("Commission and fees"),
    "other": N_("Other question"),
}
# Categories that make any support ticket urgent (Ozon's 2-hour target): the account or
# its money is blocked.
URGENT_CATEGORIES = frozenset({"account-freeze", "failed-withdrawal", "payment-hold"})

# The e-mail subject's <problem type>: CamelCase, as in SELLER-CHN-123456789-PaymentHold.
PROBLEM_TYPES = {
    "account-freeze": "AccountFreeze", "failed-withdrawal": "FailedWithdrawal",
    "delisting-appeal": "DelistingAppeal", "tracking-anomaly": "TrackingAnomaly",
    "promotion-dispute": "PromotionDispute", "payment-hold": "PaymentHold",
    "logistics": "Logistics", "compensation": "Compensation", "product-card": "ProductCard",
    "commission": "Commission", "other": "Other",
}

# Platform statuses as Ozon's ticket page shows them, and two of the desk's own.
STATUSES: dict[str, str] = {
    "draft": N_("Draft (not sent)"),
    "pending_review": N_("Pending Review"),
    "in_progress": N_("In Progress"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
    "returned": N_("Sent back as incomplete"),
}
# Statuses in which Ozon still owes an answer.
WAITING_STATUSES = frozenset({"pending_review", "in_progress"})

EVIDENCE: dict[str, str] = {
    "shop_id": N_("shop ID"),
    "order_number": N_("order number"),
    "error_code": N_("error code"),
    "screenshot": N_("screenshot"),
}

MAX_NUMBER = 64
MAX_ORDER = 64


def policy_for(kind: str, category: str) -> str:
    """The policy that times Ozon's first answer to a ticket of ``kind`` about ``category``."""
    if kind == "am":
        return "am-first-response"
    if kind == "consult":
        return "ozon-ticket-consult"
    if kind == "urgent" or category in URGENT_CATEGORIES:
        return "ozon-ticket-urgent"
    return "ozon-ticket"


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UserError(_("unknown ticket kind {kind!r}; use one of: {known}").format(
            kind=kind, known=", ".join(KINDS)))
    return kind


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise UserError(_("unknown ticket category {category!r}; use one of: {known}").format(
            category=category, known=", ".join(CATEGORIES)))
    return category


def check_number(number: str) -> str:
    text = number.strip()
    if not text or len(text) > MAX_NUMBER or any(c.isspace() for c in text):
        raise UserError(_("ticket number {number!r}: give the platform's number, 1 to {n} characters without spaces").format(
            number=number, n=MAX_NUMBER))
    return text


def check_orders(orders: Sequence[str]) -> list[str]:
    out: list[str] = []
    for order in orders:
        text = order.strip()
        if not text or len(text) > MAX_ORDER or not all(c.isdigit() or c == "-" for c in text):
            raise UserError(_("order number {order!r}: use digits and dashes, e.g. 12345678-0001").format(
                order=order))
        if text not in out:
            out.append(text)
    return out


def check_kind_and_category(kind: str, category: str) -> None:
    """Ticket-only matters are refused by e-mail: Ozon answers them only through a ticket."""
    if kind == "email" and category in TICKET_ONLY:
        raise UserError(_("{category} goes through a Seller Center ticket, not e-mail: enter it as a support or urgent ticket").format(
            category=_(CATEGORIES[category])))


@dataclass(frozen=True)
class Evidence:
    shop_id: str | None
    order_numbers: tuple[str, ...]
    error_code: str | None
    screenshots: int


def missing_evidence(evidence: Evidence) -> list[str]:
    """Keys of ``EVIDENCE`` the ticket lacks, in the checklist's order: without any of them
    Ozon sends the ticket back as incomplete."""
    missing = []
    if not (evidence.shop_id or "").strip():
        missing.append("shop_id")
    if not evidence.order_numbers:
        missing.append("order_number")
    if not (evidence.error_code or "").strip():
        missing.append("error_code")
    if evidence.screenshots < 1:
        missing.append("screenshot")
    return missing


def incomplete_message(missing: Sequence[str]) -> str:
    names = ", ".join(_(EVIDENCE[key]) for key in missing)
    return _("the ticket is incomplete, Ozon would send it back: add {missing}").format(missing=names)


# Countdown states of a ticket, from Ozon's side: "waiting" (Ozon has time left), "due-soon",
# "late" (Ozon missed its own target), "answered", "closed", "draft".
@dataclass(frozen=True)
class TicketClock:
    state: str
    due_at: datetime | None
    waiting_s: int | None  # seconds since the question while Ozon owes the answer


def ticket_clock(
    policy: SlaPolicy,
    status: str,
    asked_at: datetime | None,
    answered_at: datetime | None,
    now: datetime,
) -> TicketClock:
    """Where Ozon stands on one ticket at ``now`` (all instants aware)."""
    if status == "draft" or asked_at is None:
        return TicketClock("draft", None, None)
    due = sla.deadline(policy, asked_at)
    if answered_at is not None or status in ("answered", "closed", "returned"):
        return TicketClock("closed" if status == "closed" else "answered", due, None)
    waiting = max(0, int((now - asked_at).total_seconds()))
    state = sla.countdown_to(policy, due, now).state if due is not None else "waiting"
    return TicketClock({"ok": "waiting", "breached": "late"}.get(state, state), due, waiting)


def escalation_due(clock: TicketClock, now: datetime) -> bool:
    """True from the instant Ozon's own deadline has passed without an answer: the deadline
    itself counts as passed, so the escalation is offered exactly when the budget ends."""
    return clock.due_at is not None and clock.waiting_s is not None and now >= clock.due_at


def problem_type(category: str) -> str:
    return PROBLEM_TYPES.get(category, "Other")


def kind_titles() -> Mapping[str, str]:
    return {k: _(v) for k, v in KINDS.items()}
