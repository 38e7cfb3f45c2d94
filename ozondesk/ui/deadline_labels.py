"""Which deadline a number on screen is: the label of a target, and the reply window of an
open conversation, worked out the same way for the context panel, the composer and Ctrl+E."""

from __future__ import annotations

from datetime import datetime

from ozondesk.domain import sla
from ozondesk.domain.display_names import deadline_kind_of_target, deadline_label
from ozondesk.domain.send_window import Verdict, reply_window
from ozondesk.i18n import N_, _
from ozondesk.services.conversation import ConversationDetail

# A target already met is history, named for what it was; a running one by its deadline label.
TARGET_LABELS = {
    "first-response": N_("First response"),
    "next-response": N_("Next response"),
    "resolution": N_("Resolution"),
}
# Public answers and comments go out whenever the seller writes them: no reply window.
NO_WINDOW_KINDS = frozenset({"question", "review"})


def target_label(target: sla.Target) -> str:
    if target.met_at is not None:
        return _(TARGET_LABELS[target.kind])
    return deadline_label(deadline_kind_of_target(target.kind))


def reply_window_of(detail: ConversationDetail, now: datetime) -> Verdict | None:
    """The platform's reply window for this conversation at ``now`` (the composer's rule, from
    the shown thread: the buyer's last message and the posting's scheme and delivery)."""
    if detail.kind in NO_WINDOW_KINDS:
        return None
    buyer_times = [m.at for m in detail.messages if m.side == "buyer"]
    posting = detail.posting
    return reply_window(
        now,
        posting.scheme if posting else None,
        max(buyer_times) if buyer_times else None,
        posting.delivered_at if posting else None,
    )
