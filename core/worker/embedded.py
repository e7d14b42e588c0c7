"""The worker the console runs inside itself when no headless worker holds the lease.

The accountant on a laptop opens the console and the sync runs; the office server runs
`ml-connector worker` as a service and the console only watches. The lease decides, so the two
never post at once: `start_if_free` returns None when a live worker already holds it, and the
embedded worker's own `acquire` settles any race with a service starting at the same moment.

Never blocks the caller: the check is one indexed read, everything else (opening GP, binding the
webhook port) happens in the worker's own thread.
"""
from __future__ import annotations

import logging
import threading

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.worker.lease import LeaseInfo, live_lease
from core.worker.options import EXIT_OK, WorkerOptions
from core.worker.service import Worker

log = logging.getLogger("ml_connector.worker")


class EmbeddedWorker:
    """A Worker in a daemon thread; `stop()` is the same graceful path as SIGTERM."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.exit_code: int | None = None
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-worker", daemon=True)

    def _run(self) -> None:
        try:
            self.exit_code = self.worker.run()
        except Exception:  # reported once; the console keeps working without a worker
            log.exception("the embedded worker stopped")
            self.exit_code = 1
        finally:
            self.finished.set()

    def start(self) -> EmbeddedWorker:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self.finished.is_set()

    def wake(self) -> None:
        """A replay or SKU fix in the console: post now rather than at the next idle check."""
        self.worker.wake()

    def stop(self, timeout_s: float | None = None) -> int | None:
        """Stop taking work, finish (or abandon after the drain bound) the GP call in flight,
        release the lease. Returns the worker's exit code (None if it is still stopping)."""
        self.worker.request_stop("the console closed")
        self._thread.join(timeout_s if timeout_s is not None
                          else self.worker.options.drain_timeout_s + 10)
        return self.exit_code

    def describe(self) -> str:
        if self.exit_code not in (None, EXIT_OK):
            return f"embedded worker stopped (exit {self.exit_code}); see the log"
        return "embedded worker running" if self.running else "embedded worker stopped"


def start_if_free(workspace: Workspace | None, *, clock: Clock = SYSTEM_CLOCK,
                  settings: Settings | None = None, dry_run: bool = False,
                  listen: str | None = None, receiver: bool = True) -> EmbeddedWorker | None:
    """Start an embedded worker unless a live worker holds the lease (then None). A bare
    database without a workspace has no configuration to run a worker from: None."""
    if workspace is None:
        return None
    holder: LeaseInfo | None = live_lease(clock)
    if holder is not None:
        log.info("not starting an embedded worker: %s holds the lease", holder.describe())
        return None
    if settings is None:
        settings = workspace.load()
    worker = Worker(workspace, settings, WorkerOptions(
        mode="embedded", dry_run=dry_run, listen=listen, receiver=receiver,
        drain_timeout_s=10.0), clock=clock)
    return EmbeddedWorker(worker).start()


def current_holder(clock: Clock = SYSTEM_CLOCK) -> LeaseInfo | None:
    """Who runs the sync now (the console shows it)."""
    return live_lease(clock)


__all__ = ["EmbeddedWorker", "start_if_free", "current_holder"]
