"""Headless sub-commands of ``ozondesk``.

Each module here defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``. ``COMMANDS`` lists them in help order.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: tuple[str, ...] = ("sla", "presence", "demo", "lint")


def load(name: str) -> ModuleType:
    return importlib.import_module(f"ozondesk.commands.{name}")
