"""The supervisor of every pair's worker (core.worker.all_pairs), with small stand-in processes
for the pairs' workers: a pair's worker that stops unexpectedly is started again after a pause
while the others run on untouched; --once ends when every pair's pass has ended, with the first
failing pair's exit code; a stop drains every pair's worker."""
from __future__ import annotations

import sys
import threading

import pytest

from core.worker import all_pairs
from core.worker.all_pairs import AllPairs
from tests.sandbox.demo_support import wait_for

# A pair's worker that runs until SIGTERM and then ends 0, as the real one does.
UNTIL_STOPPED = [sys.executable, "-c",
                 "import signal, sys, threading\n"
                 "stop = threading.Event()\n"
                 "signal.signal(signal.SIGTERM, lambda *a: stop.set())\n"
                 "stop.wait()\n"
                 "sys.exit(0)"]


def _exits(code: int) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.exit({code})"]


@pytest.fixture(autouse=True)
def quick_restarts(monkeypatch):
    monkeypatch.setattr(all_pairs, "RESTART_FIRST_S", 0.05)
    monkeypatch.setattr(all_pairs, "WATCH_EVERY_S", 0.02)


def test_a_pair_that_stops_is_started_again_and_the_other_runs_on():
    supervisor = AllPairs({"retail": UNTIL_STOPPED, "wholesale": _exits(5)}, drain_timeout_s=5)
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(supervisor.run()))
    runner.start()
    retail, wholesale = supervisor.pairs
    try:
        assert wait_for(lambda: len(wholesale.exit_codes) >= 3, timeout_s=30)
        first_pid = retail.process.pid if retail.process else None
        assert first_pid is not None and retail.exit_codes == []  # never restarted
        assert wholesale.pause_s > all_pairs.RESTART_FIRST_S  # each early stop waits longer
    finally:
        supervisor.request_stop("test over")
        runner.join(timeout=30)
    assert retail.exit_codes == [0]  # drained by SIGTERM, ended cleanly
    assert result == [5]  # the exit code says a pair's worker failed


def test_once_ends_when_every_pairs_pass_has_ended():
    supervisor = AllPairs({"a": _exits(0), "b": _exits(2), "c": _exits(0)}, once=True)
    assert supervisor.run() == 2
    assert [p.exit_codes for p in supervisor.pairs] == [[0], [2], [0]]
    assert AllPairs({"a": _exits(0), "b": _exits(0)}, once=True).run() == 0
