"""What the interface calls the codes stored in the database, in one place.

Categories, conversation statuses, SLA policies, lint severities, Ozon posting statuses and the
three deadline kinds are stored and exchanged as codes (``logistics-delay``,
``chat-first-response``, ``warning``, ``delivered``); people read them in their language. The
UI and the CLI's text output ask here; JSON output keeps the codes, which are the contract.
A code without a built-in name (a category a lead made up, a status Ozon adds later) shows as
itself rather than vanishing.
"""

from __future__ import annotations

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.domain.tickets import CATEGORIES as TICKET_CATEGORIES
from ozondesk.domain.tickets import KINDS as TICKET_KINDS
from ozondesk.i18n import N_, _

CATEGORY_NAMES: dict[str, str] = {
    "returns": N_("Returns"),
    "logistics-delay": N_("Logistics delay"),
    "counterfeit-complaint": N_("Counterfeit complaint"),
    "size-and-fit": N_("Size and fit"),
    "payment": N_("Payment"),
    "compliance-documents": N_("Compliance documents"),
    "greeting-closing": N_("Greeting and closing"),
    "order-status": N_("Order status"),
    "quality": N_("Quality"),
    "return-decision": N_("Return decision"),
    "cancellation-reply": N_("Cancellation reply"),
    "other": N_("Other"),
    # Not "Review" / "Question": those msgids name the template review workspace and others.
    "question": N_("Product question"),
    "review": N_("Product review"),
    "escalation": N_("Escalation e-mail to Ozon"),
    # The demo's (and sync's) Ozon-side threads.
    "platform": N_("Ozon platform"),
    "account": N_("Account manager"),
}

STATUS_NAMES: dict[str, str] = {
    "open": N_("open"),
    "waiting_buyer": N_("waiting for the buyer"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}

SEVERITY_NAMES: dict[str, str] = {"error": N_("Error"), "warning": N_("Warning"), "info": N_("Note")}

# Where a countdown stands (domain.sla.State).
COUNTDOWN_STATE_NAMES: dict[str, str] = {"ok": N_("ok"), "due-soon": N_("due soon"), "breached": N_("breached")}

# The shop's presence standing (domain.presence.ShopState), as the status bar says it.
PRESENCE_STATE_NAMES: dict[str, str] = {
    "ok": N_("Shop presence OK"),
    "warning": N_("Presence warning: half of today's offline allowance used"),
    "at-risk": N_("At risk: yesterday was a breach day"),
    "demotion": N_("Demotion: two breach days in a row"),
}

# Ozon's posting statuses (FBS/FBO/rFBS), as /v3/posting/*/get returns them.
POSTING_STATUS_NAMES: dict[str, str] = {
    "awaiting_registration": N_("awaiting registration"),
    "acceptance_in_progress": N_("being accepted"),
    "awaiting_approve": N_("awaiting confirmation"),
    "awaiting_packaging": N_("awaiting packaging"),
    "awaiting_deliver": N_("awaiting shipment"),
    "sent_by_seller": N_("sent by the seller"),
    "driver_pickup": N_("with the driver"),
    "delivering": N_("on its way"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
    "not_accepted": N_("not accepted at the sorting centre"),
    "arbitration": N_("in arbitration"),
    "client_arbitration": N_("in delivery arbitration"),
}

# A ticket to Ozon as the tickets list sorts it (services.tickets computes the state).
TICKET_STATE_NAMES: dict[str, str] = {
    "waiting": N_("waiting"), "due-soon": N_("due soon"), "late": N_("Ozon is late"),
    "answered": N_("answered"), "closed": N_("closed"), "draft": N_("not sent"),
}

# The three deadlines a conversation can have, each with one label everywhere (the list, the
# composer, the context panel, Ctrl+E), so two numbers on screen always say which is which.
REPLY, RESOLVE, WINDOW = "reply", "resolve", "window"
DEADLINE_LABELS: dict[str, str] = {
    REPLY: N_("Next reply due"),
    RESOLVE: N_("Resolve by"),
    WINDOW: N_("Reply window closes"),
}
RESOLUTION_POLICY = "resolution-48h"


def _named(names: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    return _(names[code]) if code in names else code


def category_name(code: str | None) -> str:
    """A conversation or template category; one without a built-in name shows as its own title."""
    return _named(CATEGORY_NAMES, code)


def status_name(code: str | None) -> str:
    return _named(STATUS_NAMES, code)


def severity_name(code: str | None) -> str:
    return _named(SEVERITY_NAMES, code)


def posting_status_name(code: str | None) -> str:
    return _named(POSTING_STATUS_NAMES, code)


def countdown_state_name(code: str | None) -> str:
    return _named(COUNTDOWN_STATE_NAMES, code)


def presence_state_name(code: str | None) -> str:
    return _named(PRESENCE_STATE_NAMES, code)


def ticket_state_name(code: str | None) -> str:
    return _named(TICKET_STATE_NAMES, code)


def ticket_kind_name(code: str | None) -> str:
    return _named(TICKET_KINDS, code)


def ticket_category_name(code: str | None) -> str:
    return _named(TICKET_CATEGORIES, code)


def policy_name(code: str | None, title: str | None = None) -> str:
    """An SLA policy: its title (a lead's own title as written), else the built-in one."""
    if title:
        return _(title)
    policy = DEFAULT_POLICIES.get(code or "")
    return _(policy.title) if policy is not None else (code or "")


def deadline_kind_of_target(target_kind: str) -> str:
    """``reply`` for first and next response, ``resolve`` for resolution."""
    return RESOLVE if target_kind == "resolution" else REPLY


def deadline_kind_of_policy(policy: str | None) -> str:
    """Which deadline a list row's countdown runs to: the resolution policy, or a reply one."""
    return RESOLVE if policy == RESOLUTION_POLICY else REPLY


def deadline_label(kind: str) -> str:
    return _(DEADLINE_LABELS[kind])
