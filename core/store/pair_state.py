"""One pair's state database as an object of its own, beside the process's `database`.

The receiver of every pair (core.intake.router) holds one database per pair in one process and
writes each pair's deliveries through that pair's object only (`query.execute(db)`,
`db.atomic()`), never through the process-wide `database` proxy, which stands for one pair at a
time. SQLite: a connection per thread on the pair's state.db, with the same pragmas, BEGIN
IMMEDIATE and busy timeout as the proxy's. PostgreSQL: the pair's URL (its own database or
`options=-csearch_path=NAME` schema). Nothing is migrated here: the pair's own worker does that;
a state from another version is refused with what to do.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from core.errors import StateError
from core.store.db import BUSY_TIMEOUT_MS, PRAGMAS, _Database
from core.store.dialect import schema_version
from core.store.migrations import LATEST
from core.store.postgres import describe_location, is_url, open_postgres


def open_state_at(location: str | os.PathLike[str]) -> Any:
    """A database object for the state at `location` (a state.db path or a postgresql:// URL),
    checked once now (reachable, schema of this version); StateError saying what to do."""
    shown = describe_location(location)
    if is_url(location):
        db: Any = open_postgres(str(location))
    else:
        path = Path(location)
        if not path.exists():
            raise StateError(f"{path} does not exist: run `ml-connector init` for that pair")
        db = _Database(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        db.connect(reuse_if_open=True)
        version = schema_version(db)
    except Exception as exc:  # noqa: BLE001 - said without the URL's password
        raise StateError(f"cannot open the state database {shown}: {type(exc).__name__}: "
                         f"{(str(exc).strip().splitlines() or [''])[0]}") from None
    finally:
        if not db.is_closed():
            db.close()
    if version != LATEST:
        raise StateError(f"the state database {shown} is at schema {version}, this version "
                         f"needs {LATEST}: start that pair's worker (or `ml-connector status "
                         "--pair NAME`) once with this version, then the receiver")
    return db
