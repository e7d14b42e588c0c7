"""The state database: SQLite through peewee, on the SQLite that apsw ships (the default), or
PostgreSQL when a postgresql:// URL is given instead of a path (core.store.postgres).

Why apsw: Python's own sqlite3 module uses the SQLite it was built with (3.40 on Debian 12),
which has the WAL-reset corruption bug (fixed in 3.51.3, backported to 3.44.6 and 3.50.7).
apsw bundles a current SQLite and peewee drives it through playhouse.apsw_ext.

No connection at import time: `database` is a placeholder until `init_db(path or URL)`. It is a
proxy: the models are bound to it once, and it stands for the SQLite database (from import time,
so nothing changes for SQLite) or for a PostgreSQL one after `init_db(url)`. Everything
SQLite-specific (pragmas, BEGIN IMMEDIATE, the apsw gate, quick_check) stays in this module.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import apsw
import peewee
from peewee import SQL, BaseQuery, Field, Node, NodeList, Proxy, fn
from playhouse.apsw_ext import APSWDatabase

from core.errors import StateError
from core.store.dialect import is_postgres
from core.store.integrity import DAMAGE_OR_WRAPPED, damaged, is_damage, quick_check
from core.store.migrations import LATEST, migrate_to_latest, schema_version
from core.store.postgres import describe, is_url, open_postgres

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


_sqlite = _Database(None, timeout=BUSY_TIMEOUT_MS / 1000)
# The state database, whichever engine: every attribute is the current engine's.
database: Any = Proxy()
database.initialize(_sqlite)
_init_lock = threading.Lock()
_location: list[str] = [""]  # the path or URL `database` was opened on ("" before)
_home: list[str] = [""]  # PostgreSQL: the workspace's state.db path, where local files go


def on_postgres() -> bool:
    return is_postgres(database)


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
    sql = _insert_sql(model, fields)

    params = [tuple(_value(f, row) for f in fields) for row in rows]
    with _driver_errors():
        database.connection().cursor().executemany(sql, params)
    return len(params)


def insert_row(model: Any, row: dict[str, Any]) -> int:
    """INSERT one row of `model` as `insert_rows` does; returns its new id."""
    fields = [f for f in model._meta.sorted_fields
              if not (f.primary_key and f.name not in row)]
    sql = _insert_sql(model, fields)
    params = tuple(_value(f, row) for f in fields)
    cursor = database.connection().cursor()
    if on_postgres():
        with _driver_errors():
            cursor.execute(sql + f' RETURNING "{model._meta.primary_key.column_name}"', params)
        return int(cursor.fetchone()[0])
    cursor.execute(sql, params)
    return int(database.connection().last_insert_rowid())


def _driver_errors() -> Any:
    """Around a statement run on the driver's own cursor: PostgreSQL's errors as peewee's
    (IntegrityError, InternalError ...), as every other statement raises them. SQLite's stay
    apsw's, as before."""
    return vars(peewee)["__exception_wrapper__"] if on_postgres() else nullcontext()


def _insert_sql(model: Any, fields: list[Any]) -> str:
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    return (f'INSERT INTO "{model._meta.table_name}" ({columns}) '
            f'VALUES ({", ".join(database.param for _ in fields)})')


def _value(f: Any, row: dict[str, Any]) -> Any:
    if f.name in row:
        return f.db_value(row[f.name])
    default = f.default() if callable(f.default) else f.default
    return f.db_value(default)


def like_ci(column: Any, pattern: str) -> Node:
    """`column` LIKE `pattern` ESCAPE '\\', case-insensitive: SQLite's LIKE (ASCII), or
    PostgreSQL's ILIKE."""
    if on_postgres():
        return NodeList((column, SQL("ILIKE"), pattern, SQL("ESCAPE"), "\\"))
    return fn.LIKE(pattern, column, "\\")


def json_value(field: Field, name: str) -> Node:
    """The top-level key `name` of a JSON text column, read inside the database (strings,
    numbers and null as they are; arrays and objects as JSON text or as Python values)."""
    if on_postgres():  # the column as the query names it (its table's alias), cast to json
        return NodeList((field.cast("json"), SQL("->"), name), parens=True)
    return fn.json_extract(field, f"$.{name}").coerce(False)


def set_busy_wait(ms: int) -> None:
    """How long this thread's connection waits for SQLite's write lock (PostgreSQL: its locks
    wait as long as they must)."""
    if not on_postgres():
        database.connection().setbusytimeout(int(ms))


