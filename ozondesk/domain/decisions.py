"""The seller's decisions on rFBS return requests and conditional cancellations: which
buttons a request offers, what each needs (a reason, a comment, an amount), and the check
of what the agent filled in before anything is queued.

Only what the platform offers *now* becomes a button: a return's ``available_actions``
(from ``/v2/returns/rfbs/get``), a cancellation's approve and reject while it is
``ON_APPROVAL``. Known action ids get a label of ours, translated; an id the spec does not
name is labelled by its Russian name as Ozon sends it — never by its number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

MAX_COMMENT = 1000  # the spec gives no limit; a chat message's 1,000 characters

# Outbox actions (services/decision_actions.py delivers them).
RFBS_ACTION = "rfbs_action"
CANCELLATION_APPROVE = "cancellation_approve"
CANCELLATION_REJECT = "cancellation_reject"

# The action ids the spec of /v1/returns/rfbs/action/set names: rejection (reason and comment
# required) and partial compensation (amount required).
REJECT_IDS = frozenset({-1, -10})
COMPENSATE_ID = 1020

_LABELS_BY_ID = {
    -1: N_("Reject the return"),
    -10: N_("Reject after checking the item"),
    COMPENSATE_ID: N_("Offer a partial refund"),
}
# Other ids are not in the spec: recognised by the words of Ozon's own (Russian) name.
_LABELS_BY_WORDS = (
    (("вернуть деньги", "возврат денег", "вернуть средства"), N_("Refund the money")),
    (("получ",), N_("Confirm the item has arrived")),
    (("одобр", "соглас", "подтверд"), N_("Approve the return")),
    (("компенс",), N_("Offer a partial refund")),
    (("отклон",), N_("Reject the return")),
)
_CONSEQUENCES = {
    "approve-return": N_("The buyer sends the item back and gets the money once it arrives."),
    "reject-return": N_(
        "The buyer may open a dispute; then Ozon decides. Give a reason the buyer can check."
    ),
    "compensate": N_("The buyer keeps the item and gets the amount you enter back."),
    "refund": N_("The buyer gets the money back now."),
    "receive": N_("Confirms that the returned item reached you."),
    "other": N_("Ozon carries out this action as named."),
    "approve-cancellation": N_("The order is cancelled and the buyer gets the money back."),
    "reject-cancellation": N_(
        "The order stays active and must be delivered to the buyer. Tell the buyer why."
    ),
}


@dataclass(frozen=True)
class DecisionView:
    """A request as the store keeps it (``decision_requests``), for the view and the service."""

    conversation_id: int
    shop_id: int
    kind: str
    platform_id: int
    number: str | None
    posting_number: str
    order_number: str | None
    state: str
    state_name: str
    reason: str | None
    buyer_comment: str
    initiator: str | None
    product_name: str | None
    sku: int | None
    offer_id: str | None
    amount: Decimal | None
    currency: str
    is_defect: bool
    photos: tuple[str, ...]
    actions: tuple[dict[str, Any], ...]
    rejection_reasons: tuple[dict[str, Any], ...]
    requested_at: datetime | None
    auto_decision_at: datetime | None
    decided_at: datetime | None
    decision_comment: str | None
    # Filled by the service: the decision queued in the outbox and not yet sent, if any.
    queued: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DecisionOption:
    """One button: what it does, what it needs, and what to say before it is done."""

    key: str  # "rfbs:<id>", "cancellation:approve" or "cancellation:reject"
    action: str  # the outbox action that delivers it
    label: str  # shown translated; an English msgid, or Ozon's own name (see label_text)
    translated: bool  # False when label is Ozon's Russian name, to be shown as it is
    consequence: str  # English msgid
    platform_id: int | None = None
    needs_reason: bool = False
    needs_comment: bool = False
    needs_amount: bool = False

    def label_text(self) -> str:
        return _(self.label) if self.translated else self.label


@dataclass(frozen=True)
class Reason:
    id: int
    name: str
    hint: str
    comment_required: bool


@dataclass(frozen=True)
class Decision:
    """What the agent chose and filled in."""

    key: str
    reason_id: int | None = None
    comment: str = ""
    amount: str = ""  # as typed: "150", "150,50"


def _return_option(raw: Mapping[str, Any]) -> DecisionOption | None:
    pid = raw.get("id")
    if not isinstance(pid, int) or isinstance(pid, bool):
        return None
    name = str(raw.get("name") or "").strip()
    label: str | None = _LABELS_BY_ID.get(pid)
    if label is None:
        low = name.lower()
        label = next((lbl for words, lbl in _LABELS_BY_WORDS if any(w in low for w in words)), None)
    translated = label is not None
    if pid in REJECT_IDS:
        consequence = "reject-return"
    elif pid == COMPENSATE_ID:
        consequence = "compensate"
    elif label == _LABELS_BY_WORDS[0][1]:
        consequence = "refund"
    elif label == _LABELS_BY_WORDS[1][1]:
        consequence = "receive"
    elif label == _LABELS_BY_WORDS[2][1]:
        consequence = "approve-return"
    else:
        consequence = "other"
    if label is None:
        if not name:
            return None  # neither a known id nor a name: nothing honest to put on a button
        label = name
    return DecisionOption(
        key=f"rfbs:{pid}",
        action=RFBS_ACTION,
        label=label,
        translated=translated,
        consequence=_CONSEQUENCES[consequence],
        platform_id=pid,
        needs_reason=pid in REJECT_IDS,
        needs_comment=pid in REJECT_IDS,
        needs_amount=pid == COMPENSATE_ID,
    )


def options_for(kind: str, actions: Sequence[Mapping[str, Any]]) -> tuple[DecisionOption, ...]:
    """The buttons a request offers now, in the platform's order."""
    if kind == "cancellation":
        if not actions:
            return ()
        return (
            DecisionOption(
                key="cancellation:approve",
                action=CANCELLATION_APPROVE,
                label=N_("Approve the cancellation"),
                translated=True,
                consequence=_CONSEQUENCES["approve-cancellation"],
            ),
            DecisionOption(
                key="cancellation:reject",
                action=CANCELLATION_REJECT,
                label=N_("Reject the cancellation"),
                translated=True,
                consequence=_CONSEQUENCES["reject-cancellation"],
                needs_comment=True,
            ),
        )
    if kind == "return_request":
        found = (_return_option(a) for a in actions)
        return tuple(o for o in found if o is not None)
    return ()


