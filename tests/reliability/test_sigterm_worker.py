"""SIGTERM while a GP call is in flight: the worker finishes (or safely abandons) it, releases
the lease and exits 0 in bounded time; a second worker meanwhile is refused; after a restart
every order is in GP exactly once. Real processes, real stand-ins, real NTLM."""
from __future__ import annotations

import signal
import time
from collections import Counter

import httpx

from core.store.db import init_db
from core.store.models import Order
from core.worker.lease import read_lease
from tests.sandbox.demo_support import cli, stand_ins, wait_for
from tui.demo.setup import SandboxControl, prepare_workspace

WORKER = ("worker", "--no-webhooks", "--no-products", "--log-format", "json")


def test_sigterm_mid_post_no_duplicate_lease_released(tmp_path):
    with stand_ins(tmp_path) as (box, ep):
        ws, settings = prepare_workspace(tmp_path / "ws", ep)
        root = str(ws.config_path.parent)
        control = SandboxControl(ep)
        made = control.activity(orders=8)
        assert len(made["orders"]) == 8
        # Slow GP down so a create is certainly in flight when the signal arrives.
        faults = f"{box.gp.base_url}/_sandbox/faults"
        httpx.post(faults, json={"latency_ms": 300}).raise_for_status()
        init_db(ws.db_path)

        worker = cli("--workspace", root, *WORKER, "--drain-timeout", "15")
        try:
            in_flight = wait_for(lambda: Order.select().where(
                (Order.state == "posting") & Order.gp_doc_number.is_null(False)).exists(), 90)
            assert in_flight, "no order reached SENDING"
            holder = read_lease()
            assert holder is not None and holder.pid == worker.pid

            second = cli("--workspace", root, *WORKER)
            _, err = second.communicate(timeout=60)
            assert second.returncode == 3, err
            assert f"pid {worker.pid}" in err

            signalled = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            _, log = worker.communicate(timeout=40)
            took = time.monotonic() - signalled
        finally:
            if worker.poll() is None:
                worker.kill()
        assert worker.returncode == 0, log
        assert took < 20, f"stopping took {took:.1f} s"
        assert '"lease released"' in log or "lease released" in log
        assert read_lease() is None

        # Restart: one pass posts the rest; nothing is posted twice.
        httpx.delete(faults).raise_for_status()
        again = cli("--workspace", root, *WORKER, "--once")
        _, log2 = again.communicate(timeout=120)
        assert again.returncode == 0, log2
        gp = control.gp_state()
        control.close()
        numbers = Counter(d["number"] for d in gp["invoices"])
        pos = Counter(d["po"] for d in gp["invoices"])
        assert all(n == 1 for n in numbers.values()), numbers
        assert all(n == 1 for n in pos.values()), pos
        eligible = {o.woo_id for o in Order.select() if o.status in ("processing", "completed")}
        posted = {o.woo_id for o in Order.select().where(Order.state.in_(("posted", "verified")))}
        assert eligible and eligible <= posted | {o.woo_id for o in Order.select().where(
            (Order.state == "held") & (Order.hold_reason == "sku"))}
        assert len(gp["invoices"]) == len(posted)
        # `status` after the pass says who ran and when, not "none has run" (issue 15 item 8).
        status = cli("--workspace", root, "status")
        said, _ = status.communicate(timeout=60)
        assert "none has run" not in said and "stopped cleanly" in said, said
        assert "Last poll:" in said
