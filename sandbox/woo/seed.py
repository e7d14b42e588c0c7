"""Deterministic shop life: the seeded order history and `/_sandbox/activity` bursts.

Everything is drawn from `random.Random(f"{seed}:{purpose}:{counter}")`, so the same seed and
the same sequence of calls give the same orders, refunds and changes.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox import catalog
from sandbox.woo.errors import ApiError
from sandbox.woo.records import GATEWAYS

if TYPE_CHECKING:
    from sandbox.woo.orders import OrderBook
    from sandbox.woo.store import Store

_GUESTS = [("James", "Park", "NY", "New York", "10012"), ("Emma", "O'Connor", "MA", "Boston",
           "02116"), ("Liam", "Nguyen", "CA", "San Jose", "95112"), ("Zoe", "Fischer", "TX",
           "Houston", "77002"), ("Omar", "Haddad", "WA", "Spokane", "99201"),
           ("Priya", "Raman", "NJ", "Newark", "07102"), ("Lena", "Kowalski", "OH", "Columbus",
           "43215"), ("Mateo", "Silva", "FL", "Orlando", "32801")]
_STATUS_WEIGHTS = [("completed", 48), ("processing", 24), ("pending", 8), ("on-hold", 7),
                   ("cancelled", 5), ("failed", 2)]


class ShopLife:
    def __init__(self, store: Store, book: OrderBook, seed: int) -> None:
        self.store, self.book, self.seed = store, book, seed
        self.counter = 0
        skus = catalog.sellable_skus()
        self.known = [s for s, *_ in skus if s and s not in catalog.GP_MISSING_SKUS]
        self.unknown = [s for s, *_ in skus if s in catalog.GP_MISSING_SKUS]
        self.no_sku_pid = next(p["id"] for p in store.products.values()
                               if p["type"] == "simple" and not p["sku"])

    def _rng(self, purpose: str) -> random.Random:
        self.counter += 1
        return random.Random(f"{self.seed}:{purpose}:{self.counter}")

    # -- one order -----------------------------------------------------------------------------
    def order_payload(self, rng: random.Random, *, status: str | None = None,
                      unknown_sku: bool = False) -> dict[str, Any]:
        status = status or rng.choices([s for s, _ in _STATUS_WEIGHTS],
                                       [w for _, w in _STATUS_WEIGHTS])[0]
        paid = status in ("processing", "completed")
        if paid:
            pm = rng.choice(["stripe", "ppcp"])
        else:
            pm = rng.choice(["bacs", "cheque", "cod"])
        lines = [{"sku": rng.choice(self.known), "quantity": rng.choice([1, 1, 1, 2, 2, 3])}
                 for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]
        if unknown_sku:
            if rng.random() < 0.3:
                lines.append({"product_id": self.no_sku_pid, "quantity": 1})
            else:
                lines.append({"sku": rng.choice(self.unknown), "quantity": 1})
        data: dict[str, Any] = {
            "status": status, "payment_method": pm, "payment_method_title": GATEWAYS[pm],
            "line_items": lines,
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate",
                                "instance_id": "1", "total": "7.95"}],
        }
        if paid:
            data["transaction_id"] = (("ch_" if pm == "stripe" else "PAYID-")
                                      + f"{rng.getrandbits(64):016x}")
        if rng.random() < 0.6:
            c = rng.choice(catalog.CUSTOMERS)
            data["customer_id"] = c["id"]
            data["billing"] = dict(c["billing"])
            data["shipping"] = dict(c["shipping"])
        else:
            first, last, state, city, zipc = rng.choice(_GUESTS)
            n = rng.randrange(1000)
            addr = {"first_name": first, "last_name": last, "company": "",
                    "address_1": f"{10 + n} Market St", "address_2": "", "city": city,
                    "state": state, "postcode": zipc, "country": "US",
                    "phone": f"555-02{n % 100:02d}"}
            data["billing"] = {**addr, "email": f"{first}.{last}{n}@example.net".lower()
                               .replace("'", "")}
            data["shipping"] = dict(addr)
        roll = rng.random()
        if roll < 0.08:
            data["coupon_lines"] = [{"code": "save10"}]
        elif roll < 0.13:
            data["coupon_lines"] = [{"code": "fiveoff"}]
        elif roll < 0.16:
            data["coupon_lines"] = [{"code": "welcome15"}]
        roll = rng.random()
        if roll < 0.08:
            data["fee_lines"] = [{"name": "Gift wrapping", "total": "4.99",
                                  "tax_status": "taxable", "tax_class": ""}]
        elif roll < 0.11:
            data["fee_lines"] = [{"name": "Loyalty discount", "total": "-3.00",
                                  "tax_status": "none", "tax_class": ""}]
        if rng.random() < 0.2:
            data["customer_note"] = rng.choice(["Please leave at the front desk.",
                                                "Gift - no invoice in the box, please.",
                                                "Ring twice."])
        return data

    def refund_payload(self, o: dict[str, Any], rng: random.Random, *, full: bool,
                       ) -> dict[str, Any]:
        rate = o["tax_lines"][0]["rate_id"] if o["tax_lines"] else None
        already = sum((-Decimal(r["total"]) for r in o["refunds"]), Decimal("0"))
        if full and not already:
            lines = []
            for li in o["line_items"] + o["shipping_lines"] + o["fee_lines"]:
                part = {"id": li["id"], "refund_total": li["total"],
                        "refund_tax": [{"id": rate, "refund_total": li["total_tax"]}] if rate
                        else []}
                if "quantity" in li:
                    part["quantity"] = li["quantity"]
                lines.append(part)
            return {"amount": o["total"], "reason": "Order returned in full",
                    "api_refund": False, "api_restock": True, "line_items": lines}
        li = o["line_items"][0]
        unit = (Decimal(li["total"]) / li["quantity"]).quantize(Decimal("0.01"))
        unit_tax = (Decimal(li["total_tax"]) / li["quantity"]).quantize(Decimal("0.01"))
        if unit + unit_tax > Decimal(o["total"]) - already or rng.random() < 0.3:
            amount = min(Decimal("10.00"), Decimal(o["total"]) - already)
            return {"amount": str(amount), "reason": "Goodwill credit for late delivery",
                    "api_refund": False}
        return {"amount": str(unit + unit_tax), "reason": "One item returned",
                "api_refund": False, "api_restock": True,
                "line_items": [{"id": li["id"], "quantity": 1, "refund_total": str(unit),
                                "refund_tax": [{"id": rate, "refund_total": str(unit_tax)}]
                                if rate else []}]}

    # -- bulk history --------------------------------------------------------------------------
    def generate(self, n: int, *, now: dt.datetime, span_days: int = 90) -> int:
        """`n` historical orders spread over the last `span_days`, ~8% with refunds. No webhooks."""
        rng = self._rng("history")
        step = dt.timedelta(days=span_days) / max(n, 1)
        start = now - dt.timedelta(days=span_days)
        made = 0
        with self.book.bulk():
            for i in range(n):
                when = start + step * i
                data = self.order_payload(rng, unknown_sku=rng.random() < 0.01)
                o = self.book.create(data, when=when, emit=False, move_stock=False)
                made += 1
                if o["status"] in ("processing", "completed") and rng.random() < 0.08:
                    try:
                        self.book.refund(o["id"], self.refund_payload(
                            o, rng, full=rng.random() < 0.4), emit=False,
                            when=when + step / 2, move_stock=False)
                    except ApiError:
                        pass  # e.g. nothing refundable left: a real shop shrugs too
        return made

    # -- live activity -------------------------------------------------------------------------
    def activity(self, spec: dict[str, int]) -> dict[str, list[int]]:
        rng = self._rng("activity")
        done: dict[str, list[int]] = {k: [] for k in spec}
        store, book = self.store, self.book
        for _ in range(int(spec.get("customers", 0))):
            n = rng.getrandbits(32)
            c = store.create_customer({"email": f"new.customer{n}@example.org",
                                       "first_name": "New", "last_name": f"Customer{n % 1000}",
                                       "billing": {"state": "NY", "country": "US",
                                                   "city": "Albany", "postcode": "12207",
                                                   "address_1": f"{n % 500} State St"}})
            done["customers"].append(c["id"])
        for key, unknown in (("orders", False), ("unknown_sku_orders", True)):
            for _ in range(int(spec.get(key, 0))):
                status = rng.choice(["processing", "processing", "pending", "on-hold"])
                o = book.create(self.order_payload(rng, status=status, unknown_sku=unknown))
                done[key].append(o["id"])
        with store.lock:
            if spec.get("status_changes"):
                _, rows = book.query(where=["status IN ('pending','on-hold','processing')"],
                                     args=[], orderby="modified", desc=True, offset=0,
                                     limit=int(spec["status_changes"]) * 3)
            else:
                rows = []
        for raw in rows[: int(spec.get("status_changes", 0))]:
            o = json.loads(raw)
            nxt = {"pending": "processing", "on-hold": "processing",
                   "processing": "completed"}[o["status"]]
            book.update(o["id"], {"status": nxt})
            done["status_changes"].append(o["id"])
        if spec.get("refunds"):
            with store.lock:
                _, rows = book.query(where=["status IN ('processing','completed')"], args=[],
                                     orderby="modified", desc=True, offset=0,
                                     limit=int(spec["refunds"]) * 4)
            for i, raw in enumerate(rows):
                if len(done["refunds"]) >= int(spec["refunds"]):
                    break
                o = json.loads(raw)
                try:
                    ref = book.refund(o["id"], self.refund_payload(o, rng, full=i % 2 == 1))
                    done["refunds"].append(ref["id"])
                except ApiError:
                    continue
        managed = [p for p in store.products.values() if p["manage_stock"] and p["sku"]]
        for _ in range(int(spec.get("price_changes", 0))):
            p = rng.choice(managed)
            new = max(Decimal("1.00"), Decimal(p["regular_price"]) + rng.choice(
                [Decimal("-1.00"), Decimal("1.00"), Decimal("2.50")]))
            store.update_product(p["id"], {"regular_price": str(new)})
            done["price_changes"].append(p["id"])
        for _ in range(int(spec.get("stock_changes", 0))):
            p = rng.choice(managed)
            store.update_product(p["id"], {"stock_quantity": max(
                0, int(p["stock_quantity"] or 0) + rng.choice([-5, -2, 3, 10]))})
            done["stock_changes"].append(p["id"])
        return done
