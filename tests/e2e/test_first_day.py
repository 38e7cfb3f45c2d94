"""A seller's first day through the real processes (issue 12 §7).

An empty database; `ozondesk team add` and `ozondesk shop add … --key-stdin` as an admin would
type them; `ozondesk fake-ozon` as the Seller API, where a buyer has just written; `ozondesk
sync` with the key from the keyring; then the desktop window (the app's own `build_window`, in
this process, on the same database file and the same keyring) finds the buyer's chat, inserts a
template, sends, and its Ozon connection delivers the reply. The fake's log must hold exactly
that one message, also after `ozondesk sync --send` from another process ran afterwards.

The keyring of every process is ``keyring_file.JsonFileKeyring`` (tests/keyring_file.py), a
test double named by ``PYTHON_KEYRING_BACKEND`` that keeps fake keys in this test's temporary
folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SHOP = "Юэсинь"
CLIENT_ID = "424242"
API_KEY = "e2e-api-key-7f3c9a"
BUYER_TEXT = "Здравствуйте! Когда придёт мой заказ? Жду к выходным"
TEMPLATE = "closing-resolved"  # no date or promise in it: lint-clean at any hour of the day
TIMEOUT = 120  # seconds for one command; each finishes in a few on an idle machine

pytestmark = pytest.mark.slow


@pytest.fixture
def desk_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of every `ozondesk` process, and of this one for the GUI half."""
    env = {
        "OZONDESK_DB": str(tmp_path / "desk.sqlite"),
        "OZONDESK_CONFIG_DIR": str(tmp_path / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring_file.JsonFileKeyring",
        "OZONDESK_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "OZONDESK_LANG": "en",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The key must come from the keyring, never from the environment shortcut of `sync`.
    for name in ("OZON_CLIENT_ID", "OZON_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return dict(os.environ)


def ozondesk(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ozondesk.cli", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip


def ok(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, f"{proc.args[3:]} exited {proc.returncode}: {proc.stderr}"
    return json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else proc.stdout


@pytest.fixture
def same_keyring(desk_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's keyring: the one the `ozondesk` processes were given."""
    with monkeypatch.context() as without:
        without.delenv("PYTHON_KEYRING_BACKEND")
        previous = keyring.get_keyring()  # the one before this test, back afterwards
    keyring.set_keyring(keyring.core.load_keyring(desk_env["PYTHON_KEYRING_BACKEND"]))
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def fake_ozon(desk_env: dict[str, str]) -> Iterator[str]:
    """`ozondesk fake-ozon` in its own process; its URL, read from the JSON line it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ozondesk.cli", "fake-ozon", "--port", "0", "--chats", "12",
         "--client-id", CLIENT_ID, "--api-key", API_KEY, "--lifetime", "600"],
        env=desk_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, f"fake-ozon printed nothing: {proc.stderr.read() if proc.stderr else ''}"
        yield json.loads(line)["url"]
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def fake_call(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Client-Id": CLIENT_ID, "Api-Key": API_KEY}
    reply = httpx.post(url + path, json=body, headers=headers, timeout=10)
    reply.raise_for_status()
    return reply.json()


def sent_to_ozon(url: str) -> list[dict[str, Any]]:
    """What the fake Seller API received through /v1/chat/send/message, in order."""
    return httpx.get(url + "/__fake__/sent", timeout=10).json()["sent"]


def a_buyer_writes(url: str) -> str:
    """A buyer's new message in the first buyer chat of the fake; that chat's id."""
    chats = fake_call(url, "/v3/chat/list", {"filter": {"chat_status": "All"}, "limit": 100})[
        "chats"
    ]
    buyer = next(
        c["chat"] for c in chats
        if c["chat"]["chat_type"].lower().startswith("buyer") and c["chat"]["chat_status"].lower() == "opened"
    )  # fmt: skip
    fake_call(url, "/__fake__/buyer_message", {"chat_id": buyer["chat_id"], "text": BUYER_TEXT})
    return str(buyer["chat_id"])


def test_first_day_from_an_empty_database_to_one_delivered_reply(
    qtbot: Any, desk_env: dict[str, str], fake_ozon: str, same_keyring: None
) -> None:
    db_file = Path(desk_env["OZONDESK_DB"])
    assert not db_file.exists()

    # The team, from the command line (an admin's script).
    ok(ozondesk(desk_env, "team", "add", "li.ming", "--name", "李明", "--role", "lead"))
    ok(ozondesk(desk_env, "team", "add", "wang.fang", "--name", "王芳", "--role", "agent"))
    people = ok(ozondesk(desk_env, "team", "list", "--format", "json"))["people"]
    assert {(p["login"], p["name"], p["role"], p["active"]) for p in people} == {
        ("li.ming", "李明", "lead", True), ("wang.fang", "王芳", "agent", True),
    }  # fmt: skip

    # The shop: the key typed on standard input, kept in the keyring only.
    ok(ozondesk(desk_env, "shop", "add", SHOP, "--client-id", CLIENT_ID, "--key-stdin",
                stdin=API_KEY + "\n"))  # fmt: skip
    listed = ozondesk(desk_env, "shop", "list", "--format", "json")
    assert [s["name"] for s in ok(listed)["shops"]] == [SHOP]
    assert API_KEY not in listed.stdout
    assert API_KEY in Path(desk_env["OZONDESK_TEST_KEYRING"]).read_text("utf-8")

    # A buyer writes; the headless sync brings the chats in with the stored key.
    chat_id = a_buyer_writes(fake_ozon)
    synced = ok(ozondesk(desk_env, "sync", "--shop", SHOP, "--base-url", fake_ozon))
    assert synced["errors"] == [] and synced["created"]["chats"] == 12
    for stored in db_file.parent.glob(db_file.name + "*"):  # the database, its WAL and SHM
        assert API_KEY.encode() not in stored.read_bytes(), f"the API key is in {stored.name}"

    # The desk: the app's window on the same database and keyring, for the agent, talking to
    # the fake.
    window, db = open_desk(qtbot, "wang.fang", fake_ozon)
    try:
        reply = answer_with_template(qtbot, window)
        # The shop loaded from the database and its start-up sync over:
        qtbot.waitUntil(lambda: window.sync.has_shops and not window.sync.busy, timeout=60_000)
        assert window.sync.deliver_now()  # what its outbox timer does every 15 s
        qtbot.waitUntil(lambda: len(sent_to_ozon(fake_ozon)) > 0, timeout=60_000)
        qtbot.waitUntil(lambda: outbox_states(db) == ["sent"], timeout=30_000)
    finally:
        window.close()
        db.dispose()

    assert [(m["chat_id"], m["text"]) for m in sent_to_ozon(fake_ozon)] == [(chat_id, reply)]
    # Another process delivering and syncing afterwards sends nothing twice.
    again = ok(ozondesk(desk_env, "sync", "--shop", SHOP, "--base-url", fake_ozon, "--send"))
    assert again["errors"] == []
    assert [(m["chat_id"], m["text"]) for m in sent_to_ozon(fake_ozon)] == [(chat_id, reply)]


def open_desk(qtbot: Any, login: str, url: str) -> tuple[Any, Any]:
    from ozondesk.app import build_window
    from ozondesk.services.preferences import desk_agent, set_desk_agent
    from ozondesk.store.db import open_database
    from ozondesk.store.repos.policies import current_policies

    db = open_database(os.environ["OZONDESK_DB"])
    set_desk_agent(db, login)
    agent = desk_agent(db)
    assert agent is not None and agent.login == login
    from ozondesk.domain.clock import utcnow
    from ozondesk.services.templates import TemplateService

    TemplateService(db).seed_starter_library(utcnow())  # as the app does on a new desk
    with db.begin() as session:
        policies = current_policies(session)
    window, _sync, _runner = build_window(db, policies, url)
    qtbot.addWidget(window)
    if window.presence_panel is not None:
        window.presence_panel.confirm = lambda _parent, _text: True  # nobody answers a dialog
    window.show()
    window.start()
    return window, db


def answer_with_template(qtbot: Any, window: Any) -> str:
    """Search the inbox for the buyer's words, open the chat, insert the template, send."""
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=30_000)
    with qtbot.waitSignal(window.model.loaded, timeout=10_000):
        window.filters.search.setText("Жду к выходным")
    assert window.model.rowCount() == 1
    window.table.selectRow(0)
    composer = window.composer
    # The inbox opened on its first row (now often a product question): wait for this chat.
    qtbot.waitUntil(lambda: BUYER_TEXT in window.view.thread.toPlainText(), timeout=10_000)
    qtbot.waitUntil(lambda: composer.conversation_id == window.selected_id, timeout=10_000)
    qtbot.waitUntil(lambda: composer.editor.isEnabled() and not composer.editor.isReadOnly(),
                    timeout=10_000)  # fmt: skip

    composer.open_templates()
    qtbot.waitUntil(lambda: composer.picker.model.rowCount() > 30, timeout=10_000)
    composer.picker.set_filter("завершение решён")  # tag and title words
    assert composer.picker.current() is not None and composer.picker.current().slug == TEMPLATE
    assert composer.picker.choose_current()
    # Ozon's chat API names no buyer: the greeting goes without the name, nothing left to fill.
    reply = composer.text
    assert reply == "Рады, что всё решилось. Хорошего дня!"
    composer.lint_now()
    assert composer.send_blockers() == []
    qtbot.waitUntil(composer.send_button.isEnabled, timeout=5_000)
    with qtbot.waitSignal(composer.sent, timeout=10_000):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return reply


def outbox_states(db: Any) -> list[str]:
    from ozondesk.store.models import OutboxEntry

    with db.begin() as session:
        return list(session.scalars(select(OutboxEntry.state).order_by(OutboxEntry.id)))
