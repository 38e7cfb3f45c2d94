"""bench/bench_pg_listings.py runs, so it cannot rot: at a tiny size on a throwaway PostgreSQL
it prints a row with both medians, a ratio and a verdict for every listing, with the app and
the bare queries listing the same conversations; bad input is one line and exit 2, and a
database that is not the bench's is left as it was. Not the timings: speed targets live in
bench/, not in tests that a loaded machine would make flaky."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgserver import PgServer
from sqlalchemy.engine import URL

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench" / "bench_pg_listings.py"
sys.path.insert(0, str(ROOT / "bench"))

import bench_pg_listings as bench  # noqa: E402

ROW = re.compile(r"^(?P<name>.+?)\s+(?P<rows>[\d,]+)\s+(?P<app>\d+\.\d)ms\s+(?P<bare>\d+\.\d)ms"
                 r"\s+(?P<ratio>\d+\.\d\d)x  (?P<verdict>ok \(<= 2x\)|over 2x|DIFFERENT ROWS)$")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True,
                          timeout=600, env=env, cwd=ROOT)


@pytest.fixture
def empty_database(pg_server: PgServer) -> Iterator[URL]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    url = pg_server.create_database(name)
    try:
        yield url
    finally:
        pg_server.drop_database(name)


def text_url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def test_every_listing_gets_a_row_with_its_ratio_and_the_same_rows_on_both_sides(empty_database: URL) -> None:
    done = run("--url", text_url(empty_database), "--conversations", "300", "--messages", "3000",
               "--repeat", "1")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == "filled 300 conversations / 3,000 messages in " + lines[0].split(" in ")[1]
    assert lines[1].startswith("PostgreSQL ") and "300 conversations / 3,000 messages, median of 1" in lines[1]
    rows = {m["name"]: m for m in map(ROW.match, lines) if m}
    assert list(rows) == [case.name for case in bench.cases()]
    for name, row in rows.items():
        assert row["verdict"] != "DIFFERENT ROWS", name
        assert float(row["ratio"]) > 0, name
    # Sizes the data makes certain: every conversation is listed by "all statuses", and a
    # first screen holds at most 200.
    assert rows["all statuses, by due"]["rows"] == "300"
    assert rows["all, by assignee"]["rows"] == "300"
    assert all(int(rows[n]["rows"].replace(",", "")) <= 200 for n in rows if n.startswith("first screen"))
    assert lines[-1].startswith("after the run: load average ")

    # The same database again: reused as it is, not filled twice.
    again = run("--url", text_url(empty_database), "--conversations", "300", "--messages", "3000",
                "--repeat", "1", "--only", "mine")
    assert again.returncode == 0, again.stderr
    assert not again.stdout.startswith("filled")
    assert [m["name"] for m in map(ROW.match, again.stdout.splitlines()) if m] == ["mine"]


def test_a_database_of_another_size_or_not_the_benchs_is_refused_in_one_line_and_left_alone(
    empty_database: URL, pg_server: PgServer
) -> None:
    import psycopg

    with psycopg.connect(**bench.pg_conninfo(empty_database), autocommit=True) as conn:
        conn.execute("CREATE TABLE conversations (id integer)")
        conn.execute("CREATE TABLE shops (id integer, name text)")
        conn.execute("INSERT INTO conversations VALUES (7)")
    done = run("--url", text_url(empty_database), "--conversations", "50", "--messages", "100")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"bench_pg_listings.py: the database {empty_database.database} holds data this"
                           " bench did not make: give --url an empty database\n")
    with psycopg.connect(**bench.pg_conninfo(empty_database), autocommit=True) as conn:
        assert conn.execute("SELECT id FROM conversations").fetchall() == [(7,)]
        assert conn.execute("SELECT to_regclass('messages')").fetchone() == (None,)


@pytest.mark.parametrize(("args", "line"), [
    (["--conversations", "0"], "bench_pg_listings.py: --conversations and --messages must be at least 1 (see --help)"),
    (["--repeat", "0"], "bench_pg_listings.py: --repeat must be at least 1 (see --help)"),
    (["--messages", "many"], "bench_pg_listings.py: argument --messages: invalid int value: 'many' (see --help)"),
    (["--only", "everything"], "bench_pg_listings.py: no listing named 'everything'; the listings are: "
                               + ", ".join(sorted(c.name for c in bench.cases())) + " (see --help)"),
    (["--url", "/tmp/desk.sqlite"], "bench_pg_listings.py: --url must be a PostgreSQL URL, not '/tmp/desk.sqlite'"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], line: str) -> None:
    done = bench_main(args)
    assert done == (2, "", line + "\n")


def bench_main(args: list[str]) -> tuple[int, str, str]:
    done = run(*args)
    return done.returncode, done.stdout, done.stderr


def test_help_says_what_it_times_and_the_options() -> None:
    done = run("--help")
    assert done.returncode == 0
    for option in ("--conversations", "--messages", "--quick", "--repeat", "--url", "--only"):
        assert option in done.stdout
    assert "app <= 2x bare" in done.stdout
