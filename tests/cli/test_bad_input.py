"""Bad input found by the reliability review (issue 19): each gets exit 2, one line on stderr
saying what to fix, no traceback, and changes nothing on disk."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ozondesk(*args: str, stdin: str = "", env: dict[str, str] | None = None,
             cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "OZONDESK_LANG": "en", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ozondesk.cli", *args], input=stdin, capture_output=True,
        text=True, env=full, cwd=cwd, timeout=120,
    )


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bad-input")
    assert ozondesk("demo", "--db", str(base / "desk.sqlite"), "--size", "20").returncode == 0
    (base / "nested.json").write_text("[" * 100_000, encoding="utf-8")
    (base / "bigint.json").write_text('{"version": 1, "n": ' + "9" * 5000 + "}", encoding="utf-8")
    (base / "old.csv").write_text("timestamp,agent,status\n0001-01-01T00:00Z,a,online\n", encoding="utf-8")
    (base / "far.csv").write_text("timestamp,agent,status\n9999-12-31T00:00Z,a,online\n", encoding="utf-8")
    (base / "ok.csv").write_text("timestamp,agent,status\n2026-01-01T09:00Z,a,online\n", encoding="utf-8")
    (base / "a-file").write_text("not a folder", encoding="utf-8")
    import json

    (base / "huge-body.json").write_text(json.dumps({"id": "big", "version": "1", "templates": [
        {"id": "big-one", "title": "Big", "category": "returns", "body": "Ответим до 18:00 МСК. " * 9_000}]},
        ensure_ascii=False), encoding="utf-8")
    (base / "long-reply.txt").write_text("Ответим до 18:00 МСК. " * 6_000, encoding="utf-8")
    (base / "folder").mkdir()
    return base


CASES = [
    ("sla year 1", ["sla", "--policy", "ozon-ticket", "--received", "0001-01-01T00:00Z",
                    "--now", "2026-01-01T00:00Z"], "outside the years"),
    ("sla year 9999", ["sla", "--policy", "ozon-ticket", "--received", "9999-12-31T23:00Z"],
     "outside the years"),
    ("sla explain 9999", ["sla", "--policy", "chat-first-response", "--received",
                          "9999-12-31T22:55Z", "--explain"], "outside the years"),
    ("presence year 1", ["presence", "--log", "{w}/old.csv", "--now", "2026-01-01T00:00Z"],
     "outside the years"),
    ("presence year 9999", ["presence", "--log", "{w}/far.csv", "--now", "9999-12-31T10:00Z"],
     "outside the years"),
    ("presence allowance nan", ["presence", "--log", "{w}/ok.csv", "--allowance", "nan"],
     "presence allowance must be 0–1440 minutes"),
    ("presence allowance inf", ["presence", "--log", "{w}/ok.csv", "--allowance", "inf"],
     "presence allowance must be 0–1440 minutes"),
    ("lint --now 9999", ["lint", "-", "--now", "9999-12-31T23:59Z"], "outside the years"),
    ("lint --now year 1", ["lint", "-", "--now", "0001-01-01T00:00Z"], "outside the years"),
    ("report year 1", ["--db", "{w}/desk.sqlite", "report", "--from", "0001-01-01",
                       "--to", "0001-01-02"], "--from: '0001-01-01' is outside the years"),
    ("report year 9999", ["--db", "{w}/desk.sqlite", "report", "--from", "9999-12-30",
                          "--to", "9999-12-31"], "outside the years"),
    ("nested pack", ["--db", "{w}/desk.sqlite", "templates", "import", "{w}/nested.json",
                     "--as", "zhao.ting"], "nested too deeply"),
    ("nested drill set", ["--db", "{w}/desk.sqlite", "drill", "import", "{w}/nested.json",
                          "--as", "zhao.ting"], "nested too deeply"),
    ("nested lint pack", ["lint", "--pack", "{w}/nested.json"], "nested too deeply"),
    ("nested rule file", ["lint", "-", "--rules", "{w}/nested.json"], "nested too deeply"),
    ("5000-digit pack", ["--db", "{w}/desk.sqlite", "templates", "import", "{w}/bigint.json",
                         "--as", "zhao.ting"], "a number too long"),
    ("5000-digit drill set", ["--db", "{w}/desk.sqlite", "drill", "import", "{w}/bigint.json",
                              "--as", "zhao.ting"], "a number too long"),
    ("5000-digit rule file", ["lint", "-", "--rules", "{w}/bigint.json"], "a number too long"),
    ("export to a folder", ["--db", "{w}/desk.sqlite", "templates", "export", "{w}/folder"],
     "is a folder: give a file name"),
    ("export into a missing folder", ["--db", "{w}/desk.sqlite", "templates", "export",
                                      "{w}/missing/pack.json"], "does not exist: create it first"),
    ("drill export to a folder", ["--db", "{w}/desk.sqlite", "drill", "export", "{w}/folder",
                                  "--as", "sun.qiang"], "is a folder"),
    ("pack with a 198,000-character body", ["lint", "--pack", "{w}/huge-body.json"],
     "body: 198000 characters; a template holds at most 5000"),
    ("import of that pack", ["--db", "{w}/desk.sqlite", "templates", "import", "{w}/huge-body.json",
                             "--as", "zhao.ting"], "a template holds at most 5000"),
    ("lint of a 132,000-character file", ["lint", "{w}/long-reply.txt"],
     "is longer than 100,000 characters: lint one reply at a time"),
    ("malformed --db URL", ["--db", "http://[::1", "templates", "list"],
     "cannot read database URL"),
    ("malformed PostgreSQL URL", ["--db", "postgresql://[::1", "templates", "list"],
     "cannot read database URL"),
    ("demo under a file", ["demo", "--db", "{w}/a-file/sub.sqlite", "--size", "10"],
     "is a file, not a folder"),
    ("malformed --base-url", ["sync", "--db", "{w}/desk.sqlite", "--shop", "x", "--base-url",
                              "http://[::1"], "cannot use Seller API address"),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(workdir: Path, args: list[str], expected: str) -> None:
    before = snapshot(workdir)
    proc = ozondesk(*(a.format(w=workdir) for a in args), stdin="Ответим до 18:00 МСК\n",
                    env={"OZON_CLIENT_ID": "123", "OZON_API_KEY": "abc-123"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert proc.stdout == ""
    assert snapshot(workdir) == before


def test_a_non_ascii_api_key_is_refused_before_any_request(workdir: Path) -> None:
    proc = ozondesk("sync", "--db", str(workdir / "desk.sqlite"), "--shop", "x", "--base-url",
                    "http://127.0.0.1:9", env={"OZON_CLIENT_ID": "123", "OZON_API_KEY": "ключ"})
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "the API key holds characters an Ozon key never has: copy it again from the seller cabinet"
    )


def test_an_unexpected_error_is_a_bug_with_a_log_entry(tmp_path: Path) -> None:
    """A failure nobody foresaw: exit 70, one line naming the log, the traceback in the log."""
    logs = tmp_path / "logs"
    # `sla --policy` with a policy name that crashes would be a real bug; simulate one by
    # making the command module itself raise, through a sitecustomize on the path.
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import ozondesk.commands.sla as m\n"
        "def run(args):\n"
        "    raise ZeroDivisionError('secret +7 912 345-67-89')\n"
        "m.run = run\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "ozondesk.cli", "sla", "--policy", "ozon-ticket", "--received",
         "2026-01-01T10:00Z"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}", "OZONDESK_LANG": "en",
             "OZONDESK_LOG_DIR": str(logs)},
    )
    assert proc.returncode == 70
    line = proc.stderr.strip().splitlines()
    assert len(line) == 1, proc.stderr
    assert line[0] == (
        f"OzonDesk hit a problem it does not know (ZeroDivisionError); the details are in "
        f"{logs / 'ozondesk.log'}"
    )
    text = (logs / "ozondesk.log").read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text
    assert "912 345" not in text and "<phone>" in text


def test_a_reply_too_long_on_standard_input_is_refused(workdir: Path) -> None:
    proc = ozondesk("lint", "-", stdin="Ответим до 18:00 МСК. " * 6_000)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "standard input is longer than 100,000 characters: lint one reply at a time"
    )
