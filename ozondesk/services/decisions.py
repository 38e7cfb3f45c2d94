"""Deciding on a return request or a cancellation: checked, audited, queued in the outbox.

The decision goes through the outbox like a reply (``services/decision_actions.py`` delivers
it): written before anything is sent, claimed by one sender, and never sent twice. Only a
decision the platform offers *now* (as the last sync read it) is accepted, and one at a time:
while a decision for the request waits in the outbox, another is refused.

Who may decide: whoever may reply (``conversation.reply``: agents and leads); the
conversation is claimed for them as a reply would be.

``decide`` returns the queued entry with what it changed: the one conversation (its thread
shows the decision on its way, the claim is the decider's), in place in any listing — the
status moves only when the decision is delivered (``decision_actions``; the delivery round
reports that change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ozondesk.domain import decisions as D
from ozondesk.domain import roles
from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.changes import OpChanges, conversation_changed
from ozondesk.services.claims import require_claim
from ozondesk.store.db import Database
from ozondesk.store.models import Agent
from ozondesk.store.repos import audit
from ozondesk.store.repos import decisions as repo
from ozondesk.store.repos import outbox as outbox_repo


@dataclass(frozen=True)
class DecisionOutcome:
    item: outbox_repo.OutboxItem
    changes: OpChanges


class DecisionService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def view(self, conversation_id: int) -> D.DecisionView | None:
        with self.db.read() as session:
            return repo.view_with_queue(session, conversation_id)

    def decide(
        self, conversation_id: int, agent_id: int, decision: D.Decision
    ) -> DecisionOutcome:
        """Queue ``decision``; a ``UserError`` saying why when it cannot be (nothing written)."""
        with self.db.begin() as session:
            item = self.decide_in(session, conversation_id, agent_id, decision)
        return DecisionOutcome(item, conversation_changed(conversation_id, membership=False))

    def decide_in(
        self, session: Session, conversation_id: int, agent_id: int, decision: D.Decision
    ) -> outbox_repo.OutboxItem:
        now = self.clock()
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active:
            raise UserError(_("unknown or inactive agent #{id}").format(id=agent_id))
        roles.require(agent.role, "conversation.reply")
        view = repo.view_with_queue(session, conversation_id)
        if view is None:
            raise UserError(_("this conversation is no return request or cancellation"))
        if view.queued:
            raise UserError(
                _("a decision on this request is already on its way to Ozon; wait for it")
            )
        options = {o.key: o for o in D.options_for(view.kind, view.actions)}
        option = options.get(decision.key)
        if option is None:
            raise UserError(
                _("Ozon does not offer this decision for the request now; sync and look again")
            )
        payload = D.check(option, decision, D.reasons_of(view.rejection_reasons), view.amount)
        # What the platform looked like when the decision was taken: the sender compares
        # before any retry (services/decision_actions.py).
        payload["state"] = view.state
        payload["posting_number"] = view.posting_number
        require_claim(session, conversation_id, agent_id, now)
        item = outbox_repo.enqueue_action(
            session,
            conversation_id,
            option.action,
            str(view.platform_id),
            now,
            text=payload.get("comment", ""),
            payload=payload,
            agent_id=agent_id,
            as_message=False,
        )
        audit.write(
            session,
            now,
            agent_id,
            "decision.queue",
            f"{view.kind}:{view.platform_id}",
            decision=option.key,
            outbox_id=item.id,
            posting_number=view.posting_number,
            # The rejection reason and amount are the decision's substance; the comment is the
            # buyer-facing text and stays in the outbox only.
            rejection_reason_id=payload.get("rejection_reason_id"),
            compensation_amount=payload.get("compensation_amount"),
        )
        return item