def checkpoint() -> None:
    """Fold SQLite's write-ahead log back into the file (PostgreSQL checkpoints itself)."""
    if not on_postgres():
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def init_db(path: str | os.PathLike[str], *, migrate: bool = True,
            check: bool = False, home: str | os.PathLike[str] | None = None) -> Any:
    """Open (and by default migrate) the state database at `path` (a file), or at a
    postgresql:// URL. `check`: run `PRAGMA quick_check` too (the worker at start-up, `check`,
    `status --check`). A damaged file is a StateError saying what to do, never a traceback.
    `home`: with a URL, the workspace's state.db path: the receiver's spool goes beside it,
    on this host (PostgreSQL keeps no local file to put it next to)."""
    if is_url(path):
        _home[0] = str(home or "")
        return _init_postgres(str(path), migrate=migrate)
    try:
        return _init_db(Path(path), migrate=migrate, check=check)
    except DAMAGE_OR_WRAPPED as exc:
        if not is_damage(exc):
            raise
        raise damaged(path, str(exc) or type(exc).__name__) from None


def _init_db(path: Path, *, migrate: bool, check: bool) -> Any:
    problem = sqlite_version_problem(apsw.sqlite_lib_version())
    if problem:
        raise StateError(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    _owner_only(path)
    with _init_lock:
        if not database.is_closed():
            database.close()
        database.initialize(_sqlite)
        _location[0] = str(path)
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


def _init_postgres(url: str, *, migrate: bool) -> Any:
    with _init_lock:
        pg = _connect_postgres(url, readonly=False)
        if migrate:
            migrate_to_latest(pg)
    return database


def _connect_postgres(url: str, *, readonly: bool) -> Any:
    """Point the proxy at PostgreSQL and connect (call with _init_lock held); a server that
    cannot be reached is a StateError without the URL's password, and leaves SQLite the
    default again."""
    if not database.is_closed():
        database.close()
    pg = open_postgres(url, readonly=readonly)
    database.initialize(pg)
    _location[0] = url
    try:
        database.connect(reuse_if_open=True)
    except Exception as exc:  # noqa: BLE001 - said without the URL's password
        database.initialize(_sqlite)
        _location[0] = ""
        raise StateError(f"cannot reach the state database {describe(url)}: "
                         f"{type(exc).__name__}: {_first_line(exc)}") from None
    return pg


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def is_open_at(path: str | os.PathLike[str]) -> bool:
    """Whether the state database is initialised on `path` (or URL) in this process."""
    current = _location[0]
    if not current or is_url(path) or is_url(current):
        return bool(current) and str(path) == current
    return Path(current).resolve() == Path(path).resolve()


def ensure_db(path: str | os.PathLike[str], *,
              home: str | os.PathLike[str] | None = None) -> None:
    """Open the state database at `path` unless this process already has it open. `home`: as
    for init_db."""
    if home is not None and is_url(path):
        _home[0] = str(home)
    if is_open_at(path):
        try:
            database.connect(reuse_if_open=True)
        except DAMAGE_OR_WRAPPED as exc:  # a damaged file: exit 4 with what to do
            if not is_damage(exc):
                raise
            raise damaged(Path(path), str(exc)) from None
        return
    init_db(path, home=home)


def spool_anchor() -> Path:
    """The path the receiver's spool folder is named after: the SQLite file itself, or on
    PostgreSQL the workspace's state.db path given as `home` (StateError when none was)."""
    if not on_postgres():
        return Path(str(database.database))
    if not _home[0]:
        raise StateError("the state is on PostgreSQL but no local folder was given for the "
                         "receiver's spool (init_db(url, home=workspace state.db path))")
    return Path(_home[0])


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
    """Close the state database. A PostgreSQL one is forgotten too: the placeholder is the
    SQLite default again until the next `init_db`."""
    if not database.is_closed():
        database.close()
    if on_postgres():
        with _init_lock:
            database.initialize(_sqlite)
            _location[0] = ""


@contextmanager
def thread_connection() -> Iterator[None]:
    """Each worker thread opens its own connection and closes it when done."""
    with database.connection_context():
        yield


def open_readonly(path: str | os.PathLike[str]) -> Any:
    """Open the state database so that any write fails ("attempt to write a readonly
    database"): a dry run proves it wrote nothing by construction, not by care. The schema must
    already be current (a read-only connection cannot migrate)."""
    if is_url(path):
        return _readonly_postgres(str(path))
    problem = sqlite_version_problem(apsw.sqlite_lib_version())
    if problem:
        raise StateError(problem)
    path = Path(path)
    if not path.exists():
        raise StateError(f"{path} does not exist: run `ml-connector init` first")
    with _init_lock:
        if not database.is_closed():
            database.close()
        database.initialize(_sqlite)
        _location[0] = str(path)
        database.init(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000,
                      flags=apsw.SQLITE_OPEN_READONLY)
        database.connect(reuse_if_open=True)
        if schema_version(database) < LATEST:
            database.close()
            raise StateError(f"{path} is from an older version: run `ml-connector status` "
                             "once to upgrade it, then the dry run")
    return database


def _readonly_postgres(url: str) -> Any:
    with _init_lock:
        pg = _connect_postgres(url, readonly=True)
        if schema_version(pg) < LATEST:
            database.close()
            raise StateError(f"{describe(url)} is from an older version: run `ml-connector "
                             "status` once to upgrade it, then the dry run")
    return database
