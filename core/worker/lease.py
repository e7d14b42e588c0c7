"""One live worker per database: a heartbeat row in WorkerLease.

The lease is what lets a headless worker on the office server and the accountant's console share
one database: whoever holds a live lease runs the sync, everyone else only reads. A holder renews
its row every `ttl/3` seconds; a row whose `expires_at` has passed belongs to a dead worker and is
taken over. On the same host a holder whose process no longer exists is dead at once, so a
service manager restarting a `kill -9`ed worker need not wait out the TTL.

Every change is one BEGIN IMMEDIATE transaction, so two processes racing for the lease cannot both
win: the second one reads the first one's row.
"""
from __future__ import annotations

import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import ConnectorError
from core.store.db import database
from core.store.models import Setting, WorkerLease

LEASE_NAME = "worker"
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
        return self.expires_at > now and not _dead_local_process(self.host, self.pid)

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


class LeaseLost(ConnectorError):
    """Our lease expired and someone else took it (e.g. this process was frozen past the TTL)."""


def _dead_local_process(host: str, pid: int) -> bool:
    """True only when the holder is on this host and its pid is certainly gone."""
    if host != socket.gethostname() or pid <= 0:
        return False
    if pid == os.getpid():
        return False
    if os.name == "nt":
        # os.kill(pid, 0) on Windows is TerminateProcess: never probe there; trust the expiry.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False  # exists (owned by someone else) or cannot tell: trust the expiry
    return False


def _info(row: WorkerLease) -> LeaseInfo:
    return LeaseInfo(holder=row.holder, host=row.host, pid=row.pid, mode=row.mode,
                     started_at=row.started_at, heartbeat_at=row.heartbeat_at,
                     expires_at=row.expires_at, status=row.status)


def last_run() -> dict[str, Any] | None:
    """The last worker that released the lease: host, pid, mode, start, stop, reason, and
    its final status (see Lease.release)."""
    row = Setting.get_or_none(Setting.key == LAST_RUN_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else None


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
        self.host = host or socket.gethostname()
        self.pid = os.getpid() if pid is None else pid
        # The token makes two Lease objects in one process (tests, console + embedded) distinct.
        self.holder = f"{self.host}:{self.pid}:{secrets.token_hex(4)}"
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
            changed = WorkerLease.update(values).where(
                (WorkerLease.name == LEASE_NAME) & (WorkerLease.holder == self.holder)).execute()
        if not changed:
            self.held = False
            holder = read_lease()
            who = holder.describe() if holder else "nobody"
            raise LeaseLost(f"the worker lease was lost (now held by {who}); stopping so two "
                            "workers never post at once")

    def release(self, status: dict[str, Any] | None = None, *, reason: str = "") -> bool:
        """Give the lease up (idempotent). Returns True when a row of ours was removed.

        The run is remembered (Setting `worker.last_run`): after a clean stop `status` says
        which worker ran, when it stopped and why, not "none has run on this database"."""
        with self._lock, database.atomic("IMMEDIATE"):
            row = WorkerLease.get_or_none((WorkerLease.name == LEASE_NAME)
                                          & (WorkerLease.holder == self.holder))
            if row is not None:
                info = _info(row)
                now = self.clock.now()
                last = {"host": info.host, "pid": info.pid, "mode": info.mode,
                        "started_at": info.started_at.isoformat(timespec="seconds"),
                        "stopped_at": now.isoformat(timespec="seconds"),
                        "reason": reason or "stopped",
                        "status": status if status is not None else (info.status or {})}
                Setting.insert(key=LAST_RUN_KEY, value=last, updated_by=self.holder,
                               updated_at=now).on_conflict(
                    conflict_target=[Setting.key],
                    update={Setting.value: last, Setting.updated_by: self.holder,
                            Setting.updated_at: now}).execute()
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
        from core.store.db import thread_connection

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
