"""Issue 19: syncs and imports writing to one database at once wait their turn instead of
crashing with "database is locked" (two syncs crashed the second in 3 of 3 runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from ozondesk.cli import main
from ozondesk.domain.drills import starter_set_path
from ozondesk.ozon.fake import FakeOzon
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation, Shop

ROOT = Path(__file__).resolve().parents[2]
CHATS = 40


def url_text(db_url: object) -> str:
    if isinstance(db_url, URL):
        return db_url.render_as_string(hide_password=False)
    return str(db_url)


@pytest.fixture
def fakes() -> Iterator[list[FakeOzon]]:
    with FakeOzon(port=0, seed=1, chats=CHATS, client_id="111", lifetime=600) as one, \
            FakeOzon(port=0, seed=2, chats=CHATS, client_id="222", lifetime=600) as two:
        yield [one, two]


def buyer_chats(fake: FakeOzon) -> int:
    return sum(fake.world.is_buyer_chat(i) for i in range(CHATS))


def start_sync(db: str, fake: FakeOzon, shop: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OZON_CLIENT_ID": fake.client_id,
           "OZON_API_KEY": fake.api_key}
    return subprocess.Popen(
        [sys.executable, "-m", "ozondesk.cli", "--db", db, "sync", "--shop", shop, "--base-url", fake.url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def finish(proc: subprocess.Popen[str]) -> dict[str, object]:
    out, err = proc.communicate(timeout=300)
    assert (proc.returncode, err) == (0, "")
    report: dict[str, object] = json.loads(out)
    report["exit"] = proc.returncode
    return report


def conversations(db: Database, shop: str) -> int:
    """The shop's buyer chats (return requests and cancellations are conversations too)."""
    with db.read() as s:
        return int(s.scalar(
            select(func.count()).select_from(Conversation).join(Shop, Shop.id == Conversation.shop_id)
            .where(Shop.name == shop, Conversation.kind == "buyer_chat")
        ) or 0)


def test_two_syncs_of_one_shop_at_once(db: Database, db_url: object, fakes: list[FakeOzon]) -> None:
    fake = fakes[0]
    procs = [start_sync(url_text(db_url), fake, "Yuexin") for _ in range(2)]
    reports = sorted((finish(p) for p in procs), key=lambda r: -r["created"]["chats"])  # type: ignore[index]
    first, second = reports
    assert (first["exit"], first["created"]["chats"], first["errors"], first["skipped"]) == (  # type: ignore[index]
        0, buyer_chats(fake), [], []
    )
    # The other was turned away by the lock (its skipped line says another desk syncs) or
    # started after it and found nothing new.
    assert second["created"] == dict.fromkeys(second["created"], 0) and second["errors"] == []  # type: ignore[arg-type]
    assert [s["method"] for s in second["skipped"]] in (["sync"], [])  # type: ignore[attr-defined]
    assert conversations(db, "Yuexin") == buyer_chats(fake)


def test_two_syncs_of_two_shops_at_once(db: Database, db_url: object, fakes: list[FakeOzon]) -> None:
    procs = [start_sync(url_text(db_url), fake, name) for fake, name in zip(fakes, ("A", "B"), strict=True)]
    reports = [finish(p) for p in procs]
    assert [r["created"]["chats"] for r in reports] == [buyer_chats(f) for f in fakes]  # type: ignore[index]
    assert [conversations(db, "A"), conversations(db, "B")] == [buyer_chats(f) for f in fakes]


def test_drill_imports_during_a_sync(
    tmp_path: Path, fakes: list[FakeOzon], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--size", "1"]) == 0
    capsys.readouterr()
    db = open_database(str(path))
    before = conversations(db, "Yuexin")
    sync = start_sync(str(path), fakes[0], "Yuexin")
    deadline = time.monotonic() + 120
    while conversations(db, "Yuexin") == before:  # wait until the sync is writing
        assert sync.poll() is None and time.monotonic() < deadline
    codes = []
    while sync.poll() is None:
        codes.append(main(["--db", str(path), "drill", "import", str(starter_set_path()),
                           "--as", "sun.qiang", "--format", "json"]))
    report = finish(sync)
    captured = capsys.readouterr()
    assert len(codes) >= 1 and set(codes) == {0} and captured.err == ""
    assert [json.loads(line) for line in captured.out.splitlines()] == [
        {"set": "starter-ru", "added": 0, "updated": 9, "archived": 0}
    ] * len(codes)
    assert report["created"]["chats"] == buyer_chats(fakes[0])  # type: ignore[index]
    db.dispose()
