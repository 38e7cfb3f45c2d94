"""How long work that keeps failing waits before it is tried again (the sync's pending items).

The first failure is tried again by the very next sync: most failures are one bad moment. After
that each further failure waits longer, up to an hour, so an order Ozon keeps refusing is not
asked for again on every poll (every minute or so) for days.
"""

from __future__ import annotations

from datetime import timedelta

PAUSES = (
    timedelta(0),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=60),
)


def pause_after(failures: int) -> timedelta:
    """The wait before the next try of an item that has failed ``failures`` times (1 or more)."""
    return PAUSES[min(max(failures, 1), len(PAUSES)) - 1]
