"""`ml-connector worker --share`: workers on several hosts share a workspace's pairs.

Each host runs the same workspace (same pairs, same configuration, same keys) with
`ml-connector worker --share`. No coordinator of our own: each pair's worker lease is the only
arbiter (one holder, fencing, taken over once its holder is dead or its TTL has passed). The
sharing supervisor reads every pair's lease row every CHECK_EVERY_S (one small query each,
core.worker.pair_leases) and starts a pair's worker process only while that pair's lease is free
or expired; the started worker then takes the lease as always, and one that lost the race to
another host exits 3 (EXIT_LEASE_HELD): not a crash, no pause, nothing alarming in the log.

Spreading the pairs: a supervisor already running k pairs waits k x SPREAD_S (plus a random
part) after it first saw a pair free before taking it, and starts at most one pair per look. So
supervisors started together take turns, ending near an even share (4/3/3 of 10 pairs), and
a free pair is still taken within (pairs a host runs) x SPREAD_S of becoming free. When a host
dies (kill -9, power cut), its pairs' leases expire after their TTL ([worker] lease_ttl_s) and
the other hosts take them over; on the same host, a dead holder is seen at once.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from core.clock import SYSTEM_CLOCK, Clock
from core.owners import this_host
from core.worker.all_pairs import (
    RESTART_FIRST_S,
    RESTART_MAX_S,
    STEADY_S,
    WATCH_EVERY_S,
    AllPairs,
    PairProcess,
)
from core.worker.lease import LeaseInfo
from core.worker.options import EXIT_LEASE_HELD, EXIT_OK

log = logging.getLogger("ml_connector.worker")

CHECK_EVERY_S = 2.0  # how often every pair's lease row is read
SPREAD_S = 2.0  # per pair this supervisor already runs, the wait before it takes another
STARTING_MAX_S = 60.0  # a worker that has not taken its lease by then counts as started


@dataclass
class PairWatch:
    """What this supervisor last saw of one pair's lease."""

    free_since: float | None = None  # when this supervisor first saw it free (monotonic)
    jitter_s: float = 0.0  # drawn anew each time it is seen free: supervisors differ
    holder: str = ""  # who holds it ("" free, or ours)
    ours: bool = False  # the lease row names our worker process
    problem: str = ""  # why its lease could not be read (said once per change)


