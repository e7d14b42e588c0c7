"""A small, fixed shop for the console tests and snapshots: every row is built from constants and
a ManualClock, so two runs produce the same screen to the pixel."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core import gl
from core.clock import ManualClock
from core.skus import flag_sku
from core.store import audit
from core.store.db import database
from core.store.models import FlaggedSku, GpItem, Order, OrderSku, Refund

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ITEMS = [("BLU-TEE-M", "Blue tee, medium", "19.00"), ("BLU-TEE-L", "Blue tee, large", "19.00"),
         ("MUG-ENAMEL", "Enamel mug", "12.50"), ("CANDLE-FIG", "Fig candle", "24.00"),
         ("THROW-WOOL", "Wool throw", "89.00"), ("APRON-LIN", "Linen apron", "32.00")]


SHIPPING = Decimal("5.00")


def payload(woo_id: int, number: str, name: str, skus: list[str], total: str, method: str,
            created: datetime, status: str) -> dict[str, Any]:
    """A WooCommerce order as wc/v3 returns it (money as strings): flat-rate shipping of 5.00
    and the rest split evenly over the lines, so it balances to `total`."""
    first, _, last = name.partition(" ")
    each = (Decimal(total) - SHIPPING) / len(skus)
    when = created.strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "id": woo_id, "number": number, "status": status, "currency": "USD",
        "customer_id": woo_id % 7 + 1, "date_created_gmt": when, "date_modified_gmt": when,
        "date_paid_gmt": when if method != "bacs" else None,
        "total": total, "shipping_total": str(SHIPPING), "total_tax": "0.00",
        "discount_total": "0.00", "cart_tax": "0.00", "shipping_tax": "0.00",
        "payment_method": method, "payment_method_title": method.title(),
        "transaction_id": f"tx_{woo_id}",
        "billing": {"first_name": first, "last_name": last, "email": f"{first.lower()}@example.com",
                    "address_1": "1 High Street", "city": "Springfield", "country": "US"},
        "shipping": {"first_name": first, "last_name": last, "address_1": "1 High Street",
                     "city": "Springfield", "country": "US"},
        "line_items": [{"id": woo_id * 10 + i, "name": sku.title(), "product_id": 100 + i,
                        "variation_id": 0, "sku": sku, "quantity": 1, "subtotal": f"{each:.2f}",
                        "subtotal_tax": "0.00", "total": f"{each:.2f}", "total_tax": "0.00",
                        "price": f"{each:.2f}", "taxes": []} for i, sku in enumerate(skus)],
        "shipping_lines": [{"id": woo_id * 10 + 9, "method_title": "Flat rate",
                            "method_id": "flat_rate", "total": str(SHIPPING),
                            "total_tax": "0.00", "taxes": []}],
        "fee_lines": [], "coupon_lines": [], "tax_lines": [], "refunds": [],
    }


CUSTOMERS = ["Olivia Hart", "Noah Stone", "Emma Reed", "Liam Frost", "Ava Lane", "Mia Cole"]


def add_order(clock: ManualClock, woo_id: int, *, state: str, skus: list[str], total: str,
              method: str = "stripe", hold_reason: str | None = None,
              hold_detail: str | None = None, last_error: str | None = None,
              status: str = "processing", gp_total: str | None = None,
              customer: str | None = None) -> Order:
    """One order in the given state, with the audit events the pipeline would have written."""
    now = clock.now()
    name = customer or CUSTOMERS[woo_id % len(CUSTOMERS)]
    number = str(woo_id)
    posted = state in ("posted", "verified")
    with database.atomic():
        order = Order.create(
            woo_id=woo_id, number=number, status=status, customer_key=f"id:{woo_id % 7 + 1}",
            customer_name=name, total=Decimal(total), payment_method=method,
            date_created_gmt=now, modified_gmt=now,
            payload=payload(woo_id, number, name, skus, total, method, now, status), state=state,
            hold_reason=hold_reason, hold_detail=hold_detail, last_error=last_error,
            gp_doc_number=f"WC{number}" if posted or state == "failed" else None,
            gp_batch="WC20261127" if posted else None,
            gp_total=Decimal(gp_total or total) if posted else None,
            posted_at=now if posted else None, created_at=now, updated_at=now)
        for sku in skus:
            OrderSku.create(order=order, sku=sku, product_name=sku.title())
        audit.record("order", woo_id, "received", f"order {number} received (webhook)",
                     actor="worker@office", clock=clock)
        if state == "held":
            if hold_reason == "sku":
                for sku in skus:
                    if not GpItem.get_or_none(GpItem.item_number == sku):
                        flag_sku(sku, product_name=sku.title(), woo_product_id=woo_id,
                                 clock=clock)
            audit.record("order", woo_id, "held", f"order {number} held ({hold_reason}): "
                         f"{hold_detail}", actor="worker@office", clock=clock)
        if state == "failed":
            audit.record("order", woo_id, "failed", f"GP refused {number}: {last_error}",
                         actor="worker@office", clock=clock)
        if posted:
            audit.record("order", woo_id, "posted", f"invoice WC{number} created in batch "
                         "WC20261127", actor="worker@office", clock=clock)
    clock.advance(minutes=7)
    return order


def seed_shop(clock: ManualClock) -> None:
    """Twelve orders: posted, incoming, held on an unknown SKU, held on GL, failed; a refund;
    a GP item cache with one exact match for a flagged SKU."""
    with database.atomic():
        for number, desc, price in ITEMS:
            GpItem.create(item_number=number, description=desc, price=Decimal(price),
                          refreshed_at=clock.now())
    for kind, account in (("sales", "000-4100-00"), ("receivables", "000-1200-00"),
                          ("freight", "000-4300-00"), ("rounding", "000-7900-00")):
        gl.set_account("company", "", kind, account, actor="cli:setup", clock=clock)
    gl.set_account("gateway", "stripe", "cash", "000-1100-01", actor="cli:setup", clock=clock)
    gl.set_account("gateway", "paypal", "cash", "000-1100-02", actor="cli:setup", clock=clock)
    add_order(clock, 1001, state="posted", skus=["BLU-TEE-M"], total="24.00")
    add_order(clock, 1002, state="posted", skus=["MUG-ENAMEL"], total="17.50", method="paypal")
    add_order(clock, 1003, state="verified", skus=["CANDLE-FIG"], total="29.00")
    add_order(clock, 1004, state="held", skus=["WOOL-SOCK-BLK"], total="16.00",
              hold_reason="sku", hold_detail="SKU WOOL-SOCK-BLK is not a GP item")
    add_order(clock, 1005, state="held", skus=["WOOL-SOCK-BLK", "MUG-ENAMEL"], total="28.50",
              hold_reason="sku", hold_detail="SKU WOOL-SOCK-BLK is not a GP item")
    add_order(clock, 1006, state="held", skus=["apron-lin"], total="37.00",
              hold_reason="sku", hold_detail="SKU apron-lin is not a GP item")
    add_order(clock, 1007, state="failed", skus=["THROW-WOOL"], total="94.00",
              last_error="GP: Customer NOAHSTONE is on credit hold")
    add_order(clock, 1008, state="held", skus=["BLU-TEE-L"], total="24.00", method="bacs",
              hold_reason="gl", hold_detail="no cash account for gateway bacs")
    add_order(clock, 1009, state="new", skus=["BLU-TEE-L"], total="24.00")
    add_order(clock, 1010, state="posted", skus=["THROW-WOOL"], total="94.00",
              gp_total="93.99")
    add_order(clock, 1011, state="ready", skus=["CANDLE-FIG"], total="29.00", method="paypal")
    add_order(clock, 1012, state="posted", skus=["BLU-TEE-M"], total="24.00", status="cancelled")
    with database.atomic():
        order = Order.get(Order.woo_id == 1001)
        Refund.create(woo_id=5001, order=order, amount=Decimal("5.00"), reason="late",
                      date_created_gmt=clock.now(), state="posted", gp_doc_number="WCR5001",
                      gp_doc_type="credit_memo", gp_total=Decimal("5.00"),
                      posted_at=clock.now(), created_at=clock.now(), updated_at=clock.now())
        audit.record("refund", 5001, "credit_memo", "credit memo WCR5001 created for order 1001",
                     actor="worker@office", clock=clock)
    clock.advance(minutes=3)


def flagged_open() -> list[str]:
    return [f.sku for f in FlaggedSku.select().where(FlaggedSku.resolved_at.is_null())
            .order_by(FlaggedSku.sku)]


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)
