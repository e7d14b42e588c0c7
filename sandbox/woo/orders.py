"""Orders, refunds and notes: the order book, kept in the stand-in's own SQLite file.

Bodies are stored as the exact JSON WordPress would send (minus `_links`), so a page of 100
orders is a join of stored bytes; the indexed columns serve the list filters. SQLite keeps
100,000 benchmark orders off the Python heap.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox.woo import currency
from sandbox.woo.errors import ApiError
from sandbox.woo.pricing import Ids, LineIn, TaxRate, build_refund_lines, price_order
from sandbox.woo.records import (
    BILLING_KEYS,
    GATEWAYS,
    SHIPPING_KEYS,
    address,
    require_status,
)
from sandbox.woo.refund_rules import refund_amount, restock_meta, restocks, through_gateway
from sandbox.woo.store import Store
from sandbox.woo.wpjson import dumps, money, wp_dates

TAX_RATES = {s: TaxRate(i, Decimal(p), f"{s} Tax", s) for i, (s, p) in enumerate(
    [("NY", "8.875"), ("CA", "7.25"), ("TX", "6.25"), ("WA", "6.5")], start=1)}
_STOCK_STATUSES = ("processing", "completed", "on-hold")


def _flags(status: str) -> tuple[bool, bool, bool]:
    """is_editable, needs_payment, needs_processing as the real store reports them."""
    return (status in ("pending", "on-hold", "auto-draft", "checkout-draft"),
            status in ("pending", "failed"), True)


class OrderBook:
    def __init__(self, store: Store, db_path: Path) -> None:
        self.s = store
        db_path.unlink(missing_ok=True)  # the stand-in's state lives for one process
        self.db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE orders(id INTEGER PRIMARY KEY, status TEXT, customer_id INTEGER,
                created TEXT, modified TEXT, reduced INTEGER, body BLOB);
            CREATE INDEX orders_mod ON orders(modified, id);
            CREATE INDEX orders_created ON orders(created, id);
            CREATE INDEX orders_status ON orders(status);
            CREATE INDEX orders_customer ON orders(customer_id);
            CREATE TABLE refunds(id INTEGER PRIMARY KEY, parent_id INTEGER, created TEXT,
                body BLOB);
            CREATE INDEX refunds_parent ON refunds(parent_id);
        """)
        self.ids = Ids(item=store.next_item_id, meta=store.next_meta_id)
        self.currency = currency.ShopCurrency()  # the shop's (control plane: /_sandbox/currency)
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self._note_ids = iter(range(20, 10**9))

    # -- storage -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        with self.s.lock:
            self.db.execute("BEGIN")
            try:
                yield
            finally:
                self.db.execute("COMMIT")

    def _save(self, o: dict[str, Any], reduced: bool) -> None:
        currency.restate(o, currency.decimals_of(o))
        self.db.execute("INSERT OR REPLACE INTO orders VALUES (?,?,?,?,?,?,?)",
                        (o["id"], o["status"], o["customer_id"], o["date_created_gmt"],
                         o["date_modified_gmt"], int(reduced), dumps(o)))

    def get(self, oid: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM orders WHERE id=?", (oid,)).fetchone()
        return json.loads(row[0]) if row else None

    def raw(self, oid: int) -> bytes | None:
        row = self.db.execute("SELECT body FROM orders WHERE id=?", (oid,)).fetchone()
        return bytes(row[0]) if row else None

    def _reduced(self, oid: int) -> bool:
        row = self.db.execute("SELECT reduced FROM orders WHERE id=?", (oid,)).fetchone()
        return bool(row and row[0])

    def query(self, *, where: list[str], args: list[Any], orderby: str, desc: bool,
              offset: int, limit: int, table: str = "orders") -> tuple[int, list[bytes]]:
        w = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.db.execute(f"SELECT COUNT(*) FROM {table}{w}", args).fetchone()[0]
        d = "DESC" if desc else "ASC"
        rows = self.db.execute(f"SELECT body FROM {table}{w} ORDER BY {orderby} {d}, id {d} "
                               "LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return total, [bytes(r[0]) for r in rows]

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM orders GROUP BY status"))

    # -- creation ------------------------------------------------------------------------------
    def _resolve_line(self, li: dict[str, Any]) -> LineIn:
        s = self.s
        qty = int(li.get("quantity") or 1)
        pid, vid = int(li.get("product_id") or 0), int(li.get("variation_id") or 0)
        if not pid and li.get("sku"):
            pid = s.sku_index.get(str(li["sku"]), 0)
        rec = s.products.get(vid or pid)
        if rec is not None and rec["type"] == "variation":
            vid, pid = rec["id"], rec["parent_id"]
        sub = Decimal(str(li["subtotal"])) if li.get("subtotal") not in (None, "") else None
        if rec is None or rec["type"] == "variable":
            # Real: an unknown product id is not an error but a blank line (product_id 0).
            return LineIn(0, 0, "", None, Decimal("0"), qty)
        price = Decimal(rec["price"] or "0")
        if vid:
            parent = s.products[pid]
            meta = [(a["slug"], a["option"].lower() if a["id"] else a["option"], a["name"],
                     a["option"]) for a in rec["attributes"]]
            return LineIn(pid, vid, rec["name"], rec["sku"], price, qty,
                          parent_name=parent["name"], attr_meta=meta, subtotal=sub)
        return LineIn(pid, 0, rec["name"], rec["sku"], price, qty, subtotal=sub)

    def create(self, data: dict[str, Any], *, when: dt.datetime | None = None,
               emit: bool = True, created_via: str = "rest-api",
               move_stock: bool = True) -> dict[str, Any]:
        s = self.s
        with s.lock:
            cust_id = int(data.get("customer_id") or 0)
            if cust_id and cust_id not in s.customers:
                raise ApiError(400, "woocommerce_rest_invalid_customer_id",
                               "Customer ID is invalid.")
            coupons = []
            for cl in data.get("coupon_lines") or []:
                c = s.coupon_by_code(str(cl.get("code", "")))
                if c is None:
                    raise ApiError(400, "woocommerce_rest_invalid_coupon",
                                   f'Coupon "{cl.get("code", "")}" does not exist!')
                coupons.append(c)
            status = str(data.get("status") or "pending")
            require_status(status, for_list=False)
            pm = str(data.get("payment_method") or "")
            paid = bool(data.get("set_paid"))
            if paid and status in ("pending", "failed", "on-hold"):
                # COD filters the paid status to completed (orders-create-customer-coupon.json)
                status = "completed" if pm == "cod" else "processing"
            moment = when or s.clock()
            local, gmt = wp_dates(moment)
            date_paid = (local, gmt) if paid or status in ("processing", "completed") else None
            date_done = (local, gmt) if status == "completed" else None
            billing = address(data.get("billing"), BILLING_KEYS)
            shipping = address(data.get("shipping"), SHIPPING_KEYS)
            state = shipping["state"] or billing["state"]
            rate = TAX_RATES.get(state) if (shipping["country"] or billing["country"]) in (
                "US", "") else None
            lines = [self._resolve_line(li) for li in data.get("line_items") or []]
            cur = currency.order_currency(data, self.currency)
            reduced = status in _STOCK_STATUSES
            priced = price_order(lines, shipping=data.get("shipping_lines") or [],
                                 fees=data.get("fee_lines") or [], coupons=coupons, rate=rate,
                                 ids=self.ids, reduced_stock=reduced)
            oid = s.next_post_id()
            key = "wc_order_" + hashlib.sha256(f"key{oid}".encode()).hexdigest()[:13]
            o: dict[str, Any] = {
                "id": oid, "parent_id": 0, "status": status, "currency": cur.code,
                "version": "10.0.2", "prices_include_tax": False, "date_created": local,
                "date_modified": local}
            o.update({k: priced[k] for k in ("discount_total", "discount_tax", "shipping_total",
                                              "shipping_tax", "cart_tax", "total", "total_tax")})
            o.update({
                "customer_id": cust_id, "order_key": key, "billing": billing,
                "shipping": shipping, "payment_method": pm,
                "payment_method_title": str(data.get("payment_method_title")
                                            or GATEWAYS.get(pm, "")),
                "transaction_id": str(data.get("transaction_id") or ""),
                "customer_ip_address": "", "customer_user_agent": "", "created_via": created_via,
                "customer_note": str(data.get("customer_note") or ""),
                "date_completed": date_done[0] if date_done else None,
                "date_paid": date_paid[0] if date_paid else None, "cart_hash": "",
                "number": str(oid), "meta_data": self._meta(data.get("meta_data")),
            })
            o.update({k: priced[k] for k in ("line_items", "tax_lines", "shipping_lines",
                                              "fee_lines", "coupon_lines")})
            editable, needs_pay, needs_proc = _flags(status)
            o.update({
                "refunds": [],
                "payment_url": f"{s.home}/checkout/order-pay/{oid}/?pay_for_order=true&key={key}",
                "is_editable": editable, "needs_payment": needs_pay,
                "needs_processing": needs_proc, "date_created_gmt": gmt,
                "date_modified_gmt": gmt,
                "date_completed_gmt": date_done[1] if date_done else None,
                "date_paid_gmt": date_paid[1] if date_paid else None,
                "currency_symbol": cur.symbol,
            })
            currency.restate(o, cur.decimals)
            touched = self._move_stock(o, -1) if reduced and move_stock else []
            self._save(o, reduced)
            if cust_id:
                cust = s.customers[cust_id]
                cust["is_paying_customer"] = cust["is_paying_customer"] or bool(date_paid)
                cust["date_modified"], cust["date_modified_gmt"] = local, gmt
            if emit:
                s.emit("order", "created", oid)
                s.emit("order", "updated", oid)
                if cust_id:
                    s.emit("customer", "updated", cust_id)
                for pid in touched:
                    s.emit("product", "updated", pid)
            return o

    def _meta(self, items: Any) -> list[dict[str, Any]]:
        return [{"id": self.s.next_meta_id(), "key": str(m.get("key", "")),
                 "value": m.get("value", "")} for m in (items or []) if isinstance(m, dict)]

    def _move_stock(self, o: dict[str, Any], sign: int) -> list[int]:
        """Reduce (sign −1) or restore (+1) stock for every line; the product ids that moved."""
        moved = []
        for li in o["line_items"]:
            pid = li["variation_id"] or li["product_id"]
            if pid and self.s.adjust_stock(pid, sign * li["quantity"]):
                moved.append(pid)
        return moved

    # -- updates -------------------------------------------------------------------------------
    def update(self, oid: int, data: dict[str, Any], *, emit: bool = True) -> dict[str, Any]:
        s = self.s
        with s.lock:
            o = self.get(oid)
            if o is None:
                raise ApiError.invalid_id("shop_order", 400)
            reduced = self._reduced(oid)
            local, gmt = s.now()
            touched: list[int] = []
            for k in ("customer_note", "payment_method", "payment_method_title",
                      "transaction_id"):
                if k in data:
                    o[k] = str(data[k] or "")
            if "billing" in data:
                o["billing"] = address(data["billing"], BILLING_KEYS, o["billing"])
            if "shipping" in data:
                o["shipping"] = address(data["shipping"], SHIPPING_KEYS, o["shipping"])
            if "meta_data" in data:
                o["meta_data"].extend(self._meta(data["meta_data"]))
            was_trash = o["status"] == "trash"
            new = str(data["status"]) if "status" in data else o["status"]
            if data.get("set_paid") and new in ("pending", "failed", "on-hold"):
                new = "completed" if o["payment_method"] == "cod" else "processing"
            require_status(new, for_list=False)
            if new != o["status"]:
                if new in ("processing", "completed") and not o["date_paid"]:
                    o["date_paid"], o["date_paid_gmt"] = local, gmt
                if new == "completed":
                    o["date_completed"], o["date_completed_gmt"] = local, gmt
                if new in _STOCK_STATUSES and not reduced:
                    touched = self._move_stock(o, -1)
                    for li in o["line_items"]:
                        li["meta_data"].append({"id": s.next_meta_id(), "key": "_reduced_stock",
                                                "value": str(li["quantity"]),
                                                "display_key": "_reduced_stock",
                                                "display_value": str(li["quantity"])})
                    reduced = True
                elif new in ("cancelled", "failed", "pending") and reduced:
                    touched = self._move_stock(o, +1)  # Woo restores stock on cancel
                    reduced = False
                o["status"] = new
                o["is_editable"], o["needs_payment"], o["needs_processing"] = _flags(new)
                if o["customer_id"] and o["date_paid"]:
                    s.customers[o["customer_id"]]["is_paying_customer"] = True
            # Every save bumps date_modified, even one that changes nothing visible.
            o["date_modified"], o["date_modified_gmt"] = local, gmt
            self._save(o, reduced)
            # Out of trash over REST the real store sends nothing: only a poll sees it.
            if emit:
                if not (was_trash and new != "trash"):
                    s.emit("order", "updated", oid)
                for pid in touched:
                    s.emit("product", "updated", pid)
            return o

    def trash(self, oid: int, *, force: bool) -> dict[str, Any]:
        s = self.s
        with s.lock:
            o = self.get(oid)
            if o is None:
                raise ApiError.invalid_id("shop_order")
            if force:
                self.db.execute("DELETE FROM orders WHERE id=?", (oid,))
                return o  # permanent deletes are silent: no webhook
            if o["status"] == "trash":
                raise ApiError(410, "woocommerce_rest_already_trashed",
                               "The shop_order has already been deleted.")
            before = json.loads(json.dumps(o))
            o["meta_data"].append({"id": s.next_meta_id(), "key": "_wp_trash_meta_status",
                                   "value": o["status"]})
            o["meta_data"].append({"id": s.next_meta_id(), "key": "_wp_trash_meta_time",
                                   "value": str(int(s.clock().timestamp()))})
            o["status"] = "trash"
            o["date_modified"], o["date_modified_gmt"] = s.now()
            self._save(o, self._reduced(oid))
            s.emit("order", "deleted", oid, dumps({"id": oid}))
            return before  # the order as it was before trashing

    def add_note(self, oid: int, data: dict[str, Any]) -> dict[str, Any]:
        with self.s.lock:
            if self.raw(oid) is None:
                raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
            if not data.get("note"):
                raise ApiError.missing_param("note")
            local, gmt = self.s.now()
            note = {"id": next(self._note_ids), "author": "WooCommerce", "date_created": local,
                    "date_created_gmt": gmt, "note": str(data["note"]),
                    "customer_note": bool(data.get("customer_note", False))}
            self.notes.setdefault(oid, []).insert(0, note)
            return note  # notes fire no webhook

    # -- refunds -------------------------------------------------------------------------------
    def refund(self, oid: int, data: dict[str, Any], *, emit: bool = True,
               when: dt.datetime | None = None, move_stock: bool = True) -> dict[str, Any]:
        s = self.s
        with s.lock:
            o = self.get(oid)
            if o is None:
                raise ApiError(500, "woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
            try:
                amount_in = Decimal(str(data["amount"])) if data.get("amount") not in (
                    None, "") else None
            except ArithmeticError:
                amount_in = Decimal("-1")
            # Amount before status, as the real store: a trashed order's negative refund is this
            if amount_in is not None and amount_in < 0:
                raise ApiError(500, "woocommerce_rest_invalid_order_refund",
                               "Refund amount must be greater than zero.", 400)
            if o["status"] == "trash":
                raise ApiError(500, "woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
            lines, parts, to_restock = build_refund_lines(o, data.get("line_items") or [], self.ids)
            amount, already = refund_amount(o, data, parts)
            rid = s.next_post_id()  # used up even when the gateway then refuses
            api_refund = through_gateway(o, data)
            local, gmt = wp_dates(when or s.clock())
            ref = {"id": rid, "date_created": local, "date_created_gmt": gmt,
                   "amount": money(amount), "reason": str(data.get("reason") or ""),
                   "refunded_by": 1, "refunded_payment": api_refund, "meta_data": [],
                   "line_items": lines["line_items"], "shipping_lines": lines["shipping_lines"],
                   "tax_lines": lines["tax_lines"], "fee_lines": lines["fee_lines"]}
            currency.restate(ref, currency.decimals_of(o))  # in the order's currency
            touched = []
            if restocks(data):
                by_id = {li["id"]: li for li in o["line_items"]}
                for item_id, qty in to_restock:
                    li = by_id[item_id]
                    pid = li["variation_id"] or li["product_id"]
                    if pid and move_stock and s.adjust_stock(pid, qty):
                        touched.append(pid)
                    restock_meta(li, qty, s.next_meta_id)
            o["refunds"].insert(0, {"id": rid, "reason": ref["reason"],
                                    "total": money(-amount)})
            if already + amount >= Decimal(o["total"]):
                o["status"] = "refunded"
                o["is_editable"], o["needs_payment"], o["needs_processing"] = _flags("refunded")
            o["date_modified"], o["date_modified_gmt"] = local, gmt
            self._save(o, self._reduced(oid))
            self.db.execute("INSERT INTO refunds VALUES (?,?,?,?)", (rid, oid, gmt, dumps(ref)))
            if emit:
                for pid in touched:
                    s.emit("product", "updated", pid)
                s.emit("order", "updated", oid)
            return ref

    def refund_raw(self, rid: int) -> tuple[int, bytes] | None:
        row = self.db.execute("SELECT parent_id, body FROM refunds WHERE id=?",
                              (rid,)).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def delete_refund(self, oid: int, rid: int) -> dict[str, Any]:
        with self.s.lock:
            found = self.refund_raw(rid)
            if not found or found[0] != oid:
                raise ApiError(404, "woocommerce_rest_shop_order_refund_invalid_id",
                               "Invalid ID.")
            self.db.execute("DELETE FROM refunds WHERE id=?", (rid,))
            o = self.get(oid)
            if o is not None:
                o["refunds"] = [r for r in o["refunds"] if r["id"] != rid]
                self._save(o, self._reduced(oid))
            return json.loads(found[1])
