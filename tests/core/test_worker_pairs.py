"""`ml-connector worker` runs every pair of the workspace, each in its own worker process: a GP
that is dead or slow in one pair never slows another (issue 17). Two pairs, two shops, two GP
stand-ins; the second GP is put out of service (503 on every call) or made slow (latency on
every call) through the stand-in's fault controls; the first pair's orders are all posted and
verified meanwhile, and once the second GP is back the second pair catches up: every order of
both shops exactly once in its own company, verified."""
from __future__ import annotations

import signal
import time

import pytest

from core.store.db import close_db
from sandbox.gp import GPStandIn
from tests.core.pairs_env import (
    all_posted,
    close_pairs,
    eligible_orders,
    invoice_counts,
    order_states,
    start_pair,
    start_worker,
)
from tests.sandbox.demo_support import wait_for


@pytest.mark.parametrize("fault", [{"outage": True}, {"latency_ms": 3000}],
                         ids=["second_gp_dead", "second_gp_slow"])
def test_one_pairs_gp_dead_or_slow_never_holds_up_the_other(tmp_path, fault):
    folder = tmp_path / "ws"
    first = start_pair(tmp_path, folder, "default", seed=21)
    second = start_pair(tmp_path, folder, "second", seed=22)
    worker = None
    try:
        second.gp_faults(**fault)
        with (tmp_path / "worker.log").open("w") as log:
            began = time.monotonic()
            worker = start_worker(folder, log)
            for env in (first, second):  # customers order in both shops
                env.woo_control("POST", "activity", {"orders": 16})
            expected = eligible_orders(first)
            waiting = eligible_orders(second)
            assert expected and waiting
            assert wait_for(lambda: all_posted(first, expected), timeout_s=120), \
                (tmp_path / "worker.log").read_text()[-3000:]
            took = time.monotonic() - began
            # Meanwhile the second pair's GP answered nothing useful (dead) or little (slow).
            second_posted = sum(invoice_counts(second).values())
            assert second_posted < len(waiting)
            # GP comes back: the second pair catches up on its own, the first unaffected.
            second.gp_clear_faults()
            assert wait_for(lambda: all_posted(second, waiting), timeout_s=120), \
                (tmp_path / "worker.log").read_text()[-3000:]
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=90) == 0
        log_text = (tmp_path / "worker.log").read_text()
        assert "pair default: worker started" in log_text
        assert "pair second: worker started" in log_text
        assert "[second]" in log_text  # every line of a pair's worker names its pair
        print(f"first pair: {len(expected)} orders posted and verified in {took:.1f} s while "
              f"the second pair's GP was {'dead' if 'outage' in fault else 'slow'} "
              f"({second_posted} of {len(waiting)} posted there)")
        # exactly once, every one verified, each pair in its own database and GP company
        for env, orders in ((first, expected), (second, waiting)):
            assert all(n == 1 for n in invoice_counts(env).values())
            assert set(invoice_counts(env)) == set(orders)
            states = order_states(env)
            assert states["verified"] >= len(orders)
            assert states["posting"] == 0 and states["failed"] == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        close_db()
        first.close()
        second.close()


def _prefixes(letter: str) -> dict[str, str]:
    return {"doc_number_template": f"{letter}{{number}}",
            "refund_number_template": f"{letter}R{{refund_id}}",
            "batch_template": f"{letter}{{date:%Y%m%d}}", "customer_id_prefix": letter,
            "products.adjustment_batch_template": f"{letter}IV{{date:%Y%m%d}}"}


def test_two_shops_into_one_gp_company_each_with_its_prefix_post_every_order_once(tmp_path):
    """Both shops number their orders alike and have customers with the same ids: with a prefix
    each, every order of each shop is its own invoice in the one company, on its own customer
    and in its own batch."""
    gp = GPStandIn(tmp_path / "gp", seed=41)
    gp.start()
    folder = tmp_path / "ws"
    envs = [start_pair(tmp_path, folder, "default", seed=41, gp=gp, posting=_prefixes("R")),
            start_pair(tmp_path, folder, "wholesale", seed=41, gp=gp, posting=_prefixes("W"))]
    worker = None
    try:
        with (tmp_path / "worker.log").open("w") as log:
            worker = start_worker(folder, log)
            for env in envs:
                env.woo_control("POST", "activity", {"orders": 10})
            retail, wholesale = (eligible_orders(env) for env in envs)
            assert set(retail) & set(wholesale), "the two shops number orders alike"
            want = {f"R{n}" for n in retail} | {f"W{n}" for n in wholesale}

            def numbers() -> set[str]:
                return {doc["number"] for doc in gp.state()["invoices"]}

            assert wait_for(lambda: want <= numbers(), timeout_s=120), \
                (tmp_path / "worker.log").read_text()[-3000:]
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=90) == 0
        docs = gp.state()["invoices"]
        assert len(docs) == len(want) == len(retail) + len(wholesale)
        for doc in docs:
            letter = doc["number"][0]
            assert doc["customer"].startswith(letter), doc  # "RWC000012" / "WG-OLI-..."
            assert doc["batch"].startswith(letter), doc
        print(f"one GP company: {len(retail)} retail + {len(wholesale)} wholesale orders, "
              f"{len(set(retail) & set(wholesale))} order numbers in both shops, "
              f"{len(docs)} invoices")
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        close_db()
        close_pairs(envs)
