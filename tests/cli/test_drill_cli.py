"""`ozondesk drill export|import|list` on demo databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ozondesk.cli import main
from ozondesk.domain.drills import load_set, load_starter_set


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--size", "1"]) == 0
    capsys.readouterr()
    return path


def test_export_then_import_into_another_desk_round_trips(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "set.json"
    code, result = run(capsys, "--db", str(demo), "drill", "export", str(exported), "--as", "sun.qiang")
    assert code == 0 and result == {"set": "starter-ru", "exported": 9, "file": str(exported)}
    assert load_set(exported) == load_starter_set()

    data = json.loads(exported.read_text(encoding="utf-8"))
    data["id"] = "team-set"
    data["drills"] = data["drills"][:2]
    edited = tmp_path / "team.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, result = run(capsys, "--db", str(demo), "drill", "import", str(edited), "--as", "sun.qiang")
    assert code == 0 and result == {"set": "team-set", "added": 2, "updated": 0, "archived": 0}

    again = tmp_path / "again.json"
    code, _ = run(capsys, "--db", str(demo), "drill", "export", str(again), "--set", "team-set",
                  "--as", "sun.qiang")
    assert code == 0 and json.loads(again.read_text(encoding="utf-8")) == data | {"language": "ru"}

    code, listing = run(capsys, "--db", str(demo), "drill", "list")
    assert code == 0 and len(listing["drills"]) == 11
    assert {"set": "team-set", "id": data["drills"][0]["id"]}.items() <= listing["drills"][-2].items()


def test_a_malformed_file_changes_nothing_and_says_where(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    data = json.loads(load_starter_set_text())
    data["id"] = "other"
    data["drills"][2]["facts"][0]["terms"] = []
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["--db", str(demo), "drill", "import", str(bad), "--as", "sun.qiang"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "drills[2].facts[0].terms" in err and "Traceback" not in err
    _, listing = run(capsys, "--db", str(demo), "drill", "list")
    assert {d["set"] for d in listing["drills"]} == {"starter-ru"}


def load_starter_set_text() -> str:
    from ozondesk.domain.drills import starter_set_path

    return starter_set_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["drill", "import"], "needs a FILE"),
        (["drill", "export", "x.json"], "needs --as LOGIN"),
        (["drill", "export", "x.json", "--as", "nobody"], "no active agent with login 'nobody'"),
        (["drill", "import", "missing.json", "--as", "sun.qiang"], "file not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    demo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["--db", str(demo), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_an_agent_may_not_export_or_import(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ozondesk.services.demo_data import AGENTS

    agent = next(login for login, _name, role in AGENTS if role == "agent")
    out = tmp_path / "x.json"
    assert main(["--db", str(demo), "drill", "export", str(out), "--as", agent]) == 2
    assert "only a trainer or a team lead" in capsys.readouterr().err and not out.exists()
