"""Faults counted: kill -9, concurrent senders, Ozon's faults, a full or read-only disk and a
restarted PostgreSQL server, each in N trials, with what they lost, duplicated or broke.

Scenarios (``--only`` picks some, comma-separated):

- ``draft``: kill -9 while typing. A child process saves a growing draft through
  ``DraftService.save``, the call the composer's autosave makes (the services, not the Qt app),
  and says "saved" after each call returns; it is killed at a random moment. The draft found
  afterwards must be the last one reported saved or a later one.
- ``typing``: the same with the real composer widget (Qt offscreen, its own TaskRunner and
  1-second autosave) typed into in bursts with pauses; "saved" is when its autosave's result
  reaches the composer (the moment it shows "Draft saved").
- ``send``: kill -9 while the outbox delivers (``OutboxService.deliver``) to the fake server;
  then a recovery round once the dead sender's lease has run out. Every queued reply must be on
  the fake server exactly once.
- ``sync``: kill -9 mid-sync (``ozondesk sync`` run in a child), then a plain sync; the
  database must hold exactly what a clean sync into a fresh database holds (a cursor moved past
  unwritten work shows as missing messages, postings, returns or products).
- ``migration``: kill -9 while an old-schema copy (made as tests/store/test_db.py makes one:
  Alembic up to an older revision, plus a row) is upgraded; the file must open afterwards with
  the row.
- ``senders2``, ``senders3``: two or three sender processes deliver one outbox at once.
- ``faults``: 1-3 of the fake server's ``--fault`` kinds at random methods, then
  ``ozondesk sync --send``; then the platform heals and a recovery round runs.
- ``diskfull``: the database, open, on a small tmpfs (``mount -t tmpfs -o size=2m``) filled to a
  random 0-256 KB of free space; Send (``ComposeService.send``), a draft save, a delivery round and
  ``ozondesk sync --send`` run; then space is freed and a recovery round runs.
- ``readonly``: the same with the tmpfs remounted read-only first (Linux refuses a read-only
  remount while a file on it is open for writing, so the desk opens it read-only).
- ``pg``: 10 desk processes queue, deliver and sync on one PostgreSQL database while the
  server is restarted (``pg_ctl restart``, fast or immediate) ``--pg-restarts`` times, with
  fsync and synchronous_commit on as on a real server; needs the postgresql server package
  (tests/pgserver.py starts a throwaway cluster). A desk's known errors (one line each) are
  expected while the server is down; anything else is a traceback.

Counted after each trial, each must be zero: lost drafts (reported saved, then missing), lost
replies (reported queued, never on the server and not shown as refused), duplicated replies
(on the server more than once), half-applied syncs (after a recovery sync, different from a
clean sync), unopenable databases, tracebacks (a traceback on stderr, an exit 70 = a bug, or an
exception a known-error check does not recognise), leaked keys (the API key in any output,
database file or log). Exit 1 when any is not zero.

Child processes are forked from this one after its imports (a kill lands in the work, not in
Python's start-up); ``ozondesk`` commands run as ``ozondesk.cli.main`` in the child, with the
Ozon client's retry pauses shortened to a millisecond (same number of retries) so trials fit.

Run: python bench/bench_faults.py [--trials 200] [--quick] [--only send,sync] [--keep DIR]
Root is needed for the tmpfs scenarios (they are skipped, and say so, without it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import create_engine, func, text  # noqa: E402
from sqlalchemy import select as sql_select  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402

from ozondesk.domain.clock import utcnow  # noqa: E402
from ozondesk.ozon.client import OzonClient  # noqa: E402
from ozondesk.ozon.fake import FAULTS, FakeOzon  # noqa: E402
from ozondesk.ozon.fake.world import FakeWorld  # noqa: E402
from ozondesk.services.compose import ComposeService  # noqa: E402
from ozondesk.services.drafts import DraftService  # noqa: E402
from ozondesk.services.outbox import OutboxService  # noqa: E402
from ozondesk.services.sync import SyncService  # noqa: E402
from ozondesk.store.db import Database, alembic_config, open_database  # noqa: E402
from ozondesk.store.models import (  # noqa: E402
    Conversation,
    Message,
    OutboxEntry,
    Posting,
    Product,
    ReturnRow,
)

CLIENT_ID = "424242"
# Unusual enough that finding it anywhere is a leak, not a coincidence.
KEY = "bench-faults-key-Qz7xW2"
SHOP = "Bench"
COLUMNS = (
    "lost drafts",
    "lost replies",
    "duplicated replies",
    "half-applied syncs",
    "unopenable databases",
    "tracebacks",
    "leaked keys",
)
SCENARIOS = ("draft", "typing", "send", "sync", "migration", "senders2", "senders3", "faults", "diskfull",
             "readonly", "pg")
# Methods the faults scenario aims at ("*" is whatever call comes next).
FAULT_PATHS = ("*", "/v3/chat/list", "/v3/chat/history", "/v1/chat/send/message", "/v2/chat/read",
               "/v4/posting/fbs/list", "/v3/posting/fbo/list", "/v1/returns/list",
               "/v3/product/info/list")
OLD_REVISIONS = ("0001", "0004", "0008", "0011")
CHILD_TIMEOUT = 120.0


# -- checks: pure, and exercised by tests/test_bench_faults.py --------------------------------


def draft_text(tag: str, i: int) -> str:
    """The ``i``-th state of a draft being typed: longer each time, numbered."""
    return f"Черновик {tag} #{i}: " + "ответ покупателю " * (i % 30)


def draft_lost(tag: str, reported: int | None, stored: str | None) -> bool:
    """A draft reported saved (state ``reported``) is lost unless that state or a later one of
    the same draft is stored."""
    if reported is None:
        return False
    if stored is None:
        return True
    found = re.match(rf"Черновик {re.escape(tag)} #(\d+): ", stored)
    return found is None or int(found.group(1)) < reported or stored != draft_text(tag, int(found.group(1)))


def reply_faults(expected: Iterable[str], sent: Iterable[str], refused: Iterable[str] = ()) -> tuple[int, int]:
    """(lost, duplicated) replies: ``expected`` were reported queued, ``sent`` is the server's
    log, ``refused`` those the outbox shows as refused by Ozon (the agent is told)."""
    counts = Counter(sent)
    wanted = set(expected)
    refused_set = set(refused)
    lost = sum(1 for t in wanted if counts[t] == 0 and t not in refused_set)
    duplicated = sum(counts[t] - 1 for t in wanted if counts[t] > 1)
    return lost, duplicated


def count_tracebacks(stderr: str) -> int:
    return stderr.count("Traceback (most recent call last)")


@dataclass(frozen=True)
class Snapshot:
    """What a sync brought in, by the platform's identities (comparable across databases)."""

    chats: frozenset[str]
    messages: frozenset[tuple[str, str, str]]
    postings: frozenset[tuple[str, str]]
    returns: frozenset[int]
    products: frozenset[int]
    # Seller messages not matched to the platform's copy (neither sent nor refused).
    unattached: int = 0

    def differences(self, reference: Snapshot) -> list[str]:
        out = []
        for name in ("chats", "messages", "postings", "returns", "products"):
            mine, theirs = getattr(self, name), getattr(reference, name)
            if mine != theirs:
                out.append(f"{name}: {len(theirs - mine)} missing, {len(mine - theirs)} extra")
        if self.unattached:
            out.append(f"{self.unattached} replies not matched to the platform's copy")
        return out


