"""`ozondesk lint` through the real entry point: output contract, exit codes, packs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from ozondesk.cli import main
from ozondesk.domain.packs import load_pack, starter_pack_path

FIELDS = ["rule", "category", "severity", "start", "end", "text", "message", "suggestion"]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(["lint", "--format", "json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out)


def reply(tmp_path: Path, text: str) -> str:
    path = tmp_path / "reply.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_reply_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = reply(tmp_path, "Отправим замену до 18:00 МСК сегодня.")
    code, data = run_json(capsys, path, "--now", "2025-11-24T10:00:00+03:00")
    assert (code, data) == (0, {"ok": True, "findings": []})


def test_now_defaults_to_the_current_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A promise dated in 2020 is in the past whenever this runs: without --now the check
    # still runs, against the clock.
    text = "Вернём деньги до 18:00 МСК 1 декабря 2020 года."
    stdin = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    code, data = run_json(capsys, "-")
    assert code == 1
    [f] = data["findings"]
    assert (f["rule"], f["text"]) == ("promise-check.past", "18:00 МСК 1 декабря 2020 года")


def test_findings_contract_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Мы постараемся ответить в ближайшее время."
    code, data = run_json(capsys, reply(tmp_path, text))
    assert code == 1 and data["ok"] is False
    assert list(data) == ["ok", "findings"]
    for f in data["findings"]:
        assert list(f) == FIELDS
        assert text[f["start"] : f["end"]] == f["text"]
    assert {f["category"] for f in data["findings"]} == {
        "vague-promise",
        "vague-time",
        "missing-deadline",
    }


def test_info_findings_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, reply(tmp_path, "Ответим до 18:00."))
    assert code == 0 and data["ok"] is True
    assert [f["severity"] for f in data["findings"]] == ["info"]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("Дарим скидку 20% на всё!".encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    code, data = run_json(capsys, "-")
    assert code == 1 and data["findings"][0]["category"] == "promotional"


def test_now_and_deadline_feed_the_promise_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = reply(tmp_path, "Ответим завтра до 12:00 МСК.")
    code, data = run_json(
        capsys, path, "--now", "2025-11-24T10:00:00+03:00", "--deadline", "2025-11-24T18:00"
    )
    assert code == 1
    [f] = data["findings"]
    assert (f["rule"], f["suggestion"]) == ("promise-check.after-deadline", "до 18:00 МСК")
    code, data = run_json(
        capsys, path, "--now", "2025-11-21T15:00:00+03:00", "--policy", "ozon-ticket"
    )
    assert [f["rule"] for f in data["findings"]] == ["promise-check.closed-day"]


def test_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", reply(tmp_path, "Напишите в WhatsApp 😊")]) == 1
    out = capsys.readouterr().out
    assert "off-platform.messenger" in out and "WhatsApp" in out and "severity" in out
    assert main(["lint", reply(tmp_path, "Заказ доставят 25 ноября.")]) == 0
    assert "no problems found" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["lint", "/nonexistent/reply.txt"], "does not exist"),
        (["lint", "--bogus"], "unrecognized arguments"),
        (["lint", "--now", "yesterday", "-"], "cannot read time"),
        (["lint", "--pack", "/nonexistent/pack.json"], "file not found"),
        (["lint", "x.txt", "--pack", "p.json"], "either FILE or --pack"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cp1251.txt"
    path.write_bytes("Скоро придёт".encode("cp1251"))
    assert main(["lint", str(path)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_extra_rule_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "team.json"
    rules.write_text(
        json.dumps({"version": "t1", "rules": [{"id": "vague-time.soon", "severity": "info"}]}),
        "utf-8",
    )
    code, data = run_json(capsys, reply(tmp_path, "Заказ скоро придёт."), "--rules", str(rules))
    assert code == 0 and data["findings"][0]["severity"] == "info"
    bad = tmp_path / "bad.json"
    bad.write_text("{}", "utf-8")
    assert main(["lint", "--rules", str(bad), reply(tmp_path, "x")]) == 2
    assert "invalid lint rules" in capsys.readouterr().err


def test_starter_pack_lints_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "--pack", str(starter_pack_path()))
    assert code == 0 and data["ok"] is True
    assert [t["id"] for t in data["templates"]] == [t.id for t in load_pack(starter_pack_path()).templates]
    assert all(list(t) == ["id", "ok", "findings"] and t["ok"] for t in data["templates"])


def test_pack_findings_point_into_the_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Здравствуйте, {buyer_name}! Ответим в ближайшее время."
    pack = {
        "schema_version": 1, "id": "p", "title": "P",
        "templates": [
            {"id": "good", "title": "G", "category": "other", "body": "Ответим до {deadline_msk}."},
            {"id": "vague", "title": "V", "category": "other", "body": body},
        ],
    }  # fmt: skip
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack, ensure_ascii=False), "utf-8")
    code, data = run_json(capsys, "--pack", str(path))
    assert code == 1 and data["ok"] is False
    good, vague = data["templates"]
    assert good == {"id": "good", "ok": True, "findings": []}
    assert vague["ok"] is False
    spans = {(f["category"], body[f["start"] : f["end"]]) for f in vague["findings"]}
    assert ("vague-time", "в ближайшее время") in spans
    assert all(body[f["start"] : f["end"]] == f["text"] for f in vague["findings"])


def test_invalid_pack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pack.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "id": "p",
                "title": "P",
                "templates": [{"id": "a", "title": "A", "category": "other", "body": "{foo}"}],
            }
        ),
        "utf-8",
    )
    assert main(["lint", "--pack", str(path)]) == 2
    assert "templates[0].body: unknown placeholder {foo}" in capsys.readouterr().err


def test_chinese_table_names_severities_and_its_columns_line_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """#17: double-width Chinese cells must not push the columns after them out of line."""
    import re

    import wcwidth

    monkeypatch.setenv("OZONDESK_LANG", "zh_CN")
    text = "Мы постараемся ответить в ближайшее время. Напишите в WhatsApp 😊"
    assert main(["lint", reply(tmp_path, text), "--now", "2025-11-24T10:00:00+03:00"]) == 1
    header, rule, *rows = capsys.readouterr().out.splitlines()
    # The dashes line is ASCII: its runs give each column's first terminal cell.
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    assert len(starts) == 6 and len(rows) == 4
    assert header.split()[:3] == ["级别", "规则", "位置"]
    assert sorted(row.split()[0] for row in rows) == ["警告", "警告", "警告", "错误"]  # never "warning"
    for line in [header, *rows]:
        cells: list[int] = []
        for i in range(1, len(line)):
            if line[i - 1] == " " and line[i] != " " and (i < 2 or line[i - 2] == " "):
                cells.append(wcwidth.wcswidth(line[:i]))
        # Every column after the first begins exactly where the dashes say (a cell's own
        # single spaces, as in "в ближайшее время", are not column starts).
        assert cells[: len(starts) - 1] == starts[1:], line


def test_table_widths_count_terminal_cells() -> None:
    from ozondesk.commands.output import display_width

    # Chinese and emoji take two cells, a combining accent none, a tab (control) one.
    assert [display_width(t) for t in ("错误", "😊", "е\u0301", "a\tb", "")] == [4, 2, 1, 3, 0]
