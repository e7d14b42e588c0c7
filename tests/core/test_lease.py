"""The single-worker lease: one holder at a time, heartbeat, expiry, release, dead-pid takeover."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.gp.fenced import FencedGateway
from core.store import queue
from core.store.models import WorkerLease
from core.worker.lease import Heartbeat, Lease, LeaseHeld, LeaseLost, live_lease, read_lease


def test_second_worker_is_refused_and_told_who_holds_it(state_db):
    clock = ManualClock()
    first = Lease(mode="headless", ttl_s=60, clock=clock, host="gp-server", pid=4242)
    second = Lease(mode="headless", ttl_s=60, clock=clock, host="laptop", pid=77)
    first.acquire({"last_poll": None})
    with pytest.raises(LeaseHeld) as refused:
        second.acquire()
    assert "gp-server" in str(refused.value) and "4242" in str(refused.value)
    assert refused.value.info.holder == first.holder
    assert read_lease().holder == first.holder


def test_expired_lease_is_taken_over_and_the_old_holder_learns_it(state_db):
    clock = ManualClock()
    first = Lease(ttl_s=60, clock=clock, host="gp-server", pid=4242)
    second = Lease(ttl_s=60, clock=clock, host="laptop", pid=77)
    first.acquire()
    clock.advance(seconds=59)
    assert second.try_acquire() is None
    clock.advance(seconds=2)  # 61 s without a heartbeat: the first worker is dead
    assert second.try_acquire() is not None
    with pytest.raises(LeaseLost):
        first.renew()
    assert first.held is False
    assert read_lease().holder == second.holder


def test_heartbeat_keeps_the_lease_alive(state_db):
    clock = ManualClock()
    first = Lease(ttl_s=60, clock=clock, host="gp-server", pid=4242)
    second = Lease(ttl_s=60, clock=clock, host="laptop", pid=77)
    first.acquire()
    for _ in range(5):
        clock.advance(seconds=30)
        first.renew({"queued": 3})
    assert second.try_acquire() is None
    info = live_lease(clock)
    assert info is not None and info.status == {"queued": 3}
    assert info.expires_at == clock.now() + timedelta(seconds=60)


def test_release_frees_it_at_once_and_only_for_the_holder(state_db):
    clock = ManualClock()
    first = Lease(ttl_s=60, clock=clock, host="gp-server", pid=4242)
    second = Lease(ttl_s=60, clock=clock, host="laptop", pid=77)
    first.acquire()
    assert second.release() is False  # not the holder: nothing removed
    assert read_lease() is not None
    assert first.release() is True
    assert read_lease() is None
    assert second.try_acquire() is not None


def test_a_dead_process_on_this_host_is_not_waited_for(state_db):
    clock = ManualClock()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # its pid now names no process
    ghost = Lease(ttl_s=600, clock=clock, host=socket.gethostname(), pid=child.pid)
    ghost.acquire()
    me = Lease(ttl_s=600, clock=clock)
    assert me.try_acquire() is not None
    assert WorkerLease.get().holder == me.holder


def test_racing_threads_yield_exactly_one_holder(state_db, tmp_path):
    from core.store.db import thread_connection

    clock = ManualClock()
    leases = [Lease(ttl_s=60, clock=clock, host=f"h{i}", pid=1000 + i) for i in range(6)]
    go = threading.Barrier(len(leases))
    won: list[str] = []

    def race(lease: Lease) -> None:
        with thread_connection():
            go.wait()
            if lease.try_acquire() is not None:
                won.append(lease.holder)

    threads = [threading.Thread(target=race, args=(lease,)) for lease in leases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert read_lease().holder == won[0]


def test_heartbeat_thread_reports_a_lost_lease(state_db):
    clock = ManualClock()
    mine = Lease(ttl_s=3, clock=clock, host="a", pid=1)
    mine.acquire()
    WorkerLease.update(holder="someone-else").execute()  # taken over behind our back
    beat = Heartbeat(mine)
    with pytest.raises(LeaseLost):
        beat.beat()


def test_fence_refuses_claims_and_gp_writes_once_another_worker_took_over(state_db):
    """The fence runs inside the claim's transaction and before a GP write: after a takeover
    the old holder claims nothing and its gateway sends nothing."""
    clock = ManualClock()
    old = Lease(ttl_s=3, clock=clock, host="elsewhere", pid=1)
    old.acquire()
    with state_db.atomic("IMMEDIATE"):
        queue.enqueue("post_order", "order:1", clock=clock)
    clock.advance(seconds=10)  # frozen past its TTL
    new = Lease(ttl_s=3, clock=clock, host="elsewhere", pid=2)
    new.acquire()

    with pytest.raises(LeaseLost):
        queue.claim("old", clock=clock, fence=old.fence)
    assert queue.counts() == {"queued": 1}  # nothing claimed

    sent: list[str] = []

    class Recorder:
        def create_sales_invoice(self, invoice):
            sent.append(invoice)

        def find_sales_invoice(self, number):
            return None

    gateway = FencedGateway(Recorder(), old.fence)
    assert gateway.find_sales_invoice("WC1") is None  # reads pass
    with pytest.raises(LeaseLost):
        gateway.create_sales_invoice("WC1")
    assert sent == []
    FencedGateway(Recorder(), new.fence).create_sales_invoice("WC1")
    assert sent == ["WC1"]
    assert [j.key for j in queue.claim("new", clock=clock, fence=new.fence)] == ["order:1"]