def snapshot(db: Database) -> Snapshot:
    def words(value: str) -> str:
        return " ".join(value.split())

    with db.read() as s:
        chats = frozenset(s.scalars(sql_select(Conversation.platform_id)
                                    .where(Conversation.platform_id.is_not(None))))
        messages = frozenset(
            (chat, pid, words(body))
            for chat, pid, body in s.execute(
                sql_select(Conversation.platform_id, Message.platform_message_id, Message.text)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.platform_message_id.is_not(None))
            )
        )
        postings = frozenset(tuple(r) for r in s.execute(sql_select(Posting.posting_number, Posting.status)))
        returns = frozenset(s.scalars(sql_select(ReturnRow.ozon_return_id)))
        products = frozenset(s.scalars(sql_select(Product.sku)))
        unattached = s.scalar(
            sql_select(func.count()).select_from(Message)
            .where(Message.side == "seller", Message.platform_message_id.is_(None),
                   Message.delivery_state != "failed")
        ) or 0
    return Snapshot(chats, messages, postings, returns, products, int(unattached))


# -- child processes --------------------------------------------------------------------------


@dataclass
class Child:
    """A forked process: its stdout/stderr go to files, ``say`` lines come through a pipe."""

    pid: int
    out: Path
    err: Path
    pipe: int
    buffer: bytes = b""
    code: int | None = None
    lines: list[str] = field(default_factory=list)
    reaped: bool = False  # waited for: its pid may belong to another process now

    def _read(self, timeout: float) -> bool:
        ready, _w, _x = select.select([self.pipe], [], [], max(0.0, timeout))
        if not ready:
            return False
        chunk = os.read(self.pipe, 65536)
        if not chunk:
            return False
        self.buffer += chunk
        *done, self.buffer = self.buffer.split(b"\n")
        self.lines.extend(line.decode() for line in done)
        return True

    def wait_line(self, timeout: float = CHILD_TIMEOUT) -> str | None:
        """The next line the child says, None if it ends (or times out) without one."""
        seen = len(self.lines)
        end = time.monotonic() + timeout
        while len(self.lines) == seen:
            left = end - time.monotonic()
            if left <= 0 or (not self._read(left) and self.poll() is not None and not self._read(0)):
                return None
        return self.lines[seen]

    def poll(self) -> int | None:
        if self.code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
                self.reaped = True
        return self.code

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.wait()

    def wait(self, timeout: float = CHILD_TIMEOUT) -> int | None:
        """Exit code (negative: the signal), None when it did not end in time (it is killed)."""
        end = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > end:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.code = None
                self.reaped = True
                break
            self._read(0.02)  # a child blocked on a full pipe would never end
        while self._read(0):
            pass
        os.close(self.pipe)
        self.pipe = -1
        return self.code

    def stderr(self) -> str:
        return self.err.read_text(errors="replace") if self.err.exists() else ""

    def stdout(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""


def spawn(work: Callable[[Callable[[str], None]], int], out: Path, err: Path,
          env: dict[str, str] | None = None) -> Child:
    """Fork a child running ``work(say)``; an exception in it is a traceback on its stderr."""
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 70
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            # The parent's log handlers (if any) are not the child's: as a fresh process.
            logging.root.handlers.clear()
            for fd, path in ((1, out), (2, err)):
                target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(target, fd)
                os.close(target)
            os.environ.update(env or {})

            def say(line: str) -> None:
                os.write(w, (line + "\n").encode())

            code = work(say)
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(w)
    child = Child(pid, out, err, r)
    _children[:] = [c for c in _children if not c.reaped]
    _children.append(child)
    return child


# Every child forked, so a stopped bench leaves none running (a sender whose fake server is
# gone would retry for ever).
_children: list[Child] = []


def kill_children() -> None:
    for child in _children:
        if not child.reaped:
            os.kill(child.pid, signal.SIGKILL)  # not reaped: still ours, alive or a zombie
            os.waitpid(child.pid, 0)
            child.reaped = True
    _children.clear()


def quick_client(url: str) -> OzonClient:
    return OzonClient(CLIENT_ID, KEY, url, rate=None, backoff=0.001, max_backoff=0.01, timeout=10.0)


def run_cli(argv: list[str]) -> Callable[[Callable[[str], None]], int]:
    """``ozondesk ARGV`` in the child, with the client's retry pauses shortened."""
    def work(say: Callable[[str], None]) -> int:
        defaults = dict(OzonClient.__init__.__kwdefaults__ or {})
        defaults.update(backoff=0.001, max_backoff=0.01, rate=None)
        OzonClient.__init__.__kwdefaults__ = defaults
        from ozondesk import cli

        say("ready")
        return cli.main(argv)

    return work


# -- the fake Seller API in its own process ---------------------------------------------------


class Fake:
    def __init__(self, work_dir: Path, *, chats: int, messages: int, seed: int) -> None:
        def serve(say: Callable[[str], None]) -> int:
            fake = FakeOzon(port=0, seed=seed, chats=chats, messages=messages, client_id=CLIENT_ID,
                            api_key=KEY, max_concurrency=64)
            say(str(fake.port))
            fake.serve_until_stopped()
            return 0

        self.child = spawn(serve, work_dir / f"fake-{seed}.out", work_dir / f"fake-{seed}.err")
        port = self.child.wait_line(30)
        if port is None:
            raise RuntimeError(f"the fake server did not start: {self.child.stderr()}")
        self.url = f"http://127.0.0.1:{port}"
        self.chats = chats
        self.seed = seed

    def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def sent(self) -> list[str]:
        return [m["text"] for m in self.call("/__fake__/sent")["sent"]]

    def fault(self, kind: str, path: str, times: int) -> None:
        self.call("/__fake__/fault", {"kind": kind, "path": path, "times": times})

    def heal(self) -> None:
        self.call("/__fake__/clear_faults", {})

    def stop(self) -> None:
        self.child.kill()


# -- databases --------------------------------------------------------------------------------


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so copying one file copies the database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def copy_db(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


@contextmanager
def opened(target: str | URL | Path) -> Iterator[Database]:
    db = open_database(target if isinstance(target, URL) else str(target))
    try:
        yield db
    finally:
        db.dispose()


def buyer_conversations(db: Database) -> list[int]:
    with db.read() as s:
        return list(s.scalars(sql_select(Conversation.id).where(Conversation.platform_id.is_not(None))
                              .order_by(Conversation.id)))


def queue_replies(db: Database, conversations: list[int], tag: str, n: int) -> list[str]:
    service = OutboxService(db)
    texts = [f"Ответ {tag}-{k}: заказ передан в доставку" for k in range(n)]
    for k, reply in enumerate(texts):
        service.queue(conversations[k % len(conversations)], reply)
    return texts


def refused_texts(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(sql_select(OutboxEntry.text).where(OutboxEntry.state == "failed")))


def backup_problem(path: Path, revision: str) -> str | None:
    """Why the backup copy at ``path`` is not the old database it names, or None. Read on a
    copy: opening the file itself could roll back a journal left beside it."""
    probe = path.with_name(path.name + ".probe")
    for suffix in ("", "-journal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", f"{probe}{suffix}")
    try:
        conn = sqlite3.connect(probe)  # a hot journal beside it is rolled back, as on restore
        try:
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            shops = conn.execute("SELECT name FROM shops").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"{path.stat().st_size} bytes, {exc}"
    finally:
        for suffix in ("", "-journal"):
            Path(f"{probe}{suffix}").unlink(missing_ok=True)
    if version != (revision,) or shops != [("Old shop",)]:
        return f"holds schema {version} and shops {shops}"
    return None


def outbox_states(db: Database) -> dict[str, str]:
    """Each reply's outbox state, attempts and last error, for the report's examples."""
    with db.read() as s:
        rows = s.execute(sql_select(OutboxEntry.text, OutboxEntry.state, OutboxEntry.attempts,
                                    OutboxEntry.last_error))
        return {t: f"{state}, {attempts} attempts, {error}" for t, state, attempts, error in rows}


def recover(db: Database, fake: Fake, rounds: int = 20, *, sync: bool = True) -> None:
    """What the next start does: deliver once the dead senders' leases ran out, then sync."""
    later = utcnow() + timedelta(hours=1)
    with quick_client(fake.url) as client:
        service = OutboxService(db, client, clock=lambda: later)
        for _ in range(rounds):
            if not service.pending():
                break
            service.deliver()
        if sync:
            SyncService(db, client, SHOP).run()


def leaked(paths: Iterable[Path]) -> int:
    needle = KEY.encode()
    found = 0
    for path in paths:
        try:
            if needle in path.read_bytes():
                found += 1
        except OSError:
            pass
    return found


def db_files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("", "-wal")]


def is_known(exc: BaseException) -> bool:
    from ozondesk.crash import known_error

    return known_error(exc) is not None


# -- the bench --------------------------------------------------------------------------------


class Tally(Counter[str]):
    """A scenario's counts; every 25 trials a progress line, so a long run shows where it is."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.started = time.monotonic()

    def __setitem__(self, key: str, value: int) -> None:
        super().__setitem__(key, value)
        if key == "trials" and value % 25 == 0:
            found = ", ".join(f"{k} {self[k]}" for k in COLUMNS if self[k]) or "clean"
            print(f"    {self.name}: {value} trials, {time.monotonic() - self.started:.0f} s: {found}",
                  flush=True)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM as Ctrl+C: the table of the trials done so far is printed


@dataclass
class Bench:
    work: Path
    trials: int
    quick: bool
    rng: random.Random
    fakes: dict[str, Fake] = field(default_factory=dict)
    bases: dict[str, Path] = field(default_factory=dict)
    results: dict[str, Counter[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reference: Snapshot | None = None
    pg_restarts: int = 40

    # -- set-up -------------------------------------------------------------------------------

    def fake(self, name: str) -> Fake:
        if name not in self.fakes:
            if name == "sync":  # never written to: one clean sync is the reference for all trials
                self.fakes[name] = Fake(self.work, chats=24, messages=4, seed=7)
            else:
                self.fakes[name] = Fake(self.work, chats=20, messages=4, seed=3)
                fake = self.fakes[name]
                # The same seed gives the server's chat ids here (a pure function of seed, i).
                world = FakeWorld(seed=fake.seed, chats=fake.chats, messages=4)
                # A fresh buyer message in each buyer chat: its reply window is open.
                for i in (i for i in range(fake.chats) if world.is_buyer_chat(i)):
                    fake.call("/__fake__/buyer_message",
                              {"chat_id": world.chat_id(i), "text": "Здравствуйте, где мой заказ?"})
        return self.fakes[name]

    def base(self, name: str) -> Path:
        """Template databases: ``empty`` (schema only), ``send`` (synced with the send world)."""
        if name in self.bases:
            return self.bases[name]
        path = self.work / f"base-{name}.sqlite"
        with opened(path) as db:
            if name == "send":
                with quick_client(self.fake("send").url) as client:
                    report = SyncService(db, client, SHOP).run()
                    assert not report.errors, report.errors
        checkpoint(path)
        self.bases[name] = path
        return path

    def sync_reference(self) -> Snapshot:
        if self.reference is None:
            path = copy_db(self.base("empty"), self.work / "reference.sqlite")
            with opened(path) as db:
                with quick_client(self.fake("sync").url) as client:
                    assert not SyncService(db, client, SHOP).run().errors
                self.reference = snapshot(db)
        return self.reference

    def env(self) -> dict[str, str]:
        return {"OZON_CLIENT_ID": CLIENT_ID, "OZON_API_KEY": KEY,
                "OZONDESK_LOG_DIR": str(self.work / "log"), "OZONDESK_LANG": "en"}

    def files(self, name: str) -> tuple[Path, Path]:
        return self.work / f"{name}.out", self.work / f"{name}.err"

    def child_faults(self, child: Child, c: Counter[str], *, killed: bool = False) -> None:
        """Count a finished (or killed) child's tracebacks, bug exits and leaked keys."""
        err = child.stderr()
        c["tracebacks"] += count_tracebacks(err)
        if child.code == 70:
            c["tracebacks"] += 1
        if child.code is None:
            c["hangs"] += 1
        elif not killed and child.code == 2:
            c["known errors"] += 1
        c["leaked keys"] += leaked([child.out, child.err])

    def opens(self, path: Path, c: Counter[str]) -> bool:
        try:
            with opened(path):
                return True
        except Exception as exc:  # noqa: BLE001 - counted, with the reason kept for the report
            c["unopenable databases"] += 1
            self.note(f"unopenable: {type(exc).__name__}: {exc}")
            return False

    def note(self, text: str) -> None:
        # The first few examples of each kind, for the report: what a count means.
        key = text.split(":")[0]
        self.notes.setdefault(key + str(len([k for k in self.notes if k.startswith(key)])), text)

    def kill_at_random(self, child: Child, within: float) -> None:
        if child.wait_line(60) != "ready":
            return
        deadline = time.monotonic() + self.rng.uniform(0, within)
        while time.monotonic() < deadline and child.poll() is None:
            child._read(deadline - time.monotonic())
        child.kill()

    def measure(self, work: Callable[[Callable[[str], None]], int], before: Callable[[], None]) -> float:
        """How long ``work`` takes unkilled (from its "ready"), for the range of kill moments."""
        before()
        out, err = self.files("measure")
        child = spawn(work, out, err, self.env())
        child.wait_line(60)
        t0 = time.monotonic()
        child.wait()
        return max(0.05, time.monotonic() - t0)

    # -- scenarios ----------------------------------------------------------------------------

    def draft(self, c: Counter[str]) -> None:
        path = self.work / "draft.sqlite"
        with opened(self.base("send")) as db:
            conversations = buyer_conversations(db)
        for trial in range(self.trials):
            copy_db(self.base("send"), path)
            tag = f"d{trial}"
            conv = self.rng.choice(conversations)

            def typing(say: Callable[[str], None], tag: str = tag, conv: int = conv) -> int:
                with opened(path) as db:
                    drafts = DraftService(db)
                    say("ready")
                    for i in range(1, 100_000):
                        drafts.save(conv, None, draft_text(tag, i), utcnow())
                        say(f"saved {i}")
                return 0

            child = spawn(typing, *self.files("draft"), self.env())
            self.kill_at_random(child, 0.6)
            saved = [int(line.split()[1]) for line in child.lines if line.startswith("saved ")]
            reported = saved[-1] if saved else None
            self.child_faults(child, c, killed=True)
            c["trials"] += 1
            c["drafts reported saved"] += len(saved)
            if not self.opens(path, c):
                continue
            with opened(path) as db:
                stored = DraftService(db).load(conv, None)
            if draft_lost(tag, reported, stored.text if stored else None):
                c["lost drafts"] += 1
                self.note(f"lost draft: reported #{reported}, stored {stored.text[:30] if stored else None!r}")

    def typing(self, c: Counter[str]) -> None:
        """kill -9 the real composer (Qt offscreen) while an agent types with pauses; its
        autosave reports each save ("Draft saved …" in the composer) through the TaskRunner's
        done callback, where the bench notes the length saved."""
        path = self.work / "typing.sqlite"
        with opened(self.base("send")) as db:
            conversations = buyer_conversations(db)
        for trial in range(self.trials):
            copy_db(self.base("send"), path)
            conv = self.rng.choice(conversations)
            typed = draft_text(f"t{trial}", 999) + "Спасибо за заказ! " * 10
            seed = self.rng.randrange(1 << 30)

            def composer(say: Callable[[str], None], conv: int = conv, typed: str = typed,
                         seed: int = seed) -> int:
                os.environ["QT_QPA_PLATFORM"] = "offscreen"
                # The real widget, in the child only: this process stays free of Qt.
                from PySide6.QtCore import QTimer  # noqa: TID251
                from PySide6.QtWidgets import QApplication  # noqa: TID251

                from ozondesk.services.conversation import ConversationService
                from ozondesk.services.drafts import DraftRecord
                from ozondesk.ui.composer import Composer
                from ozondesk.ui.tasks import TaskRunner

                app = QApplication([])
                rng = random.Random(seed)
                db = open_database(str(path))
                runner = TaskRunner()
                real_run = runner.run

                def run(work: Any, done: Any, failed: Any = None) -> None:
                    def shown(result: Any) -> None:
                        done(result)  # the composer shows "Draft saved" here
                        if isinstance(result, DraftRecord):
                            say(f"saved {len(result.text)}")

                    real_run(work, shown, failed)

                runner.run = run  # type: ignore[method-assign]
                widget = Composer(ComposeService(db), runner, agent_name="Мария")
                widget.show()
                widget.loaded.connect(lambda _cid: (say("ready"), QTimer.singleShot(0, key)))
                at = [0]

                def key() -> None:
                    if at[0] >= len(typed):
                        return
                    burst = rng.randint(1, 12)
                    widget.editor.insertPlainText(typed[at[0]:at[0] + burst])
                    at[0] += burst
                    # Typing, and now and then a pause longer than the autosave's.
                    pause = rng.choice((30, 30, 60, 90, 1300))
                    QTimer.singleShot(pause, key)

                widget.set_conversation(ConversationService(db).detail(conv, utcnow()), utcnow())
                return app.exec()

            child = spawn(composer, *self.files("typing"), self.env())
            self.kill_at_random(child, 4.0)
            saved = [int(line.split()[1]) for line in child.lines if line.startswith("saved ")]
            reported = saved[-1] if saved else None
            self.child_faults(child, c, killed=True)
            c["trials"] += 1
            c["drafts reported saved"] += len(saved)
            if not self.opens(path, c):
                continue
            with opened(path) as db:
                stored = DraftService(db).load(conv, None)
            text_now = stored.text if stored else None
            if reported is not None and (
                text_now is None or not typed.startswith(text_now) or len(text_now) < reported
            ):
                c["lost drafts"] += 1
                self.note(f"lost draft: reported {reported} characters, stored {text_now!r:.60}")

    def send(self, c: Counter[str]) -> None:
        fake = self.fake("send")
        path = self.work / "send.sqlite"
        with opened(self.base("send")) as db:
            conversations = buyer_conversations(db)

        def delivering(say: Callable[[str], None]) -> int:
            with opened(path) as db, quick_client(fake.url) as client:
                service = OutboxService(db, client)
                say("ready")
                while service.pending():
                    service.deliver(limit=5)
            return 0

        def prepare(tag: str = "m") -> list[str]:
            copy_db(self.base("send"), path)
            with opened(path) as db:
                return queue_replies(db, conversations, tag, 6)

        within = self.measure(delivering, prepare)
        for trial in range(self.trials):
            texts = prepare(f"s{trial}")
            child = spawn(delivering, *self.files("send"), self.env())
            self.kill_at_random(child, within)
            self.child_faults(child, c, killed=True)
            self.settle(path, fake, texts, c)

    def settle(self, path: Path, fake: Fake, texts: list[str], c: Counter[str],
               reference: bool = False) -> None:
        """After a trial: the file opens, a recovery round delivers the rest, and then every
        reply reported queued is on the server exactly once (and the sync is whole)."""
        c["trials"] += 1
        c["replies reported queued"] += len(texts)
        if not self.opens(path, c):
            return
        with opened(path) as db:
            try:
                recover(db, fake, sync=reference)
            except Exception as exc:  # noqa: BLE001 - a recovery that fails is a finding
                c["tracebacks"] += 0 if is_known(exc) else 1
                self.note(f"recovery failed: {type(exc).__name__}: {exc}")
            refused = refused_texts(db)
            mine = snapshot(db) if reference else None
        lost, dup = reply_faults(texts, fake.sent(), refused)
        c["lost replies"] += lost
        c["duplicated replies"] += dup
        c["replies refused by Ozon (shown as failed)"] += len(refused & set(texts))
        if lost or dup:
            self.note(f"replies: {lost} lost, {dup} duplicated in {path.name}")
        if mine is not None:
            clean = copy_db(self.base("send"), self.work / "clean.sqlite")
            with opened(clean) as db:
                with quick_client(fake.url) as client:
                    SyncService(db, client, SHOP).run()
                theirs = snapshot(db)
            problems = mine.differences(theirs)
            if problems:
                c["half-applied syncs"] += 1
                self.note("half-applied: " + "; ".join(problems))
        c["leaked keys"] += leaked(db_files(path))

    def sync(self, c: Counter[str]) -> None:
        fake = self.fake("sync")
        reference = self.sync_reference()
        path = self.work / "sync.sqlite"
        argv = ["--db", str(path), "sync", "--shop", SHOP, "--base-url", fake.url]
        within = self.measure(run_cli(argv), lambda: copy_db(self.base("empty"), path))
        for _trial in range(self.trials):
            copy_db(self.base("empty"), path)
            child = spawn(run_cli(argv), *self.files("sync"), self.env())
            self.kill_at_random(child, within)
            self.child_faults(child, c, killed=True)
            c["trials"] += 1
            if not self.opens(path, c):
                continue
            again = spawn(run_cli(argv), *self.files("sync-again"), self.env())
            again.wait()
            self.child_faults(again, c)
            if again.code != 0:
                self.note(f"resumed sync exit {again.code}: {again.stderr()[-300:]}")
            with opened(path) as db:
                problems = snapshot(db).differences(reference)
            if problems:
                c["half-applied syncs"] += 1
                self.note("half-applied: " + "; ".join(problems))
            c["leaked keys"] += leaked(db_files(path))

    def old_schema(self, revision: str) -> Path:
        path = self.work / f"old-{revision}.sqlite"
        if not path.exists():
            from alembic import command

            engine = create_engine(f"sqlite:///{path}")
            with engine.begin() as conn:
                command.upgrade(alembic_config(conn), revision)
                conn.execute(text("INSERT INTO shops (ozon_seller_id, name, created_at) "
                                  "VALUES ('42', 'Old shop', '2025-01-01 00:00:00')"))
                # A few MB of history, so the backup copy and the upgrade take long enough
                # for a kill to land inside them too.
                conn.execute(
                    text("INSERT INTO audit_log (at, agent_id, action, subject, detail) "
                         "VALUES ('2025-01-01 00:00:00', NULL, 'note', :subject, :detail)"),
                    [{"subject": f"entry {i}", "detail": json.dumps({"text": "история " * 300}, ensure_ascii=False)}
                     for i in range(1500)],
                )
            engine.dispose()
            checkpoint(path)
        return path

    def migration(self, c: Counter[str]) -> None:
        path = self.work / "migrate.sqlite"

        def upgrading(say: Callable[[str], None]) -> int:
            say("ready")
            with opened(path):
                pass
            return 0

        def fresh(revision: str) -> None:
            copy_db(self.old_schema(revision), path)
            for old in self.work.glob("migrate.sqlite.backup-*"):
                old.unlink()

        within = {rev: self.measure(upgrading, lambda rev=rev: fresh(rev)) for rev in OLD_REVISIONS}
        for trial in range(self.trials):
            revision = OLD_REVISIONS[trial % len(OLD_REVISIONS)]
            fresh(revision)
            child = spawn(upgrading, *self.files("migrate"), self.env())
            self.kill_at_random(child, within[revision])
            self.child_faults(child, c, killed=True)
            c["trials"] += 1
            if not self.opens(path, c):
                continue
            with opened(path) as db, db.read() as s:
                names = list(s.scalars(text("SELECT name FROM shops WHERE ozon_seller_id = '42'")))
            if names != ["Old shop"]:
                c["unopenable databases"] += 1  # opened, but without its data: as bad
                self.note(f"migration lost data: shops {names}")
            # A backup copy left beside the file is what a user restores: it must be whole.
            for backup in sorted(self.work.glob("migrate.sqlite.backup-*")):
                if backup.name.endswith(("-journal", "-wal", "-shm")):
                    continue
                if ".partial" in backup.name:  # named as unfinished: nobody restores it
                    c["unfinished copies left (.partial)"] += 1
                    continue
                problem = backup_problem(backup, revision)
                c["backup copies checked"] += 1
                if problem:
                    c["unopenable databases"] += 1
                    self.note(f"unopenable backup copy after a kill at {revision}: {problem}")

    def senders(self, c: Counter[str], n: int) -> None:
        fake = self.fake("send")
        path = self.work / f"senders{n}.sqlite"
        with opened(self.base("send")) as db:
            conversations = buyer_conversations(db)

        def delivering(say: Callable[[str], None]) -> int:
            with opened(path) as db, quick_client(fake.url) as client:
                service = OutboxService(db, client)
                say("ready")
                while service.pending():
                    report = service.deliver(limit=5)
                    if report.sent + report.reconciled == 0:
                        time.sleep(0.005)  # as the app's timer: let the holder work
            return 0

        for trial in range(self.trials):
            copy_db(self.base("send"), path)
            with opened(path) as db:
                texts = queue_replies(db, conversations, f"c{n}-{trial}", 8)
            children = [spawn(delivering, *self.files(f"sender{k}"), self.env()) for k in range(n)]
            for child in children:
                child.wait()
                self.child_faults(child, c)
            self.settle(path, fake, texts, c)

    def faults(self, c: Counter[str]) -> None:
        fake = self.fake("send")
        path = self.work / "faults.sqlite"
        with opened(self.base("send")) as db:
            conversations = buyer_conversations(db)
        argv = ["--db", str(path), "sync", "--shop", SHOP, "--base-url", fake.url, "--send"]
        for trial in range(self.trials):
            copy_db(self.base("send"), path)
            with opened(path) as db:
                texts = queue_replies(db, conversations, f"f{trial}", 4)
            chosen = []
            for _ in range(self.rng.randint(1, 3)):
                kind, where = self.rng.choice(FAULTS), self.rng.choice(FAULT_PATHS)
                times = self.rng.randint(1, 3)
                fake.fault(kind, where, times)
                chosen.append(f"{kind}:{where}:{times}")
                c[f"fault {kind}"] += 1
            child = spawn(run_cli(argv), *self.files("faults"), self.env())
            child.wait()
            self.child_faults(child, c)
            if child.code not in (0, 1, 2):
                self.note(f"faults {' '.join(chosen)}: exit {child.code}: {child.stderr()[-300:]}")
            fake.heal()
            self.settle(path, fake, texts, c, reference=True)

    # -- a full or read-only disk -------------------------------------------------------------

    @contextmanager
    def tmpfs(self) -> Iterator[Path]:
        mount = self.work / "tmpfs"
        mount.mkdir(exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True,
                       capture_output=True)
        try:
            yield mount
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False, capture_output=True)

    def disk(self, c: Counter[str], mode: str) -> None:
        if os.geteuid() != 0:
            self.notes[f"{mode} skipped"] = f"{mode}: skipped, mounting a tmpfs needs root"
            return
        fake = self.fake("send")
        with opened(self.base("send")) as db:
            conversations = buyer_conversations(db)
        with self.tmpfs() as mount:
            path = mount / "desk.sqlite"
            filler = mount / "filler"
            argv = ["--db", str(path), "sync", "--shop", SHOP, "--base-url", fake.url, "--send"]
            for trial in range(self.trials):
                filler.unlink(missing_ok=True)
                for lock in mount.glob("desk.sqlite.*"):
                    lock.unlink()
                copy_db(self.base("send"), path)
                conv = self.rng.choice(conversations)
                with opened(path) as db:
                    texts = queue_replies(db, conversations, f"{mode[0]}{trial}-q", 2)
                    compose = ComposeService(db)
                    seen = max((m.id for m in compose.incoming_after(conv, None)), default=None)
                checkpoint(path)
                saved: str | None = None
                db: Database | None = None
                try:
                    if mode == "diskfull":
                        # The desk is running: its database is open when the disk fills up.
                        db = self.try_open(path, c)
                        free = shutil.disk_usage(mount).free
                        left = self.rng.randint(0, 256) * 1024
                        with open(filler, "wb") as f:
                            try:
                                f.write(b"\0" * max(0, free - left))
                            except OSError:
                                pass
                    else:
                        # A read-only remount is refused while a file on it is open for
                        # writing: the desk starts on a disk that is already read-only.
                        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True,
                                       capture_output=True)
                        db = self.try_open(path, c)
                    if db is not None:
                        # Send and a draft save as the composer makes them, then a delivery
                        # round (the platform may take a reply the disk cannot record as sent).
                        reply = f"Ответ {mode[0]}{trial}-send: заказ передан в доставку"
                        try:
                            if ComposeService(db).send(conv, reply, None, seen).queued:
                                texts.append(reply)
                        except Exception as exc:  # noqa: BLE001 - sorted
                            self.sort(exc, c, "Send")
                        draft = f"Черновик {mode}-{trial}"
                        try:
                            DraftService(db).save(conversations[0], None, draft, utcnow())
                            saved = draft
                        except Exception as exc:  # noqa: BLE001 - sorted
                            self.sort(exc, c, "draft")
                        try:
                            with quick_client(fake.url) as client:
                                OutboxService(db, client).deliver()
                        except Exception as exc:  # noqa: BLE001 - sorted
                            self.sort(exc, c, "deliver")
                        db.dispose()
                        db = None
                    child = spawn(run_cli(argv), *self.files(mode), self.env())
                    child.wait()
                    self.child_faults(child, c)
                    if child.code not in (0, 1, 2):
                        self.note(f"{mode}: sync --send exit {child.code}: {child.stderr()[-300:]}")
                finally:
                    if db is not None:
                        db.dispose()
                    if mode == "diskfull":
                        filler.unlink(missing_ok=True)
                    else:
                        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True,
                                       capture_output=True)
                if saved is not None and self.opens(path, c):
                    with opened(path) as db:
                        stored = DraftService(db).load(conversations[0], None)
                    if stored is None or stored.text != saved:
                        c["lost drafts"] += 1
                        self.note(f"lost draft on {mode}: {stored}")
                self.settle(path, fake, texts, c)

    def try_open(self, path: Path, c: Counter[str]) -> Database | None:
        try:
            return open_database(str(path))
        except Exception as exc:  # noqa: BLE001 - sorted
            self.sort(exc, c, "open")
            return None

    def sort(self, exc: BaseException, c: Counter[str], where: str) -> None:
        if is_known(exc):
            c["known errors"] += 1
            c[f"known errors in {where}"] += 1
            if KEY in str(exc):
                c["leaked keys"] += 1
        else:
            c["tracebacks"] += 1
            self.note(f"bug in {where}: {''.join(traceback.format_exception(exc))[-600:]}")

    # -- PostgreSQL restarted under 10 desks ----------------------------------------------------

    def pg(self, c: Counter[str], desks: int = 10) -> None:
        from pgserver import find_bin_dir, start_server

        if find_bin_dir() is None:
            self.notes["pg skipped"] = "pg: skipped, no PostgreSQL server binaries"
            return
        fake = self.fake("send")
        server = start_server()
        stop_file = self.work / "pg.stop"
        stop_file.unlink(missing_ok=True)
        journal = self.work / "pg-journal"
        children: list[Child] = []
        def restart(mode: str, options: str | None = None) -> None:
            extra = ["-o", options] if options else []
            done = subprocess.run(
                [str(server.bin_dir / "pg_ctl"), "-D", str(server.root / "data"), "-l",
                 str(server.root / "log"), "-m", mode, "-w", "-t", "60", *extra, "restart"],
                user=server._run_as, capture_output=True, text=True, cwd="/", check=False)
            if done.returncode:
                self.note(f"pg restart failed: {done.stderr.strip()[-300:]}")

        try:
            # The test cluster trades durability for speed (synchronous_commit=off loses the
            # last commits in an immediate shutdown); a real server keeps what it confirmed.
            # Later restarts reuse these options (postmaster.opts).
            restart("fast", f"-p {server.port} -c listen_addresses=127.0.0.1 -k {server.root}"
                            " -c max_connections=300 -c fsync=on -c synchronous_commit=on"
                            " -c full_page_writes=on")
            url = server.create_database("bench_faults")
            with opened(url) as db:
                with quick_client(fake.url) as client:
                    SyncService(db, client, SHOP).run()
                conversations = buyer_conversations(db)

            def desk(say: Callable[[str], None], k: int) -> int:
                rng = random.Random(k)
                db: Database | None = None
                n = 0
                say("ready")
                with quick_client(fake.url) as client, open(f"{journal}-{k}", "a") as out:
                    while not stop_file.exists():
                        try:
                            if db is None:
                                db = open_database(url)
                            reply = f"Ответ pg-{k}-{n}: заказ передан в доставку"
                            n += 1
                            OutboxService(db).queue(rng.choice(conversations), reply)
                            out.write(reply + "\n")  # reported queued: the call returned
                            out.flush()
                            OutboxService(db, client).deliver(limit=5)
                            if n % 5 == 0:
                                SyncService(db, client, SHOP).run()
                        except Exception as exc:  # noqa: BLE001 - a known error is the app's one line
                            from ozondesk.crash import known_error

                            known = known_error(exc)
                            if known is None:
                                traceback.print_exc()
                            else:  # what the desk would show: one line
                                print(f"known: {known.message}", flush=True)
                            time.sleep(0.2)  # as a desk's next action a moment later
                if db is not None:
                    db.dispose()
                return 0

            for k in range(desks):
                Path(f"{journal}-{k}").unlink(missing_ok=True)
                children.append(spawn(lambda say, k=k: desk(say, k), *self.files(f"pg-desk{k}"),
                                      self.env()))
            for child in children:
                child.wait_line(60)
            for _trial in range(self.pg_restarts):
                # Long enough for the desks to reconnect and work before the next restart.
                pause = self.rng.uniform(1.0, 4.0)
                end = time.monotonic() + pause
                while time.monotonic() < end:
                    time.sleep(0.05)
                mode = self.rng.choice(("fast", "immediate"))
                restart(mode)
                c["trials"] += 1
                c[f"restarts ({mode})"] += 1
            stop_file.touch()
            for child in children:
                child.wait()
                self.child_faults(child, c)
                c["known errors"] += child.stdout().count("known: ")
            texts = [line for k in range(desks) if Path(f"{journal}-{k}").exists()
                     for line in Path(f"{journal}-{k}").read_text().splitlines()]
            c["replies reported queued"] += len(texts)
            try:
                with opened(url) as db:
                    recover(db, fake, rounds=200)
                    refused = refused_texts(db)
                    mine = snapshot(db)
                    states = outbox_states(db)
            except Exception as exc:  # noqa: BLE001 - counted
                c["unopenable databases"] += 1
                self.note(f"unopenable: pg: {exc}")
                return
            sent = fake.sent()
            lost, dup = reply_faults(texts, sent, refused)
            c["lost replies"] += lost
            c["duplicated replies"] += dup
            counts = Counter(sent)
            for reply in texts:
                if counts[reply] != 1 and reply not in refused:
                    self.note(f"pg reply sent {counts[reply]} times: {reply} "
                              f"(outbox: {states.get(reply, 'missing')})")
            clean = copy_db(self.base("send"), self.work / "clean.sqlite")
            with opened(clean) as db:
                with quick_client(fake.url) as client:
                    SyncService(db, client, SHOP).run()
                problems = mine.differences(snapshot(db))
            if problems:
                c["half-applied syncs"] += 1
                self.note("half-applied: pg: " + "; ".join(problems))
        finally:
            stop_file.touch()
            for child in children:
                if child.pipe != -1:
                    child.kill()
            server.stop()

    # -- running ------------------------------------------------------------------------------

    def run(self, names: list[str]) -> None:
        for name in names:
            c = Tally(name)
            t0 = time.monotonic()
            method = {
                "senders2": lambda c: self.senders(c, 2),
                "senders3": lambda c: self.senders(c, 3),
                "diskfull": lambda c: self.disk(c, "diskfull"),
                "readonly": lambda c: self.disk(c, "readonly"),
            }.get(name) or getattr(self, name)
            try:
                method(c)
            except KeyboardInterrupt:
                self.seconds[name] = time.monotonic() - t0
                self.results[name] = c
                self.notes["stopped"] = f"stopped during {name}: the table counts the trials done"
                raise
            self.seconds[name] = time.monotonic() - t0
            self.results[name] = c
            found = ", ".join(f"{k} {c[k]}" for k in COLUMNS if c[k]) or "clean"
            print(f"  {name:10} {c['trials']:4} trials in {self.seconds[name]:7.1f} s: {found}",
                  flush=True)

    def close(self) -> None:
        for fake in self.fakes.values():
            fake.stop()
        kill_children()

    def failures(self) -> int:
        return sum(c[k] for c in self.results.values() for k in COLUMNS)

    def table(self) -> str:
        heads = ("scenario", "trials", *COLUMNS, "seconds")
        rows = [[name, str(c["trials"]), *(str(c[k]) for k in COLUMNS), f"{self.seconds[name]:.0f}"]
                for name, c in self.results.items()]
        totals = ["total", str(sum(c["trials"] for c in self.results.values())),
                  *(str(sum(c[k] for c in self.results.values())) for k in COLUMNS),
                  f"{sum(self.seconds.values()):.0f}"]
        widths = [max(len(h), *(len(r[i]) for r in [*rows, totals])) for i, h in enumerate(heads)]
        lines = [" | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))]
        lines.append("-+-".join("-" * w for w in widths))
        lines += [" | ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w)
                             in enumerate(zip(r, widths, strict=True))) for r in [*rows, totals]]
        return "\n".join(lines)

    def details(self) -> str:
        lines = []
        for name, c in self.results.items():
            extra = {k: v for k, v in sorted(c.items()) if k not in COLUMNS and k != "trials" and v}
            if extra:
                lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in extra.items()))
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=None, help="trials per scenario (default 200)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 trials each, smaller worlds")
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help=f"comma-separated scenarios (default all: {','.join(SCENARIOS)})")
    parser.add_argument("--seed", type=int, default=19, help="random seed of the kill moments and faults")
    parser.add_argument("--pg-restarts", type=int, default=None,
                        help="server restarts in the pg scenario (default 40; --quick 3): each "
                             "takes seconds with fsync on, so 200 would take half an hour")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}; known: {', '.join(SCENARIOS)}")
    trials = args.trials if args.trials is not None else (5 if args.quick else 200)
    if trials < 1:
        parser.error("--trials must be at least 1")
    work = args.keep or Path(tempfile.mkdtemp(prefix="ozondesk-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update({"OZONDESK_LOG_DIR": str(work / "log"), "OZONDESK_LANG": "en"})
    bench = Bench(work, trials, args.quick, random.Random(args.seed))
    bench.pg_restarts = args.pg_restarts or (3 if args.quick else min(trials, 40))
    t0 = time.monotonic()
    print(f"{trials} trials per scenario; work folder {work}", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        bench.run(names)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        bench.close()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(bench.table())
    details = bench.details()
    if details:
        print("\nalso counted (expected, not faults):")
        print(details)
    if bench.notes:
        print("\nexamples:")
        for note in bench.notes.values():
            print("  " + note.replace("\n", "\n    "))
    print(f"\nwall time {time.monotonic() - t0:.0f} s")
    return 1 if bench.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
