"""The shop's state: catalogue, customers, coupons, webhooks, and the order book (orders.py).

One re-entrant lock guards everything, like one PHP request at a time touching one row. Every
change that WooCommerce would announce calls `emit(resource, event, id)`; the webhook engine turns
that into (coalesced) deliveries. Ids come from one shared sequence for products, coupons, orders
and refunds, as with HPOS on a real store.
"""
from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox import catalog
from sandbox.woo.errors import ApiError
from sandbox.woo.records import (
    CUST_BILLING_KEYS,
    CUST_SHIPPING_KEYS,
    address,
    coupon_record,
    customer_record,
    price_html,
    product_record,
    slugify,
)
from sandbox.woo.wpjson import money, wp_dates

Clock = Callable[[], dt.datetime]
EventSink = Callable[[str, str, int, bytes | None], None]

_GLOBAL_ATTRS = {"Size": (1, "pa_size"), "Color": (2, "pa_color")}
_CATEGORY_IDS = {"Clothing": 16, "Accessories": 17, "Kitchen": 18, "Home": 19, "Services": 20}
SEEDED_COUPONS = (("save10", "percent", "10"), ("fiveoff", "fixed_cart", "5.00"),
                  ("welcome15", "percent", "15"))


class Store:
    def __init__(self, *, clock: Clock, home: str = "http://127.0.0.1") -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.home = home
        self._post_ids = itertools.count(10)
        self._item_ids = itertools.count(1)
        self._meta_ids = itertools.count(60)
        self._user_ids = itertools.count(2)
        self.products: dict[int, dict[str, Any]] = {}
        self.sku_index: dict[str, int] = {}
        self.customers: dict[int, dict[str, Any]] = {}
        self.coupons: dict[int, dict[str, Any]] = {}
        self.webhooks: dict[int, dict[str, Any]] = {}
        self.sinks: list[EventSink] = []
        now = wp_dates(clock())
        admin = customer_record(cid=1, email="admin@example.test", first="", last="",
                                username="admin", billing={}, shipping={}, dates=now,
                                role="administrator")
        admin["date_modified"] = admin["date_modified_gmt"] = None
        self.customers[1] = admin

    # -- ids, time, events ---------------------------------------------------------------------
    def next_post_id(self) -> int:
        return next(self._post_ids)

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def next_meta_id(self) -> int:
        return next(self._meta_ids)

    def now(self) -> tuple[str, str]:
        return wp_dates(self.clock())

    def emit(self, resource: str, event: str, rid: int, body: bytes | None = None) -> None:
        for sink in self.sinks:
            sink(resource, event, rid, body)

    # -- seeding -------------------------------------------------------------------------------
    def seed_catalog(self) -> None:
        with self.lock:
            dates = self.now()
            for p in catalog.PRODUCTS:
                self._seed_product(p, dates)
            for code, kind, amount in SEEDED_COUPONS:
                cid = self.next_post_id()
                self.coupons[cid] = coupon_record(cid=cid, code=code, discount_type=kind,
                                                  amount=amount, dates=dates)
            for c in catalog.CUSTOMERS:
                cid = next(self._user_ids)
                self.customers[cid] = customer_record(
                    cid=cid, email=c["email"], first=c["first_name"], last=c["last_name"],
                    username=c["username"], billing=c["billing"], shipping=c["shipping"],
                    dates=dates)

    def _category(self, name: str) -> dict[str, Any]:
        return {"id": _CATEGORY_IDS.get(name, 15), "name": name, "slug": slugify(name)}

    def _seed_product(self, p: dict[str, Any], dates: tuple[str, str]) -> None:
        pid = self.next_post_id()
        if p["type"] == "simple":
            managed = bool(p["sku"])  # like the real tote bag: no SKU, stock not managed
            self._put_product(product_record(
                pid=pid, name=p["name"], sku=p["sku"], ptype="simple",
                regular_price=p["regular_price"], stock=p["stock_quantity"] if managed else None,
                manage_stock=managed, category=self._category(p["category"]), dates=dates,
                home=self.home))
            return
        names = list(p["variations"][0]["attributes"])
        options: dict[str, list[str]] = {n: [] for n in names}
        for v in p["variations"]:
            for n, o in v["attributes"].items():
                if o not in options[n]:
                    options[n].append(o)
        parent_attrs = []
        for pos, n in enumerate(names):
            aid, slug = _GLOBAL_ATTRS.get(n, (0, n))
            opts = sorted(options[n]) if aid else options[n]  # global options come back sorted
            parent_attrs.append({"id": aid, "name": n, "slug": slug, "position": pos,
                                 "visible": True, "variation": True, "options": opts})
        parent = product_record(
            pid=pid, name=p["name"], sku=p["sku"], ptype="variable", regular_price="",
            stock=None, manage_stock=False, category=self._category(p["category"]),
            dates=dates, attributes=parent_attrs, home=self.home)
        self._put_product(parent)
        for v in p["variations"]:
            vid = self.next_post_id()
            attrs = []
            for n, o in v["attributes"].items():
                aid, slug = _GLOBAL_ATTRS.get(n, (0, slugify(n)))
                attrs.append({"id": aid, "name": n, "slug": slug, "option": o})
            label = ", ".join(v["attributes"].values())
            query = "&".join(
                f"attribute_{a['slug']}={a['option'].lower() if a['id'] else a['option']}"
                for a in attrs)
            rec = product_record(
                pid=vid, name=f"{p['name']} - {label}", sku=v["sku"], ptype="variation",
                regular_price=v["regular_price"], stock=v["stock_quantity"], manage_stock=True,
                category=None, dates=dates, parent_id=pid, attributes=attrs, home=self.home,
                permalink_suffix=f"?{query}")
            rec["permalink"] = f"{self.home}/product/{parent['slug']}/?{query}"
            self._put_product(rec)
            parent["variations"].append(vid)
        self._refresh_parent(parent)

    def _put_product(self, rec: dict[str, Any]) -> None:
        self.products[rec["id"]] = rec
        if rec["sku"]:
            self.sku_index[rec["sku"]] = rec["id"]

    def _refresh_parent(self, parent: dict[str, Any]) -> None:
        """A variable product's price is its lowest variation price (read-only in the API)."""
        prices = [Decimal(self.products[v]["price"]) for v in parent["variations"]
                  if self.products[v]["price"]]
        if prices:
            lo, hi = min(prices), max(prices)
            parent["price"] = money(lo)
            parent["price_html"] = price_html(money(lo)) + (
                f" &ndash; {price_html(money(hi))}" if hi != lo else "")
            parent["purchasable"] = True
            in_stock = any(self.products[v]["stock_status"] == "instock"
                           for v in parent["variations"])
            parent["stock_status"] = "instock" if in_stock else "outofstock"

    # -- products ------------------------------------------------------------------------------
    def product(self, pid: int) -> dict[str, Any] | None:
        return self.products.get(pid)

    def update_product(self, pid: int, data: dict[str, Any], *, emit: bool = True,
                       ) -> dict[str, Any]:
        """PUT /products/{id} (or a variation): prices, stock, name, sku."""
        with self.lock:
            rec = self.products.get(pid)
            if rec is None:
                raise ApiError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
            if "name" in data and rec["type"] != "variation":
                rec["name"] = str(data["name"])
            if "sku" in data:
                new = str(data["sku"] or "")
                if new and self.sku_index.get(new, pid) != pid:
                    raise ApiError(400, "product_invalid_sku",
                                   "Invalid or duplicated SKU.", {"status": 400,
                                                                   "resource_id": pid,
                                                                   "unique_sku": new})
                self.sku_index.pop(rec["sku"], None)
                rec["sku"] = new
                if new:
                    self.sku_index[new] = pid
            if "regular_price" in data:
                rec["regular_price"] = money(data["regular_price"]) if data["regular_price"] else ""
            if "sale_price" in data:
                rec["sale_price"] = money(data["sale_price"]) if data["sale_price"] else ""
            if rec["type"] != "variable":
                rec["price"] = rec["sale_price"] or rec["regular_price"]
                rec["on_sale"] = bool(rec["sale_price"])
                rec["price_html"] = price_html(rec["price"])
            if "manage_stock" in data:
                rec["manage_stock"] = bool(data["manage_stock"])
                if not rec["manage_stock"]:
                    rec["stock_quantity"] = None  # unmanaged stock reads null
                elif rec["stock_quantity"] is None:
                    rec["stock_quantity"] = 0
            if "stock_quantity" in data and rec["manage_stock"]:
                rec["stock_quantity"] = int(data["stock_quantity"])
            self._stock_status(rec)
            self._touch(rec)
            if rec["parent_id"] and rec["parent_id"] in self.products:
                self._refresh_parent(self.products[rec["parent_id"]])
            if emit:
                self.emit("product", "updated", pid)
            return rec

    def _stock_status(self, rec: dict[str, Any]) -> None:
        if rec["manage_stock"] and rec["stock_quantity"] is not None:
            rec["stock_status"] = "instock" if rec["stock_quantity"] > 0 else "outofstock"

    def _touch(self, rec: dict[str, Any]) -> None:
        rec["date_modified"], rec["date_modified_gmt"] = self.now()

    def adjust_stock(self, pid: int, delta: int) -> bool:
        """Stock moves from orders/refunds. True when the product manages stock (and changed)."""
        rec = self.products.get(pid)
        if rec is None or not rec["manage_stock"] or rec["stock_quantity"] is None:
            return False
        rec["stock_quantity"] += delta
        if delta < 0 and rec["type"] in ("simple", "variation"):
            ts = rec["total_sales"]
            rec["total_sales"] = (int(ts) - delta) if isinstance(ts, int) else str(int(ts) - delta)
        self._stock_status(rec)
        self._touch(rec)
        return True

    def create_product(self, data: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            sku = str(data.get("sku") or "")
            if sku and sku in self.sku_index:
                raise ApiError(400, "product_invalid_sku", "Invalid or duplicated SKU.",
                               {"status": 400, "resource_id": self.sku_index[sku],
                                "unique_sku": sku})
            pid = self.next_post_id()
            ptype = str(data.get("type") or "simple")
            cats = data.get("categories") or []
            cat = None
            if cats:
                cid = int(cats[0].get("id", 0))
                name = next((n for n, i in _CATEGORY_IDS.items() if i == cid), "Uncategorized")
                cat = {"id": cid, "name": name, "slug": slugify(name)}
            managed = bool(data.get("manage_stock", False))
            rec = product_record(
                pid=pid, name=str(data.get("name") or "Product"), sku=sku, ptype=ptype,
                regular_price=money(data["regular_price"]) if data.get("regular_price") else "",
                sale_price=money(data["sale_price"]) if data.get("sale_price") else "",
                stock=int(data.get("stock_quantity") or 0) if managed else None,
                manage_stock=managed, category=cat, dates=self.now(), home=self.home)
            self._put_product(rec)
            self.emit("product", "created", pid)
            return rec

    def create_variation(self, parent_id: int, data: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            parent = self.products.get(parent_id)
            if parent is None or parent["type"] != "variable":
                raise ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
            sku = str(data.get("sku") or "")
            if sku and sku in self.sku_index:
                raise ApiError(400, "product_invalid_sku", "Invalid or duplicated SKU.",
                               {"status": 400, "resource_id": self.sku_index[sku],
                                "unique_sku": sku})
            defs = {a["id"] or a["name"]: a for a in parent["attributes"]}
            attrs = []
            for a in data.get("attributes") or []:
                d = defs.get(a.get("id") or a.get("name"))
                if d is not None:
                    slug = d["slug"] if d["id"] else slugify(d["name"])
                    attrs.append({"id": d["id"], "name": d["name"], "slug": slug,
                                  "option": str(a.get("option", ""))})
            label = ", ".join(a["option"] for a in attrs)
            query = "&".join(
                f"attribute_{a['slug']}={a['option'].lower() if a['id'] else a['option']}"
                for a in attrs)
            vid = self.next_post_id()
            managed = bool(data.get("manage_stock", False))
            rec = product_record(
                pid=vid, name=f"{parent['name']} - {label}", sku=sku, ptype="variation",
                regular_price=money(data["regular_price"]) if data.get("regular_price") else "",
                sale_price=money(data["sale_price"]) if data.get("sale_price") else "",
                stock=int(data.get("stock_quantity") or 0) if managed else None,
                manage_stock=managed, category=None, dates=self.now(), parent_id=parent_id,
                attributes=attrs, home=self.home)
            rec["permalink"] = f"{self.home}/product/{parent['slug']}/?{query}"
            self._put_product(rec)
            parent["variations"].append(vid)
            self._refresh_parent(parent)
            self.emit("product", "created", vid)
            return rec

    # -- customers -----------------------------------------------------------------------------
    def create_customer(self, data: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            email = str(data.get("email") or "").strip()
            if not email or "@" not in email:
                raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): email",
                               {"status": 400, "params": ["email"]})
            if any(c["email"] == email for c in self.customers.values()):
                raise ApiError(400, "registration-error-email-exists",
                               "An account is already registered with your email address. "
                               "<a href=\"#\" class=\"showlogin\">Please log in.</a>")
            cid = next(self._user_ids)
            rec = customer_record(
                cid=cid, email=email, first=str(data.get("first_name") or ""),
                last=str(data.get("last_name") or ""),
                username=str(data.get("username") or email.split("@")[0]),
                billing=data.get("billing") or {}, shipping=data.get("shipping") or {},
                dates=self.now())
            self.customers[cid] = rec
            # Real: two deliveries with byte-identical bodies (webhooks/008, 009).
            self.emit("customer", "created", cid)
            self.emit("customer", "updated", cid)
            return rec

    def update_customer(self, cid: int, data: dict[str, Any], *, emit: bool = True,
                        ) -> dict[str, Any]:
        with self.lock:
            rec = self.customers.get(cid)
            if rec is None:
                raise ApiError(400, "woocommerce_rest_invalid_id", "Invalid resource id.")
            for k in ("email", "first_name", "last_name"):
                if k in data:
                    rec[k] = str(data[k] or "")
            if "billing" in data:
                rec["billing"] = address(data["billing"], CUST_BILLING_KEYS, rec["billing"])
            if "shipping" in data:
                rec["shipping"] = address(data["shipping"], CUST_SHIPPING_KEYS, rec["shipping"])
            self._touch(rec)
            if emit:
                self.emit("customer", "updated", cid)
            return rec

    def coupon_by_code(self, code: str) -> dict[str, Any] | None:
        code = code.strip().lower()
        return next((c for c in self.coupons.values() if c["code"] == code), None)

    def create_coupon(self, data: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            code = str(data.get("code") or "").strip().lower()
            if not code:
                raise ApiError.missing_param("code")
            if self.coupon_by_code(code):
                raise ApiError(400, "woocommerce_rest_coupon_code_already_exists",
                               "The coupon code already exists")
            cid = self.next_post_id()
            rec = coupon_record(cid=cid, code=code,
                                discount_type=str(data.get("discount_type") or "fixed_cart"),
                                amount=str(data.get("amount") or "0"), dates=self.now())
            rec["individual_use"] = bool(data.get("individual_use", False))
            self.coupons[cid] = rec
            self.emit("coupon", "created", cid)
            return rec
