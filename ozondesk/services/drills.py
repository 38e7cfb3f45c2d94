"""Offline drills on top of the store: sets, attempts, scores, the trainer's comments.

Roles are enforced here, not by hidden buttons: building sets needs ``drill.author``
(trainer, lead), taking drills ``drill.take``, commenting ``drill.grade`` (trainer), and
seeing everyone's results either authoring or grading. Trainees only ever get
:class:`DrillBrief` and :class:`AttemptResult`, which have no field for the answer key;
the key stays in the store and in :class:`AttemptReview`, which only reviewers get.

Nothing here needs the network. The time limit runs from the start time stored when the
drill was opened, so closing and reopening a drill does not reset its clock.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ozondesk.domain import drills as dd
from ozondesk.domain.clock import as_utc, to_msk, to_storage, utcnow
from ozondesk.domain.lint import LintContext
from ozondesk.domain.roles import allowed, require
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, DrillAttempt, DrillRow, DrillSetRow
from ozondesk.store.repos import audit

CSV_COLUMNS = (
    "attempt", "trainee_login", "trainee", "set", "drill", "family", "started_msk",
    "submitted_msk", "elapsed_seconds", "time_limit_minutes", "score", "passed", "lint",
    "deadline", "facts", "time", "facts_missing", "comment", "commented_by", "answer",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    id: int
    login: str
    name: str
    role: str


@dataclass(frozen=True)
class DrillSetSummary:
    slug: str
    title: str
    version: str
    description: str
    drills: int
    imported_at: datetime


@dataclass(frozen=True)
class DrillBrief:
    """A drill as a trainee sees it: the ticket and its context, never the answer key."""

    id: int
    set_slug: str
    set_title: str
    slug: str
    title: str
    family: str
    time_limit_minutes: int
    scenario_ru: str
    gloss_zh: str
    context: dd.MockContext
    attempts: int = 0
    best_score: int | None = None
    passed: bool = False
    open_attempt_id: int | None = None


@dataclass(frozen=True)
class AttemptStart:
    attempt_id: int
    drill: DrillBrief
    started_at: datetime
    ends_at: datetime
    resumed: bool


@dataclass(frozen=True)
class AttemptResult:
    """One attempt as the trainee sees it: per-criterion results, no answer key."""

    id: int
    drill_id: int
    drill_title: str
    set_title: str
    family: str
    time_limit_minutes: int
    started_at: datetime
    submitted_at: datetime | None
    elapsed_seconds: int | None
    score: int | None
    passed: bool
    criteria: tuple[dd.CriterionResult, ...]
    answer: str | None
    comment: str | None
    commented_by: str | None
    commented_at: datetime | None


@dataclass(frozen=True)
class AttemptReview(AttemptResult):
    """An attempt as a trainer or lead sees it: who, and which facts were found or missed."""

    trainee_id: int = 0
    trainee_login: str = ""
    trainee_name: str = ""
    drill_slug: str = ""
    facts_found: tuple[str, ...] = ()
    facts_missing: tuple[str, ...] = ()
    lint_errors: tuple[str, ...] = ()
    deadlines: tuple[str, ...] = ()
    fact_texts: tuple[tuple[str, str], ...] = ()  # (id, text) of every fact of the drill


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    added: int
    updated: int
    archived: int


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def may_review(role: str) -> bool:
    """Whether ``role`` sees every trainee's results (trainers grade them, leads author sets)."""
    return allowed(role, "drill.grade") or allowed(role, "drill.author")


def _require_review(role: str) -> None:
    if not may_review(role):
        require(role, "drill.grade")


