"""Writing webhook deliveries: group commit, one bad delivery alone, a spool for a busy database,
refusals rolled up.

- Group commit: one thread writes WebhookDelivery rows; every delivery that arrives while a
  commit is in progress goes into the next one. Each sender still gets its 200 only after its own
  row is committed (synchronous=FULL), but N concurrent deliveries cost one fsync, not N.
- One bad delivery never fails its neighbours: when a group cannot be inserted, each row is tried
  alone; a row that still cannot be stored as it is (an id beyond SQLite's 64 bits, say) is stored
  raw without its index fields and flagged in `error`, so intake reports it instead of losing it.
- A busy database never loses a delivery: when the write lock stays taken past the busy timeout
  the delivery goes to the fsync'd spool beside the database (core.intake.spool) and the sender
  gets its 200; while the spool holds files, new deliveries join it (no second wait), and the
  importer thread moves them into the database, oldest first, once it frees. `health()` says so.
- Refusals (401, 413) cost no fsync each: the first of a kind in a minute is recorded, the rest
  are counted and recorded as one row when the minute ends (a flood of bad requests cannot keep
  the disk busy, and the count is still there for the accountant).
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import apsw
import peewee

from core.clock import SYSTEM_CLOCK, Clock
from core.intake.spool import Spool, spool_dir_for
from core.store.db import database, on_postgres, set_busy_wait, spool_anchor
from core.store.dialect import is_postgres
from core.store.models import WebhookDelivery

log = logging.getLogger("core.intake.receiver")

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
ROLLUP_S = 60.0  # refusals of one kind are written at most once a minute
IMPORT_RETRY_S = 1.0  # how often the importer tries a busy database again


def is_busy(exc: BaseException, db: Any = None) -> bool:
    """The database's write lock is held by someone else (past the busy timeout), or on
    PostgreSQL the server cannot be reached (down, restarting, refusing connections). `db`:
    the database written to (default: the process's state database)."""
    if isinstance(exc, (apsw.BusyError, apsw.LockedError)):
        return True
    pg = on_postgres() if db is None else is_postgres(db)
    if pg and isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)):
        return True
    text = str(exc).lower()
    return "database is locked" in text or "busy" in text


def storable_id(value: Any) -> int | None:
    """A resource id SQLite can index (a JSON integer may be any size)."""
    if isinstance(value, int) and not isinstance(value, bool) and INT64_MIN <= value <= INT64_MAX:
        return value
    return None


