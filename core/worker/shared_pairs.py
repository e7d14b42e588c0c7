"""`ml-connector worker --share`: workers on several hosts share a workspace's pairs.

Each host runs the same workspace (same pairs, same configuration, same keys) with
`ml-connector worker --share`. No coordinator of our own: each pair's worker lease is the only
arbiter (one holder, fencing, taken over once its holder is dead or its TTL has passed). The
sharing supervisor reads every pair's lease row every CHECK_EVERY_S (one small query each,
core.worker.pair_leases) and starts a pair's worker process only while that pair's lease is free
or expired. Before starting it, it reserves the lease under the lease's own lock and hands the
reservation to the worker, so two hosts never start a worker for one pair at once; a worker that
still finds the lease taken (its start-up outlasted the TTL) exits 3 (EXIT_LEASE_HELD): not a
crash, no pause, nothing alarming in the log.

Spreading the pairs: a supervisor already running k pairs waits k x SPREAD_S (plus a random
part) after it first saw a pair free before taking it, and tries at most one pair per look. So
supervisors started together take turns, ending near an even share (4/3/3 of 10 pairs), and
a free pair is still taken within (pairs a host runs) x SPREAD_S of becoming free. When a host
dies (kill -9, power cut), its pairs' leases expire after their TTL ([worker] lease_ttl_s) and
the other hosts take them over; on the same host, a dead holder is seen at once.
"""
from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Protocol

from core.clock import SYSTEM_CLOCK, Clock
from core.owners import make_owner, this_host
from core.worker.all_pairs import (
    RESTART_FIRST_S,
    RESTART_MAX_S,
    STEADY_S,
    WATCH_EVERY_S,
    AllPairs,
    PairProcess,
)
from core.worker.lease import RESERVED_ENV, LeaseInfo
from core.worker.options import EXIT_LEASE_HELD, EXIT_OK

log = logging.getLogger("ml_connector.worker")

CHECK_EVERY_S = 2.0  # how often every pair's lease row is read
SPREAD_S = 2.0  # per pair this supervisor already runs, the wait before it takes another


class LeaseBoard(Protocol):
    """Each pair's lease, by pair name (core.worker.pair_leases.PairLeases)."""

    def read(self, name: str) -> LeaseInfo | None: ...

    def reserve(self, name: str, holder: str) -> LeaseInfo | None: ...

    def renew(self, name: str, holder: str) -> bool: ...

    def release(self, name: str, holder: str) -> bool: ...


@dataclass
class PairWatch:
    """What this supervisor last saw of one pair's lease."""

    free_since: float | None = None  # when this supervisor first saw it free (monotonic)
    jitter_s: float = 0.0  # drawn anew each time it is seen free: supervisors differ
    holder: str = ""  # who held it last ("" none)
    problem: str = ""  # why its lease could not be read (said once per change)


class SharedPairs(AllPairs):
    """Start a pair's worker only while no live worker anywhere holds that pair's lease."""

    def __init__(self, pair_argv: dict[str, list[str]], leases: LeaseBoard, *,
                 drain_timeout_s: float = 20.0, check_every_s: float = CHECK_EVERY_S,
                 spread_s: float = SPREAD_S, clock: Clock = SYSTEM_CLOCK,
                 monotonic: Callable[[], float] | None = None,
                 rng: random.Random | None = None, output: IO[Any] | None = None) -> None:
        """leases: each pair's lease, read, reserved and given back (core.worker.pair_leases)."""
        super().__init__(pair_argv, drain_timeout_s=drain_timeout_s, monotonic=monotonic,
                         output=output)
        self.leases = leases
        self.reserved: dict[str, str] = {}  # pair -> the holder handed to its running worker
        self.check_every_s = check_every_s
        self.spread_s = spread_s
        self.clock = clock
        self.rng = rng or random.Random()
        self.host = this_host()
        self.watch = {p.name: PairWatch() for p in self.pairs}
        self.lost_races = 0  # workers that found the lease taken by another host first
        self.beaten = 0  # reservations refused: another host had just taken the pair
        self._took_since_look = False  # at most one start between two looks

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
            for name in list(self.reserved):  # a worker stopped before it took its lease
                self._give_back(name)
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
        watch.free_since = None
        self._give_back(pair.name)
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
        self._took_since_look = False
        for pair in self.pairs:
            self._read(pair, now)

    def _take(self) -> None:
        """Start at most one free pair's worker, once its wait is over, after reserving its
        lease (a host that reserved it since the last look wins; nothing is started here)."""
        now = self._now()
        if self._took_since_look:
            return
        free = [p for p in self.pairs if p.process is None and now >= p.restart_at
                and self.watch[p.name].free_since is not None]
        if not free:
            return
        mine = len(self.running())
        due = {p.name: self._due(p.name, mine) for p in free}
        pair = min(free, key=lambda p: due[p.name])
        if now < due[pair.name]:
            return
        watch = self.watch[pair.name]
        watch.free_since = None  # ours now, or someone else's
        self._took_since_look = True
        holder = make_owner()
        try:
            held = self.leases.reserve(pair.name, holder)
        except Exception as exc:  # noqa: BLE001 - any driver's error: said, tried again
            log.warning("pair %s: cannot reserve its lease (%s); trying again", pair.name,
                        _first_line(exc))
            return
        if held is not None:
            self.beaten += 1
            watch.holder = held.describe()
            log.info("pair %s: %s took it first; watching its lease", pair.name, watch.holder)
            return
        log.info("pair %s: no live worker held its lease%s; starting its worker here "
                 "(%d running here)", pair.name, f" ({watch.holder})" if watch.holder else "",
                 mine)
        self.reserved[pair.name] = holder
        self._start(pair, {RESERVED_ENV: holder})

    def _give_back(self, name: str) -> None:
        """The pair's worker ended: its reservation (or its lease, if it was killed holding
        it) is free at once, not after the TTL."""
        holder = self.reserved.pop(name, None)
        if holder is None:
            return
        try:
            self.leases.release(name, holder)
        except Exception as exc:  # noqa: BLE001 - the TTL frees it instead
            log.warning("pair %s: cannot give its lease back (%s); it expires after its TTL",
                        name, _first_line(exc))

    def _renew(self, name: str, holder: str) -> None:
        try:
            self.leases.renew(name, holder)
        except Exception as exc:  # noqa: BLE001 - the next look tries again
            log.warning("pair %s: cannot renew its reservation (%s)", name, _first_line(exc))

    def _due(self, name: str, mine: int) -> float:
        watch = self.watch[name]
        assert watch.free_since is not None
        return watch.free_since + mine * self.spread_s + watch.jitter_s

    def _read(self, pair: PairProcess, now: float) -> None:
        watch = self.watch[pair.name]
        try:
            info = self.leases.read(pair.name)
        except Exception as exc:  # noqa: BLE001 - any driver's error: said, tried again
            problem = _first_line(exc)
            if problem != watch.problem:
                log.warning("pair %s: cannot read its lease (%s); trying again", pair.name,
                            problem)
            watch.problem = problem
            return
        watch.problem = ""
        if pair.process is not None:
            holder = self.reserved.get(pair.name)
            if holder and info is not None and info.holder == holder \
                    and info.pid == os.getpid():  # its worker is still starting
                self._renew(pair.name, holder)
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


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
