"""`ozondesk team` and `ozondesk shop` as an administrator's script runs them: JSON contracts,
one-line refusals with exit 2 that change nothing, keys only in the keyring, and `sync` working
with the stored key. Most run ``main()`` in this process; one story runs the real entry point
with a keyring backend chosen by PYTHON_KEYRING_BACKEND, as a script on a real machine would."""

from __future__ import annotations

import getpass
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from support import MemoryKeyring

import ozondesk
from ozondesk.cli import main
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.credentials import KEYRING_SERVICE

ROOT = Path(ozondesk.__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parents[1]
KEY = "7d3f0c2a-91be-4c55-8e0d-5a1b2c3d4e5f"


class Desk:
    """``ozondesk`` on one database with an in-memory keyring, in this process."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch, backend: MemoryKeyring) -> None:
        self.db = tmp_path / "desk.sqlite"
        self.capsys, self.monkeypatch, self.backend = capsys, monkeypatch, backend
        monkeypatch.setenv("OZONDESK_DB", str(self.db))

    def run(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *argv: str, stdin: str = "") -> dict:
        code, out, err = self.run(*argv, "--format", "json", stdin=stdin)
        assert code == 0 and err == "", err
        return json.loads(out)

    def refused(self, *argv: str, stdin: str = "") -> str:
        code, out, err = self.run(*argv, stdin=stdin)
        assert code == 2 and out == "", (out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        return lines[0]

    def keys(self) -> dict[str, str]:
        return {f"{service}/{user}": key for (service, user), key in self.backend.entries.items()}

    def database_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.db.parent.glob(self.db.name + "*"))


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield Desk(tmp_path, capsys, monkeypatch, backend)
    keyring.set_keyring(previous)


def test_reading_commands_never_create_a_database(desk: Desk) -> None:
    assert desk.refused("team", "list", "--format", "json") == (
        f"no database at {desk.db}; create one with "
        "`ozondesk team add LOGIN --name NAME --role lead` or by starting OzonDesk on it"
    )
    assert desk.refused("shop", "list") == (
        f"no database at {desk.db}; create one with `ozondesk shop add NAME --client-id ID` "
        "or by starting OzonDesk on it"
    )
    assert "no database at" in desk.refused("team", "deactivate", "wang")
    assert "no database at" in desk.refused("shop", "remove", "Yuexin")
    assert not desk.db.exists()


def test_an_administrator_builds_and_changes_the_team(desk: Desk) -> None:
    assert desk.json("team", "add", "zhao.ting", "--name", "赵婷", "--role", "lead") == {
        "person": {"login": "zhao.ting", "name": "赵婷", "role": "lead", "active": True}
    }
    desk.json("team", "add", "wang.fang", "--name", "王芳", "--role", "agent")
    desk.json("team", "add", "sun.qiang", "--name", "孙强", "--role", "trainer")
    assert desk.json("team", "set-role", "wang.fang", "lead")["person"]["role"] == "lead"
    assert desk.json("team", "rename", "wang.fang", "--name", "王芳 Fang")["person"]["name"] == "王芳 Fang"
    assert desk.json("team", "deactivate", "sun.qiang")["person"]["active"] is False
    assert desk.json("team", "list") == {"people": [
        {"login": "zhao.ting", "name": "赵婷", "role": "lead", "active": True},
        {"login": "wang.fang", "name": "王芳 Fang", "role": "lead", "active": True},
        {"login": "sun.qiang", "name": "孙强", "role": "trainer", "active": False},
    ]}
    assert desk.json("team", "reactivate", "sun.qiang")["person"]["active"] is True
    code, out, _err = desk.run("team", "list")
    assert code == 0
    assert out.splitlines() == [
        "login      name       role     state",
        "---------  ---------  -------  ------",
        "zhao.ting  赵婷       lead     active",
        "wang.fang  王芳 Fang  lead     active",
        "sun.qiang  孙强       trainer  active",
    ]


def test_bad_team_input_is_one_line_and_changes_nothing(desk: Desk) -> None:
    assert desk.refused("team", "add", "Zhao", "--name", "赵婷", "--role", "lead") == (
        "login 'Zhao': use 1 to 64 lowercase letters, digits, dots, dashes or underscores"
    )
    assert not desk.db.exists()  # refused before any database was made
    desk.json("team", "add", "zhao", "--name", "赵婷", "--role", "lead")
    before = desk.json("team", "list")
    refusals = [
        (("team", "add", "zhao", "--name", "Other", "--role", "agent"), "login 'zhao' is taken by 赵婷"),
        (("team", "add", "wang", "--name", " ", "--role", "agent"),
         "the name is empty: give the person's display name"),
        (("team", "add", "wang", "--name", "王芳", "--role", "boss"), "invalid choice: 'boss'"),
        (("team", "set-role", "zhao", "agent"),
         "赵婷 is the team's only active lead: make someone else a lead first"),
        (("team", "deactivate", "zhao"), "赵婷 is the team's only active lead"),
        (("team", "set-role", "ghost", "lead"), "nobody in the team has the login 'ghost'"),
        (("team", "rename", "ghost", "--name", "G"), "nobody in the team has the login 'ghost'"),
        (("team", "add", "wang", "--name", "王芳"), "the following arguments are required: --role"),
        (("team",), "the following arguments are required: ACTION"),
    ]
    for argv, message in refusals:
        assert message in desk.refused(*argv), argv
    assert desk.json("team", "list") == before


def test_a_shops_key_goes_from_standard_input_to_the_keyring_only(desk: Desk) -> None:
    added = desk.json("shop", "add", "Yuexin", "--client-id", "123456", "--key-stdin", stdin=KEY + "\n")
    assert added == {"name": "Yuexin", "client_id": "123456", "key_replaced": False}
    assert desk.keys() == {f"{KEYRING_SERVICE}/123456": KEY}
    blob = desk.database_bytes()
    assert b"123456" in blob and KEY.encode() not in blob
    desk.json("shop", "add", "Second", "--client-id", "777", "--key-stdin", stdin="second-key-01\n")
    _code, out, err = desk.run("shop", "list", "--format", "json")
    assert json.loads(out) == {"shops": [
        {"name": "Second", "client_id": "777"},
        {"name": "Yuexin", "client_id": "123456"},
    ]}
    assert KEY not in out + err
    _code, out, _err = desk.run("shop", "list")
    assert out.splitlines()[2:] == ["Second  777", "Yuexin  123456"]
    # A new key from the seller cabinet replaces the old one.
    replaced = desk.json("shop", "add", "Yuexin", "--client-id", "123456", "--key-stdin", stdin="new-key-02\n")
    assert replaced["key_replaced"] is True
    assert desk.keys()[f"{KEYRING_SERVICE}/123456"] == "new-key-02"
    assert desk.json("shop", "remove", "Second") == {"name": "Second", "removed": True}
    assert desk.keys() == {f"{KEYRING_SERVICE}/123456": "new-key-02"}
    assert desk.json("shop", "list") == {"shops": [{"name": "Yuexin", "client_id": "123456"}]}


def test_bad_shop_input_is_one_line_and_stores_nothing(desk: Desk) -> None:
    assert desk.refused("shop", "add", "Yuexin", "--client-id", "123456") == (
        "no terminal to type the API key in: pipe it in with --key-stdin"
    )
    assert desk.refused("shop", "add", "Yuexin", "--client-id", "123456", "--key-stdin", stdin="\n") == (
        "the API key is empty: paste it from the seller cabinet"
    )
    assert desk.refused("shop", "add", "Yuexin", "--client-id", "abc", "--key-stdin", stdin=KEY) == (
        "the Client-Id is a positive number, as shown in the seller cabinet"
    )
    assert not desk.db.exists() and desk.keys() == {}
    desk.json("shop", "add", "Yuexin", "--client-id", "123456", "--key-stdin", stdin=KEY)
    assert desk.refused("shop", "add", "Yuexin", "--client-id", "999", "--key-stdin", stdin="k-000001") == (
        "shop 'Yuexin' has Client-Id 123456: change it in Settings, or remove the shop first"
    )
    assert desk.refused("shop", "add", "Other", "--client-id", "123456", "--key-stdin", stdin="k-000001") == (
        "Client-Id 123456 belongs to shop 'Yuexin' already"
    )
    assert desk.refused("shop", "remove", "Nope") == "no shop named 'Nope' is configured"
    assert "no credentials for shop 'Nope'" in desk.refused("sync", "--shop", "Nope")
    assert "unrecognized arguments" in desk.refused(
        "shop", "add", "Yuexin", "--client-id", "123456", "--api-key", KEY
    )
    assert desk.keys() == {f"{KEYRING_SERVICE}/123456": KEY}
    assert desk.json("shop", "list") == {"shops": [{"name": "Yuexin", "client_id": "123456"}]}


def test_on_a_terminal_the_key_is_asked_for_without_echo(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[str] = []

    def no_echo(prompt: str = "") -> str:
        asked.append(prompt)
        return KEY

    monkeypatch.setattr(getpass, "getpass", no_echo)
    monkeypatch.setattr(sys, "stdin", Terminal(""))
    assert main(["shop", "add", "Yuexin", "--client-id", "123456", "--format", "json"]) == 0
    out = desk.capsys.readouterr().out
    assert asked == ["API key of Yuexin: "] and KEY not in out
    assert desk.keys() == {f"{KEYRING_SERVICE}/123456": KEY}


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=5, messages=3, lifetime=120) as server:
        yield server


def test_a_new_installation_from_a_script_through_the_real_entry_point(
    tmp_path: Path, fake: FakeOzon
) -> None:
    database, secrets = tmp_path / "desk.sqlite", tmp_path / "keyring.json"
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)]),
        "PYTHON_KEYRING_BACKEND": "keyring_file.JsonFileKeyring",
        "OZONDESK_TEST_KEYRING": str(secrets),
        "OZONDESK_DB": str(database),
        "OZONDESK_LANG": "en",
    })

    def ozondesk(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ozondesk.cli", *argv], input=stdin,
                              capture_output=True, text=True, env=env, timeout=120)

    listed = ozondesk("team", "list", "--format", "json")
    assert listed.returncode == 2 and listed.stderr.startswith(f"no database at {database}; create one with")
    assert not database.exists()
    added = ozondesk("team", "add", "zhao", "--name", "赵婷", "--role", "lead", "--format", "json")
    assert added.returncode == 0, added.stderr
    shop = ozondesk("shop", "add", "Yuexin", "--client-id", fake.client_id, "--key-stdin",
                    "--format", "json", stdin=fake.api_key + "\n")
    assert shop.returncode == 0, shop.stderr
    assert json.loads(secrets.read_text()) == {f"{KEYRING_SERVICE}/{fake.client_id}": fake.api_key}
    synced = ozondesk("sync", "--shop", "Yuexin", "--base-url", fake.url)
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["errors"] == [] and report["created"]["chats"] == 5
    team = ozondesk("team", "list", "--format", "json")
    assert json.loads(team.stdout) == {
        "people": [{"login": "zhao", "name": "赵婷", "role": "lead", "active": True}]
    }
    everything = "".join(p.stdout + p.stderr for p in (added, shop, synced, team))
    assert fake.api_key not in everything
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("desk.sqlite*"))
    assert fake.api_key.encode() not in blob
