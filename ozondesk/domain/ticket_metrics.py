"""How Ozon answered the seller's tickets in a period, against Ozon's own targets.

Per ticket type (``domain.tickets.KINDS``): ``tickets`` sent in the period; ``answered``;
``within_target``, answered by Ozon's deadline; ``late``, answered after it or still
unanswered past it at ``now``; ``avg_answer_s`` / ``median_answer_s``, wall-clock seconds from
sending to Ozon's answer over the answered ones (None when none); ``target_s``, the budget of
the type's policy (in the policy's counted hours); ``on_target_rate``, within_target as a
percentage of the tickets whose deadline has passed or that were answered (None when none).
Across types: ``escalations`` (escalation e-mails sent) and ``returned_incomplete`` (tickets
Ozon sent back as incomplete).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from ozondesk.domain.tickets import KINDS


@dataclass(frozen=True)
class TicketFact:
    kind: str
    target_s: int
    sent_at: datetime
    answered_at: datetime | None
    due_at: datetime | None
    escalations: int
    returned: bool


@dataclass(frozen=True)
class KindFigures:
    kind: str
    tickets: int
    answered: int
    within_target: int
    late: int
    avg_answer_s: float | None
    median_answer_s: float | None
    target_s: int | None
    on_target_rate: float | None


@dataclass(frozen=True)
class TicketFigures:
    kinds: dict[str, KindFigures]
    escalations: int
    returned_incomplete: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": {k: {f: getattr(v, f) for f in ("tickets", "answered", "within_target", "late",
                                                        "avg_answer_s", "median_answer_s", "target_s",
                                                        "on_target_rate")}
                      for k, v in self.kinds.items()},
            "escalations": self.escalations,
            "returned_incomplete": self.returned_incomplete,
        }


def ticket_figures(facts: Sequence[TicketFact], now: datetime) -> TicketFigures:
    kinds: dict[str, KindFigures] = {}
    for kind in KINDS:
        mine = [f for f in facts if f.kind == kind]
        answers = [(f.answered_at - f.sent_at).total_seconds() for f in mine if f.answered_at is not None]
        within = sum(1 for f in mine if f.answered_at is not None and f.due_at is not None
                     and f.answered_at <= f.due_at)
        late = sum(1 for f in mine if f.due_at is not None and (
            (f.answered_at is not None and f.answered_at > f.due_at)
            or (f.answered_at is None and now >= f.due_at)))
        judged = within + late
        kinds[kind] = KindFigures(
            kind=kind, tickets=len(mine), answered=len(answers), within_target=within, late=late,
            avg_answer_s=round(sum(answers) / len(answers), 1) if answers else None,
            median_answer_s=round(float(median(answers)), 1) if answers else None,
            target_s=mine[0].target_s if mine else None,
            on_target_rate=round(100 * within / judged, 2) if judged else None)
    return TicketFigures(kinds, sum(f.escalations for f in facts), sum(1 for f in facts if f.returned))