def queued_label(kind: str, key: str, actions: Sequence[Mapping[str, Any]]) -> str:
    """How a decision waiting in the outbox is named: its button's label, translated."""
    if kind == "cancellation":
        found = {o.key: o for o in options_for(kind, [{"id": "approve"}, {"id": "reject"}])}
    else:
        found = {o.key: o for o in options_for(kind, actions)}
    option = found.get(key)
    if option is None and key.startswith("rfbs:"):
        pid = key.split(":", 1)[1]
        if pid.lstrip("-").isdigit():
            option = _return_option({"id": int(pid), "name": ""})
    return option.label_text() if option is not None else _("a decision")


def reasons_of(raw: Sequence[Mapping[str, Any]]) -> tuple[Reason, ...]:
    out = []
    for r in raw:
        rid = r.get("id")
        if isinstance(rid, int) and not isinstance(rid, bool):
            out.append(
                Reason(
                    rid,
                    str(r.get("name") or ""),
                    str(r.get("hint") or ""),
                    bool(r.get("comment_required")),
                )
            )
    return tuple(out)


def parse_amount(text: str) -> Decimal:
    """An amount in roubles as an agent types it: ``150``, ``150.5``, ``150,50``, ``1 290``."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UserError(
            _("the amount {text!r} is not a number: write it like 150 or 150,50").format(text=text)
        ) from None
    if not value.is_finite() or value <= 0:
        raise UserError(_("the amount must be more than zero"))
    if value != value.quantize(Decimal("0.01")):
        raise UserError(_("the amount has more than two digits after the comma"))
    return value


def check(
    option: DecisionOption,
    decision: Decision,
    reasons: Sequence[Reason],
    price: Decimal | None,
) -> dict[str, Any]:
    """The outbox payload for ``decision``, or a ``UserError`` saying what to fill in."""
    comment = decision.comment.strip()
    if len(comment) > MAX_COMMENT:
        raise UserError(
            _("the comment is {n} characters long; at most {limit}").format(
                n=len(comment), limit=MAX_COMMENT
            )
        )
    payload: dict[str, Any] = {"decision": option.key}
    if option.platform_id is not None:
        payload["action_id"] = option.platform_id
    if option.needs_reason:
        chosen = next((r for r in reasons if r.id == decision.reason_id), None)
        if chosen is None:
            raise UserError(_("choose the reason Ozon should show the buyer"))
        payload["rejection_reason_id"] = chosen.id
    if option.needs_comment and not comment:
        raise UserError(_("write a comment for the buyer: Ozon requires one for this decision"))
    if option.needs_amount:
        amount = parse_amount(decision.amount)
        if price is not None and amount > price:
            raise UserError(
                _("the refund {amount} is more than the item's price {price}").format(
                    amount=amount, price=price
                )
            )
        payload["compensation_amount"] = str(amount)
    if comment:
        payload["comment"] = comment
    return payload
