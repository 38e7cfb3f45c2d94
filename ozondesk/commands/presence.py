"""`ozondesk presence`: the shop's offline minutes and demotion risk from a presence log.

The log's first entry is where knowledge begins: a day before it is *unknown* (``"unknown":
true``, no offline minutes, never a breach), and the day of the first entry counts offline time
only from that entry on. ``known_from`` says when that was (null for an empty log).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from ozondesk.commands.common import presence_rules
from ozondesk.commands.output import add_format_option, emit_json, emit_pairs, emit_table
from ozondesk.domain.clock import parse_instant, utcnow
from ozondesk.domain.presence import PresenceEvent, PresenceRules, parse_status, summarize
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "presence"
HELP = _("offline minutes per Moscow day and the shop's demotion risk; days before the log's first entry are unknown (JSON \"unknown\": true), never breaches")
COLUMNS = ("timestamp", "agent", "status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", required=True, help=_("CSV file with header timestamp,agent,status"))
    parser.add_argument("--now", help=_("evaluate at this time (ISO 8601; default: now)"))
    parser.add_argument("--allowance", type=float, help=_("offline minutes allowed per day (default 30)"))
    add_format_option(parser)


def read_log(path: Path) -> list[PresenceEvent]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise UserError(_("presence log {path} does not exist").format(path=path)) from None
    except OSError as exc:
        raise UserError(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)) from None
    events = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise UserError(
                    _("{path}: missing column(s) {missing}; the header must be timestamp,agent,status").format(
                        path=path, missing=", ".join(missing)
                    )
                )
            reader.fieldnames = header
            for row in reader:
                line = reader.line_num
                where = f"{path}:{line}"
                agent = (row.get("agent") or "").strip()
                if not agent:
                    raise UserError(_("{where}: the agent is empty").format(where=where))
                try:
                    at = parse_instant(row.get("timestamp") or "")
                    status = parse_status(row.get("status") or "")
                except UserError as exc:
                    raise UserError(f"{where}: {exc.message}") from None
                events.append(PresenceEvent(agent, status, at))
        except UnicodeDecodeError:
            raise UserError(_("{path} is not UTF-8 text").format(path=path)) from None
        except csv.Error as exc:
            raise UserError(f"{path}: {exc}") from None
    return events


def run(args: argparse.Namespace) -> int:
    now = parse_instant(args.now) if args.now else utcnow()
    events = read_log(Path(args.log))
    rules = presence_rules(args)
    if args.allowance is not None:
        rules = PresenceRules(
            rules.window_start_minute, rules.window_end_minute, args.allowance, rules.warning_fraction
        )
    summary = summarize(events, now, rules)
    known_from = summary.known_from
    result = {
        "days": [
            {
                "date": day.day.isoformat(),
                "offline_minutes": round(day.offline_minutes, 1),
                "breach": day.breach,
                "unknown": day.unknown,
            }
            for day in summary.days
        ],
        "status": summary.status,
        "minutes_left_today": round(summary.minutes_left_today, 1),
        "known_from": known_from.astimezone(rules.tz).isoformat() if known_from else None,
    }
    if args.format == "json":
        emit_json(result)
        return 0
    emit_table(
        [_("date (MSK)"), _("offline minutes"), _("breach")],
        [
            (d["date"], _("no record") if d["unknown"] else d["offline_minutes"],
             _("yes") if d["breach"] else "")
            for d in result["days"]
        ],
    )
    from ozondesk.domain.display_names import presence_state_name

    emit_pairs([(_("status"), presence_state_name(summary.status)), (_("minutes left today"), result["minutes_left_today"])])
    return 0
