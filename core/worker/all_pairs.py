"""Every pair of a workspace from one `ml-connector worker`: one worker process per pair.

Why a process per pair, not a thread: each pair's worker is the whole single-pair worker as it
is (its lease, schedules, posting threads, webhook receiver and state database), so nothing it
does can reach another pair. The state database is one SQLite file per pair and the process's
database handle, logging and caches are the process's own; in one process a pair's thread
writing through another pair's handle would be a silent cross-posting, and one pair's CPU-bound
mapping would hold the other's GIL. A GP outage, a slow GP, a crash or a lease lost in one pair
stop only that pair's process; the others keep posting. One command, one service unit: the
supervisor starts the pairs' workers, restarts one that stops unexpectedly (with a growing
pause), passes SIGTERM/SIGINT on and waits for them to drain.

A pair's worker learns its supervisor's pid (SUPERVISOR_ENV) and stops itself, gracefully, when
the supervisor is gone (killed with -9, say): no orphan keeps a lease the next start needs.
A service manager that kills the whole group (systemd's default) stops them all at once; the
next start finds every committed GP number and reads GP before posting again (exactly once).
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from core.worker.options import EXIT_OK

log = logging.getLogger("ml_connector.worker")

SUPERVISOR_ENV = "ML_CONNECTOR_SUPERVISOR_PID"
RESTART_FIRST_S = 5.0
RESTART_MAX_S = 120.0
STEADY_S = 300.0  # a pair's worker that ran this long restarts after the shortest pause again
WATCH_EVERY_S = 0.5


@dataclass
class PairProcess:
    """One pair's worker process and when it may be started again."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float = 0.0
    pause_s: float = RESTART_FIRST_S
    exit_codes: list[int] = field(default_factory=list)
    finished: bool = False  # ended for good (--once, or stopping): never started again


class AllPairs:
    """Start, watch, restart and stop one worker process per pair."""

    def __init__(self, pair_argv: dict[str, list[str]], *, once: bool = False,
                 drain_timeout_s: float = 20.0,
                 monotonic: Callable[[], float] | None = None,
                 output: IO[Any] | None = None) -> None:
        """output: where the pairs' workers write (their log lines); None: this process's
        stdout and stderr (a service's journal). The demo sends them to a file: its console
        owns the terminal."""
        self.pairs = [PairProcess(name, argv, pause_s=RESTART_FIRST_S)
                      for name, argv in pair_argv.items()]
        self.once = once
        self.drain_timeout_s = drain_timeout_s
        self.stop_requested = threading.Event()
        self.stop_reason = ""
        self._now = monotonic or time.monotonic
        self.output = output

    def request_stop(self, reason: str = "asked to stop") -> None:
        """Safe from a signal handler: only sets an event."""
        if not self.stop_requested.is_set():
            self.stop_reason = reason
        self.stop_requested.set()

    def run(self) -> int:
        """Until stopped (or, with --once, until every pair's pass is done). The exit code: 0
        when every pair's worker ended 0, else the first pair's (in pair order) that did not."""
        for pair in self.pairs:
            self._start(pair)
        try:
            while not self.stop_requested.is_set():
                running = [p for p in self.pairs if self._still_running(p)]
                if self.once and not running:
                    break
                self.stop_requested.wait(WATCH_EVERY_S)
        finally:
            self._stop_all()
        return next((p.exit_codes[-1] for p in self.pairs
                     if p.exit_codes and p.exit_codes[-1] != EXIT_OK), EXIT_OK)

    def _start(self, pair: PairProcess, extra_env: dict[str, str] | None = None) -> None:
        env = {**os.environ, **(extra_env or {})}
        env[SUPERVISOR_ENV] = str(os.getpid())
        pair.process = subprocess.Popen(pair.argv, env=env, stdout=self.output,
                                        stderr=self.output)
        pair.started_at = self._now()
        log.info("pair %s: worker started (pid %d)", pair.name, pair.process.pid)

    def _still_running(self, pair: PairProcess) -> bool:
        """Whether this pair still has work going; a worker that stopped unexpectedly is started
        again after its pause (each early stop doubles the pause, up to RESTART_MAX_S)."""
        if pair.finished:
            return False
        if pair.process is None:
            if self._now() >= pair.restart_at:
                self._start(pair)
            return True
        code = pair.process.poll()
        if code is None:
            return True
        pair.exit_codes.append(code)
        pair.process = None
        if self.once or self.stop_requested.is_set():
            log.info("pair %s: worker ended (exit %d)", pair.name, code)
            pair.finished = True
            return False
        ran = self._now() - pair.started_at
        pair.pause_s = RESTART_FIRST_S if ran >= STEADY_S else pair.pause_s
        pair.restart_at = self._now() + pair.pause_s
        log.warning("pair %s: worker stopped (exit %d) after %.0f s; starting it again in "
                    "%.0f s (the other pairs go on)", pair.name, code, ran, pair.pause_s)
        pair.pause_s = min(pair.pause_s * 2, RESTART_MAX_S)
        return True

    def _stop_all(self) -> None:
        """SIGTERM to every pair's worker, then wait for them to drain (each waits for its GP
        call in flight up to its drain timeout); one that does not end in time is killed."""
        live = [p for p in self.pairs if p.process is not None and p.process.poll() is None]
        for pair in live:
            assert pair.process is not None
            pair.process.terminate()
        for pair in live:
            assert pair.process is not None
            try:
                code = pair.process.wait(timeout=self.drain_timeout_s + 15.0)
                # still starting when asked to stop (no handler yet): nothing was under way
                code = EXIT_OK if code == -signal.SIGTERM else code
            except subprocess.TimeoutExpired:
                log.error("pair %s: worker did not stop in time; killed", pair.name)
                pair.process.kill()
                code = pair.process.wait()
            pair.exit_codes.append(code)
            log.info("pair %s: worker stopped (exit %d)", pair.name, code)


def pair_command(workspace_args: Sequence[str], name: str, options: Sequence[str]) -> list[str]:
    """The command line of one pair's worker: this Python, `ml-connector worker --pair NAME`."""
    return [sys.executable, "-m", "tui.cli", "worker", *workspace_args, "--pair", name,
            *options]


def stop_with_supervisor(stop: Callable[[str], Any]) -> threading.Thread | None:
    """In a pair's worker started by AllPairs: a daemon thread that calls `stop` once the
    supervisor process is gone (this process's parent changed). None when not supervised."""
    text = os.environ.get(SUPERVISOR_ENV, "")
    if not text.isdigit():
        return None
    supervisor = int(text)
    if os.getppid() != supervisor:  # already gone before we looked
        stop("the pairs' supervisor is gone")
        return None

    def watch() -> None:
        gone = threading.Event()
        while not gone.wait(WATCH_EVERY_S):
            if os.getppid() != supervisor:
                stop("the pairs' supervisor is gone")
                return

    thread = threading.Thread(target=watch, name="supervisor-watch", daemon=True)
    thread.start()
    return thread
