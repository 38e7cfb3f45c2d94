"""Headless sub-commands of ``ozondesk``.

Each module here defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``. ``COMMANDS`` lists them in help order.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: tuple[str, ...] = ("sla", "presence", "demo", "lint", "templates", "report", "drill", "sync",
                             "fake-ozon", "db-password", "team", "shop", "tickets",
                             "policy", "translate", "fake-translate")


def _module(name: str) -> str:
    # Command names use dashes (fake-ozon), module names underscores (fake_ozon).
    return f"ozondesk.commands.{name.replace('-', '_')}"


def load(name: str) -> ModuleType:
    return importlib.import_module(_module(name))