def flagged(row: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The raw delivery without the fields that could not be stored, with the reason."""
    out = dict(row)
    out["resource_id"] = None
    for key in ("topic", "resource", "event", "webhook_id", "delivery_id", "source"):
        value = out.get(key)
        if isinstance(value, str):
            out[key] = value.encode("utf-8", "replace").decode("utf-8")[:200]
    out["error"] = f"stored raw, not indexed: {type(exc).__name__}"[:500]
    return out


@dataclass
class _Tally:
    first_at: datetime
    count: int = 0
    row: dict[str, Any] | None = None


class DeliveryWriter:
    MAX_BATCH = 256

    def __init__(self, *, clock: Clock = SYSTEM_CLOCK, spool_dir: str | Path | None = None,
                 on_imported: Callable[[], None] | None = None,
                 busy_wait_ms: int | None = None, db: Any = None) -> None:
        """`busy_wait_ms`: how long the writer's own connection waits for a busy database
        before spooling (default: the database's busy_timeout, 10 s, well inside WooCommerce's
        60 s request timeout); tests inject a short one. `db`: the database to write to (one
        pair's, for the receiver of every pair: core.intake.router); default the process's
        state database. With `db` given, `spool_dir` must be given too."""
        if db is not None and spool_dir is None:
            raise ValueError("a writer for a given database needs that database's spool folder")
        self.db: Any = database if db is None else db
        self.clock = clock
        self.busy_wait_ms = busy_wait_ms
        self._spool_dir = Path(spool_dir) if spool_dir else None
        self._spool: Spool | None = None
        self.on_imported = on_imported
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._importer: threading.Thread | None = None
        self._import_wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}
        self.last_write_error: str | None = None  # None: the last write reached the database
        self.imported = 0

    # --- the spool ------------------------------------------------------------------------

    @property
    def spool(self) -> Spool:
        if self._spool is None:
            folder = self._spool_dir or spool_dir_for(spool_anchor())
            self._spool = Spool(folder)
        return self._spool

    def health(self) -> tuple[bool, dict[str, Any]]:
        """(ok, detail) for /healthz: not ok while deliveries wait in the spool or the last write
        failed; the detail says what and what happens next."""
        pending = self.spool.pending()
        detail: dict[str, Any] = {"ok": pending == 0 and self.last_write_error is None}
        if pending:
            detail["spooled"] = pending
            detail["database"] = ("busy or unavailable: deliveries are kept in the spool beside "
                                  "the database and imported when it frees")
        if self.last_write_error:
            detail["last_write_error"] = self.last_write_error
        return bool(detail["ok"]), detail

    # --- threads --------------------------------------------------------------------------

    def _ensure_threads(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="webhook-writer",
                                                daemon=True)
                self._thread.start()
            if self._importer is None or not self._importer.is_alive():
                self._importer = threading.Thread(target=self._import_loop,
                                                  name="webhook-spool-import", daemon=True)
                self._importer.start()

    def start(self) -> None:
        """Start the threads now: deliveries a crash left in the spool are imported at once,
        not when the next delivery arrives."""
        self._ensure_threads()
        self._import_wake.set()

    async def write(self, row: dict[str, Any]) -> None:
        """Store an accepted delivery durably (database or spool); raises when neither could."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._ensure_threads()
        self._queue.put((row, future, loop))
        await future

    def refused(self, row: dict[str, Any]) -> None:
        """Record a refusal without making the request wait for the disk (rolled up)."""
        self._ensure_threads()
        self._queue.put(("refused", row))

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued so far is written, refusals' first rows included (tests,
        shutdown). True when it was."""
        done = threading.Event()
        self._ensure_threads()
        self._queue.put(("flush", done))
        return done.wait(timeout_s)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(10)
        self._thread = None
        self._stopping.set()
        self._import_wake.set()
        if self._importer is not None and self._importer.is_alive():
            self._importer.join(10)
        self._importer = None

    def _own_connection(self) -> None:
        if self.busy_wait_ms is None:
            return
        if self.db is database:
            set_busy_wait(int(self.busy_wait_ms))
        elif not is_postgres(self.db):
            self.db.connection().setbusytimeout(int(self.busy_wait_ms))

    def _close_connection(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def _run(self) -> None:
        self._own_connection()
        stop = False
        while not stop:
            try:
                items = [self._queue.get(timeout=ROLLUP_S / 4)]
            except queue.Empty:
                self._flush_refusals(force=False)
                continue
            while len(items) < self.MAX_BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if None in items:  # finish what came before the stop, then stop
                items, stop = items[:items.index(None)], True
            for item in items:
                if item[0] == "refused":
                    self._tally(item[1])
            batch = [item for item in items if item[0] not in ("refused", "flush")]
            if batch:
                self._write_batch(batch)
            self._flush_refusals(force=stop)
            for item in items:
                if item[0] == "flush":
                    item[1].set()
        self._close_connection()

    def _write_batch(self, batch: list[Any]) -> None:
        rows = [row for row, _, _ in batch]
        outcomes: list[BaseException | None]
        if self.spool.pending():
            # The importer is still draining: join the spool (in order), no second busy wait.
            outcomes = [self._to_spool(row) for row in rows]
        else:
            try:
                with self.db.atomic("IMMEDIATE"):
                    WebhookDelivery.insert_many(rows).execute(self.db)
                outcomes = [None] * len(rows)
                self.last_write_error = None
            except BaseException as exc:  # noqa: BLE001 - sorted out row by row below
                if is_busy(exc, self.db):
                    outcomes = [self._to_spool(row) for row in rows]
                else:
                    outcomes = [self._write_alone(row) for row in rows]
        for (_, future, loop), error in zip(batch, outcomes, strict=True):
            loop.call_soon_threadsafe(_settle, future, error)

    def _write_alone(self, row: dict[str, Any]) -> BaseException | None:
        for attempt in (row, None):
            try:
                with self.db.atomic("IMMEDIATE"):
                    WebhookDelivery.insert(**(attempt or row)).execute(self.db)
                self.last_write_error = None
                return None
            except BaseException as exc:  # noqa: BLE001 - one row's problem stays its own
                if is_busy(exc, self.db):
                    return self._to_spool(row)
                if attempt is None:
                    log.error("a signed webhook delivery could not be stored: %s",
                              type(exc).__name__)
                    self.last_write_error = type(exc).__name__
                    return exc
                row = flagged(row, exc)
                log.warning("a signed webhook delivery is stored raw and flagged: %s",
                            row["error"])
        return None

    def _to_spool(self, row: dict[str, Any]) -> BaseException | None:
        try:
            self.spool.put(row)
        except OSError as exc:
            self.last_write_error = f"spool: {type(exc).__name__}"
            log.error("the database is busy and the delivery spool cannot be written (%s): "
                      "the delivery is refused with 503", type(exc).__name__)
            return exc
        self.last_write_error = "database busy"
        self._import_wake.set()
        return None

    def _import_loop(self) -> None:
        self._own_connection()
        while not self._stopping.is_set():
            self._import_wake.wait(IMPORT_RETRY_S)
            self._import_wake.clear()
            try:
                moved = self.import_spool()
            except Exception as exc:  # noqa: BLE001 - still busy: the files wait; try again
                log.debug("spool import deferred: %s", type(exc).__name__)
                continue
            if moved and self.on_imported:
                self.on_imported()
        self._close_connection()

    def import_spool(self) -> int:
        """Move spooled deliveries into the database, oldest first; returns how many."""
        moved = 0
        for path in self.spool.files():
            row = self.spool.read(path)
            try:
                with self.db.atomic("IMMEDIATE"):
                    WebhookDelivery.insert(**row).execute(self.db)
            except BaseException as exc:  # noqa: BLE001
                if is_busy(exc, self.db):
                    raise
                with self.db.atomic("IMMEDIATE"):
                    WebhookDelivery.insert(**flagged(row, exc)).execute(self.db)
            self.spool.remove(path)
            moved += 1
        if moved:
            self.imported += moved
            self.last_write_error = None
            log.info("imported %d webhook deliveries from the spool", moved)
        return moved

    # --- refusals -------------------------------------------------------------------------

    def _tally(self, row: dict[str, Any]) -> None:
        reason = str(row.get("reject_reason") or "refused")
        tally = self._tallies.get(reason)
        if tally is None:
            self._tallies[reason] = _Tally(self.clock.now(), 0, row)  # first: written now
        else:
            tally.count += 1

    def _flush_refusals(self, *, force: bool) -> None:
        now = self.clock.now()
        rows = []
        for reason, tally in list(self._tallies.items()):
            if tally.row is not None:
                rows.append(tally.row)
                tally.row = None
            if force or (now - tally.first_at).total_seconds() >= ROLLUP_S:
                if tally.count:
                    rows.append({"received_at": now, "verdict": "rejected", "reject_reason": (
                        f"{reason}: {tally.count} more refused since "
                        f"{tally.first_at:%Y-%m-%d %H:%M:%S} UTC")})
                del self._tallies[reason]
        if not rows:
            return
        try:
            with self.db.atomic("IMMEDIATE"):
                for row in rows:
                    WebhookDelivery.insert(**row).execute(self.db)
        except Exception:  # noqa: BLE001 - a refusal record is informative only
            log.warning("could not record %d refused webhook deliveries", len(rows))


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
