"""The state database: SQLite through peewee, on the SQLite that apsw ships.

Why apsw: Python's own sqlite3 module uses the SQLite it was built with (3.40 on Debian 12),
which has the WAL-reset corruption bug (fixed in 3.51.3, backported to 3.44.6 and 3.50.7).
apsw bundles a current SQLite and peewee drives it through playhouse.apsw_ext.

No connection at import time: `database` is a placeholder until `init_db(path)`.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw
from peewee import BaseQuery
from playhouse.apsw_ext import APSWDatabase

from core.errors import StateError
from core.store.integrity import DAMAGE_OR_WRAPPED, damaged, is_damage, quick_check
from core.store.migrations import LATEST, migrate_to_latest, schema_version

# One place for every pragma. synchronous=FULL: a commit that said "about to post invoice X"
# must survive a power cut, or the read-before-post has nothing to read.
PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "full",
    "cache_size": -32_000,
    "temp_store": "memory",
}
BUSY_TIMEOUT_MS = 10_000


class _Database(APSWDatabase):
    """APSWDatabase whose every write transaction is BEGIN IMMEDIATE.

    A deferred transaction that reads then writes can fail with SQLITE_BUSY_SNAPSHOT at once,
    busy_timeout or not; IMMEDIATE takes the write lock up front and waits politely.
    """

    def atomic(self, lock_type: str | None = "IMMEDIATE") -> Any:
        return _OneWriter(super().atomic(lock_type=lock_type))

    def transaction(self, lock_type: str | None = "IMMEDIATE") -> Any:
        return _OneWriter(super().transaction(lock_type=lock_type))


# One writer at a time within this process, queued on a Python lock. SQLite's busy handler
# makes a connection that finds the write lock taken sleep and retry (1, 2, 5 ... up to 100 ms
# between tries), so with several posting threads each commit waited far longer than the commit
# took (issue 16: the posting threads spent more time in BEGIN IMMEDIATE than in CPU). A thread
# waiting here wakes the moment the writer before it commits. Re-entrant: a nested atomic is a
# savepoint of the same thread's transaction. Other processes (the console, a CLI command) still
# meet SQLite's own lock and busy_timeout.
_writer = threading.RLock()


class _OneWriter:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __enter__(self) -> Any:
        _writer.acquire()
        try:
            return self.inner.__enter__()
        except BaseException:
            _writer.release()
            raise

    def __exit__(self, *exc: Any) -> Any:
        try:
            return self.inner.__exit__(*exc)
        finally:
            _writer.release()

    def __getattr__(self, name: str) -> Any:  # commit(), rollback() of the transaction
        return getattr(self.inner, name)


database = _Database(None, timeout=BUSY_TIMEOUT_MS / 1000)
_init_lock = threading.Lock()


def sqlite_version_problem(version: str) -> str | None:
    """Return why this SQLite must not run in WAL mode, or None when it is safe."""
    parts = tuple(int(p) for p in version.split(".")[:3])
    while len(parts) < 3:
        parts = parts + (0,)
    if parts < (3, 7, 0) or parts >= (3, 51, 3):
        return None
    if (3, 44, 6) <= parts < (3, 45, 0) or (3, 50, 7) <= parts < (3, 51, 0):
        return None  # backports of the WAL-reset fix
    return (
        f"SQLite {version} has the WAL-reset corruption bug "
        "(https://sqlite.org/wal.html#walresetbug). "
        "Install a fixed one: `pip install -U apsw` brings SQLite 3.51.3 or newer."
    )


def tuples(query: BaseQuery) -> Iterator[tuple[Any, ...]]:
    """`query`'s rows as plain tuples. peewee's stubs type `.tuples()` as the query itself
    (rows of model instances), so unpacking its rows would not type-check; this says what
    the rows really are."""
    return iter(query.tuples())


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT many rows of `model` with one prepared statement run per row (executemany).

    peewee's insert_many renders every value of every row into one SQL text, which costs
    ~25 µs a value in Python — more than SQLite's own work for a page of orders. Values still
    go through each field's db_value (JSON, money, UTC text) and Python-side defaults apply as
    in peewee. Call inside the caller's transaction."""
    if not rows:
        return 0
    fields = [f for f in model._meta.sorted_fields
              if not (f.primary_key and f.name not in rows[0])]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    sql = (f'INSERT INTO "{model._meta.table_name}" ({columns}) '
           f'VALUES ({", ".join("?" for _ in fields)})')

    def value(f: Any, row: dict[str, Any]) -> Any:
        if f.name in row:
            return f.db_value(row[f.name])
        default = f.default() if callable(f.default) else f.default
        return f.db_value(default)

    params = [tuple(value(f, row) for f in fields) for row in rows]
    database.connection().cursor().executemany(sql, params)
    return len(params)


