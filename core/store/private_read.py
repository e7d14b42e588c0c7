"""A read-only connection of its own to another pair's state database, beside whatever pair
this process has open in core.store.db's global `database` (the console's pair picker reads
every pair's queues this way, without taking a lease or migrating anything). The state may be
a SQLite file (opened read-only) or a PostgreSQL URL (every transaction READ ONLY)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import apsw
import peewee
from playhouse.apsw_ext import APSWDatabase

from core.errors import StateError
from core.store.db import BUSY_TIMEOUT_MS, sqlite_version_problem
from core.store.integrity import DAMAGE_OR_WRAPPED, damaged, is_damage
from core.store.migrations import LATEST, schema_version
from core.store.postgres import describe, is_url, open_postgres

# The picker lists every pair at once: a PostgreSQL server that does not answer costs this
# long for its pairs, not the operating system's TCP timeout.
CONNECT_TIMEOUT_S = 3


@contextmanager
def private_readonly(path: str | os.PathLike[str]) -> Iterator[peewee.Database]:
    """A read-only connection of its own to another state database (the console's pair picker
    reads every pair's queues this way): never the global `database`, so whatever pair this
    process has open stays open, and no write (no lease, no migration) can happen through it.
    Queries run on it with `.bind(db)` or `.first(db)`. StateError when the file is missing or
    from an older version (a read-only connection cannot migrate), or the server cannot be
    reached."""
    if is_url(path):
        with _postgres_readonly(str(path)) as pg:
            yield pg
        return
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


@contextmanager
def _postgres_readonly(url: str) -> Iterator[peewee.Database]:
    db = open_postgres(url, readonly=True)
    db.connect_params["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        try:
            db.connect()
            version = schema_version(db)
        except peewee.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StateError(f"PostgreSQL at {describe(url)} cannot be read: {reason}") from None
        if version < LATEST:
            raise StateError(f"the state at {describe(url)} is from an older version: open this "
                             "pair once (or run `ml-connector status --pair NAME`) to upgrade it")
        yield db
    finally:
        db.close()
