"""One live worker per database: a heartbeat row in WorkerLease.

The lease is what lets a headless worker on the office server and the accountant's console share
one database: whoever holds a live lease runs the sync, everyone else only reads. A holder renews
its row every `ttl/3` seconds; a row whose `expires_at` has passed belongs to a dead worker and is
taken over. On the same host a holder whose process no longer exists is dead at once, so a
service manager restarting a `kill -9`ed worker need not wait out the TTL.

Every change is one BEGIN IMMEDIATE transaction, so two processes racing for the lease cannot both
win: the second one reads the first one's row. On PostgreSQL the same transactions first take the
lease's advisory lock (`lock_lease`), which serialises them across hosts just as well.

`worker --share` (core.worker.shared_pairs) reserves a pair's row under the same lock before it
starts the pair's worker, with a holder it hands to that worker (RESERVED_ENV): the worker's
lease is then that holder and takes the reserved row over as its own, like any renewal.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import ConnectorError, LeaseLost
from core.owners import dead_local_process, make_owner, this_host
from core.store.db import database, thread_connection
from core.store.locks import lock_lease
from core.store.models import Setting, WorkerLease

LEASE_NAME = "worker"
# `worker --share` reserves a pair's lease before starting the pair's worker and hands the
# reservation's holder to it here: the worker's lease then takes the reserved row as its own.
RESERVED_ENV = "ML_CONNECTOR_LEASE_HOLDER"
LAST_RUN_KEY = "worker.last_run"
MODES = ("headless", "embedded")


@dataclass(frozen=True)
class LeaseInfo:
    """A lease row as any process may read it."""

    holder: str
    host: str
    pid: int
    mode: str
    started_at: datetime
    heartbeat_at: datetime
    expires_at: datetime
    status: dict[str, Any] | None

    def alive(self, now: datetime) -> bool:
        return self.expires_at > now and not dead_local_process(self.host, self.pid)

    def describe(self) -> str:
        return f"{self.mode} worker on {self.host} (pid {self.pid})"


class LeaseHeld(ConnectorError):
    """Another live worker holds the lease; the message says which and until when."""

    def __init__(self, info: LeaseInfo) -> None:
        super().__init__(
            f"another worker holds the lease: {info.describe()}, last heartbeat "
            f"{info.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC, expires {info.expires_at:%H:%M:%S} UTC. "
            "Stop it first, or start this one with --wait to take over when it stops.")
        self.info = info


__all__ = ["RESERVED_ENV", "Heartbeat", "Lease", "LeaseHeld", "LeaseInfo", "LeaseLost",
           "live_lease", "read_lease"]


def _info(row: WorkerLease) -> LeaseInfo:
    return LeaseInfo(holder=row.holder, host=row.host, pid=row.pid, mode=row.mode,
                     started_at=row.started_at, heartbeat_at=row.heartbeat_at,
                     expires_at=row.expires_at, status=row.status)


def _remember_last_run(row: WorkerLease, stopped_at: datetime,
                       final: dict[str, Any] | None = None, reason: str = "") -> None:
    """A released lease leaves no row, so `status` would say no worker ever ran: keep who ran,
    when, and its last figures (last poll, ...) for it."""
    status = {k: v for k, v in {**(row.status or {}), **(final or {})}.items()
              if k != "webhooks"}
    value = {"host": row.host, "pid": row.pid, "mode": row.mode,
             "started_at": row.started_at.isoformat(timespec="seconds"),
             "stopped_at": stopped_at.isoformat(timespec="seconds"), "reason": reason or "stopped",
             **status}
    Setting.insert(key=LAST_RUN_KEY, value=value, updated_by=row.holder,
                   updated_at=stopped_at).on_conflict(
        conflict_target=[Setting.key],
        update={Setting.value: value, Setting.updated_by: row.holder,
                Setting.updated_at: stopped_at}).execute()


def last_run() -> dict[str, Any] | None:
    """The last worker that stopped cleanly on this database (None: none has yet)."""
    row = Setting.get_or_none(Setting.key == LAST_RUN_KEY)
    return row.value if row is not None and isinstance(row.value, dict) else None


def read_lease() -> LeaseInfo | None:
    """The lease row, live or not (None when no worker ever ran or the last one released it)."""
    row = WorkerLease.get_or_none(WorkerLease.name == LEASE_NAME)
    return _info(row) if row else None


def live_lease(clock: Clock = SYSTEM_CLOCK) -> LeaseInfo | None:
    """The lease row when its holder is alive; the console runs an embedded worker otherwise."""
    info = read_lease()
    return info if info and info.alive(clock.now()) else None


class Lease:
    """This process's claim on the worker lease."""

    def __init__(self, *, mode: str = "headless", ttl_s: float = 60.0,
                 clock: Clock = SYSTEM_CLOCK, host: str | None = None, pid: int | None = None
                 ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if ttl_s < 3:
            raise ValueError("a lease TTL under 3 s cannot be renewed reliably")
        self.mode = mode
        self.ttl_s = float(ttl_s)
        self.clock = clock
        self.host = host or this_host()
        self.pid = os.getpid() if pid is None else pid
        # The token makes two Lease objects in one process (tests, console + embedded) distinct.
        # A reservation handed over by `worker --share` goes to this process's first lease only.
        reserved = os.environ.pop(RESERVED_ENV, "") if pid is None and mode == "headless" \
            else ""
        self.holder = reserved or make_owner(host=self.host, pid=self.pid)
        self.held = False
        self._lock = threading.Lock()

    @property
    def renew_every_s(self) -> float:
        return self.ttl_s / 3

    def acquire(self, status: dict[str, Any] | None = None) -> LeaseInfo:
        """Take the lease, or raise LeaseHeld naming the live holder."""
        now = self.clock.now()
        expires = now + timedelta(seconds=self.ttl_s)
        with self._lock, database.atomic("IMMEDIATE"):
            lock_lease(LEASE_NAME)
            row = WorkerLease.get_or_none(WorkerLease.name == LEASE_NAME)
            if row is not None and row.holder != self.holder and _info(row).alive(now):
                raise LeaseHeld(_info(row))
            fields = dict(holder=self.holder, host=self.host, pid=self.pid, mode=self.mode,
                          started_at=now, heartbeat_at=now, expires_at=expires, status=status)
            if row is None:
                WorkerLease.create(name=LEASE_NAME, **fields)
            else:
                WorkerLease.update(**fields).where(WorkerLease.name == LEASE_NAME).execute()
            self.held = True
        info = read_lease()
        assert info is not None
        return info

    def try_acquire(self, status: dict[str, Any] | None = None) -> LeaseInfo | None:
        try:
            return self.acquire(status)
        except LeaseHeld:
            return None

    def wait_acquire(self, stop: threading.Event, *, poll_s: float | None = None,
                     on_wait: Any = None) -> LeaseInfo | None:
        """Retry until the lease is ours or `stop` is set (then None). `on_wait(info)` is called
        once, the first time someone else holds it, so the caller can say who."""
        told = False
        while not stop.is_set():
            try:
                return self.acquire()
            except LeaseHeld as exc:
                if not told and on_wait is not None:
                    on_wait(exc.info)
                    told = True
            stop.wait(poll_s if poll_s is not None else max(1.0, self.ttl_s / 6))
        return None

    def renew(self, status: dict[str, Any] | None = None) -> None:
        """Heartbeat; raises LeaseLost when the row is no longer ours."""
        now = self.clock.now()
        values: dict[Any, Any] = {WorkerLease.heartbeat_at: now,
                                  WorkerLease.expires_at: now + timedelta(seconds=self.ttl_s)}
        if status is not None:
            values[WorkerLease.status] = status
        with self._lock, database.atomic("IMMEDIATE"):
            lock_lease(LEASE_NAME)
            changed = WorkerLease.update(values).where(
                (WorkerLease.name == LEASE_NAME) & (WorkerLease.holder == self.holder)).execute()
        if not changed:
            self.held = False
            holder = read_lease()
            who = holder.describe() if holder else "nobody"
            raise LeaseLost(f"the worker lease was lost (now held by {who}); stopping so two "
                            "workers never post at once")

    def fence(self) -> None:
        """The fencing check: raise LeaseLost unless the lease row is still this process's.

        Called inside the transaction of every job claim and right before every GP create, so a
        worker frozen past its TTL (SIGSTOP, a suspended VM) that wakes up next to the worker
        that took over claims nothing and sends nothing. A lease still ours but close to expiry
        is renewed here too: nobody took it, and the caller is about to rely on it.
        """
        now = self.clock.now()
        # No self._lock: the caller may already hold the database's write lock (a claim), and
        # the heartbeat takes _lock before the database: the two orders would deadlock.
        with database.atomic("IMMEDIATE"):
            lock_lease(LEASE_NAME)
            row = WorkerLease.get_or_none(WorkerLease.name == LEASE_NAME)
            if row is None or row.holder != self.holder:
                self.held = False
                who = _info(row).describe() if row is not None else "nobody"
                raise LeaseLost(f"the worker lease was lost (now held by {who}); this worker "
                                "claims and posts nothing more and stops")
            if (row.expires_at - now).total_seconds() < self.renew_every_s:
                WorkerLease.update(heartbeat_at=now,
                                   expires_at=now + timedelta(seconds=self.ttl_s)).where(
                    (WorkerLease.name == LEASE_NAME)
                    & (WorkerLease.holder == self.holder)).execute()

    def release(self, status: dict[str, Any] | None = None, *, reason: str = "") -> bool:
        """Give the lease up (idempotent). Returns True when a row of ours was removed.
        `status`: the worker's final figures, kept with who ran and why it stopped, so
        `status` after a clean stop says which worker ran, not "none has run"."""
        with self._lock, database.atomic("IMMEDIATE"):
            lock_lease(LEASE_NAME)
            row = WorkerLease.get_or_none((WorkerLease.name == LEASE_NAME)
                                          & (WorkerLease.holder == self.holder))
            if row is not None:
                _remember_last_run(row, self.clock.now(), status, reason)
            removed = WorkerLease.delete().where(
                (WorkerLease.name == LEASE_NAME) & (WorkerLease.holder == self.holder)).execute()
        self.held = False
        return bool(removed)


class Heartbeat:
    """A daemon thread renewing the lease; `lost` is set when renewal fails for good."""

    def __init__(self, lease: Lease, status_fn: Any = None) -> None:
        self.lease = lease
        self.status_fn = status_fn
        self.lost = threading.Event()
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
        self._thread.start()

    def beat(self) -> None:
        status = self.status_fn() if self.status_fn else None
        self.lease.renew(status)

    def _run(self) -> None:
        with thread_connection():
            while not self._stop.wait(self.lease.renew_every_s):
                try:
                    self.beat()
                except LeaseLost as exc:
                    self.error = str(exc)
                    self.lost.set()
                    return
                except Exception as exc:  # a busy database: try again next beat, TTL covers it
                    self.error = f"heartbeat failed: {type(exc).__name__}: {exc}"

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
