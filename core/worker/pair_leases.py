"""Each pair's worker lease as `worker --share` sees it: read, reserved and given back without
opening the pair.

The sharing supervisor decides whether to start a pair's worker from the pair's lease row alone:
one small query through a connection of its own, opened for that read and closed again (never
the global `database`, no migration, no vault, no GP or WooCommerce client). Before starting a
worker it reserves the lease in one short transaction under the lease's own lock (the advisory
lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), exactly as a worker takes it: a row naming this
supervisor, with a holder it hands to the worker it starts (core.worker.lease.RESERVED_ENV),
whose lease then takes the row over as its own. So two hosts never start a worker for the same
pair at once: the second finds the first's reservation live and starts nothing. A reservation
whose worker never took it is given back when that worker ends, or expires after the pair's TTL.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import apsw
from peewee import Database
from playhouse.apsw_ext import APSWDatabase

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConnectorError
from core.owners import this_host
from core.pairs import pair_workspace
from core.store.db import BUSY_TIMEOUT_MS
from core.store.locks import lock_lease
from core.store.models import WorkerLease
from core.store.postgres import is_url, open_postgres, state_location
from core.worker.lease import LEASE_NAME, LeaseInfo

CONNECT_TIMEOUT_S = 5  # a PostgreSQL that does not answer: this pair is skipped this round
_COLUMNS = (WorkerLease.holder, WorkerLease.host, WorkerLease.pid, WorkerLease.mode,
            WorkerLease.started_at, WorkerLease.heartbeat_at, WorkerLease.expires_at)


@dataclass(frozen=True)
class PairPlace:
    """Where a pair keeps its state (a postgresql:// URL or its state.db) and its lease TTL."""

    location: str | Path
    ttl_s: float


def _open(location: str | Path, *, write: bool) -> Database | None:
    if is_url(location):
        pg = open_postgres(str(location), readonly=not write)
        pg.connect_params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        return pg
    path = Path(location)
    if not path.exists():
        return None
    flags = apsw.SQLITE_OPEN_READWRITE if write else apsw.SQLITE_OPEN_READONLY
    return APSWDatabase(str(path), pragmas={"busy_timeout": BUSY_TIMEOUT_MS},
                        timeout=BUSY_TIMEOUT_MS / 1000, flags=flags)


def _has_lease_table(db: Database, postgres: bool) -> bool:
    """Whether the pair's state has its tables yet (in the URL's schema on PostgreSQL)."""
    table = WorkerLease._meta.table_name
    if postgres:
        row = db.execute_sql("SELECT to_regclass(%s)", (table,)).fetchone()
    else:
        row = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (table,)).fetchone()
    return row is not None and row[0] is not None


def _info(row: Any) -> LeaseInfo:
    return LeaseInfo(holder=row.holder, host=row.host, pid=row.pid, mode=row.mode,
                     started_at=row.started_at, heartbeat_at=row.heartbeat_at,
                     expires_at=row.expires_at, status=None)


def _row(db: Database) -> Any:
    return WorkerLease.select(*_COLUMNS).where(WorkerLease.name == LEASE_NAME).first(db)


@contextmanager
def _lease_transaction(location: str | Path) -> Iterator[Database | None]:
    """A write transaction on the pair's state under the lease's own lock, as a worker takes
    its lease (core.store.locks.lock_lease; BEGIN IMMEDIATE on SQLite); None when the state or
    its tables do not exist yet (the pair's worker creates them and takes the lease itself)."""
    db = _open(location, write=True)
    if db is None:
        yield None
        return
    try:
        db.connect()
        if not _has_lease_table(db, is_url(location)):
            yield None
            return
        with db.atomic("IMMEDIATE"):
            lock_lease(LEASE_NAME, db)
            yield db
    finally:
        db.close()


