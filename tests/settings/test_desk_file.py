"""This desk's INI file: typed values, per-database sections, atomic writes, damage tolerated."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ozondesk.settings import options
from ozondesk.settings.desk import (
    FILE_NAME,
    DeskSettings,
    SettingsWriteError,
    config_dir,
    config_path,
    database_key,
)

DEMO = "sqlite+pysqlite:////data/demo.sqlite"
REAL = "postgresql+psycopg://desk@db.example:5432/ozondesk"


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "ozondesk.settings" and r.levelno == logging.WARNING]


def test_the_file_lives_in_the_config_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    assert config_path() == tmp_path / "cfg" / FILE_NAME
    monkeypatch.delenv("OZONDESK_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and not hasattr(os, "startfile"):
        assert config_dir() == tmp_path / "xdg" / "OzonDesk"


def test_a_database_is_named_by_its_url_without_the_password() -> None:
    url = make_url("postgresql+psycopg://desk:s3cret@db.example:5432/ozondesk")
    assert database_key(url) == REAL
    assert "s3cret" not in database_key(url)


def test_defaults_until_set_then_the_value_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "desk.ini"
    desk = DeskSettings(path)
    assert desk.get(options.LANGUAGE) == "system"
    assert desk.get(options.AUTO_AWAY_MINUTES) == 10
    assert desk.get(options.COLUMN_ORDER) == ()
    assert not path.exists()  # reading never writes

    desk.set(options.LANGUAGE, "zh_CN")
    desk.update({options.COLUMN_ORDER: (90, 150, 260), options.WINDOW_MAXIMIZED: True})
    again = DeskSettings(path)
    assert again.get(options.LANGUAGE) == "zh_CN"
    assert again.get(options.COLUMN_ORDER) == (90, 150, 260)
    assert again.get(options.WINDOW_MAXIMIZED) is True
    text = path.read_text(encoding="utf-8")
    assert "[desk]\ninterface.language = zh_CN\n" in text
    assert "inbox.column_order = 90,150,260" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.ini"]  # no temporary file left

    again.reset(options.LANGUAGE)
    assert DeskSettings(path).get(options.LANGUAGE) == "system"


def test_each_database_has_its_own_agent(tmp_path: Path) -> None:
    path = tmp_path / "desk.ini"
    DeskSettings(path, DEMO).set(options.DESK_AGENT, "li.wei")
    DeskSettings(path, REAL).set(options.DESK_AGENT, "wang.fang")
    assert DeskSettings(path, DEMO).get(options.DESK_AGENT) == "li.wei"
    assert DeskSettings(path, REAL).get(options.DESK_AGENT) == "wang.fang"
    assert f"[database {REAL}]\ndesk.agent = wang.fang\n" in path.read_text(encoding="utf-8")
    # Without a database a per-database option has only its default, and cannot be set.
    assert DeskSettings(path).get(options.DESK_AGENT) == ""
    with pytest.raises(ValueError, match="kept per database"):
        DeskSettings(path).set(options.DESK_AGENT, "li.wei")


def test_a_team_option_is_not_kept_on_the_desk(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="team option"):
        DeskSettings(tmp_path / "desk.ini").get(options.POLL_INTERVAL)


def test_an_invalid_value_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "desk.ini"
    desk = DeskSettings(path)
    desk.set(options.AUTO_AWAY_MINUTES, 5)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="presence.auto_away_minutes: 0 is below 1"):
        desk.set(options.AUTO_AWAY_MINUTES, 0)
    with pytest.raises(ValueError, match="not one of"):
        desk.update({options.AUTO_AWAY_MINUTES: 7, options.LANGUAGE: "de"})
    assert path.read_bytes() == before and desk.get(options.AUTO_AWAY_MINUTES) == 5


def test_a_bad_stored_value_reads_as_the_default_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "desk.ini"
    path.write_text("[general]\nversion = 1\n[desk]\npresence.auto_away_minutes = 0\n"
                    "interface.language = ru\nwindow.geometry = 1,2,3\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="ozondesk.settings"):
        for _ in range(3):
            desk = DeskSettings(path)
            assert desk.get(options.AUTO_AWAY_MINUTES) == 10
            assert desk.get(options.WINDOW_GEOMETRY) == ()
            assert desk.get(options.LANGUAGE) == "ru"  # the good ones still count
    assert warnings_of(caplog) == [
        f"desk settings {path}: [desk] presence.auto_away_minutes ignored "
        "(presence.auto_away_minutes: 0 is below 1); using the default 10",
        f"desk settings {path}: [desk] window.geometry ignored "
        "(window.geometry: expected 4 numbers, got 3); using the default ()",
    ]


def test_a_damaged_file_reads_as_defaults_and_stays_until_the_next_save(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "desk.ini"
    damaged = b"interface.language = ru\n[desk\n\xff\xfe"
    path.write_bytes(damaged)
    with caplog.at_level(logging.WARNING, logger="ozondesk.settings"):
        for _ in range(3):
            desk = DeskSettings(path)
            assert desk.get(options.LANGUAGE) == "system"
            assert desk.problem is not None
    assert path.read_bytes() == damaged
    [warning] = warnings_of(caplog)
    assert warning.startswith(f"desk settings {path} cannot be read (")
    assert warning.endswith(f"using the defaults; the file stays as it is until a setting is "
                            f"changed, which keeps a copy of it as {path}.broken")

    desk.set(options.LANGUAGE, "en")
    assert DeskSettings(path).get(options.LANGUAGE) == "en"
    assert DeskSettings(path).problem is None
    assert (tmp_path / "desk.ini.broken").read_bytes() == damaged


def test_keys_of_a_newer_version_survive_a_save(tmp_path: Path) -> None:
    path = tmp_path / "desk.ini"
    path.write_text("[general]\nversion = 7\n[desk]\nfuture.thing = 50%\n[elsewhere]\nx = 1\n",
                    encoding="utf-8")
    desk = DeskSettings(path)
    desk.set(options.LANGUAGE, "ru")
    text = path.read_text(encoding="utf-8")
    assert "future.thing = 50%" in text and "[elsewhere]\nx = 1" in text and "version = 7" in text
    assert desk.version() == 7


def test_a_failed_write_says_where_and_keeps_the_old_value(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    desk = DeskSettings(blocker / "desk.ini")
    with pytest.raises(SettingsWriteError) as caught:
        desk.set(options.LANGUAGE, "ru")
    assert caught.value.message.startswith(f"Cannot save this desk's settings to {blocker / 'desk.ini'}: ")
    assert desk.get(options.LANGUAGE) == "system"


def test_writers_in_one_process_never_undo_each_other(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "desk.ini"

    def write(option: object, values: list[object]) -> None:
        for value in values:
            DeskSettings(path).set(option, value)  # type: ignore[arg-type]

    threads = [
        threading.Thread(target=write, args=(options.AUTO_AWAY_MINUTES, list(range(1, 41)))),
        threading.Thread(target=write, args=(options.COLUMN_ORDER, [(n, n) for n in range(1, 41)])),
        threading.Thread(target=write, args=(options.LANGUAGE, ["ru", "en"] * 20)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = DeskSettings(path)
    assert final.get(options.AUTO_AWAY_MINUTES) == 40
    assert final.get(options.COLUMN_ORDER) == (40, 40)
    assert final.get(options.LANGUAGE) == "en"
