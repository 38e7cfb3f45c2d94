"""Guards against a Qt binding that would crash a long-running desk."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal(object)


def test_emitting_signals_keeps_reference_counts() -> None:
    # PySide6 6.12.0 drops a reference to True on every emit until Python aborts (bool_dealloc);
    # pyproject.toml excludes it, and this catches any release that does the same.
    probe = _Probe()
    probe.ping.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for _ in range(1000):
        probe.ping.emit(1)
    assert sys.getrefcount(True) >= before - 10
