"""`ozondesk sla`: the deadline of one conversation under a policy."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from ozondesk.commands.common import policy_revisions
from ozondesk.commands.output import add_format_option, emit_json, emit_pairs, emit_table
from ozondesk.domain.clock import iso_msk, parse_instant
from ozondesk.errors import UserError
from ozondesk.i18n import _

if TYPE_CHECKING:
    pass

NAME = "sla"
HELP = _("compute a response deadline in Moscow business time")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", required=True, help=_("policy name, e.g. chat-first-response"))
    parser.add_argument("--received", required=True, help=_("receipt time, ISO 8601 with offset"))
    parser.add_argument("--now", help=_("evaluate the countdown at this time (ISO 8601)"))
    parser.add_argument(
        "--explain", action="store_true", help=_("also list the counted and skipped intervals")
    )
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    from ozondesk.domain import sla

    received = parse_instant(args.received)
    now = parse_instant(args.now) if args.now else None
    revisions = policy_revisions(args)
    if args.policy not in revisions:
        raise UserError(
            _("unknown policy {name!r}; known: {known}").format(
                name=args.policy, known=", ".join(sorted(revisions))
            )
        )
    history = revisions[args.policy]
    deadline = sla.deadline_revised(history, received)
    seconds_left = state = None
    if now is not None and deadline is not None:
        seconds_left = math.floor((deadline - now).total_seconds())
        # A deadline spanning revisions is judged by the policy in force now.
        state = sla.countdown_to(history[-1].policy, deadline, now).state
    result: dict[str, object] = {
        "policy": args.policy,
        "received": iso_msk(received),
        "deadline": iso_msk(deadline),
        "seconds_left": seconds_left,
        "state": state,
    }
    if args.explain:
        policy = history[-1].policy
        result["timeline"] = [
            {
                "start": iso_msk(seg.start),
                "end": iso_msk(seg.end),
                "counted": seg.counted,
                "reason": seg.reason,
            }
            for seg in sla.explain(policy, received, until=deadline)
        ]
    if args.format == "json":
        emit_json(result)
        return 0
    from ozondesk.domain.display_names import countdown_state_name, policy_name

    # Text names the codes in the interface language; --format json keeps them.
    shown = {**result, "policy": policy_name(args.policy, history[-1].policy.title),
             "state": countdown_state_name(state) if state else None}
    emit_pairs([(k, v) for k, v in shown.items() if k != "timeline"])
    if args.explain:
        rows = [
            (t["start"], t["end"], _("counted") if t["counted"] else _("skipped"), t["reason"] or "")
            for t in result["timeline"]  # type: ignore[attr-defined]
        ]
        emit_table([_("from"), _("to"), _("time"), _("why")], rows)
    return 0
