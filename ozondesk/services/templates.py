"""Reply templates and their review, on top of the store.

Every step is one transaction that also writes the audit log, so a revision is
never shown as saved before it is committed. Every change first looks the actor up
(unknown or inactive agents are refused) and asks :mod:`ozondesk.domain.roles` whether
their role may do it: hidden buttons are a convenience, these checks are the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ozondesk.domain import review, roles
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.packs import Pack, PackError, load_escalation_pack, load_starter_pack
from ozondesk.domain.template_lint import lint_template_body
from ozondesk.domain.templates import Template, channel_for, field_problems, language_for
from ozondesk.i18n import _
from ozondesk.store.db import Database
from ozondesk.store.dml import rows_changed
from ozondesk.store.models import Agent, ReplyTemplate, TemplateRevision
from ozondesk.store.repos import audit

READY_MINIMUM = 3


class FindingLike(Protocol):
    # Read-only members, so frozen dataclasses such as lint's Finding match.
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...


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
class ReviewFinding:
    severity: str
    message: str
    rule: str


@dataclass(frozen=True)
class ReviewItem:
    """A submitted revision as a lead reviews it: beside the live text, with its lint findings."""

    revision: RevisionRecord
    slug: str
    category: str
    live: RevisionRecord | None
    findings: tuple[ReviewFinding, ...]


@dataclass(frozen=True)
class TemplateHistory:
    template_id: int
    slug: str
    revisions: tuple[RevisionRecord, ...]
    live_number: int | None
    audit: tuple[audit.AuditRecord, ...]


@dataclass(frozen=True)
class Readiness:
    ok: bool
    approved_chat_ru: int
    required: int


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def default_lint_body(body: str) -> Sequence[FindingLike]:
    return lint_template_body(body)


class TemplateService:
    def __init__(self, db: Database, lint_body: LintBody = default_lint_body) -> None:
        self.db = db
        self.lint_body = lint_body

    # -- helpers ---------------------------------------------------------------------
    def _lint(self, body: str, language: str) -> Sequence[FindingLike]:
        """The Russian reply linter for a Russian template; an English one (an escalation
        e-mail) only has its placeholders checked."""
        if language == "ru":
            return self.lint_body(body)
        return lint_template_body(body, language=language)

    def _actor(self, session: Session, agent_id: int, permission: roles.Permission) -> Agent:
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active:
            raise review.ReviewError(_("unknown or inactive agent #{id}").format(id=agent_id))
        roles.require(agent.role, permission)
        return agent

    def _template(self, session: Session, template_id: int) -> ReplyTemplate:
        template = session.get(ReplyTemplate, template_id)
        if template is None:
            raise review.ReviewError(_("template #{id} does not exist").format(id=template_id))
        return template

    @staticmethod
    def _review(
        session: Session, rev: TemplateRevision, status: str, effective: datetime | None, **values: object
    ) -> None:
        """Move a submitted revision on, unless another lead got there first.

        The update is conditional on the state read a moment ago, so two leads
        approving at once cannot both succeed; the second is told to refresh. SQLite
        refuses the second writer outright (its read snapshot is stale), PostgreSQL
        lets it through to find no submitted row: both end in the same refusal.
        """
        stale = review.ReviewError(
            _("another lead reviewed this revision at the same moment; refresh the queue")
        )
        try:
            changed = rows_changed(
                session,
                update(TemplateRevision)
                .where(TemplateRevision.id == rev.id, TemplateRevision.status == "submitted")
                .values(status=status, effective_at=effective, **values)
                .execution_options(synchronize_session=False),
            )
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise stale from None
            raise
        if not changed:
            raise stale
        session.refresh(rev)

    def _revision(self, session: Session, revision_id: int) -> TemplateRevision:
        revision = session.get(TemplateRevision, revision_id)
        if revision is None:
            raise review.ReviewError(_("template revision #{id} does not exist").format(id=revision_id))
        return revision

    @staticmethod
    def _names(session: Session) -> dict[int | None, str]:
        return dict(session.execute(select(Agent.id, Agent.display_name)).all())

    def _record(
        self, session: Session, rev: TemplateRevision, names: dict[int | None, str] | None = None
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
        channel = channel_for(category, channel)
        _check_fields(slug=slug, category=category, title=title, body=body, tags=tags,
                      gloss_zh=gloss_zh, channel=channel)
        with self.db.begin() as session:
            self._actor(session, agent_id, "template.edit")
            if session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.slug == slug)):
                raise review.ReviewError(_("a template with id {slug!r} already exists").format(slug=slug))
            template = ReplyTemplate(
                slug=slug, category=category, tags=list(tags), gloss_zh=gloss_zh, channel=channel,
                language=language_for(category), usage_count=0, archived=False, created_at=to_storage(now), created_by=agent_id,
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

    def edit(
        self,
        agent_id: int,
        template_id: int,
        *,
        title: str,
        body: str,
        now: datetime,
        category: str | None = None,
        tags: Sequence[str] | None = None,
        gloss_zh: str | None = None,
    ) -> RevisionRecord:
        """Change the draft in work, or start a new draft from the latest revision.

        Category, tags and the Chinese gloss belong to the template, not to a revision:
        buyers never see them, so they change at once instead of waiting for review.
        """
        with self.db.begin() as session:
            actor = self._actor(session, agent_id, "template.edit")
            template = self._template(session, template_id)
            _check_fields(
                slug=template.slug, title=title, body=body,
                category=template.category if category is None else category,
                tags=template.tags if tags is None else tags,
                gloss_zh=template.gloss_zh if gloss_zh is None else gloss_zh,
                channel=template.channel,
            )
            revisions = session.scalars(
                select(TemplateRevision).where(TemplateRevision.template_id == template_id)
                .order_by(TemplateRevision.number)
            ).all()
            if not revisions:
                raise review.ReviewError(_("template #{id} does not exist").format(id=template_id))
            draft = next((r for r in revisions if r.status in ("draft", "submitted")), None)
            if draft is not None:
                review.check("edit", review.as_state(draft.status), actor.role)
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
            meta: dict[str, object] = {}
            if category is not None and category != template.category:
                meta["category"] = template.category = category
            if tags is not None and list(tags) != list(template.tags or ()):
                template.tags = list(tags)
                meta["tags"] = list(tags)
            if gloss_zh is not None and gloss_zh != template.gloss_zh:
                meta["gloss_zh"] = template.gloss_zh = gloss_zh
            audit.write(session, now, agent_id, "template.edit", f"template:{template.slug}",
                        revision=rev.number, **meta)
            return self._record(session, rev)

    def propose(
        self,
        agent_id: int,
        template_id: int | None,
        *,
        title: str,
        body: str,
        now: datetime,
        category: str,
        tags: Sequence[str] = (),
        gloss_zh: str = "",
        slug: str = "",
        submit: bool = False,
        comment: str = "",
    ) -> RevisionRecord:
        """What the library's editor saves: a new template, or a change to an existing one,
        kept as a draft or sent for review.

        Saving text identical to the revision already in work keeps that revision as it is,
        so pressing Submit on an unchanged submitted revision does not restart its wait.
        """
        if template_id is None:
            rev = self.create(agent_id, slug=slug, category=category, title=title, body=body, now=now,
                              tags=tags, gloss_zh=gloss_zh)
        else:
            pending = next((r for r in reversed(self.history(template_id))
                            if r.status in ("draft", "submitted")), None)
            unchanged = pending is not None and (pending.title, pending.body) == (title, body)
            if unchanged and pending is not None:
                rev = pending
                self.edit_details(agent_id, template_id, category=category, tags=tags,
                                  gloss_zh=gloss_zh, now=now)
            else:
                rev = self.edit(agent_id, template_id, title=title, body=body, now=now,
                                category=category, tags=tags, gloss_zh=gloss_zh)
        if submit and rev.status == "draft":
            rev = self.submit(agent_id, rev.id, now, comment)
        return rev

    def edit_details(
        self, agent_id: int, template_id: int, *, category: str, tags: Sequence[str], gloss_zh: str,
        now: datetime,
    ) -> None:
        """Change what only agents see (category, tags, gloss): at once, audited, no review."""
        with self.db.begin() as session:
            self._actor(session, agent_id, "template.edit")
            template = self._template(session, template_id)
            _check_fields(slug=template.slug, category=category, tags=tags, gloss_zh=gloss_zh,
                          channel=template.channel)
            meta: dict[str, object] = {}
            if category != template.category:
                meta["category"] = template.category = category
            if list(tags) != list(template.tags or ()):
                template.tags = list(tags)
                meta["tags"] = list(tags)
            if gloss_zh != template.gloss_zh:
                meta["gloss_zh"] = template.gloss_zh = gloss_zh
            if meta:
                audit.write(session, now, agent_id, "template.details", f"template:{template.slug}", **meta)

    # -- review ----------------------------------------------------------------------
    def submit(self, agent_id: int, revision_id: int, now: datetime, comment: str = "") -> RevisionRecord:
        """Send a draft to the leads; ``comment`` is the author's note to the reviewer."""
        with self.db.begin() as session:
            actor = self._actor(session, agent_id, "template.edit")
            rev = self._revision(session, revision_id)
            review.check("submit", review.as_state(rev.status), actor.role)
            template = self._template(session, rev.template_id)
            errors = [f for f in self._lint(rev.body, template.language) if f.severity == "error"]
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
                        revision=rev.number, effective_at=as_utc(review.effective_at(now)).isoformat(),
                        comment=comment)
            return self._record(session, rev)

    def approve(self, agent_id: int, revision_id: int, now: datetime, comment: str = "") -> RevisionRecord:
        with self.db.begin() as session:
            actor = self._actor(session, agent_id, "template.review")
            rev = self._revision(session, revision_id)
            review.check("approve", review.as_state(rev.status), actor.role)
            # An approval that comes after the waiting period takes effect at once.
            effective = max(rev.effective_at or to_storage(now), to_storage(now))
            self._review(session, rev, "approved", effective, reviewed_by=agent_id,
                         reviewed_at=to_storage(now), review_comment=comment or None)
            audit.write(session, now, agent_id, "template.approve", self._subject(session, rev.template_id),
                        revision=rev.number, comment=comment)
            return self._record(session, rev)

    def reject(self, agent_id: int, revision_id: int, now: datetime, comment: str) -> RevisionRecord:
        if not comment.strip():
            raise review.ReviewError(_("a rejection needs a comment telling the author what to change"))
        with self.db.begin() as session:
            actor = self._actor(session, agent_id, "template.review")
            rev = self._revision(session, revision_id)
            review.check("reject", review.as_state(rev.status), actor.role)
            self._review(session, rev, "rejected", None, reviewed_by=agent_id,
                         reviewed_at=to_storage(now), review_comment=comment)
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

    def review_items(self, now: datetime) -> list[ReviewItem]:
        """The review queue with what a lead needs beside each revision: the text in force at
        ``now`` and the submitted text's lint findings (linted here, off the GUI thread)."""
        with self.db.begin() as session:
            submitted = session.scalars(
                select(TemplateRevision).where(TemplateRevision.status == "submitted")
                .order_by(TemplateRevision.submitted_at, TemplateRevision.id)
            ).all()
            ids = {r.template_id for r in submitted}
            templates = {
                t.id: t for t in session.scalars(select(ReplyTemplate).where(ReplyTemplate.id.in_(ids)))
            }
            approved: dict[int, list[TemplateRevision]] = {}
            for r in session.scalars(
                select(TemplateRevision).where(
                    TemplateRevision.template_id.in_(ids), TemplateRevision.status == "approved"
                )
            ):
                approved.setdefault(r.template_id, []).append(r)
            names = self._names(session)
            rows = []
            for rev in submitted:
                live = self._live(approved.get(rev.template_id, []), now)
                template = templates[rev.template_id]
                rows.append((
                    self._record(session, rev, names), template.slug, template.category,
                    self._record(session, live, names) if live is not None else None,
                    template.language,
                ))
        return [
            ReviewItem(
                revision=record, slug=slug, category=category, live=live,
                findings=tuple(
                    ReviewFinding(f.severity, f.message, f.rule)
                    for f in self._lint(record.body, language)
                ),
            )
            for record, slug, category, live, language in rows
        ]

    @staticmethod
    def _live(revisions: Sequence[TemplateRevision], now: datetime) -> TemplateRevision | None:
        views = [review.RevisionView(r.number, review.as_state(r.status), _aware(r.effective_at)) for r in revisions]
        live = review.live_revision(views, now)
        return next((r for r in revisions if live is not None and r.number == live.number), None)

    def template_history(self, template_id: int, now: datetime) -> TemplateHistory:
        """Every revision of a template, which one is in force at ``now``, and its audit entries."""
        with self.db.begin() as session:
            template = self._template(session, template_id)
            revs = session.scalars(
                select(TemplateRevision).where(TemplateRevision.template_id == template_id)
                .order_by(TemplateRevision.number)
            ).all()
            names = self._names(session)
            live = self._live(revs, now)
            subject = f"template:{template.slug}"
            # The prefix query would also match a longer slug that starts with this one.
            entries = [e for e in audit.entries(session, subject) if e.subject == subject]
            return TemplateHistory(
                template_id=template.id, slug=template.slug,
                revisions=tuple(self._record(session, r, names) for r in revs),
                live_number=live.number if live is not None else None,
                audit=tuple(entries),
            )

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
                views = [review.RevisionView(r.number, review.as_state(r.status), _aware(r.effective_at)) for r in revs]
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
        lints = [self._lint(t.body, t.language) for t in pack.templates]
        with self.db.begin() as session:
            if agent_id is not None:
                self._actor(session, agent_id, "template.edit")
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

    def seed_escalation_templates(self, now: datetime) -> int:
        """The shipped escalation e-mails, live at once, those of them this database lacks: a
        database made before they existed gets them at its next start. A lead's later revisions
        of them go through review like any template."""
        pack = load_escalation_pack()
        with self.db.begin() as session:
            have = set(session.scalars(select(ReplyTemplate.slug)))
        missing = tuple(t for t in pack.templates if t.id not in have)
        if not missing:
            return 0
        return self.import_pack(None, Pack(pack.id, pack.title, missing, pack.version, pack.language),
                                now, seed=True)

    def live_template(self, slug: str, now: datetime) -> TemplateRecord | None:
        """The template ``slug`` with the revision in force at ``now`` (None: no such template)."""
        return next((t for t in self.templates(now) if t.slug == slug), None)

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




def _check_fields(
    *, slug: str, category: str, tags: Sequence[str], gloss_zh: str, channel: str,
    title: str | None = None, body: str | None = None,
) -> None:
    """Refuse a template whose fields are malformed, naming every field to fix.

    ``title`` and ``body`` None: only the template's own fields are being changed.
    The body's placeholders are not checked here: a draft may be unfinished, and
    submitting lints it (a bad placeholder is an error that blocks submission).
    """
    text = body if body is not None else "-"
    data = {"id": slug, "title": title if title is not None else "-", "category": category,
            "channel": channel, "language": language_for(category), "gloss_zh": gloss_zh, "tags": list(tags), "body": text}
    problems = [(f, p) for f, p in field_problems(data) if f != "body" or not text.strip()]
    if problems:
        raise review.ReviewError("; ".join(f"{field}: {problem}" for field, problem in problems))
