"""`ozondesk fake-translate`: a local fake of a translation engine's API for demos and scripts.

Prints ``{"url", "engine", "key"}`` and serves until interrupted; point ``ozondesk translate
--engine ENGINE --url URL`` (or Settings → Translation) at it.
"""

from __future__ import annotations

import argparse
import sys

from ozondesk.commands.output import emit_json
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "fake-translate"
HELP = _("serve a fake Yandex, LibreTranslate or DeepL translation API on 127.0.0.1")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json",), default="json", help=argparse.SUPPRESS)
    parser.add_argument("--engine", required=True, choices=("yandex", "libretranslate", "deepl"),
                        help=_("whose API to imitate"))
    parser.add_argument("--port", type=int, required=True,
                        help=_("port on 127.0.0.1 (0: any free port)"))
    parser.add_argument("--key", default=None,
                        help=_("key the fake accepts (default: fake-key; none for LibreTranslate)"))


def run(args: argparse.Namespace) -> int:
    from ozondesk.translation.fake_servers import FakeTranslateServer

    if not 0 <= args.port <= 65535:
        raise UserError(_("--port must be between 0 and 65535"))
    key = args.key if args.key is not None else ("" if args.engine == "libretranslate" else "fake-key")
    try:
        fake = FakeTranslateServer(args.engine, args.port, key=key)
    except OSError as exc:
        raise UserError(
            _("cannot listen on 127.0.0.1:{port}: {reason}").format(
                port=args.port, reason=exc.strerror)
        ) from None
    emit_json({"url": fake.url, "engine": fake.engine, "key": key})
    sys.stdout.flush()
    try:
        fake.serve_until_stopped()
    except KeyboardInterrupt:
        fake.stop()
    return 0
