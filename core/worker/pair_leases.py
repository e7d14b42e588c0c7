"""Who holds each pair's worker lease, read by `worker --share` without opening the pair.

The sharing supervisor decides whether to start a pair's worker from the pair's lease row alone:
one small query through a connection of its own, opened for that read and closed again (never
the global `database`, no migration, no vault, no GP or WooCommerce client). The pair's worker
itself then takes the lease as always (one transaction, fencing): the read only saves starting a
process that would find the lease taken.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import apsw
from peewee import Database
from playhouse.apsw_ext import APSWDatabase

from core.config import Workspace
from core.errors import ConnectorError
from core.pairs import pair_workspace
from core.store.db import BUSY_TIMEOUT_MS
from core.store.models import WorkerLease
from core.store.postgres import is_url, open_postgres, state_location
from core.worker.lease import LEASE_NAME, LeaseInfo

CONNECT_TIMEOUT_S = 5  # a PostgreSQL that does not answer: this pair is skipped this round


def pair_locations(base: Workspace, names: Sequence[str]) -> dict[str, str | Path]:
    """Where each pair keeps its state (a postgresql:// URL or its state.db). A pair whose
    configuration cannot be read is looked for in its state.db: its worker says what is wrong."""
    found: dict[str, str | Path] = {}
    for name in names:
        ws = pair_workspace(base, name)
        try:
            settings = ws.load() if ws.config_path.exists() else None
            configured = settings.store.database_url if settings is not None else ""
            found[name] = state_location(ws.db_path, configured)
        except ConnectorError:
            found[name] = ws.db_path
    return found


def _open(location: str | Path) -> Database | None:
    if is_url(location):
        pg = open_postgres(str(location), readonly=True)
        pg.connect_params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        return pg
    path = Path(location)
    if not path.exists():
        return None
    return APSWDatabase(str(path), pragmas={"busy_timeout": BUSY_TIMEOUT_MS},
                        timeout=BUSY_TIMEOUT_MS / 1000, flags=apsw.SQLITE_OPEN_READONLY)


_COLUMNS = (WorkerLease.holder, WorkerLease.host, WorkerLease.pid, WorkerLease.mode,
            WorkerLease.started_at, WorkerLease.heartbeat_at, WorkerLease.expires_at)


def _has_lease_table(db: Database, postgres: bool) -> bool:
    """Whether the pair's state has its tables yet (in the URL's schema on PostgreSQL)."""
    table = WorkerLease._meta.table_name
    if postgres:
        row = db.execute_sql("SELECT to_regclass(%s)", (table,)).fetchone()
    else:
        row = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (table,)).fetchone()
    return row is not None and row[0] is not None


def read_pair_lease(location: str | Path) -> LeaseInfo | None:
    """The pair's lease row, live or not; None when there is none (no worker holds it, or the
    state does not exist yet: the worker started for it creates it). A database that cannot be
    reached raises (the driver's error): the caller says so and tries again later."""
    db = _open(location)
    if db is None:
        return None
    try:
        db.connect()
        if not _has_lease_table(db, is_url(location)):
            return None
        row = WorkerLease.select(*_COLUMNS).where(WorkerLease.name == LEASE_NAME).first(db)
    finally:
        db.close()
    if row is None:
        return None
    return LeaseInfo(holder=row.holder, host=row.host, pid=row.pid, mode=row.mode,
                     started_at=row.started_at, heartbeat_at=row.heartbeat_at,
                     expires_at=row.expires_at, status=None)
