"""Headless sub-commands of ``ozondesk``.

Each module here defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``. ``COMMANDS`` lists them in help order.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: tuple[str, ...] = ("sla", "presence", "demo", "lint")


def available() -> tuple[str, ...]:
    # TEMPORARY while lint is being written in parallel.
    import importlib.util

    return tuple(n for n in COMMANDS if importlib.util.find_spec(f"ozondesk.commands.{n}"))


def load(name: str) -> ModuleType:
    return importlib.import_module(f"ozondesk.commands.{name}")
