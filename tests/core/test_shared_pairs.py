"""`worker --share` (core.worker.shared_pairs, core.worker.pair_leases): the lease reservation on
a real state database, and the sharing supervisor with small stand-in processes for the pairs'
workers over a board of leases kept in this process (the PostgreSQL tests run the real thing)."""
from __future__ import annotations

import os
import random
import sys
import threading
from datetime import timedelta

import pytest

from core.clock import SYSTEM_CLOCK
from core.owners import make_owner
from core.store.db import close_db, init_db
from core.worker import shared_pairs
from core.worker.all_pairs import RESTART_FIRST_S
from core.worker.lease import RESERVED_ENV, Lease, LeaseInfo, read_lease
from core.worker.pair_leases import PairLeases, PairPlace
from core.worker.shared_pairs import SharedPairs
from tests.sandbox.demo_support import wait_for

UNTIL_STOPPED = [sys.executable, "-c",
                 "import signal, sys, threading\n"
                 "stop = threading.Event()\n"
                 "signal.signal(signal.SIGTERM, lambda *a: stop.set())\n"
                 "stop.wait()\n"
                 "sys.exit(0)"]
LOST_RACE = [sys.executable, "-c", "import sys; sys.exit(3)"]


def test_a_reserved_lease_is_refused_to_others_and_taken_over_by_the_worker_it_was_handed_to(
        tmp_path, monkeypatch):
    path = tmp_path / "state.db"
    init_db(path)
    close_db()
    board = PairLeases({"a": PairPlace(path, 30.0)})
    assert board.read("a") is None
    mine = make_owner()
    assert board.reserve("a", mine) is None
    reserved = board.read("a")
    assert reserved.holder == mine and reserved.pid == os.getpid()
    beaten = board.reserve("a", make_owner())  # another supervisor, a moment later
    assert beaten is not None and beaten.holder == mine
    assert board.renew("a", mine) and not board.renew("a", make_owner())
    # The worker started with the reservation takes the row as its own lease.
    monkeypatch.setenv(RESERVED_ENV, mine)
    init_db(path)
    try:
        lease = Lease(ttl_s=30)
        assert lease.holder == mine and RESERVED_ENV not in os.environ  # handed over once
        lease.acquire()
        assert read_lease().holder == mine
        assert Lease(ttl_s=30).holder != mine  # a second lease in this process: its own
        assert board.release("a", mine)  # its worker ended (killed): free at once
        assert read_lease() is None
    finally:
        close_db()


def test_reading_a_pair_without_a_state_yet_says_free(tmp_path):
    board = PairLeases({"new": PairPlace(tmp_path / "missing.db", 30.0)})
    assert board.read("new") is None and board.reserve("new", make_owner()) is None


class Board:
    """Leases kept in this process, with the real rules: one holder, reserved under a lock."""

    def __init__(self, names: list[str]) -> None:
        self.rows: dict[str, LeaseInfo | None] = dict.fromkeys(names)
        self.lock = threading.Lock()
        self.reserved: list[str] = []

    def hold(self, name: str, holder: str, host: str = "elsewhere") -> LeaseInfo:
        now = SYSTEM_CLOCK.now()
        info = LeaseInfo(holder=holder, host=host, pid=1, mode="headless", started_at=now,
                         heartbeat_at=now, expires_at=now + timedelta(hours=1), status=None)
        self.rows[name] = info
        return info

    def read(self, name: str) -> LeaseInfo | None:
        with self.lock:
            return self.rows[name]

    def reserve(self, name: str, holder: str) -> LeaseInfo | None:
        with self.lock:
            row = self.rows[name]
            if row is not None and row.holder != holder:
                return row
            self.hold(name, holder)
            self.reserved.append(name)
            return None

    def renew(self, name: str, holder: str) -> bool:
        return True

    def release(self, name: str, holder: str) -> bool:
        with self.lock:
            row = self.rows[name]
            if row is not None and row.holder == holder:
                self.rows[name] = None
                return True
            return False


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(shared_pairs, "WATCH_EVERY_S", 0.02)


def _run(supervisor: SharedPairs) -> tuple[threading.Thread, list[int]]:
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(supervisor.run()), daemon=True)
    thread.start()
    return thread, codes


def test_only_free_pairs_are_started_and_a_lost_race_is_no_crash():
    class LosesC(Board):
        def reserve(self, name, holder):
            got = super().reserve(name, holder)
            if name == "c":  # its worker will find another host's worker took it meanwhile
                self.hold("c", "a faster host")
            return got

    board = LosesC(["a", "b", "c"])
    board.hold("a", "worker on another host")
    supervisor = SharedPairs({"a": UNTIL_STOPPED, "b": UNTIL_STOPPED, "c": LOST_RACE}, board,
                             check_every_s=0.05, spread_s=0.05, rng=random.Random(1))
    thread, codes = _run(supervisor)
    try:
        assert wait_for(lambda: supervisor.lost_races == 1 and supervisor.running() == ["b"],
                        timeout_s=30)
        c = next(p for p in supervisor.pairs if p.name == "c")
        assert c.exit_codes == [3] and c.pause_s == RESTART_FIRST_S  # no pause, no backoff
        assert board.reserved.count("c") == 1  # watched, not started again
        assert "a" not in board.reserved  # held by a live worker elsewhere: never started
    finally:
        supervisor.request_stop()
        thread.join(timeout=30)
    assert codes == [0]
    assert board.read("b") is None  # given back at the stop


def test_three_supervisors_share_ten_pairs_evenly_and_take_over_a_stopped_ones():
    names = [f"p{n}" for n in range(10)]
    board = Board(names)
    sups = [SharedPairs(dict.fromkeys(names, UNTIL_STOPPED), board, check_every_s=0.05,
                        spread_s=0.15, rng=random.Random(seed)) for seed in range(3)]
    runs = [_run(s) for s in sups]
    try:
        assert wait_for(lambda: sum(len(s.running()) for s in sups) == 10, timeout_s=60)
        share = sorted((len(s.running()) for s in sups), reverse=True)
        assert share[0] - share[-1] <= 2, share  # 4/3/3 or 4/4/2, never 10/0/0
        assert sum(s.beaten + s.lost_races for s in sups) <= 10
        sups[0].request_stop()  # one host goes away: the others take its pairs
        runs[0][0].join(timeout=30)
        assert wait_for(lambda: sum(len(s.running()) for s in sups[1:]) == 10, timeout_s=60)
        print(f"share of 10 pairs: {share}; after one stopped: "
              f"{[len(s.running()) for s in sups[1:]]}")
    finally:
        for s in sups:
            s.request_stop()
        for thread, _ in runs:
            thread.join(timeout=30)