class PairLeases:
    """Every pair's lease, each read and written at the pair's own state."""

    def __init__(self, places: dict[str, PairPlace], clock: Clock = SYSTEM_CLOCK) -> None:
        self.places = places
        self.clock = clock

    def read(self, name: str) -> LeaseInfo | None:
        """The pair's lease row, live or not; None when there is none (no worker holds it, or
        the state does not exist yet: the worker started for it creates it). A database that
        cannot be reached raises (the driver's error): the caller says so, tries again later."""
        location = self.places[name].location
        db = _open(location, write=False)
        if db is None:
            return None
        try:
            db.connect()
            row = _row(db) if _has_lease_table(db, is_url(location)) else None
        finally:
            db.close()
        return _info(row) if row is not None else None

    def reserve(self, name: str, holder: str) -> LeaseInfo | None:
        """Reserve the pair's lease for the worker about to start with `holder`, unless a live
        worker (or another host's reservation) holds it: then that one, and nothing written.
        None: reserved, or the pair has no state yet (its worker creates it and takes the
        lease the usual way)."""
        place = self.places[name]
        with _lease_transaction(place.location) as db:
            if db is None:
                return None
            row = _row(db)
            now = self.clock.now()
            if row is not None and row.holder != holder and _info(row).alive(now):
                return _info(row)
            fields = {WorkerLease.holder: holder, WorkerLease.host: this_host(),
                      WorkerLease.pid: os.getpid(), WorkerLease.mode: "headless",
                      WorkerLease.started_at: now, WorkerLease.heartbeat_at: now,
                      WorkerLease.expires_at: now + timedelta(seconds=place.ttl_s),
                      WorkerLease.status: {"starting": True}}
            WorkerLease.insert({WorkerLease.name: LEASE_NAME, **fields}).on_conflict(
                conflict_target=[WorkerLease.name], update=fields).execute(db)
        return None

    def renew(self, name: str, holder: str) -> bool:
        """Keep this supervisor's reservation alive while its worker is still starting (a
        slow start-up must not outlast the TTL); False once the worker has taken it over (the
        row names the worker's pid) or it is gone. One UPDATE: a worker taking the row over at
        the same moment wins."""
        place = self.places[name]
        db = _open(place.location, write=True)
        if db is None:
            return False
        now = self.clock.now()
        try:
            db.connect()
            changed = WorkerLease.update({
                WorkerLease.heartbeat_at: now,
                WorkerLease.expires_at: now + timedelta(seconds=place.ttl_s)}).where(
                (WorkerLease.name == LEASE_NAME) & (WorkerLease.holder == holder)
                & (WorkerLease.host == this_host())
                & (WorkerLease.pid == os.getpid())).execute(db)
        finally:
            db.close()
        return bool(changed)

    def release(self, name: str, holder: str) -> bool:
        """Give back a reservation (or a lease) still held as `holder`: its worker has ended.
        True when a row was removed."""
        with _lease_transaction(self.places[name].location) as db:
            if db is None:
                return False
            removed = WorkerLease.delete().where(
                (WorkerLease.name == LEASE_NAME) & (WorkerLease.holder == holder)).execute(db)
        return bool(removed)


def pair_leases(base: Workspace, names: Sequence[str], clock: Clock = SYSTEM_CLOCK
                ) -> PairLeases:
    """The leases of the pairs `names` of workspace folder `base`. A pair whose configuration
    cannot be read is looked for in its state.db: its worker says what is wrong."""
    places: dict[str, PairPlace] = {}
    for name in names:
        ws = pair_workspace(base, name)
        try:
            settings = ws.load() if ws.config_path.exists() else Settings()
            places[name] = PairPlace(state_location(ws.db_path, settings.store.database_url),
                                     float(settings.worker.lease_ttl_s))
        except ConnectorError:
            places[name] = PairPlace(ws.db_path, float(Settings().worker.lease_ttl_s))
    return PairLeases(places, clock)


def read_pair_lease(location: str | Path) -> LeaseInfo | None:
    """One pair's lease row at `location` (tests and `status` across pairs)."""
    return PairLeases({"": PairPlace(location, 60.0)}).read("")
