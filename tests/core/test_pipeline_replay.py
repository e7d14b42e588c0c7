"""`ml-connector replay`: idempotent, safe twice at once, and a dry run that changes nothing."""
from __future__ import annotations

import threading

import pytest

from core.clock import ManualClock
from core.config import Workspace
from core.replay import replay_orders
from core.store import audit
from core.store.db import close_db, init_db, thread_connection
from core.store.models import Job, Order, OrderSku
from tui.cli import main


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.at(tmp_path / "ws")
    init_db(workspace.db_path)
    clock = ManualClock()
    now = clock.now()
    for n, (state, reason) in enumerate([("held", "sku"), ("held", "gl"), ("failed", None),
                                         ("verified", None)], start=101):
        o = Order.create(woo_id=n, number=str(n), status="processing", state=state,
                         hold_reason=reason, last_error="GP said no" if state == "failed" else None,
                         customer_key=f"id:{n}", created_at=now, updated_at=now)
        OrderSku.create(order=o, sku="TEE-BLU-M" if n == 101 else "MUG-STONE-12OZ")
    yield workspace
    close_db()


def _states() -> dict[str, str]:
    return {o.number: o.state for o in Order.select()}


def test_replay_by_number_reason_and_sku(ws, capsys) -> None:
    args = ["--workspace", str(ws.db_path.parent), "replay"]
    assert main(args + ["--held", "--reason", "gl"]) == 0
    assert _states() == {"101": "held", "102": "new", "103": "failed", "104": "verified"}
    assert "1 document(s) back in the posting queue" in capsys.readouterr().out
    assert main(args + ["--sku", "TEE-BLU-M"]) == 0
    assert _states()["101"] == "new"
    assert main(args + ["103"]) == 0 and _states()["103"] == "new"
    assert Order.get(Order.number == "103").last_error is None
    assert {j.key for j in Job.select()} == {"order:101", "order:102", "order:103"}
    ev = [e for e in audit.timeline("order", 103) if e.kind == "replayed"]
    assert ev and ev[0].actor.startswith("cli:") and "was failed" in ev[0].message
    # Again: nothing left to replay, nothing changes.
    assert main(args + ["--failed"]) == 0
    assert "nothing to replay" in capsys.readouterr().out
    assert main(args + ["999"]) == 1
    assert main(args) == 2


def test_two_replays_at_once_move_each_order_once(ws) -> None:
    moved: list[int] = []

    def go() -> None:
        with thread_connection():
            moved.append(replay_orders(held=True, failed=True, actor="console:a"))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(moved) == 3
    assert Job.select().count() == 3
    assert sum(1 for e in audit.timeline("order", 101) if e.kind == "replayed") == 1


def test_replay_dry_run_says_what_would_post_and_changes_nothing(tmp_path, capsys) -> None:
    from core.intake.inbox import accept_order_snapshot
    from tests.core.pipeline_env import start_env
    from tui.demo.setup import DemoEndpoints, prepare_workspace

    env = start_env(tmp_path / "env", orders=6, seed=8)
    try:
        ep = DemoEndpoints(env.shop.url, env.shop.consumer_key, env.shop.consumer_secret,
                           env.gp.soap_url, f"{env.gp.domain}\\{env.gp.user}", env.gp.password,
                           env.gp.company, env.gp.base_url)
        close_db()
        root = tmp_path / "ws"
        init_db(root / "state.db")
        prepare_workspace(root, ep)
        for payload in env.woo().iter_orders_modified_since(None):
            accept_order_snapshot(payload, source="poll")
        Order.update(state="failed", last_error="earlier").execute()
        before = audit.verify_chain().events
        assert main(["--workspace", str(root), "replay", "--failed", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "would post invoice WC" in out and "6 order(s) checked, nothing changed" in out
        assert set(_states().values()) == {"failed"}
        assert audit.verify_chain().events == before
        assert env.gp.state()["invoices"] == []
    finally:
        env.close()
        close_db()
