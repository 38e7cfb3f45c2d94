"""Shared fixtures: every test runs with English UI strings and its own user data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from ozondesk.i18n import set_language

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
settings.register_profile("ci", deadline=None, max_examples=200)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("OZONDESK_DB", raising=False)
    monkeypatch.setenv("OZONDESK_LANG", "en")
    set_language("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite"


@pytest.fixture
def db(db_path: Path) -> Iterator[object]:
    from ozondesk.store.db import open_database

    database = open_database(str(db_path))
    yield database
    database.dispose()
