"""Shared fixtures: every test runs with English UI strings and its own user data folder.

The ``db`` fixture of the store, service, Ozon sync and team tests runs on SQLite and, whenever the
PostgreSQL server binaries are installed, again on a throwaway PostgreSQL cluster (started
once per session, see tests/pgserver.py; each test gets its own database copied from a
migrated template). With ``CI=true`` missing binaries are an error, not a quiet SQLite-only run.
``OZONDESK_TEST_BACKENDS=sqlite`` limits a local run to SQLite.
"""

from __future__ import annotations

import inspect
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from log_leaks import _no_leaks_in_logs, install_watchers, pytest_runtest_call, typed  # noqa: F401
from pgserver import PgServer, find_bin_dir, start_server

from ozondesk.i18n import set_language

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
settings.register_profile("ci", deadline=None, max_examples=200)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(home / "config"))  # this desk's INI file
    monkeypatch.setenv("HOME", str(home))
    # Qt's runtime folder (the single-instance socket lives there): private, as a login
    # session's is; containers and CI runners often have none, and Qt warns then.
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("OZONDESK_DB", raising=False)
    monkeypatch.setenv("OZONDESK_LANG", "en")
    set_language("en")


@pytest.fixture(autouse=True)
def _no_modal_coverage_question(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Closing a desk between 09:00 and 23:00 MSK with nobody else online asks a modal question.

    Offscreen, nobody answers it and the run hangs, but only at those hours: every window
    a test closes leaves with "yes" unless the test sets ``panel.confirm`` itself (the tests of
    the question do). The texts asked are returned for a test that wants them."""
    asked: list[str] = []

    def leave(_parent: object, text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr("ozondesk.ui.presence_panel.default_confirm", leave)
    return asked


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite"


TESTS = Path(__file__).parent
# Folders whose ``db`` tests run on both backends (store and service code, Ozon sync, team).
BOTH_BACKENDS = ("store", "team", "ozon")
TEMPLATE_DB = "ozondesk_template"


def _pg_wanted() -> bool:
    return os.environ.get("OZONDESK_TEST_BACKENDS", "sqlite,postgresql") != "sqlite"


def _pg_available() -> bool:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return find_bin_dir() is not None


PG = _pg_wanted() and _pg_available()


def pytest_configure(config: pytest.Config) -> None:
    install_watchers()  # tests/log_leaks.py: what tests type and which secrets they use
    if os.environ.get("CI", "").lower() in ("1", "true") and not PG:
        raise pytest.UsageError(
            "CI=true but PostgreSQL cannot be tested: install the postgresql server package and "
            "psycopg, and leave OZONDESK_TEST_BACKENDS unset"
        )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    path = Path(metafunc.definition.path).relative_to(TESTS)
    # A test that asks for db_path itself reads the SQLite file behind ``db``.
    reads_file = "db_path" in inspect.signature(metafunc.function).parameters
    if PG and path.parts[0] in BOTH_BACKENDS and not reads_file:
        metafunc.parametrize("backend", ["sqlite", "postgresql"])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG:
        return
    # Tests that need a real server (concurrency, LISTEN/NOTIFY) cannot run without one.
    dropped = [item for item in items if "pg_server" in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
        config.stash[_DROPPED] = len(dropped)


_DROPPED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    dropped = terminalreporter.config.stash.get(_DROPPED, 0)
    if dropped:
        terminalreporter.write_line(
            f"{dropped} PostgreSQL-only tests not run: install the postgresql server package",
            yellow=True,
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    from ozondesk.store.db import open_database

    server = start_server()
    try:
        open_database(server.create_database(TEMPLATE_DB)).dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, db_path: Path) -> Iterator[object]:
    """Where this test's database lives: the SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield str(db_path)
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name, template=TEMPLATE_DB)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def db(db_url: object) -> Iterator[object]:
    from ozondesk.store.db import open_database

    database = open_database(db_url)  # type: ignore[arg-type]
    yield database
    database.dispose()
