"""`ozondesk report`: the dashboard's figures for a Moscow date range, per agent and in total."""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date

from ozondesk.commands.output import emit_json, emit_table
from ozondesk.domain.clock import check_year, parse_instant
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "report"
HELP = _("first-response rate, response times, resolution and breaches for a period")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="first", required=True, help=_("first Moscow day, YYYY-MM-DD (inclusive)")
    )
    parser.add_argument(
        "--to", dest="last", required=True, help=_("last Moscow day, YYYY-MM-DD (inclusive)")
    )
    parser.add_argument(
        "--format", choices=("json", "csv", "table"), default="table",
        help=_("output format (default: table)"),
    )
    parser.add_argument("--now", help=_("evaluate at this time (ISO 8601; default: now)"))


def parse_day(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            _("{option}: cannot read date {text!r}: use YYYY-MM-DD, e.g. 2026-11-01").format(
                option=option, text=text
            )
        ) from None
    try:
        check_year(day, text)
    except UserError as exc:
        raise UserError(f"{option}: {exc.message}") from None
    return day


def run(args: argparse.Namespace) -> int:
    from ozondesk.commands.common import database_if_any
    from ozondesk.domain import metrics
    from ozondesk.services.metrics import MetricsService

    first = parse_day(args.first, "--from")
    last = parse_day(args.last, "--to")
    metrics.check_period(first, last)
    now = parse_instant(args.now) if args.now else None
    db = database_if_any(args)
    if db is None:
        raise UserError(_("no database to report on: give --db FILE or set OZONDESK_DB"))
    try:
        service = MetricsService(db)
        report = service.report(first, last, now=now)
        names = service.agent_names()
        from ozondesk.services.tickets import TicketService

        tickets = TicketService(db).figures(first, last, now)
    finally:
        db.dispose()
    if args.format == "json":
        # "tickets": how Ozon answered the seller's own tickets (domain/ticket_metrics.py).
        emit_json({**metrics.report_dict(report, names), "tickets": tickets.to_dict()})
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(metrics.CSV_HEADER)
        writer.writerows(metrics.csv_rows(report, names))
    else:
        headers = [_("agent"), _("conversations"), _("FRR %"), _("avg s"), _("median s"),
                   _("p90 s"), _("response %"), _("resolved 48 h %"), _("commission −%")]
        rows = []
        for row in metrics.csv_rows(report, names):
            scope, login, name = row[0], row[1], row[2]
            label = {"total": _("total"), "unassigned": _("unassigned")}.get(scope, f"{name} ({login})")
            values = dict(zip(metrics.CSV_HEADER, row, strict=True))
            rows.append([label] + [values[c] for c in (
                "conversations", "frr", "avg_first_response_s", "median_first_response_s",
                "p90_first_response_s", "response_rate", "resolved_48h_rate", "commission_penalty_pct",
            )])
        emit_table(headers, rows)
    return 0
