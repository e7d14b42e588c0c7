"""Is the state database intact? `PRAGMA quick_check` at start-up, in `check` and in
`status --check`; a damaged file is a StateError (exit 4) that says what to do, never a traceback
nor a worker that runs on as if nothing happened (reliability.md §4, "corruption causes").
"""
from __future__ import annotations

import os
from typing import Any

import apsw
import peewee

from core.errors import StateError

# Errors SQLite raises when the file itself is damaged (a bad header, a torn page); peewee may
# wrap them in its DatabaseError (is_damage tells).
DAMAGE = (apsw.CorruptError, apsw.NotADBError)
DAMAGE_OR_WRAPPED = (*DAMAGE, peewee.DatabaseError)


def is_damage(exc: BaseException) -> bool:
    if isinstance(exc, DAMAGE):
        return True
    cause = exc.__cause__ or exc.__context__
    if cause is not None and isinstance(cause, DAMAGE):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def advice(path: str | os.PathLike[str]) -> str:
    return (f"Stop the worker and the console; keep a copy of {path} with its -wal and -shm "
            "files for diagnosis; then restore the last backup (made with `VACUUM INTO` or "
            "Connection.backup, never a file copy) or salvage it with `sqlite3 state.db "
            "\".recover\" | sqlite3 recovered.db`. Nothing is lost in GP: after a restore, "
            "the worker reads GP before posting anything again.")


def damaged(path: str | os.PathLike[str], what: str) -> StateError:
    return StateError(f"the state database {path} is damaged ({what}). {advice(path)}")


def quick_check(db: Any, path: str | os.PathLike[str]) -> None:
    """Raise StateError when `PRAGMA quick_check` finds the database damaged."""
    try:
        rows = [str(r[0]) for r in db.execute_sql("PRAGMA quick_check").fetchall()]
    except DAMAGE_OR_WRAPPED as exc:
        if not is_damage(exc):
            raise
        raise damaged(path, str(exc) or type(exc).__name__) from None
    if rows != ["ok"]:
        first = "; ".join(rows[:3]) + (f" (and {len(rows) - 3} more)" if len(rows) > 3 else "")
        raise damaged(path, f"integrity check: {first}")
