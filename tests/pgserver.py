"""A throwaway PostgreSQL cluster for tests and benches: initdb in a temporary folder, a server
on a free loopback port, password authentication (scram), removed again at the end.

Debian keeps the server binaries in /usr/lib/postgresql/<version>/bin, off PATH; initdb
refuses to run as root, so as root the cluster belongs to the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import URL

if TYPE_CHECKING:
    import psycopg

SUPERUSER = "ozondesk_test"


def find_bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl") + glob.glob("/usr/local/pgsql/bin/pg_ctl"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts[-3].split(".")],
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bin_dir: Path
    root: Path
    port: int
    password: str = field(repr=False)
    user: str = SUPERUSER
    host: str = "127.0.0.1"
    _run_as: str | None = None

    def url(self, database: str = "postgres", *, with_password: bool = True) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password if with_password else None,
            host=self.host,
            port=self.port,
            database=database,
        )

    def admin(self) -> psycopg.Connection[Any]:
        import psycopg  # only when a test needs the server: conftest imports this module always

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            dbname="postgres", autocommit=True,
        )

    def create_database(self, name: str, template: str | None = None) -> URL:
        with self.admin() as conn:
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
              "-w", "stop"], self._run_as, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def _run(cmd: list[str], user: str | None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, user=user, check=check, capture_output=True, text=True,
                          cwd="/")


def start_server(bin_dir: Path | None = None) -> PgServer:
    """initdb and start a cluster; raises RuntimeError with the server's words if it cannot."""
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="ozondesk-pg-"))
    if os.geteuid() == 0:
        # The server package creates ``postgres``; any unprivileged account would do.
        run_as = next((name for name in ("postgres", "nobody") if _exists(name)), None)
        if run_as is None:
            raise RuntimeError("running as root without a postgres or nobody account for the server")
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    password = secrets.token_urlsafe(16)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n")
    if run_as:
        os.chown(pwfile, pwd.getpwnam(run_as).pw_uid, -1)
    try:
        done = _run([str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", SUPERUSER,
                     "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8",
                     "--no-sync"], run_as, check=False)
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        pwfile.unlink()
        port = _free_port()
        # Durability is not what the tests measure; these make a throwaway cluster fast.
        options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        done = _run([str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"),
                     "-o", options, "-w", "-t", "60", "start"], run_as, check=False)
        if done.returncode:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-2000:]}")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    _watch(os.getpid(), root)
    return PgServer(bin_dir, root, port, password, _run_as=run_as)


def _watch(parent: int, root: Path) -> None:
    """Stop the server if its test run dies without tearing down (killed, timed out): a
    detached shell waits for ``parent`` to end, then shuts the postmaster down and removes
    the folder. After a normal ``stop`` it finds nothing left to do."""
    script = (
        f"( while kill -0 {parent} 2>/dev/null; do sleep 2; done;"
        f' pid=$(head -n 1 "{root}/data/postmaster.pid" 2>/dev/null)'
        f' && kill -QUIT "$pid" 2>/dev/null; sleep 2; rm -rf "{root}" ) >/dev/null 2>&1 &'
    )
    subprocess.run(["sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