class DrillService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    # -- helpers ---------------------------------------------------------------------
    def _actor(self, session: Session, agent_id: int) -> Agent:
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active:
            raise UserError(_("unknown or inactive agent #{id}").format(id=agent_id))
        return agent

    def _ensure_starter(self, session: Session, now: datetime) -> None:
        # The first time the drills are looked at, a desk gets the shipped starter set.
        if session.scalar(select(func.count()).select_from(DrillSetRow)):
            return
        try:
            with session.begin_nested():
                self._write_set(session, dd.load_starter_set(), None, now)
        except IntegrityError:
            pass  # another desk on a shared database loaded it at the same moment

    def _write_set(
        self, session: Session, drill_set: dd.DrillSet, agent_id: int | None, now: datetime
    ) -> ImportOutcome:
        row = session.scalar(select(DrillSetRow).where(DrillSetRow.slug == drill_set.id))
        if row is None:
            row = DrillSetRow(slug=drill_set.id, title=drill_set.title, version=drill_set.version,
                              description=drill_set.description, imported_at=to_storage(now),
                              imported_by=agent_id)  # fmt: skip
            session.add(row)
            session.flush()
        else:
            row.title, row.version, row.description = (
                drill_set.title, drill_set.version, drill_set.description,
            )
            row.imported_at, row.imported_by = to_storage(now), agent_id
        existing = {d.slug: d for d in session.scalars(select(DrillRow).where(DrillRow.set_id == row.id))}
        added = updated = 0
        for position, drill in enumerate(drill_set.drills):
            spec = dd.drill_to_dict(drill)
            current = existing.pop(drill.id, None)
            if current is None:
                session.add(DrillRow(set_id=row.id, slug=drill.id, position=position,
                                     family=drill.family, title=drill.title,
                                     time_limit_minutes=drill.time_limit_minutes, spec=spec,
                                     archived=False))  # fmt: skip
                added += 1
            else:
                current.position, current.family, current.title = position, drill.family, drill.title
                current.time_limit_minutes, current.spec, current.archived = (
                    drill.time_limit_minutes, spec, False,
                )
                updated += 1
        archived = 0
        for gone in existing.values():
            if not gone.archived:
                gone.archived = True
                archived += 1
        return ImportOutcome(drill_set.id, added, updated, archived)

    @staticmethod
    def _drill(row: DrillRow) -> dd.Drill:
        # The spec was validated on import; parsing it again keeps one reader of the format.
        data = {"schema_version": dd.SCHEMA_VERSION, "id": "stored", "title": "stored",
                "drills": [row.spec]}  # fmt: skip
        return dd.parse_set(data).drills[0]

    def _brief(self, row: DrillRow, set_row: DrillSetRow, attempts: Sequence[DrillAttempt] = ()) -> DrillBrief:
        drill = self._drill(row)
        scores = [a.score for a in attempts if a.score is not None]
        open_attempt = next((a.id for a in attempts if a.submitted_at is None), None)
        return DrillBrief(
            id=row.id, set_slug=set_row.slug, set_title=set_row.title, slug=row.slug,
            title=row.title, family=row.family, time_limit_minutes=row.time_limit_minutes,
            scenario_ru=drill.scenario_ru, gloss_zh=drill.gloss_zh, context=drill.context,
            attempts=sum(1 for a in attempts if a.submitted_at is not None),
            best_score=max(scores) if scores else None,
            passed=any(a.passed for a in attempts), open_attempt_id=open_attempt,
        )  # fmt: skip

    @staticmethod
    def _criteria(attempt: DrillAttempt) -> dd.Score | None:
        return dd.Score.from_dict(attempt.result) if attempt.result else None

    def _result(
        self, attempt: DrillAttempt, drill: DrillRow, set_row: DrillSetRow, names: dict[int, str]
    ) -> AttemptResult:
        score = self._criteria(attempt)
        return AttemptResult(
            id=attempt.id, drill_id=drill.id, drill_title=drill.title,
            set_title=set_row.title, family=drill.family,
            time_limit_minutes=drill.time_limit_minutes,
            started_at=as_utc(attempt.started_at), submitted_at=_aware(attempt.submitted_at),
            elapsed_seconds=attempt.elapsed_seconds, score=attempt.score,
            passed=bool(attempt.passed), criteria=score.criteria if score else (),
            answer=attempt.answer, comment=attempt.comment,
            commented_by=names.get(attempt.commented_by) if attempt.commented_by else None,
            commented_at=_aware(attempt.commented_at),
        )  # fmt: skip

    def _review(
        self, attempt: DrillAttempt, drill: DrillRow, set_row: DrillSetRow, agent: Agent,
        names: dict[int, str],
    ) -> AttemptReview:
        score = self._criteria(attempt)
        return AttemptReview(
            # A review is the trainee's result plus what only a trainer may see.
            **vars(self._result(attempt, drill, set_row, names)),
            trainee_id=agent.id, trainee_login=agent.login, trainee_name=agent.display_name,
            drill_slug=drill.slug,
            facts_found=score.facts_found if score else (),
            facts_missing=score.facts_missing if score else (),
            lint_errors=score.lint_errors if score else (),
            deadlines=score.deadlines if score else (),
            fact_texts=tuple((f["id"], f["text"]) for f in drill.spec.get("facts", ())),
        )  # fmt: skip

    @staticmethod
    def _live(session: Session) -> list[tuple[DrillRow, DrillSetRow]]:
        rows = session.execute(
            select(DrillRow, DrillSetRow).join(DrillSetRow, DrillSetRow.id == DrillRow.set_id)
            .where(DrillRow.archived.is_(False)).order_by(DrillSetRow.slug, DrillRow.position)
        ).all()
        return [(d, s) for d, s in rows]

    @staticmethod
    def _names(session: Session) -> dict[int, str]:
        return dict(session.execute(select(Agent.id, Agent.display_name)).all())

    # -- people ----------------------------------------------------------------------
    def person(self, login: str) -> Person:
        with self.db.begin() as session:
            agent = session.scalar(select(Agent).where(Agent.login == login, Agent.active.is_(True)))
            if agent is None:
                raise UserError(_("no active agent with login {login!r}").format(login=login))
            return Person(agent.id, agent.login, agent.display_name, agent.role)

    def trainees(self, agent_id: int) -> list[Person]:
        """Everyone who has attempted a drill, for a reviewer's filter."""
        with self.db.begin() as session:
            _require_review(self._actor(session, agent_id).role)
            rows = session.scalars(
                select(Agent).where(Agent.id.in_(select(DrillAttempt.agent_id))).order_by(Agent.display_name)
            ).all()
            return [Person(a.id, a.login, a.display_name, a.role) for a in rows]

    # -- sets ------------------------------------------------------------------------
    def sets(self) -> list[DrillSetSummary]:
        now = self.clock()
        with self.db.begin() as session:
            self._ensure_starter(session, now)
            counts = dict(
                session.execute(
                    select(DrillRow.set_id, func.count()).where(DrillRow.archived.is_(False))
                    .group_by(DrillRow.set_id)
                ).all()
            )
            rows = session.scalars(select(DrillSetRow).order_by(DrillSetRow.slug)).all()
            return [
                DrillSetSummary(r.slug, r.title, r.version, r.description, counts.get(r.id, 0),
                                as_utc(r.imported_at))  # fmt: skip
                for r in rows
            ]

    def import_set(self, agent_id: int, drill_set: dd.DrillSet) -> ImportOutcome:
        """Add ``drill_set``, or update the set with its id in place, in one transaction.

        Drills keep their attempts across updates (matched by id); a drill missing from the
        new file is archived, so trainees' history of it stays.
        """
        now = self.clock()
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.author")
            self._ensure_starter(session, now)
            outcome = self._write_set(session, drill_set, agent_id, now)
            audit.write(session, now, agent_id, "drill.import", f"drill-set:{drill_set.id}",
                        version=drill_set.version, added=outcome.added, updated=outcome.updated,
                        archived=outcome.archived)  # fmt: skip
            return outcome

    def import_file(self, agent_id: int, path: Path | str) -> ImportOutcome:
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.author")
        return self.import_set(agent_id, dd.load_set(path))

    def export_set(self, agent_id: int, slug: str | None = None) -> dd.DrillSet:
        """The set ``slug`` (or the only set) as a file would hold it, answer keys included."""
        now = self.clock()
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.author")
            self._ensure_starter(session, now)
            slugs = list(session.scalars(select(DrillSetRow.slug).order_by(DrillSetRow.slug)))
            if slug is None:
                if len(slugs) != 1:
                    raise UserError(_("choose the drill set to export: {ids}").format(ids=", ".join(slugs)))
                slug = slugs[0]
            row = session.scalar(select(DrillSetRow).where(DrillSetRow.slug == slug))
            if row is None:
                raise UserError(
                    _("no drill set {id!r}; the sets are: {ids}").format(id=slug, ids=", ".join(slugs))
                )
            drills = session.scalars(
                select(DrillRow).where(DrillRow.set_id == row.id, DrillRow.archived.is_(False))
                .order_by(DrillRow.position)
            ).all()
            return dd.DrillSet(id=row.slug, title=row.title, version=row.version,
                               description=row.description,
                               drills=tuple(self._drill(d) for d in drills))  # fmt: skip

    # -- taking drills ---------------------------------------------------------------
    def drills(self, agent_id: int) -> list[DrillBrief]:
        """Every live drill, with the agent's own attempts counted; no answer keys."""
        now = self.clock()
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.take")
            self._ensure_starter(session, now)
            rows = self._live(session)
            mine: dict[int, list[DrillAttempt]] = {}
            for attempt in session.scalars(
                select(DrillAttempt).where(DrillAttempt.agent_id == agent_id).order_by(DrillAttempt.id)
            ):
                mine.setdefault(attempt.drill_id, []).append(attempt)
            return [self._brief(d, s, mine.get(d.id, ())) for d, s in rows]

    def catalogue(self, *, load_starter: bool = True) -> list[DrillBrief]:
        """Every live drill without anyone's attempts; no answer keys, so no role is needed.

        Without ``load_starter`` (a command that only reads) nothing is written: a desk that
        has no drill set yet lists the shipped starter set it would get (ids 0), unstored.
        """
        if not load_starter:
            with self.db.read() as session:
                live = self._live(session)
                if live or session.scalar(select(func.count()).select_from(DrillSetRow)):
                    return [self._brief(d, s) for d, s in live]
            starter = dd.load_starter_set()
            return [
                DrillBrief(id=0, set_slug=starter.id, set_title=starter.title, slug=d.id, title=d.title,
                           family=d.family, time_limit_minutes=d.time_limit_minutes,
                           scenario_ru=d.scenario_ru, gloss_zh=d.gloss_zh, context=d.context)
                for d in starter.drills
            ]  # fmt: skip
        now = self.clock()
        with self.db.begin() as session:
            self._ensure_starter(session, now)
            return [self._brief(d, s) for d, s in self._live(session)]

    def start(self, agent_id: int, drill_id: int) -> AttemptStart:
        """Open drill ``drill_id``: a new attempt, or the agent's unsubmitted one, whose clock
        kept running."""
        now = self.clock()
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.take")
            drill = session.get(DrillRow, drill_id)
            if drill is None or drill.archived:
                raise UserError(_("drill #{id} does not exist or was withdrawn").format(id=drill_id))
            set_row = session.get(DrillSetRow, drill.set_id)
            assert set_row is not None
            attempt = session.scalar(
                select(DrillAttempt).where(DrillAttempt.agent_id == agent_id,
                                           DrillAttempt.drill_id == drill_id,
                                           DrillAttempt.submitted_at.is_(None))  # fmt: skip
            )
            resumed = attempt is not None
            if attempt is None:
                attempt = DrillAttempt(drill_id=drill_id, agent_id=agent_id, started_at=to_storage(now))
                session.add(attempt)
                session.flush()
            started = as_utc(attempt.started_at)
            return AttemptStart(
                attempt_id=attempt.id, drill=self._brief(drill, set_row), started_at=started,
                ends_at=started + timedelta(minutes=drill.time_limit_minutes), resumed=resumed,
            )

    def submit(self, agent_id: int, attempt_id: int, answer: str) -> AttemptResult:
        """Score ``answer`` and store it with the result; the time taken runs from the stored start."""
        now = self.clock()
        with self.db.begin() as session:
            actor = self._actor(session, agent_id)
            require(actor.role, "drill.take")
            attempt = session.get(DrillAttempt, attempt_id)
            if attempt is None or attempt.agent_id != agent_id:
                raise UserError(_("attempt #{id} is not yours").format(id=attempt_id))
            if attempt.submitted_at is not None:
                raise UserError(_("attempt #{id} was already submitted; start the drill again").format(
                    id=attempt_id))
            drill = session.get(DrillRow, attempt.drill_id)
            set_row = session.get(DrillSetRow, drill.set_id) if drill else None
            assert drill is not None and set_row is not None
            elapsed = now - as_utc(attempt.started_at)
            score = dd.score_answer(self._drill(drill), answer, elapsed, LintContext(now=now))
            attempt.submitted_at = to_storage(now)
            attempt.answer = answer
            attempt.elapsed_seconds = score.elapsed_seconds
            attempt.score = score.total
            attempt.passed = score.passed
            attempt.result = score.to_dict()
            audit.write(session, now, agent_id, "drill.score", f"drill:{set_row.slug}/{drill.slug}",
                        attempt=attempt.id, score=score.total, passed=score.passed)  # fmt: skip
            session.flush()
            return self._result(attempt, drill, set_row, self._names(session))

    def history(self, agent_id: int) -> list[AttemptResult]:
        """The agent's own attempts, newest first, as a trainee sees them."""
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.take")
            rows = session.execute(
                select(DrillAttempt, DrillRow, DrillSetRow)
                .join(DrillRow, DrillRow.id == DrillAttempt.drill_id)
                .join(DrillSetRow, DrillSetRow.id == DrillRow.set_id)
                .where(DrillAttempt.agent_id == agent_id)
                .order_by(DrillAttempt.started_at.desc(), DrillAttempt.id.desc())
            ).all()
            names = self._names(session)
            return [self._result(a, d, s, names) for a, d, s in rows]

    # -- reviewing -------------------------------------------------------------------
    def results(self, agent_id: int, trainee_id: int | None = None) -> list[AttemptReview]:
        """Every trainee's attempts (or one trainee's), newest first, with the answer key's verdicts."""
        with self.db.begin() as session:
            _require_review(self._actor(session, agent_id).role)
            query = (
                select(DrillAttempt, DrillRow, DrillSetRow, Agent)
                .join(DrillRow, DrillRow.id == DrillAttempt.drill_id)
                .join(DrillSetRow, DrillSetRow.id == DrillRow.set_id)
                .join(Agent, Agent.id == DrillAttempt.agent_id)
                .order_by(DrillAttempt.started_at.desc(), DrillAttempt.id.desc())
            )
            if trainee_id is not None:
                query = query.where(DrillAttempt.agent_id == trainee_id)
            names = self._names(session)
            return [self._review(a, d, s, p, names) for a, d, s, p in session.execute(query).all()]

    def comment(self, agent_id: int, attempt_id: int, text: str) -> AttemptReview:
        """The trainer's comment on an attempt (replacing an earlier one), in the audit log."""
        if not text.strip():
            raise UserError(_("write a comment for the trainee first"))
        now = self.clock()
        with self.db.begin() as session:
            require(self._actor(session, agent_id).role, "drill.grade")
            attempt = session.get(DrillAttempt, attempt_id)
            if attempt is None:
                raise UserError(_("attempt #{id} does not exist").format(id=attempt_id))
            attempt.comment = text.strip()
            attempt.commented_by = agent_id
            attempt.commented_at = to_storage(now)
            drill = session.get(DrillRow, attempt.drill_id)
            set_row = session.get(DrillSetRow, drill.set_id) if drill else None
            trainee = session.get(Agent, attempt.agent_id)
            assert drill is not None and set_row is not None and trainee is not None
            audit.write(session, now, agent_id, "drill.comment", f"drill:{set_row.slug}/{drill.slug}",
                        attempt=attempt.id, trainee=trainee.login, comment=attempt.comment)  # fmt: skip
            session.flush()
            return self._review(attempt, drill, set_row, trainee, self._names(session))

    def audit_log(self, agent_id: int) -> list[audit.AuditRecord]:
        with self.db.begin() as session:
            _require_review(self._actor(session, agent_id).role)
            return audit.entries(session, "drill")

    def results_csv(self, agent_id: int, trainee_id: int | None = None) -> str:
        """Results as CSV (stable English column names, Moscow times) for a spreadsheet."""
        return results_to_csv(self.results(agent_id, trainee_id))


def _msk(value: datetime | None) -> str:
    return to_msk(value).strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def _cell(value: object) -> object:
    # A trainee's answer starting with «=» must not run as a formula in a spreadsheet.
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def results_to_csv(reviews: Sequence[AttemptReview]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in reviews:
        by_name = {c.name: c for c in r.criteria}

        def verdict(name: str, by_name: dict[str, dd.CriterionResult] = by_name) -> str:
            c = by_name.get(name)
            return "" if c is None else f"{c.points}/{c.max_points}"

        writer.writerow([_cell(v) for v in (
            r.id, r.trainee_login, r.trainee_name, r.set_title, r.drill_title, r.family,
            _msk(r.started_at), _msk(r.submitted_at),
            "" if r.elapsed_seconds is None else r.elapsed_seconds, r.time_limit_minutes,
            "" if r.score is None else r.score, "yes" if r.passed else "no",
            verdict("lint"), verdict("deadline"), verdict("facts"), verdict("time"),
            " ".join(r.facts_missing), r.comment or "", r.commented_by or "", r.answer or "",
        )])  # fmt: skip
    return out.getvalue()
