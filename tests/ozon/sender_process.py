"""One sender process for the concurrency tests: deliver the outbox until nothing is left.

``python sender_process.py DB_URL BASE_URL CLIENT_ID API_KEY MODE`` prints one JSON line of
its totals. MODE ``lock`` is the real sender; ``claims-only`` grants the desk lock to every
sender (as SQLite did before), leaving only the per-reply claim between them.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

import ozondesk.services.outbox as outbox
from ozondesk.ozon.client import OzonClient
from ozondesk.services.outbox import DeliveryReport, OutboxService
from ozondesk.store.db import Database, open_database


@contextmanager
def always_granted(db: Database, name: str) -> Iterator[bool]:
    yield True


def deliver_all(service: OutboxService, limit: int = 20) -> Counter[str]:
    """Rounds until the outbox is empty; between rounds that found nothing to do (another
    sender held the lock, or every due reply was claimed), a short pause like the app's
    timer, so the winner is not starved of the CPU."""
    totals: Counter[str] = Counter()
    while service.pending():
        report: DeliveryReport = service.deliver(limit=limit)
        totals.update(
            sent=report.sent, reconciled=report.reconciled, taken=report.taken,
            failed=report.failed, retrying=report.retrying, busy=int(report.busy), rounds=1,
        )
        if report.sent + report.reconciled == 0:
            time.sleep(0.005)
    return totals


def main(argv: list[str]) -> int:
    url, base, client_id, api_key, mode = argv
    if mode == "claims-only":
        outbox.desk_lock = always_granted  # type: ignore[assignment]
    db = open_database(make_url(url) if "://" in url else url)
    try:
        with OzonClient(client_id, api_key, base, rate=None, backoff=0.001, max_backoff=0.01,
                        timeout=10.0) as client:
            totals = deliver_all(OutboxService(db, client))
    finally:
        db.dispose()
    print(json.dumps(dict(totals)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
