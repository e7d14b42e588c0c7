"""A real PostgreSQL for the tests that run the state store on it.

One server per test session (per xdist worker), started by the tests themselves: the PyPI
package `pgserver` (PostgreSQL binaries in a wheel, installed by the `test` extra), else
initdb/pg_ctl found on PATH (not as root: PostgreSQL refuses to run as root). Each test gets a
fresh database of its own and its postgresql:// URL. No server to be had: the tests skip saying
why, except under CI=true, where they fail (CI installs what they need).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import psycopg2
except ImportError:  # the `postgresql` extra is not installed
    psycopg2 = None

try:
    import pgserver
except ImportError:  # the `test` extra's pgserver is missing (or no wheel for this platform)
    pgserver = None


def _unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {why}")
    pytest.skip(f"no PostgreSQL for the tests: {why}")


class Server:
    """Where the session's server listens: a Unix socket folder; the superuser `postgres`."""

    def __init__(self, socket_dir: str) -> None:
        self.socket_dir = socket_dir

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.socket_dir}"

    def admin(self) -> object:
        assert psycopg2 is not None
        conn = psycopg2.connect(dbname="postgres", user="postgres", host=self.socket_dir)
        conn.autocommit = True
        return conn


def _start_from_path(root: Path) -> Server:
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    subprocess.run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--locale=C"], check=True, capture_output=True)
    subprocess.run(["pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                    f"-k {sock} -c listen_addresses=''", "start"], check=True,
                   capture_output=True)
    found = Server(str(sock))
    _throwaway(found)
    return found


def _throwaway(server: Server) -> None:
    """A test server's data is thrown away: no fsync, no waiting for the WAL flush at commit
    (the code under test behaves the same; only a crash of the test server could lose data)."""
    admin = server.admin()
    cur = admin.cursor()
    for setting in ("fsync", "synchronous_commit", "full_page_writes"):
        cur.execute(f"ALTER SYSTEM SET {setting} = off")
    cur.execute("SELECT pg_reload_conf()")
    admin.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    if psycopg2 is None:
        _unavailable("psycopg2 is not installed (pip install -e '.[postgresql]')")
    # Not under pytest's basetemp: another pytest run on the machine prunes old numbered
    # basetemps, which would delete the running server's files. A short path, too: a Unix
    # socket's path must stay under ~100 characters.
    root = Path(tempfile.mkdtemp(prefix="ml-pg-"))
    try:
        yield from _serve(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _serve(root: Path) -> Iterator[Server]:
    if pgserver is not None:
        try:
            server = pgserver.get_server(str(root / "data"), cleanup_mode="delete")
        except Exception as exc:  # noqa: BLE001 - said in the skip / failure
            _unavailable(f"pgserver could not start PostgreSQL: {type(exc).__name__}: {exc}")
        host = dict(p.split("=", 1) for p in server.get_uri().split("?", 1)[1].split("&"))["host"]
        found = Server(host)
        _throwaway(found)
        yield found
        server.cleanup()
        return
    if shutil.which("initdb") and shutil.which("pg_ctl") and os.geteuid() != 0:
        try:
            found = _start_from_path(root)
        except (OSError, subprocess.CalledProcessError) as exc:
            _unavailable(f"initdb/pg_ctl on PATH failed: {exc}")
        yield found
        subprocess.run(["pg_ctl", "-D", str(root / "data"), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        return
    _unavailable("neither the pgserver package nor initdb/pg_ctl (as a non-root user) found")


@pytest.fixture
def pg_url(pg_server: Server) -> Iterator[str]:
    """A fresh, empty database on the session's server: its postgresql:// URL."""
    from core.store.db import close_db

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = pg_server.admin()
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.url(name)
    finally:
        close_db()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def state_db(pg_url: str) -> Iterator[object]:
    """The store's own tests, re-run here, get a migrated PostgreSQL database, not a file."""
    from core.store.db import init_db

    yield init_db(pg_url)
