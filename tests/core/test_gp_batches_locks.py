"""GP's batches and locks as the accountant makes them, against the stand-in:
a day's batch being posted sends new documents to the day's next batch (nothing lost, nothing
doubled); an invoice the accountant has open is waited on, and its hold is recorded only once GP
took it."""
from __future__ import annotations

from collections import Counter

from core.clock import ManualClock
from core.store import audit
from core.store.db import close_db
from core.store.models import Job, Order
from core.store.queue import enqueue
from tests.core.gp_fixtures import control
from tests.core.pipeline_env import eligible_orders, invoices_by_po, start_env


def test_a_batch_being_posted_moves_new_documents_to_the_next_batch(tmp_path) -> None:
    env = start_env(tmp_path, orders=8, seed=3)
    try:
        env.ingest()
        env.runner().run_until_idle()
        first = {o.number for o in Order.select().where(Order.state == "verified")}
        day = Order.get(Order.number == sorted(first)[0]).gp_batch
        control(env.gp, "POST", "batches/begin-posting", {"batch": day})
        env.woo_control("POST", "activity", {"orders": 6})
        env.ingest()
        env.runner().run_until_idle()
        expected = eligible_orders(env)
        by_po = invoices_by_po(env)
        assert {po: len(d) for po, d in by_po.items() if len(d) > 1} == {}
        assert set(by_po) == set(expected)
        later = [o for o in Order.select() if o.number in expected and o.number not in first]
        assert later and {o.state for o in later} == {"verified"}
        assert {o.gp_batch for o in later} == {f"{day}-2"}
        assert {d[0]["batch"] for po, d in by_po.items() if po not in first} == {f"{day}-2"}
        moved = [e for e in audit.timeline("setting", f"gp_batch.{day}")
                 if e.kind == "batch_moved"]
        assert len(moved) == 1 and "is being posted" in moved[0].message
    finally:
        env.close()
        close_db()


def test_an_invoice_in_use_is_waited_on_and_its_hold_recorded_once_gp_took_it(tmp_path
                                                                             ) -> None:
    clock = ManualClock()
    env = start_env(tmp_path, orders=6, seed=4, clock=clock)
    try:
        env.ingest()
        env.runner().run_until_idle()
        order = Order.select().where(Order.state == "verified").order_by(Order.id).first()
        number = order.gp_doc_number
        control(env.gp, "POST", "locks", {"document": number})  # the accountant has it open
        env.woo_control("POST", f"orders/{order.woo_id}/touch", {"status": "on-hold"})
        env.ingest()
        enqueue("post_order", f"order:{order.woo_id}", clock=clock, group_key=order.customer_key)
        env.runner().run_until_idle()
        doc = {d["number"]: d for d in env.gp.state()["invoices"]}[number]
        assert not doc.get("holds")
        row = Order.get_by_id(order.id)
        assert row.status_action != "hold"  # not recorded: GP did not take it
        job = Job.get(Job.key == f"order:{order.woo_id}")
        assert job.status == "queued" and "waiting on GP" in (job.last_error or "")
        control(env.gp, "DELETE", "locks", {"document": number})  # closed in GP
        clock.advance(hours=1)
        env.runner().run_until_idle()
        doc = {d["number"]: d for d in env.gp.state()["invoices"]}[number]
        assert doc.get("holds")
        actions = Counter(e.data.get("action") for e in audit.timeline("order", order.woo_id)
                          if e.kind == "status_updated")
        assert actions == Counter({"hold": 1})
    finally:
        env.close()
        close_db()
