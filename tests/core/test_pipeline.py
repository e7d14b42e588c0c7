"""The posting pipeline against both stand-ins over real loopback HTTP and real NTLM."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from core.clock import ManualClock
from core.skus import map_sku
from core.store import audit
from core.store.db import close_db
from core.store.models import AuditEvent, CustomerLink, FlaggedSku, Order, Refund
from tests.core.pipeline_env import eligible_orders, invoices_by_po, start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=24, seed=3)
    yield e
    e.close()
    close_db()


def _touch(env, order: Order, status: str) -> None:
    """Change the order in WooCommerce and tell the worker. WooCommerce stamps date_modified to
    the second, so a second change within the same second is not "newer" for intake: the hint
    (as a later poll or webhook would give) makes the pipeline re-read REST, which is the truth."""
    from core.store.queue import enqueue

    env.woo_control("POST", f"orders/{order.woo_id}/touch", {"status": status})
    env.ingest()
    enqueue("post_order", f"order:{order.woo_id}", clock=env.clock, group_key=order.customer_key)


def _kinds(woo_id: int) -> list[str]:
    return [e.kind for e in audit.timeline("order", woo_id)]


def test_each_eligible_order_becomes_exactly_one_verified_invoice(env) -> None:
    assert env.ingest() == 24
    runner = env.runner()
    runner.run_until_idle()
    expected = eligible_orders(env)
    by_po = invoices_by_po(env)
    assert set(by_po) == set(expected)
    assert all(len(docs) == 1 for docs in by_po.values())
    for number, order in expected.items():
        [doc] = by_po[number]
        assert Decimal(doc["total"]) == Decimal(order["total"]) and doc["number"] == f"WC{number}"
        row = Order.get(Order.number == number)
        assert row.state == "verified" and row.gp_doc_number == f"WC{number}"
        kinds = _kinds(row.woo_id)
        assert kinds.index("mapped") < kinds.index("dedupe") < kinds.index("posted") \
            < kinds.index("verified")
    states = Counter(o.state for o in Order.select())
    assert states["verified"] == len(expected)
    assert set(states) <= {"verified", "skipped", "held"}
    # A second pass (a replay, a duplicate webhook) finds everything in GP: nothing new.
    env.ingest()
    for o in Order.select().where(Order.state == "verified"):
        from core.store.queue import enqueue

        enqueue("post_order", f"order:{o.woo_id}", clock=env.clock, group_key=o.customer_key)
    runner.run_until_idle()
    assert invoices_by_po(env) == by_po
    assert audit.verify_chain().ok
    # Customers were created once and linked with their fingerprint.
    created = AuditEvent.select().where(AuditEvent.kind == "customer_created").count()
    assert created == CustomerLink.select().count() > 0


def test_unknown_sku_holds_and_flags_until_mapped_then_posts(env) -> None:
    env.ingest()
    made = env.woo_control("POST", "activity", {"unknown_sku_orders": 2})
    env.ingest()
    env.runner().run_until_idle()
    held = list(Order.select().where((Order.state == "held") & (Order.hold_reason == "sku")))
    assert {o.woo_id for o in held} >= {i for i in made["unknown_sku_orders"]
                                        if Order.get(Order.woo_id == i).status in
                                        ("processing", "completed")}
    assert held, "the activity made no eligible order with an unknown SKU"
    flagged = {f.sku for f in FlaggedSku.select()}
    assert flagged and all(o.hold_detail and "Flagged SKUs" in o.hold_detail for o in held)
    # The accountant maps every flagged SKU to an existing GP item: the waiting orders replay.
    for sku in flagged:
        map_sku(sku, "CAP-CANVAS-NVY", actor="console:test", clock=env.clock)
    env.runner().run_until_idle()
    for o in held:
        assert Order.get_by_id(o.id).state == "verified"
        assert "replayed" in _kinds(o.woo_id)
    lines = [ln["item"] for d in env.gp.state()["invoices"] for ln in d["lines"]]
    assert "CAP-CANVAS-NVY" in lines


def test_gp_validation_error_fails_one_order_with_gps_message_others_post(env) -> None:
    from core import gl

    env.ingest()
    victim = next(o for o in Order.select().order_by(Order.id)
                  if o.status in ("processing", "completed") and o.customer_key.startswith("id:"))
    cid = f"WC{int(victim.customer_key[3:]):06d}"
    # A customer-level override to an account GP does not have: GP refuses the distribution.
    gl.set_account("customer", cid, "sales", "000-9999-99", actor="test", clock=env.clock)
    env.runner().run_until_idle()
    bad = Order.get_by_id(victim.id)
    assert bad.state == "failed" and "Account does not exist" in (bad.last_error or "")
    assert bad.last_error.startswith("GP rejected invoice") or "GP" in bad.last_error
    posted = Order.select().where(Order.state == "verified").count()
    expected = eligible_orders(env)
    others = [n for n, o in expected.items() if f"id:{o['customer_id']}" != victim.customer_key]
    assert posted >= len(others) and len(invoices_by_po(env)) == posted
    # Fix the mapping and replay: it posts, once.
    gl.remove_account("customer", cid, "sales", actor="test", clock=env.clock)
    from core.replay import replay_orders

    assert replay_orders(failed=True, actor="cli:test", clock=env.clock) >= 1
    env.runner().run_until_idle()
    assert Order.get_by_id(victim.id).state == "verified"
    assert len(invoices_by_po(env)[victim.number]) == 1


def test_refunds_become_credit_memos_linked_to_their_invoice(env) -> None:
    env.ingest()
    env.runner().run_until_idle()
    done = env.woo_control("POST", "activity", {"refunds": 4})
    assert done["refunds"]
    env.ingest()
    env.runner().run_until_idle()
    refunds = list(Refund.select())
    assert refunds and all(r.state == "verified" for r in refunds), [
        (r.woo_id, r.state, r.hold_detail, r.last_error) for r in refunds]
    memos = {m["number"]: m for m in env.gp.state()["credit_memos"]}
    for r in refunds:
        memo = memos[f"WCR{r.woo_id}"]
        assert Decimal(memo["total"]) == r.amount
        assert memo["customer"] == r.order.gp_customer_id
        assert "credit_memo" in [e.kind for e in audit.timeline("refund", r.woo_id)]


def test_cancelled_order_voids_its_unposted_invoice_or_credits_a_posted_one(env) -> None:
    env.ingest()
    env.runner().run_until_idle()
    verified = list(Order.select().where(Order.state == "verified").order_by(Order.id))
    first, second = verified[0], verified[1]
    _touch(env, first, "cancelled")
    env.runner().run_until_idle()
    docs = {d["number"]: d for d in env.gp.state()["invoices"]}
    assert docs[first.gp_doc_number]["state"] == "void"
    assert Order.get_by_id(first.id).state == "void" and "voided" in _kinds(first.woo_id)
    # On hold in WooCommerce: the invoice is held in GP, and released when it is back.
    third = verified[2]
    _touch(env, third, "on-hold")
    env.runner().run_until_idle()
    held = {d["number"]: d for d in env.gp.state()["invoices"]}[third.gp_doc_number]
    assert held.get("holds"), held
    _touch(env, third, "processing")
    env.runner().run_until_idle()
    released = {d["number"]: d for d in env.gp.state()["invoices"]}[third.gp_doc_number]
    assert not released.get("holds")
    actions = [e.data.get("action") for e in audit.timeline("order", third.woo_id)
               if e.kind == "status_updated"]
    assert actions == ["hold", "release"]
    # The accountant posts the day's batch in GP: the second can no longer be voided.
    env.gp.post_batch(second.gp_batch)
    _touch(env, second, "cancelled")
    env.runner().run_until_idle()
    memos = {m["number"]: m for m in env.gp.state()["credit_memos"]}
    assert Decimal(memos[f"WCC{second.number}"]["total"]) == second.total
    assert "credit_memo" in _kinds(second.woo_id)
    # Seen again (a duplicate webhook): nothing more happens.
    from core.store.queue import enqueue

    enqueue("post_order", f"order:{second.woo_id}", clock=env.clock)
    env.runner().run_until_idle()
    assert len(env.gp.state()["credit_memos"]) == len(memos)


def test_dry_run_maps_and_checks_everything_and_creates_nothing(env) -> None:
    env.ingest()
    runner = env.runner(dry_run=True)
    assert runner.run_until_idle() == 24
    outcomes = Counter(r.outcome for r in runner.reports)
    assert outcomes["would_post"] == len(eligible_orders(env))
    sample = next(r for r in runner.reports if r.outcome == "would_post")
    assert sample.detail.startswith("would post invoice WC") and any(
        "customer" in c for c in sample.checks)
    assert env.gp.state()["invoices"] == []
    assert Order.select().where(Order.state != "new").count() == 0
    assert runner.run_until_idle() == 0  # nothing new to report


def test_gp_outage_backs_off_capped_and_jittered_then_everything_posts(tmp_path) -> None:
    clock = ManualClock()
    env = start_env(tmp_path, orders=12, seed=5, clock=clock)
    try:
        env.ingest()
        runner = env.runner()  # the WSDL is loaded while GP still answers
        env.gp_faults(outage=True)
        delays: dict[int, list[float]] = {}
        for _ in range(14):  # 70 minutes of a dead GP, in simulated time
            runner.run_until_idle()
            for o in Order.select().where(Order.next_attempt_at.is_null(False)):
                d = (o.next_attempt_at - clock.now()).total_seconds()
                if d > 0 and (not delays.get(o.id) or delays[o.id][-1] != d):
                    delays.setdefault(o.id, []).append(d)
            clock.advance(seconds=300)
        assert delays, "no order was retried"
        assert all(d <= 15 * 60 for ds in delays.values() for d in ds)
        assert max(len(ds) for ds in delays.values()) >= 4
        firsts = [ds[0] for ds in delays.values()]
        assert len(set(firsts)) > 1  # jittered, not synchronised
        waiting = Order.get_by_id(next(iter(delays)))
        assert waiting.attempts >= 4 and "503" in (waiting.last_error or "")
        assert "retried" in _kinds(waiting.woo_id)
        env.gp_clear_faults()
        clock.advance(minutes=16)
        runner.run_until_idle()
        expected = eligible_orders(env)
        assert {n for n, d in invoices_by_po(env).items() if len(d) == 1} == set(expected)
        assert Order.select().where(Order.state == "verified").count() == len(expected)
    finally:
        env.close()
        close_db()


def test_a_repricing_policy_holds_before_posting_and_the_fix_replays(tmp_path) -> None:
    """GP as a fresh install re-prices lines: nothing is posted with GP's prices; the order is
    held with GP's reason and the administrator's task, and posts once the role's policy says
    Do Not Calculate."""
    from core.replay import replay_orders
    from tests.core.gp_fixtures import control

    env = start_env(tmp_path, orders=10, seed=9, calculate_unit_price=True)
    try:
        env.ingest()
        expected = eligible_orders(env)
        env.runner().run_until_idle()
        held = list(Order.select().where(Order.state == "held"))
        assert {o.number for o in held} == set(expected)
        row = held[0]
        assert row.hold_reason == "price"
        assert "Calculate Unit Price = Calculate" in row.hold_detail
        assert ("create a policy instance of Create Sales Invoice for role ML Connector with "
                "Calculate Unit Price = Do Not Calculate") in row.hold_detail
        assert [e for e in audit.timeline("order", row.woo_id) if e.kind == "held"][-1].data[
            "figures"]
        assert invoices_by_po(env) == {}  # never posted at GP's prices
        control(env.gp, "POST", "policy", {"calculate_unit_price": False})
        replay_orders(None, held=True, actor="test", why="policy fixed")
        env.runner().run_until_idle()  # a new worker reads the policy afresh
        assert {o.state for o in Order.select().where(Order.number.in_(list(expected)))} == {
            "verified"}
        assert all(len(invoices_by_po(env)[n]) == 1 for n in expected)
    finally:
        env.close()
        close_db()


def test_restocked_refunds_become_sop_returns_when_configured(env) -> None:
    env.settings.posting.refund_document = "return_when_restocked"
    env.ingest()
    env.runner().run_until_idle()
    env.woo_control("POST", "activity", {"refunds": 4})
    env.ingest()
    env.runner().run_until_idle()
    refunds = list(Refund.select())
    assert refunds and all(r.state == "verified" for r in refunds)
    returns = {d["number"]: d for d in env.gp.state()["returns"]}
    memos = {d["number"]: d for d in env.gp.state()["credit_memos"]}
    for r in refunds:
        doc = returns if r.gp_doc_type == "return" else memos
        assert Decimal(doc[r.gp_doc_number]["total"]) == r.amount
        assert r.gp_doc_type == ("return" if r.restock else "credit_memo")
    assert any(r.gp_doc_type == "return" for r in refunds)
    ret = next(returns[r.gp_doc_number] for r in refunds if r.gp_doc_type == "return")
    assert ret["lines"] and ret["po"]


def test_shared_guest_policy_puts_every_guest_on_one_gp_customer(env) -> None:
    env.settings.posting.guest_policy = "shared"
    env.ingest()
    env.runner().run_until_idle()
    guests = [o for o in Order.select().where(Order.state == "verified")
              if o.customer_key.startswith("guest:")]
    assert guests, "the seeded shop made no eligible guest order"
    assert {o.gp_customer_id for o in guests} == {"WEBCUSTOMER"}
    docs = {d["number"]: d for d in env.gp.state()["invoices"]}
    assert {docs[o.gp_doc_number]["customer"] for o in guests} == {"WEBCUSTOMER"}
    created = [e for e in AuditEvent.select().where(AuditEvent.kind == "customer_created")
               if e.data["customer"] == "WEBCUSTOMER"]
    assert len(created) == 1
    registered = [o for o in Order.select().where(Order.state == "verified")
                  if o.customer_key.startswith("id:")]
    assert all(o.gp_customer_id.startswith("WC") for o in registered)


def test_a_held_price_difference_stays_held_on_replay_until_fixed_in_gp(tmp_path) -> None:
    import httpx

    from core.replay import replay_orders

    env = start_env(tmp_path, orders=6, seed=9, calculate_unit_price=True)
    try:
        env.ingest()
        number, payload = next(iter(eligible_orders(env).items()))
        sku = payload["line_items"][0]["sku"]
        httpx.post(f"{env.gp.base_url}/_sandbox/items/{sku}", json={"price": "999.00"},
                   timeout=30).raise_for_status()
        env.runner().run_until_idle()
        row = Order.get(Order.number == number)
        # GP's policy re-prices: held before anything is posted at GP's prices.
        assert row.state == "held" and row.hold_reason == "price" and row.gp_total is None
        # Replayed without a fix in GP: GP's policy is read again, still re-pricing, held
        # again; never posted, never verified.
        assert replay_orders([row.woo_id], actor="cli:test", clock=env.clock) == 1
        env.runner().run_until_idle()
        again = Order.get_by_id(row.id)
        assert again.state == "held" and again.hold_reason == "price"
        assert number not in invoices_by_po(env)
    finally:
        env.close()
        close_db()