class SharedPairs(AllPairs):
    """Start a pair's worker only while no live worker anywhere holds that pair's lease."""

    def __init__(self, pair_argv: dict[str, list[str]],
                 read_lease: Callable[[str], LeaseInfo | None], *,
                 drain_timeout_s: float = 20.0, check_every_s: float = CHECK_EVERY_S,
                 spread_s: float = SPREAD_S, clock: Clock = SYSTEM_CLOCK,
                 monotonic: Callable[[], float] | None = None,
                 rng: random.Random | None = None, output: IO[Any] | None = None) -> None:
        """read_lease(pair name): that pair's lease row, live or not (None: none)."""
        super().__init__(pair_argv, drain_timeout_s=drain_timeout_s, monotonic=monotonic,
                         output=output)
        self.read_lease = read_lease
        self.check_every_s = check_every_s
        self.spread_s = spread_s
        self.clock = clock
        self.rng = rng or random.Random()
        self.host = this_host()
        self.watch = {p.name: PairWatch() for p in self.pairs}
        self.lost_races = 0  # workers that found the lease taken by another host first

    def run(self) -> int:
        """Until stopped (SIGTERM/SIGINT). Exit code 0 when every pair's worker running at the
        stop ended 0, else the first (in pair order) that did not."""
        log.info("sharing %d pairs with the other hosts' workers (host %s): a pair's worker "
                 "starts here while no live worker holds its lease", len(self.pairs), self.host)
        next_look = self._now()
        counts: list[int] = []
        try:
            while not self.stop_requested.is_set():
                for pair in self.pairs:
                    self._reap(pair)
                if self._now() >= next_look:
                    self._look()
                    next_look = self._now() + self.check_every_s
                self._take()
                self.stop_requested.wait(min(WATCH_EVERY_S, self.check_every_s))
        finally:
            counts = [len(p.exit_codes) for p in self.pairs]
            self._stop_all()
        finals = [p.exit_codes[-1] for p, before in zip(self.pairs, counts, strict=True)
                  if len(p.exit_codes) > before]
        return next((code for code in finals if code != EXIT_OK), EXIT_OK)

    def running(self) -> list[str]:
        """The pairs whose worker runs in this supervisor now."""
        return [p.name for p in self.pairs if p.process is not None]

    # --- a pair's worker ended ----------------------------------------------------------

    def _reap(self, pair: PairProcess) -> None:
        if pair.process is None:
            return
        code = pair.process.poll()
        if code is None:
            return
        pair.exit_codes.append(code)
        pair.process = None
        watch = self.watch[pair.name]
        watch.ours, watch.free_since = False, None
        if self.stop_requested.is_set():
            return
        if code == EXIT_LEASE_HELD:  # another host's worker took it first: not a crash
            self.lost_races += 1
            log.info("pair %s: another host's worker took the lease first; watching it",
                     pair.name)
            return
        ran = self._now() - pair.started_at
        pair.pause_s = RESTART_FIRST_S if ran >= STEADY_S else pair.pause_s
        pair.restart_at = self._now() + pair.pause_s
        log.warning("pair %s: worker stopped (exit %d) after %.0f s; this host takes it again "
                    "in %.0f s at the earliest if no other host has (the other pairs go on)",
                    pair.name, code, ran, pair.pause_s)
        pair.pause_s = min(pair.pause_s * 2, RESTART_MAX_S)

    # --- looking at the leases ----------------------------------------------------------

    def _look(self) -> None:
        """Read every pair's lease."""
        now = self._now()
        for pair in self.pairs:
            self._read(pair, now)

    def _take(self) -> None:
        """Start at most one free pair's worker, once its wait is over (between two looks, a
        pair seen free stays free here: its worker, if another host started one, exits 3)."""
        now = self._now()
        free = [p for p in self.pairs if p.process is None and now >= p.restart_at
                and self.watch[p.name].free_since is not None]
        if not free:
            return
        mine = len(self.running())
        due = {p.name: self._due(p.name, mine) for p in free}
        pair = min(free, key=lambda p: due[p.name])
        if now >= due[pair.name]:
            held = self.watch[pair.name]
            log.info("pair %s: no live worker holds its lease%s; starting its worker here "
                     "(%d running here)", pair.name, f" ({held.holder})" if held.holder else "",
                     mine)
            self._start(pair)
            held.free_since = None  # ours now, unless its worker finds the lease taken

    def _due(self, name: str, mine: int) -> float:
        watch = self.watch[name]
        assert watch.free_since is not None
        return watch.free_since + mine * self.spread_s + watch.jitter_s

    def _read(self, pair: PairProcess, now: float) -> None:
        watch = self.watch[pair.name]
        try:
            info = self.read_lease(pair.name)
        except Exception as exc:  # noqa: BLE001 - any driver's error: said, tried again
            problem = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
            if problem != watch.problem:
                log.warning("pair %s: cannot read its lease (%s); trying again", pair.name,
                            problem)
            watch.problem = problem
            return
        watch.problem = ""
        if pair.process is not None:
            watch.ours = info is not None and info.host == self.host \
                and info.pid == pair.process.pid
            if not watch.ours and now - pair.started_at > STARTING_MAX_S:
                watch.ours = True  # still starting (a slow database): never start it twice
            return
        alive = info is not None and info.alive(self.clock.now())
        if alive:
            assert info is not None
            watch.free_since, watch.holder = None, info.describe()
            return
        if watch.free_since is None:
            watch.free_since = now
            watch.jitter_s = self.rng.uniform(0.0, self.spread_s)
            watch.holder = f"expired: was {info.describe()}" if info is not None else ""


def lease_reader(locations: dict[str, str | Path],
                 read: Callable[[str | Path], LeaseInfo | None]
                 ) -> Callable[[str], LeaseInfo | None]:
    """read_lease for SharedPairs: a pair's name -> its lease, read at the pair's location."""
    return lambda name: read(locations[name])