def init_db(path: str | os.PathLike[str], *, migrate: bool = True,
            check: bool = False) -> _Database:
    """Open (and by default migrate) the state database at `path`. `check`: run
    `PRAGMA quick_check` too (the worker at start-up, `check`, `status --check`). A damaged file
    is a StateError saying what to do, never a traceback."""
    try:
        return _init_db(Path(path), migrate=migrate, check=check)
    except DAMAGE_OR_WRAPPED as exc:
        if not is_damage(exc):
            raise
        raise damaged(path, str(exc) or type(exc).__name__) from None


def _init_db(path: Path, *, migrate: bool, check: bool) -> _Database:
    problem = sqlite_version_problem(apsw.sqlite_lib_version())
    if problem:
        raise StateError(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    _owner_only(path)
    with _init_lock:
        if not database.is_closed():
            database.close()
        database.init(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000)
        database.connect(reuse_if_open=True)
        mode = database.execute_sql("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StateError(f"{path}: could not switch to WAL (journal_mode={mode}); "
                             "is it on a network share? Keep the database on a local disk.")
        if check:
            quick_check(database, path)
        if migrate:
            migrate_to_latest(database)
    return database


def is_open_at(path: str | os.PathLike[str]) -> bool:
    """Whether the state database is initialised on `path` in this process."""
    current = database.database
    return bool(current) and Path(current).resolve() == Path(path).resolve()


def ensure_db(path: str | os.PathLike[str]) -> None:
    """Open the state database at `path` unless this process already has it open."""
    if is_open_at(path):
        try:
            database.connect(reuse_if_open=True)
        except DAMAGE_OR_WRAPPED as exc:  # a damaged file: exit 4 with what to do
            if not is_damage(exc):
                raise
            raise damaged(Path(path), str(exc)) from None
        return
    init_db(path)


def _owner_only(path: Path) -> None:
    """The state file holds customers' names and addresses: 0600, created so (no window in
    which it is world-readable), and tightened if an older version left it 0644. SQLite gives
    the -wal and -shm files the database file's permissions."""
    if os.name == "nt":
        return  # NTFS ACLs: the service account's profile or data folder decides
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def close_db() -> None:
    if not database.is_closed():
        database.close()


@contextmanager
def thread_connection() -> Iterator[None]:
    """Each worker thread opens its own connection and closes it when done."""
    with database.connection_context():
        yield


@contextmanager
def private_readonly(path: str | os.PathLike[str]) -> Iterator[APSWDatabase]:
    """A read-only connection of its own to another state database (the console's pair picker
    reads every pair's queues this way): never the global `database`, so whatever pair this
    process has open stays open, and no write (no lease, no migration) can happen through it.
    Queries run on it with `.bind(db)` or `.first(db)`. StateError when the file is missing or
    from an older version (a read-only connection cannot migrate)."""
    problem = sqlite_version_problem(apsw.sqlite_lib_version())
    if problem:
        raise StateError(problem)
    path = Path(path)
    if not path.exists():
        raise StateError(f"{path} does not exist: run `ml-connector init` first")
    db = APSWDatabase(str(path), pragmas={"busy_timeout": BUSY_TIMEOUT_MS},
                      timeout=BUSY_TIMEOUT_MS / 1000, flags=apsw.SQLITE_OPEN_READONLY)
    try:
        db.connect()
        if schema_version(db) < LATEST:
            raise StateError(f"{path} is from an older version: open this pair once (or run "
                             "`ml-connector status --pair NAME`) to upgrade it")
        yield db
    except DAMAGE_OR_WRAPPED as exc:
        if not is_damage(exc):
            raise
        raise damaged(path, str(exc) or type(exc).__name__) from None
    finally:
        db.close()


def open_readonly(path: str | os.PathLike[str]) -> _Database:
    """Open the state database so that any write fails ("attempt to write a readonly
    database"): a dry run proves it wrote nothing by construction, not by care. The schema must
    already be current (a read-only connection cannot migrate)."""
    problem = sqlite_version_problem(apsw.sqlite_lib_version())
    if problem:
        raise StateError(problem)
    path = Path(path)
    if not path.exists():
        raise StateError(f"{path} does not exist: run `ml-connector init` first")
    with _init_lock:
        if not database.is_closed():
            database.close()
        database.init(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000,
                      flags=apsw.SQLITE_OPEN_READONLY)
        database.connect(reuse_if_open=True)
        if schema_version(database) < LATEST:
            database.close()
            raise StateError(f"{path} is from an older version: run `ml-connector status` "
                             "once to upgrade it, then the dry run")
    return database
