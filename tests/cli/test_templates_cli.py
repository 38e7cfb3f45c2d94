from __future__ import annotations

import json
from pathlib import Path

import pytest

from ozondesk.cli import main
from ozondesk.domain.packs import load_escalation_pack, load_starter_pack
from ozondesk.services.templates import READY_MINIMUM


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_demo_database_is_ready_and_exports_a_pack_that_imports_elsewhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    demo = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(demo), "--size", "5", "--format", "json"]) == 0
    capsys.readouterr()
    code, ready = run(capsys, "--db", str(demo), "templates", "ready")
    starter = load_starter_pack().templates
    chat_ru = sum(t.channel == "chat" and t.language == "ru" for t in starter)
    assert code == 0 and ready == {"ok": True, "approved_chat_ru": chat_ru, "required": READY_MINIMUM}
    pack = tmp_path / "pack.json"
    code, exported = run(capsys, "--db", str(demo), "templates", "export", str(pack))
    # The demo's live templates: the starter replies and the two escalation e-mails.
    escalation = load_escalation_pack().templates
    assert code == 0 and exported["exported"] == len(starter) + len(escalation) and pack.exists()
    # Importing into the same desk: every id is taken, so nothing is written and exit is 2.
    assert main(["--db", str(demo), "templates", "import", str(pack), "--as", "zhao.ting"]) == 2
    assert "already exists" in capsys.readouterr().err
    code, listing = run(capsys, "--db", str(demo), "templates", "list")
    assert code == 0 and all(t["live_revision"] == 1 and t["pending"] is None for t in listing["templates"])


def test_import_into_a_new_desk_goes_to_review(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    demo, fresh = tmp_path / "demo.sqlite", tmp_path / "fresh.sqlite"
    main(["demo", "--db", str(demo), "--size", "3"])
    pack = tmp_path / "pack.json"
    main(["--db", str(demo), "templates", "export", str(pack)])
    main(["demo", "--db", str(fresh), "--size", "1"])  # agents exist; starter templates too
    capsys.readouterr()
    data = json.loads(pack.read_text(encoding="utf-8"))
    for n, template in enumerate(data["templates"]):
        template["id"] = f"copy-{n}"
        template["body"] += " Спасибо, что выбрали наш магазин."
    pack.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _code, before = run(capsys, "--db", str(fresh), "templates", "ready")
    code, result = run(capsys, "--db", str(fresh), "templates", "import", str(pack), "--as", "zhao.ting")
    assert code == 0 and result["status"] == "submitted" and result["imported"] == len(data["templates"])
    _code, after = run(capsys, "--db", str(fresh), "templates", "ready")
    assert after["approved_chat_ru"] == before["approved_chat_ru"]  # not live before a lead approves
    _code, listing = run(capsys, "--db", str(fresh), "templates", "list")
    pending = [t for t in listing["templates"] if t["id"].startswith("copy-")]
    assert len(pending) == result["imported"] and {t["pending"] for t in pending} == {"submitted"}


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["templates", "import"], "needs a FILE"),
        (["templates", "frobnicate"], "invalid choice"),
    ],
)
def test_bad_template_commands(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(argv) == 2
    assert needle in capsys.readouterr().err


def test_import_needs_a_known_agent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    demo = tmp_path / "demo.sqlite"
    main(["demo", "--db", str(demo), "--size", "2"])
    pack = tmp_path / "pack.json"
    main(["--db", str(demo), "templates", "export", str(pack)])
    capsys.readouterr()
    assert main(["--db", str(demo), "templates", "import", str(pack)]) == 2
    assert "--as LOGIN" in capsys.readouterr().err
    assert main(["--db", str(demo), "templates", "import", str(pack), "--as", "nobody"]) == 2
    assert "no agent" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["--db", str(demo), "templates", "import", str(broken), "--as", "zhao.ting"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("what", ["templates", "drill"])
def test_an_export_on_a_full_disk_leaves_no_file_behind(
    what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    demo = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(demo), "--size", "1"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    real_write = Path.write_text

    def disk_fills_up(self: Path, data: str, *args: object, **kwargs: object) -> int:
        if self.parent != out:
            return real_write(self, data, *args, **kwargs)  # type: ignore[arg-type]
        real_write(self, data[: len(data) // 2], *args, **kwargs)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_fills_up)
    capsys.readouterr()
    target = out / "export.json"
    argv = ["--db", str(demo), what, "export", str(target)]
    code = main(argv + (["--as", "sun.qiang"] if what == "drill" else []))
    err = capsys.readouterr().err
    assert code == 2 and err == f"cannot write {target}: No space left on device\n"
    assert list(out.iterdir()) == []
