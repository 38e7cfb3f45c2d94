"""Reply templates and their review, on top of the store.

Every step is one transaction that also writes the audit log, so a revision is
never shown as saved before it is committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ozondesk.domain import review
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.packs import Pack, PackError, load_starter_pack
from ozondesk.domain.templates import Template
from ozondesk.i18n import _
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, ReplyTemplate, TemplateRevision
from ozondesk.store.repos import audit

READY_MINIMUM = 3


class FindingLike(Protocol):
    rule: str
    severity: str
    message: str


LintBody = Callable[[str], Sequence[FindingLike]]


@dataclass(frozen=True)
class RevisionRecord:
    id: int
    template_id: int
    number: int
    title: str
    body: str
    status: str
    author: str | None
    created_at: datetime
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    effective_at: datetime | None


@dataclass(frozen=True)
class TemplateRecord:
    id: int
    slug: str
    category: str
    tags: tuple[str, ...]
    gloss_zh: str
    channel: str
    language: str
    usage_count: int
    live: RevisionRecord | None
    pending: RevisionRecord | None


@dataclass(frozen=True)
class Readiness:
    ok: bool
    approved_chat_ru: int
    required: int


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def default_lint_body(body: str) -> Sequence[FindingLike]:
    from ozondesk.domain.template_lint import lint_template_body

    return lint_template_body(body)


class TemplateService:
    def __init__(self, db: Database, lint_body: LintBody = default_lint_body) -> None:
        self.db = db
        self.lint_body = lint_body

    # -- helpers ---------------------------------------------------------------------
    def _actor(self, session: Session, agent_id: int) -> Agent:
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active:
            raise review.ReviewError(_("unknown or inactive agent #{id}").format(id=agent_id))
        return agent

    def _revision(self, session: Session, revision_id: int) -> TemplateRevision:
        revision = session.get(TemplateRevision, revision_id)
        if revision is None:
            raise review.ReviewError(_("template revision #{id} does not exist").format(id=revision_id))
        return revision

    @staticmethod
    def _names(session: Session) -> dict[int, str]:
        return dict(session.execute(select(Agent.id, Agent.display_name)).all())

    def _record(
        self, session: Session, rev: TemplateRevision, names: dict[int, str] | None = None
    ) -> RevisionRecord:
        """``names`` lets a caller building many records ask for agents' names once."""
        if names is None:
            names = self._names(session)
        return RevisionRecord(
            id=rev.id,
            template_id=rev.template_id,
            number=rev.number,
            title=rev.title,
            body=rev.body,
            status=rev.status,
            author=names.get(rev.author_id),
            created_at=as_utc(rev.created_at),
            submitted_at=_aware(rev.submitted_at),
            reviewed_by=names.get(rev.reviewed_by),
            reviewed_at=_aware(rev.reviewed_at),
            review_comment=rev.review_comment,
            effective_at=_aware(rev.effective_at),
        )

    def _subject(self, session: Session, template_id: int) -> str:
        template = session.get(ReplyTemplate, template_id)
        return f"template:{template.slug if template else template_id}"

    # -- authoring -------------------------------------------------------------------
    def create(
        self,
        agent_id: int,
        *,
        slug: str,
        category: str,
        title: str,
        body: str,
        now: datetime,
        tags: Sequence[str] = (),
        gloss_zh: str = "",
        channel: str = "chat",
    ) -> RevisionRecord:
        with self.db.begin() as session:
            self._actor(session, agent_id)
            if session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.slug == slug)):
                raise review.ReviewError(_("a template with id {slug!r} already exists").format(slug=slug))
            template = ReplyTemplate(
                slug=slug, category=category, tags=list(tags), gloss_zh=gloss_zh, channel=channel,
                language="ru", usage_count=0, archived=False, created_at=to_storage(now), created_by=agent_id,
            )
            session.add(template)
            session.flush()
            rev = TemplateRevision(
                template_id=template.id, number=1, title=title, body=body, status="draft",
                author_id=agent_id, created_at=to_storage(now),
            )
            session.add(rev)
            session.flush()
            audit.write(session, now, agent_id, "template.create", f"template:{slug}", revision=1)
            return self._record(session, rev)

    def edit(self, agent_id: int, template_id: int, *, title: str, body: str, now: datetime) -> RevisionRecord:
        """Change the draft in work, or start a new draft from the latest revision."""
        with self.db.begin() as session:
            actor = self._actor(session, agent_id)
            revisions = session.scalars(
                select(TemplateRevision).where(TemplateRevision.template_id == template_id)
                .order_by(TemplateRevision.number)
            ).all()
            if not revisions:
                raise review.ReviewError(_("template #{id} does not exist").format(id=template_id))
            draft = next((r for r in revisions if r.status in ("draft", "submitted")), None)
            if draft is not None:
                review.check("edit", draft.status, actor.role)  # type: ignore[arg-type]
                # A changed text must be reviewed again, and its waiting period starts over.
                draft.title, draft.body, draft.status = title, body, "draft"
                draft.submitted_at = draft.effective_at = None
                rev = draft
            else:
                rev = TemplateRevision(
                    template_id=template_id, number=revisions[-1].number + 1, title=title, body=body,
                    status="draft", author_id=agent_id, created_at=to_storage(now),
                )
                session.add(rev)
                session.flush()
            audit.write(session, now, agent_id, "template.edit", self._subject(session, template_id),
                        revision=rev.number)
            return self._record(session, rev)

    # -- review ----------------------------------------------------------------------
    def submit(self, agent_id: int, revision_id: int, now: datetime) -> RevisionRecord:
        with self.db.begin() as session:
            actor = self._actor(session, agent_id)
            rev = self._revision(session, revision_id)
            review.check("submit", rev.status, actor.role)  # type: ignore[arg-type]
            errors = [f for f in self.lint_body(rev.body) if f.severity == "error"]
            if errors:
                raise review.ReviewError(
                    _("cannot submit: {n} error(s) in the text: {first}").format(
                        n=len(errors), first="; ".join(f.message for f in errors[:3])
                    )
                )
            rev.status = "submitted"
            rev.submitted_at = to_storage(now)
            rev.effective_at = to_storage(review.effective_at(now))
            audit.write(session, now, agent_id, "template.submit", self._subject(session, rev.template_id),
                        revision=rev.number, effective_at=as_utc(review.effective_at(now)).isoformat())
            return self._record(session, rev)

    def approve(self, agent_id: int, revision_id: int, now: datetime, comment: str = "") -> RevisionRecord:
        with self.db.begin() as session:
            actor = self._actor(session, agent_id)
            rev = self._revision(session, revision_id)
            review.check("approve", rev.status, actor.role)  # type: ignore[arg-type]
            rev.status = "approved"
            rev.reviewed_by, rev.reviewed_at, rev.review_comment = agent_id, to_storage(now), comment or None
            # An approval that comes after the waiting period takes effect at once.
            rev.effective_at = max(rev.effective_at or to_storage(now), to_storage(now))  # type: ignore[type-var]
            audit.write(session, now, agent_id, "template.approve", self._subject(session, rev.template_id),
                        revision=rev.number, comment=comment)
            return self._record(session, rev)

    def reject(self, agent_id: int, revision_id: int, now: datetime, comment: str) -> RevisionRecord:
        if not comment.strip():
            raise review.ReviewError(_("a rejection needs a comment telling the author what to change"))
        with self.db.begin() as session:
            actor = self._actor(session, agent_id)
            rev = self._revision(session, revision_id)
            review.check("reject", rev.status, actor.role)  # type: ignore[arg-type]
            rev.status = "rejected"
            rev.reviewed_by, rev.reviewed_at, rev.review_comment = agent_id, to_storage(now), comment
            rev.effective_at = None
            audit.write(session, now, agent_id, "template.reject", self._subject(session, rev.template_id),
                        revision=rev.number, comment=comment)
            return self._record(session, rev)

    # -- reading ---------------------------------------------------------------------
    def history(self, template_id: int) -> list[RevisionRecord]:
        with self.db.begin() as session:
            revs = session.scalars(
                select(TemplateRevision).where(TemplateRevision.template_id == template_id)
                .order_by(TemplateRevision.number)
            ).all()
            names = self._names(session)
            return [self._record(session, r, names) for r in revs]

    def review_queue(self) -> list[RevisionRecord]:
        with self.db.begin() as session:
            revs = session.scalars(
                select(TemplateRevision).where(TemplateRevision.status == "submitted")
                .order_by(TemplateRevision.submitted_at)
            ).all()
            names = self._names(session)
            return [self._record(session, r, names) for r in revs]

    def templates(self, now: datetime) -> list[TemplateRecord]:
        with self.db.begin() as session:
            rows = session.scalars(
                select(ReplyTemplate).where(ReplyTemplate.archived.is_(False)).order_by(ReplyTemplate.slug)
            ).all()
            all_revs = session.scalars(select(TemplateRevision).order_by(TemplateRevision.number)).all()
            by_template: dict[int, list[TemplateRevision]] = {}
            for rev in all_revs:
                by_template.setdefault(rev.template_id, []).append(rev)
            names = self._names(session)
            result = []
            for t in rows:
                revs = by_template.get(t.id, [])
                views = [review.RevisionView(r.number, r.status, _aware(r.effective_at)) for r in revs]  # type: ignore[arg-type]
                live = review.live_revision(views, now)
                pending = review.pending_revision(views)
                pick = {r.number: r for r in revs}
                result.append(
                    TemplateRecord(
                        id=t.id, slug=t.slug, category=t.category, tags=tuple(t.tags or ()),
                        gloss_zh=t.gloss_zh, channel=t.channel, language=t.language,
                        usage_count=t.usage_count,
                        live=self._record(session, pick[live.number], names) if live else None,
                        pending=self._record(session, pick[pending.number], names)
                        if pending
                        else None,
                    )
                )
            return result

    def readiness(self, now: datetime) -> Readiness:
        count = sum(
            1 for t in self.templates(now) if t.live is not None and t.channel == "chat" and t.language == "ru"
        )
        return Readiness(count >= READY_MINIMUM, count, READY_MINIMUM)

    def record_use(self, template_id: int) -> None:
        with self.db.begin() as session:
            template = session.get(ReplyTemplate, template_id)
            if template is not None:
                template.usage_count += 1

    def audit_log(self, template_slug: str | None = None) -> list[audit.AuditRecord]:
        with self.db.begin() as session:
            prefix = f"template:{template_slug}" if template_slug else "template:"
            return audit.entries(session, prefix)

    # -- packs -----------------------------------------------------------------------
    def import_pack(self, agent_id: int | None, pack: Pack, now: datetime, *, seed: bool = False) -> int:
        """Add every template of ``pack`` in one transaction, or none of them.

        Imported revisions go to the review queue (submitted), except a ``seed`` of the
        shipped starter library, which is approved and live at once. Every problem is
        reported with its place: ids already in use, bodies duplicating a live template,
        error-level lint findings.
        """
        problems: list[str] = []
        lints = [self.lint_body(t.body) for t in pack.templates]
        with self.db.begin() as session:
            if agent_id is not None:
                self._actor(session, agent_id)
            elif not seed:
                raise review.ReviewError(_("an import needs the agent who makes it"))
            existing = dict(session.execute(select(ReplyTemplate.slug, ReplyTemplate.id)).all())
            bodies = {
                " ".join(b.split()): slug
                for slug, b in session.execute(
                    select(ReplyTemplate.slug, TemplateRevision.body).join(
                        TemplateRevision, TemplateRevision.template_id == ReplyTemplate.id
                    )
                ).all()
            }
            for index, (template, findings) in enumerate(zip(pack.templates, lints, strict=True)):
                where = f"templates[{index}]"
                if template.id in existing:
                    problems.append(_("{where}.id: template {id!r} already exists").format(where=where, id=template.id))
                twin = bodies.get(" ".join(template.body.split()))
                if twin is not None:
                    problems.append(_("{where}.body: same text as template {id!r}").format(where=where, id=twin))
                for f in findings:
                    if f.severity == "error":
                        problems.append(f"{where}.body: {f.message}")
            if problems:
                raise PackError(problems, pack.id)
            status = "approved" if seed else "submitted"
            effective = to_storage(now if seed else review.effective_at(now))
            for template in pack.templates:
                row = ReplyTemplate(
                    slug=template.id, category=template.category, tags=list(template.tags),
                    gloss_zh=template.gloss_zh, channel=template.channel, language=template.language,
                    usage_count=0, archived=False, created_at=to_storage(now), created_by=agent_id,
                )
                session.add(row)
                session.flush()
                session.add(
                    TemplateRevision(
                        template_id=row.id, number=1, title=template.title, body=template.body,
                        status=status, author_id=agent_id, created_at=to_storage(now),
                        submitted_at=to_storage(now), effective_at=effective,
                        reviewed_at=to_storage(now) if seed else None,
                    )
                )
            audit.write(session, now, agent_id, "template.seed" if seed else "template.import",
                        f"template:pack:{pack.id}", templates=len(pack.templates), version=pack.version)
            return len(pack.templates)

    def seed_starter_library(self, now: datetime) -> int:
        """The shipped starter templates, live at once, in a database that has no templates yet."""
        if self.count():
            return 0
        return self.import_pack(None, load_starter_pack(), now, seed=True)

    def export_pack(self, now: datetime, pack_id: str = "export", title: str = "") -> Pack:
        """The templates in force at ``now`` as a pack another desk can import."""
        items = []
        for t in self.templates(now):
            if t.live is None:
                continue
            items.append(
                Template(
                    id=t.slug, title=t.live.title, category=t.category, body=t.live.body,
                    gloss_zh=t.gloss_zh, tags=t.tags, channel=t.channel, language=t.language,
                )
            )
        return Pack(id=pack_id, title=title or _("Exported templates"), templates=tuple(items))

    def count(self) -> int:
        with self.db.begin() as session:
            return int(session.scalar(select(func.count()).select_from(ReplyTemplate)) or 0)


