"""Imports against a database another program is writing to: they wait for it, within a bound,
and otherwise say so in one line (issue 19: they used to crash within 2.3 s)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ozondesk.cli import main
from ozondesk.domain.drills import starter_set_path
from ozondesk.resources import resource_path
from ozondesk.store import transactions

STARTER_PACK = resource_path("templates", "starter-ru.json")


def new_pack(tmp_path: Path) -> Path:
    """One template the demo database does not have yet."""
    pack = json.loads(STARTER_PACK.read_text(encoding="utf-8"))
    template = pack["templates"][0] | {
        "id": "busy-first-reply",
        "body": "Здравствуйте, {buyer_name}! Проверим заказ {order_number} и ответим до {deadline_msk}.",
    }
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack | {"id": "busy", "templates": [template]}, ensure_ascii=False),
                    encoding="utf-8")
    return path


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--size", "1"]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def held(demo: Path) -> Iterator[sqlite3.Connection]:
    """Another program's open write transaction on the demo database."""
    conn = sqlite3.connect(str(demo), isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def imports(command: str, tmp_path: Path) -> list[str]:
    if command == "drill":
        return ["drill", "import", str(starter_set_path()), "--as", "sun.qiang"]
    return ["templates", "import", str(new_pack(tmp_path)), "--as", "zhao.ting"]


COMMANDS = ["drill", "templates"]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_import_gives_up_after_the_bound_with_one_line(
    command: str, demo: Path, held: sqlite3.Connection, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setattr(transactions, "WRITE_WAIT", 0.3)
    assert main(["--db", str(demo), *imports(command, tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"database {demo} stayed busy for 0.3 s (another OzonDesk or sync is writing to it): "
        "try again, or close the other program\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_an_import_waits_for_the_other_writer_and_succeeds(
    command: str, demo: Path, held: sqlite3.Connection, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    waiting = threading.Event()
    real = transactions.pauses

    def watched(bound: float | None = None) -> Iterator[float]:
        for pause in real(bound):
            waiting.set()
            yield pause

    monkeypatch.setattr(transactions, "pauses", watched)
    codes: list[int] = []
    worker = threading.Thread(
        target=lambda: codes.append(main(["--db", str(demo), *imports(command, tmp_path), "--format", "json"]))
    )
    worker.start()
    assert waiting.wait(timeout=transactions.WRITE_WAIT)
    held.execute("COMMIT")
    worker.join(timeout=60)
    assert codes == [0]
    captured = capsys.readouterr()
    assert captured.err == ""
    result = json.loads(captured.out)
    if command == "drill":
        assert result == {"set": "starter-ru", "added": 0, "updated": 9, "archived": 0}
    else:
        assert result == {"imported": 1, "pack": "busy", "status": "submitted"}
