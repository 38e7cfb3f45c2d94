"""`ozondesk fake-ozon`: a local fake of the Ozon Seller API for demos, scripts and the bench."""

from __future__ import annotations

import argparse
import sys

from ozondesk.commands.output import emit_json
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "fake-ozon"
HELP = _("serve a fake Ozon Seller API on 127.0.0.1 with generated data")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Always JSON (a contract for scripts); accepted for symmetry with the other commands.
    parser.add_argument("--format", choices=("json",), default="json", help=argparse.SUPPRESS)
    parser.add_argument(
        "--port", type=int, required=True, help=_("port on 127.0.0.1 (0: any free port)")
    )
    parser.add_argument(
        "--seed", type=int, default=1, help=_("seed of the generated data (default 1)")
    )
    parser.add_argument("--chats", type=int, default=50, help=_("number of chats (default 50)"))
    parser.add_argument("--messages", type=int, default=6, help=_("messages per chat (default 6)"))
    parser.add_argument(
        "--questions", type=int, default=20, help=_("number of product questions (default 20)")
    )
    parser.add_argument(
        "--reviews", type=int, default=20, help=_("number of reviews (default 20)")
    )
    parser.add_argument("--client-id", default="123456", help=_("Client-Id the fake accepts"))
    parser.add_argument("--api-key", default="fake-api-key", help=_("API key the fake accepts"))
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help=_("answer 429 above this many requests per second"),
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:PATH[:TIMES]]",
        help=_("queue a fault, e.g. 500:/v3/chat/list:2 (repeatable)"),
    )
    parser.add_argument(
        "--lifetime", type=float, default=None, help=_("stop by itself after this many seconds")
    )


def run(args: argparse.Namespace) -> int:
    from ozondesk.ozon.fake import FAULTS, FakeOzon, Fault

    if not 0 <= args.port <= 65535:
        raise UserError(_("--port must be between 0 and 65535"))
    if not 1 <= args.chats <= 1_000_000:
        raise UserError(_("--chats must be between 1 and 1000000"))
    if not 1 <= args.messages <= 300:
        raise UserError(_("--messages must be between 1 and 300"))
    for option, value in (("--questions", args.questions), ("--reviews", args.reviews)):
        if not 0 <= value <= 1_000_000:
            raise UserError(_("{option} must be between 0 and 1000000").format(option=option))
    faults = []
    for spec in args.fault:
        kind, _sep, rest = spec.partition(":")
        path, _sep, times = rest.partition(":")
        if kind not in FAULTS:
            raise UserError(
                _("unknown fault {kind!r}; known: {known}").format(
                    kind=kind, known=", ".join(FAULTS)
                )
            )
        faults.append(Fault(kind, path or "*", int(times) if times.isdigit() else 1))
    try:
        fake = FakeOzon(
            args.port,
            seed=args.seed,
            chats=args.chats,
            messages=args.messages,
            questions=args.questions,
            reviews=args.reviews,
            client_id=args.client_id,
            api_key=args.api_key,
            rate_limit=args.rate_limit,
            faults=faults,
            lifetime=args.lifetime,
        )
    except OSError as exc:
        raise UserError(
            _("cannot listen on 127.0.0.1:{port}: {reason}").format(
                port=args.port, reason=exc.strerror
            )
        ) from None
    emit_json({"url": fake.url, "client_id": fake.client_id, "api_key": fake.api_key})
    sys.stdout.flush()
    try:
        fake.serve_until_stopped()
    except KeyboardInterrupt:
        fake.stop()
    return 0
