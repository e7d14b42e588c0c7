"""The console's embedded worker: started only when no live worker holds the lease."""
from __future__ import annotations

from core.clock import ManualClock
from core.config import Settings, Workspace, dump_settings
from core.worker.embedded import start_if_free
from core.worker.lease import Lease, read_lease
from core.worker.options import EXIT_CONFIG


def _ws(tmp_path) -> Workspace:
    from core.store.db import init_db

    ws = Workspace.at(tmp_path / "ws")
    ws.config_path.parent.mkdir(parents=True, exist_ok=True)
    ws.config_path.write_text(dump_settings(Settings()))
    init_db(ws.db_path)  # the console has the workspace's database open
    return ws


def test_not_started_while_a_headless_worker_is_alive(tmp_path, state_db):
    clock = ManualClock()
    ws = _ws(tmp_path)
    Lease(mode="headless", ttl_s=60, clock=clock, host="gp-server", pid=4242).acquire()
    assert start_if_free(ws, clock=clock) is None
    assert read_lease().mode == "headless"


def test_started_when_the_lease_is_free_or_expired(tmp_path, state_db):
    clock = ManualClock()
    ws = _ws(tmp_path)
    Lease(mode="headless", ttl_s=60, clock=clock, host="gp-server", pid=4242).acquire()
    clock.advance(seconds=120)  # that worker died
    embedded = start_if_free(ws, clock=clock, settings=Settings(), listen="127.0.0.1:0")
    assert embedded is not None
    assert embedded.finished.wait(20)
    # This workspace has no shop configured: the worker says so and gives the lease back.
    assert embedded.exit_code == EXIT_CONFIG
    assert "stopped" in embedded.describe()
    assert read_lease() is None  # released on the way out


def test_no_workspace_no_worker(state_db):
    assert start_if_free(None) is None
