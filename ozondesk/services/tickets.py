"""The seller's tickets to Ozon, for the Tickets workspace and ``ozondesk tickets``.

Entered by hand (a Seller Center form or an e-mail sent elsewhere) or synced from the support
and personal-manager chats. Ozon's answer is what is due: each ticket's clock is read on its
policy at ``now`` (``domain.tickets.ticket_clock``), never cached, so a policy edit or a
holiday override shows at once. A ticket is marked sent only with its evidence complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ozondesk.domain import sla
from ozondesk.domain import tickets as T
from ozondesk.domain.clock import as_utc, local_instant, to_storage, utcnow
from ozondesk.domain.escalation import (
    ESCALATION_SLUG,
    MISSING_AM_SLUG,
    EmailDraft,
    EmailTemplate,
    escalation_draft,
    missing_am_draft,
)
from ozondesk.domain.policies import DEFAULT_POLICIES, SlaPolicy
from ozondesk.domain.roles import require
from ozondesk.domain.ticket_metrics import TicketFact, TicketFigures, ticket_figures
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.templates import TemplateService
from ozondesk.settings import options
from ozondesk.settings.team import TeamSettings
from ozondesk.store.db import Database
from ozondesk.store.repos import audit
from ozondesk.store.repos import tickets as repo
from ozondesk.store.repos.policies import current_policies
from ozondesk.store.repos.ticket_conversations import follow_policy, mirror_hand_ticket
from ozondesk.store.repos.tickets import AttachmentRecord, EventRecord, NotificationRecord
from ozondesk.store.ticket_models import Ticket

__all__ = ["AttachmentRecord", "EventRecord", "NotificationRecord", "TicketService", "TicketView"]

MAX_ATTACHMENT = 10 * 1024 * 1024  # Seller Center refuses bigger files
MAX_TEXT = 5000


@dataclass(frozen=True)
class TicketView:
    id: int
    source: str
    kind: str
    number: str
    category: str
    policy: str
    shop_ref: str | None
    order_numbers: tuple[str, ...]
    error_code: str | None
    question: str
    status: str
    sent_at: datetime | None
    answered_at: datetime | None
    due_at: datetime | None
    state: str
    waiting_s: int | None
    conversation_id: int | None
    screenshots: int
    escalations: int
    missing: tuple[str, ...]
    escalate: bool  # Ozon's deadline has passed unanswered: offer the escalation e-mail

    def to_json(self) -> dict[str, object]:
        """The contract of ``ozondesk tickets list --format json``."""
        from ozondesk.domain.clock import iso_msk

        return {"id": self.id, "kind": self.kind, "number": self.number, "category": self.category,
                "sent_at": iso_msk(self.sent_at), "due_at": iso_msk(self.due_at),
                "state": self.state, "waiting_s": self.waiting_s}


def _view(rec: repo.TicketRecord, policies: dict[str, SlaPolicy], now: datetime) -> TicketView:
    policy = policies.get(rec.policy) or DEFAULT_POLICIES[T.policy_for(rec.kind, rec.category)]
    clock = T.ticket_clock(policy, rec.status, rec.sent_at, rec.answered_at, now)
    missing = T.missing_evidence(T.Evidence(rec.shop_ref, rec.order_numbers, rec.error_code,
                                            rec.screenshots))
    return TicketView(
        rec.id, rec.source, rec.kind, rec.number, rec.category, rec.policy, rec.shop_ref,
        rec.order_numbers, rec.error_code, rec.question, rec.status, rec.sent_at, rec.answered_at,
        clock.due_at, clock.state, clock.waiting_s, rec.conversation_id, rec.screenshots,
        rec.escalations, tuple(missing), T.escalation_due(clock, now))


def waiting_longest(views: Sequence[TicketView]) -> list[TicketView]:
    """Tickets Ozon still owes first, the longest-waiting on top; then the rest, newest first."""
    waiting = sorted((v for v in views if v.waiting_s is not None), key=lambda v: (-(v.waiting_s or 0), v.id))
    rest = sorted((v for v in views if v.waiting_s is None),
                  key=lambda v: (v.sent_at is None, -(v.sent_at.timestamp() if v.sent_at else 0), -v.id))
    return waiting + rest


def _clean(text: str | None, limit: int) -> str | None:
    value = (text or "").strip()
    return value[:limit] if value else None


class TicketService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------

    def tickets(self, now: datetime | None = None) -> list[TicketView]:
        """Every ticket, sorted by how long Ozon has kept it waiting."""
        at = as_utc(now or self.clock())
        with self.db.read() as session:
            policies = current_policies(session)
            records = repo.records(session)
        return waiting_longest([_view(r, policies, at) for r in records])

    def ticket(self, ticket_id: int, now: datetime | None = None) -> TicketView:
        at = as_utc(now or self.clock())
        with self.db.read() as session:
            policies = current_policies(session)
            found = repo.records(session, [ticket_id])
        if not found:
            raise UserError(_("no ticket with id {id}").format(id=ticket_id))
        return _view(found[0], policies, at)

    def for_conversation(self, conversation_id: int, now: datetime | None = None) -> TicketView | None:
        """The ticket beside a synced support or manager conversation, if any."""
        at = as_utc(now or self.clock())
        with self.db.read() as session:
            ticket_id = repo.ticket_of_conversation(session, conversation_id)
        return None if ticket_id is None else self.ticket(ticket_id, at)

    def history(self, ticket_id: int) -> list[EventRecord]:
        with self.db.read() as session:
            return repo.events(session, ticket_id)

    def attachments(self, ticket_id: int) -> list[AttachmentRecord]:
        with self.db.read() as session:
            return repo.attachments(session, ticket_id)

    def attachment_data(self, attachment_id: int) -> bytes | None:
        with self.db.read() as session:
            return repo.attachment_data(session, attachment_id)

    def figures(self, first: date, last: date, now: datetime | None = None) -> TicketFigures:
        """Ozon's answers to tickets sent on the Moscow days ``first``..``last``."""
        at = as_utc(now or self.clock())
        start, end = local_instant(first, 0), local_instant(last, 1440)
        with self.db.read() as session:
            policies = current_policies(session)
            records = repo.records(session)
            returned = repo.ticket_ids_with_event(session, "returned")
        facts = []
        for rec in records:
            if rec.sent_at is None or not start <= rec.sent_at < end:
                continue
            view = _view(rec, policies, at)
            policy = policies.get(rec.policy) or DEFAULT_POLICIES[T.policy_for(rec.kind, rec.category)]
            facts.append(TicketFact(rec.kind, int(policy.budget.total_seconds()), rec.sent_at,
                                    rec.answered_at, view.due_at, rec.escalations,
                                    rec.id in returned))
        return ticket_figures(facts, at)

    def notifications(self, limit: int = 500) -> list[NotificationRecord]:
        with self.db.read() as session:
            return repo.notifications(session, limit)

    # -- writing ---------------------------------------------------------------------------

    def add(
        self,
        *,
        kind: str,
        category: str,
        number: str,
        sent_at: datetime | None,
        orders: Sequence[str] = (),
        shop_ref: str | None = None,
        error_code: str | None = None,
        question: str = "",
        status: str | None = None,
        actor: str | None = None,
    ) -> TicketView:
        """A ticket entered by hand. With ``sent_at`` it was sent already (its status "Pending
        Review" unless given); without, it is a draft to be completed and marked sent here.
        Every field is checked before anything is written."""
        T.check_kind(kind)
        T.check_category(category)
        T.check_kind_and_category(kind, category)
        number = T.check_number(number)
        order_list = T.check_orders(orders)
        status = status or ("pending_review" if sent_at is not None else "draft")
        if status not in T.STATUSES:
            raise UserError(_("unknown ticket status {status!r}").format(status=status))
        now = as_utc(self.clock())
        if sent_at is not None and as_utc(sent_at) > now:
            raise UserError(_("the sent time {time} is in the future").format(time=as_utc(sent_at).isoformat()))
        with self.db.begin() as session:
            if repo.number_taken(session, number):
                raise UserError(_("ticket {number} is entered already").format(number=number))
            shop = repo.first_shop(session)
            ticket = Ticket(
                shop_id=shop[0] if shop else None, source="hand", kind=kind, number=number,
                category=category, policy=T.policy_for(kind, category),
                shop_ref=_clean(shop_ref, 32), order_numbers=order_list,
                error_code=_clean(error_code, 100), question=(question or "").strip()[:MAX_TEXT],
                status=status, sent_at=to_storage(sent_at) if sent_at is not None else None,
                created_at=to_storage(now), created_by=repo.agent_id(session, actor))
            session.add(ticket)
            session.flush()
            repo.add_event(session, ticket.id, status, as_utc(sent_at) if sent_at else now,
                           repo.agent_id(session, actor))
            self._mirror(session, ticket)
            ticket_id = ticket.id
        return self.ticket(ticket_id)

    def update_evidence(self, ticket_id: int, *, shop_ref: str | None, orders: Sequence[str],
                        error_code: str | None, question: str | None = None) -> TicketView:
        order_list = T.check_orders(orders)
        with self.db.begin() as session:
            ticket = self._get(session, ticket_id)
            ticket.shop_ref = _clean(shop_ref, 32)
            ticket.order_numbers = order_list
            ticket.error_code = _clean(error_code, 100)
            if question is not None:
                ticket.question = question.strip()[:MAX_TEXT]
        return self.ticket(ticket_id)

    def set_category(self, ticket_id: int, category: str, actor: str | None = None) -> TicketView:
        """The agent corrects the problem category (a synced chat's is guessed from its first
        message); the policy follows it, and so does the deadline of the inbox conversation."""
        T.check_category(category)
        now = self.clock()
        with self.db.begin() as session:
            ticket = self._get(session, ticket_id)
            T.check_kind_and_category(ticket.kind, category)
            if ticket.category != category:
                old = ticket.category
                ticket.category = category
                ticket.policy = T.policy_for(ticket.kind, category)
                agent = repo.agent_id(session, actor)
                repo.add_event(session, ticket_id, "category", now, agent, category)
                audit.write(session, now, agent, "ticket.category", f"ticket:{ticket.number}",
                            old=old, new=category)
                policy = self._policy(session, ticket)
                due = sla.deadline(policy, as_utc(ticket.sent_at)) if ticket.sent_at is not None else None
                if ticket.source == "hand":
                    mirror_hand_ticket(session, ticket, due)
                else:
                    follow_policy(session, ticket, due)
        return self.ticket(ticket_id)

    def attach(self, ticket_id: int, name: str, mime: str, data: bytes,
               kind: str = "screenshot") -> int:
        if kind not in ("screenshot", "file"):
            raise UserError(_("unknown attachment kind {kind!r}").format(kind=kind))
        if not data:
            raise UserError(_("{name} is empty: nothing to attach").format(name=name))
        if len(data) > MAX_ATTACHMENT:
            raise UserError(_("{name} is larger than 10 MB: Seller Center would refuse it").format(name=name))
        with self.db.begin() as session:
            self._get(session, ticket_id)
            return repo.add_attachment(session, ticket_id, kind, name, mime, data, self.clock())

    def mark_sent(self, ticket_id: int, sent_at: datetime, actor: str | None = None) -> TicketView:
        """A draft goes "Pending Review"; refused, naming each missing item, while the evidence
        Ozon asks for is incomplete (else Ozon sends it back)."""
        with self.db.begin() as session:
            ticket = self._get(session, ticket_id)
            if ticket.status != "draft":
                raise UserError(_("ticket {number} is sent already").format(number=ticket.number))
        view = self.ticket(ticket_id)
        if view.missing:
            raise UserError(T.incomplete_message(view.missing))
        return self.set_status(ticket_id, "pending_review", sent_at, actor)

    def set_status(self, ticket_id: int, status: str, at: datetime, actor: str | None = None,
                   note: str = "") -> TicketView:
        """The status as the platform shows it, kept in the ticket's history."""
        if status not in T.STATUSES or status == "draft":
            raise UserError(_("unknown ticket status {status!r}").format(status=status))
        at = as_utc(at)
        with self.db.begin() as session:
            ticket = self._get(session, ticket_id)
            if ticket.sent_at is None:
                ticket.sent_at = to_storage(at)
            if status == "answered" and ticket.answered_at is None:
                ticket.answered_at = to_storage(at)
            if status in T.WAITING_STATUSES:
                ticket.answered_at = None
            ticket.status = status
            repo.add_event(session, ticket_id, status, at, repo.agent_id(session, actor), note[:MAX_TEXT])
            self._mirror(session, ticket)
        return self.ticket(ticket_id)

    def record_escalation(self, ticket_id: int, actor: str | None = None, template: str = "",
                          version: int | None = None) -> None:
        """The agent confirms the escalation e-mail was sent: opening it in the mail client or
        copying it proves nothing, so only this counts on the dashboard. Kept in the ticket's
        history and the audit log, with the template revision that went out."""
        now = self.clock()
        with self.db.begin() as session:
            ticket = self._get(session, ticket_id)
            agent = repo.agent_id(session, actor)
            note = f"{template} r{version}" if template and version is not None else ""
            repo.add_event(session, ticket_id, "escalated", now, agent, note)
            audit.write(session, now, agent, "ticket.escalation_sent", f"ticket:{ticket.number}",
                        template=template, revision=version)

    # -- drafts ----------------------------------------------------------------------------

    def escalation_address(self) -> str:
        return TeamSettings(self.db).get(options.ESCALATION_ADDRESS)

    def set_escalation_address(self, address: str, actor: str | None) -> str:
        """A lead enters Ozon's China seller-support address (none is built in); ``actor`` None
        is the administrator. One plain address, or empty to clear it."""
        if actor is not None:
            with self.db.read() as session:
                role = repo.agent_role(session, actor)
            require(role or "", "team.manage")
        try:
            TeamSettings(self.db).set(options.ESCALATION_ADDRESS, address.strip())
        except ValueError:
            raise UserError(_("{address!r} is not one e-mail address, e.g. name@example.com").format(
                address=address)) from None
        return address.strip()

    def escalation(self, ticket_id: int, signature: str = "", now: datetime | None = None) -> EmailDraft:
        """The escalation e-mail of a ticket Ozon has left unanswered past its own deadline."""
        at = as_utc(now or self.clock())
        view = self.ticket(ticket_id, at)
        if not view.escalate or view.sent_at is None:
            raise UserError(_("ticket {number} is not late: Ozon's deadline has not passed").format(
                number=view.number))
        what = "question to our account manager" if view.kind == "am" else f"ticket {view.number}"
        evidence = [f"{T.EVIDENCE[k]}: {'yes' if k not in view.missing else 'missing'}"
                    for k in T.EVIDENCE]
        return escalation_draft(
            self._email_template(ESCALATION_SLUG, at), to=self.escalation_address(), shop_id=view.shop_ref or "unknown",
            problem_type=T.problem_type(view.category), ticket_number=view.number, what=what,
            question=view.question, orders=view.order_numbers, error_code=view.error_code,
            asked_at=view.sent_at, due_at=view.due_at, now=at, evidence=evidence,
            signature=signature)

    def missing_am(self, signature: str = "", now: datetime | None = None) -> EmailDraft:
        """The "Missing AM" report for this database's shop."""
        with self.db.read() as session:
            shop = repo.first_shop(session)
        if shop is None:
            raise UserError(_("no shop yet: add the Ozon shop in Settings first"))
        at = as_utc(now or self.clock())
        return missing_am_draft(self._email_template(MISSING_AM_SLUG, at), to=self.escalation_address(),
                                seller_id=shop[1], shop_name=shop[2], now=at, signature=signature)

    def _email_template(self, slug: str, now: datetime) -> EmailTemplate:
        """The approved revision of an escalation template in force at ``now``: a lead's edit
        reaches the drafts only once reviewed and effective, like any template's."""
        record = TemplateService(self.db).live_template(slug, now)
        if record is None:
            # Seeded at start-up, but only where the login may publish templates (team mode).
            raise UserError(_("the escalation template {slug} is not in this database yet: it is added when a team lead starts OzonDesk").format(
                slug=slug))
        if record.live is None:
            raise UserError(_("no approved template {slug}: a lead approves it under Review (Templates, category Escalation e-mail to Ozon)").format(
                slug=slug))
        return EmailTemplate(slug, record.live.number, record.live.body, record.gloss_zh)

    @staticmethod
    def _mirror(session: Session, ticket: Ticket) -> None:
        """A hand-entered ticket's conversation in the inbox follows its status and deadline."""
        if ticket.source != "hand" or ticket.sent_at is None:
            return
        policy = TicketService._policy(session, ticket)
        mirror_hand_ticket(session, ticket, sla.deadline(policy, as_utc(ticket.sent_at)))

    @staticmethod
    def _policy(session: Session, ticket: Ticket) -> SlaPolicy:
        return current_policies(session).get(ticket.policy) or DEFAULT_POLICIES[
            T.policy_for(ticket.kind, ticket.category)]

    @staticmethod
    def _get(session: Session, ticket_id: int) -> Ticket:
        ticket = repo.get(session, ticket_id)
        if ticket is None:
            raise UserError(_("no ticket with id {id}").format(id=ticket_id))
        return ticket
