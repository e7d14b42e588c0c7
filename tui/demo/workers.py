"""`demo --workers W`: W `ml-connector worker` supervisors on one workspace, and the chaos that
kills one of them (its whole process group: the supervisor and every pair's worker under it, as
`kill -9` of a service's cgroup would) every few seconds, then starts it again.

The supervisors run as the README's several-host shape does: `worker --share` starts a pair's
worker only while that pair's lease is free (reserving it first), so the W supervisors share the
pairs and take over a killed one's; a pair's lease lets one run it at a time.

Webhooks enter at one address whoever holds the pair: an `ml-connector receive` process (the
receiver of every pair; not killed by the chaos, as a load balancer would keep one answering)
stores each delivery in its own pair's state, and the pairs' workers run `--webhooks-elsewhere`.
Polling (every 5 s in the demo) stays the backstop. Without a receiver (`receiver_listen=None`)
the workers poll only.
"""
from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from core.owners import proc_stat

log = logging.getLogger("ml_connector.demo")

CLI = [sys.executable, "-m", "tui.cli"]


@dataclass
class Supervisor:
    """One `ml-connector worker` process (a process group of its own) and its history."""

    number: int
    argv: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    pids: list[int] = field(default_factory=list)  # every supervisor pid it ever had
    kills: int = 0
    restarts: int = 0
    exits: list[int] = field(default_factory=list)  # ended on its own (not killed by us)
    _out: IO[bytes] | None = None

    def start(self) -> None:
        if self._out is None:
            self._out = self.log_path.open("ab")
        self.process = subprocess.Popen(self.argv, stdout=self._out, stderr=self._out,
                                        start_new_session=True)
        self.pids.append(self.process.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_group(self) -> None:
        """kill -9 of the supervisor's whole process group: it and its pairs' workers."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self, timeout_s: float) -> int | None:
        """SIGTERM (the supervisor drains its pairs' workers), then kill -9 after timeout_s."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill_group()
        try:  # a pair's worker that outlived its supervisor: no orphans
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._out is not None:
            self._out.close()
            self._out = None
        return self.process.returncode


class Fleet:
    """W supervisors on one workspace, and the seeded chaos that kills and restarts them."""

    def __init__(self, workspace: Path, workers: int, *, seed: int = 0,
                 kill_every_s: float = 8.0, receiver_listen: str | None = None) -> None:
        logs = workspace / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        webhooks = ["--webhooks-elsewhere"] if receiver_listen else ["--no-webhooks"]
        argv = [*CLI, "worker", "--workspace", str(workspace), "--share", *webhooks,
                "--drain-timeout=10"]
        self.supervisors = [Supervisor(n, argv, logs / f"worker-{n}.log")
                            for n in range(1, workers + 1)]
        # Number 0: the receiver of every pair, `ml-connector receive`.
        self.receiver = Supervisor(0, [*CLI, "receive", "--workspace", str(workspace),
                                       "--listen", receiver_listen], logs / "receive.log") \
            if receiver_listen else None
        self.kill_every_s = kill_every_s
        self.random = random.Random(seed)
        self.stopped = threading.Event()
        self.holder_pids: dict[str, int] = {}  # pair -> pid of its worker holding the lease
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._chaos, name="demo-chaos", daemon=True)

    def start(self) -> Fleet:
        if self.receiver is not None:
            self.receiver.start()
        for sup in self.supervisors:
            sup.start()
        if self.kill_every_s > 0:
            self._thread.start()
        return self

    @property
    def kills(self) -> int:
        return sum(s.kills for s in self.supervisors)

    def next_pause(self) -> float:
        """Seconds to the next kill: kill_every_s, give or take half (seeded)."""
        return self.kill_every_s * self.random.uniform(0.5, 1.5)

    def kill_one(self) -> Supervisor:
        """kill -9 one supervisor's process group, start it again. Which one: the one running
        a pair drawn by the seeded random (as last looked, holder_pids), so a supervisor
        running more pairs is killed more often; one whose workers only wait, never (that
        would test nothing) unless no holder is known."""
        with self._lock:
            holders = [self.owner_of(pid) for _pair, pid in sorted(self.holder_pids.items())]
            running = [n for n in holders if n is not None]
            if running:
                number = running[self.random.randrange(len(running))]
                victim = next(s for s in self.supervisors if s.number == number)
            else:
                victim = self.supervisors[self.random.randrange(len(self.supervisors))]
            victim.kill_group()
            victim.kills += 1
            log.warning("demo: killed worker %d's process group (pid %d); starting it again",
                        victim.number, victim.pids[-1])
            victim.start()
            victim.restarts += 1
            return victim

    def keep_running(self) -> None:
        """A supervisor that ended on its own is noted and started again."""
        with self._lock:
            for sup in self._processes():
                if sup.process is not None and not sup.alive() and not self.stopped.is_set():
                    sup.exits.append(int(sup.process.returncode))
                    log.warning("demo: %s ended on its own (exit %d); starting it again",
                                f"worker {sup.number}" if sup.number else "the receiver",
                                sup.process.returncode)
                    sup.start()
                    sup.restarts += 1

    def _chaos(self) -> None:
        while not self.stopped.wait(self.next_pause()):
            self.kill_one()

    def stop_chaos(self) -> None:
        self.stopped.set()
        if self._thread.is_alive():
            self._thread.join(30)

    def stop(self, timeout_s: float = 40.0) -> None:
        self.stop_chaos()
        with self._lock:
            for sup in self._processes():
                if sup.alive():
                    assert sup.process is not None
                    sup.process.terminate()
            deadline = time.monotonic() + timeout_s
            for sup in self._processes():
                sup.stop(max(1.0, deadline - time.monotonic()))

    def _processes(self) -> list[Supervisor]:
        return self.supervisors + ([self.receiver] if self.receiver is not None else [])

    def owner_of(self, pid: int) -> int | None:
        """Which supervisor (its number) a pair's worker process `pid` runs under, by its
        parent process (Linux's /proc), or is; None when unknown."""
        parent = parent_pid(pid)
        for sup in self.supervisors:
            # the supervisor itself, when it holds a lease for a worker it is starting (--share)
            if sup.process is not None and sup.process.pid in (parent, pid):
                return sup.number
        return None

    def figures(self) -> dict[str, object]:
        return {
            "workers": len(self.supervisors),
            "kills": self.kills,
            "restarts": sum(s.restarts for s in self.supervisors),
            "kill_every_s": self.kill_every_s,
            "receiver": None if self.receiver is None else {
                "command": " ".join(["ml-connector", *self.receiver.argv[3:]]),
                "ended_on_its_own": self.receiver.exits, "log": str(self.receiver.log_path)},
            "per_worker": {str(s.number): {"kills": s.kills, "restarts": s.restarts,
                                           "ended_on_its_own": s.exits, "log": str(s.log_path)}
                           for s in self.supervisors},
        }


def parent_pid(pid: int) -> int | None:
    """The parent of process `pid` (from /proc/PID/stat), None when not known here."""
    fields = proc_stat(pid)
    return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None


__all__ = ["Fleet", "Supervisor", "parent_pid"]
