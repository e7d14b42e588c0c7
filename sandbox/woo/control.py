"""The control plane under `/_sandbox/`: no auth, loopback only, a stable JSON contract.

GET  /_sandbox/state                     orders, refunds, products, customers, webhooks (+log)
POST /_sandbox/activity                  {"orders": 10, "refunds": 2, ...} -> ids of what happened
POST /_sandbox/faults, DELETE, GET       latency_ms, error_rate, drop_webhooks_rate, outage
POST /_sandbox/orders/{id}/touch         {"status": ..., "note": ..., "customer_note": ...,
                                          "add_line": {"sku": ..., "quantity": n}}
                                         or {"remove_line": <line item id>} (wp-admin edits)
POST /_sandbox/webhooks/flush            deliver everything queued now
GET  /_sandbox/currency, POST            {"currency": "EUR", "decimals"?: n}: what the shop sells
                                         in from now on (orders keep theirs; sandbox/woo/currency)
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.woo import currency
from sandbox.woo.app import Req
from sandbox.woo.errors import ApiError
from sandbox.woo.order_edit import add_line, remove_line
from sandbox.woo.shop import Shop

FAULT_KEYS = {"latency_ms": (int, float), "error_rate": (int, float),
              "drop_webhooks_rate": (int, float), "outage": (bool,)}
ACTIVITY_KEYS = {"orders", "refunds", "status_changes", "price_changes", "stock_changes",
                 "unknown_sku_orders", "customers"}


def _loopback(host: str) -> bool:
    return host.startswith("127.") or host in ("::1", "localhost", "")


def handler(shop: Shop) -> Callable[[Req], Awaitable[tuple[int, Any]]]:
    def state() -> dict[str, Any]:
        with shop.store.lock:
            orders = [{"id": i, "number": n, "status": s, "customer_id": c,
                       "date_modified_gmt": m, "total": t, "currency": cur}
                      for i, n, s, c, m, t, cur in shop.book.db.execute(
                "SELECT id, json_extract(body, '$.number'), status, customer_id, modified, "
                "json_extract(body, '$.total'), json_extract(body, '$.currency') "
                "FROM orders ORDER BY id")]
            refunds = [{"id": i, "parent_id": p, "amount": a, "date_created_gmt": d}
                       for i, p, a, d in shop.book.db.execute(
                           "SELECT id, parent_id, json_extract(body, '$.amount'), created "
                           "FROM refunds ORDER BY id")]
            products = [{k: p[k] for k in ("id", "sku", "name", "type", "parent_id", "price",
                                           "regular_price", "stock_quantity",
                                           "date_modified_gmt")}
                        for p in shop.store.products.values()]
            customers = [{k: c[k] for k in ("id", "email", "first_name", "last_name", "role")}
                         for c in shop.store.customers.values()]
            webhooks = [{**h, "failure_count": shop.engine.failures.get(h["id"], 0),
                         "deliveries": list(shop.engine.log.get(h["id"], []))}
                        for h in shop.store.webhooks.values()]
        return {"orders": orders, "refunds": refunds, "products": products,
                "customers": customers, "webhooks": webhooks,
                "pending_deliveries": shop.engine.pending(),
                "coalesced_deliveries": shop.engine.coalesced, "faults": dict(shop.faults)}

    def faults(req: Req) -> tuple[int, Any]:
        if req.method == "DELETE":
            shop.faults.clear()
            return 200, {"faults": {}}
        if req.method == "GET":
            return 200, {"faults": dict(shop.faults)}
        body = json.loads(req.body or b"{}")
        if not isinstance(body, dict):
            return 400, {"error": "expected a JSON object"}
        unknown = sorted(set(body) - set(FAULT_KEYS))
        if unknown:
            return 400, {"error": f"unknown fault keys: {', '.join(unknown)}",
                         "allowed": sorted(FAULT_KEYS)}
        for k, v in body.items():
            if not isinstance(v, FAULT_KEYS[k]) or (k.endswith("rate") and not 0 <= v <= 1):
                return 400, {"error": f"bad value for {k}: {v!r}"}
        shop.faults.update(body)
        return 200, {"faults": dict(shop.faults)}

    def activity(req: Req) -> tuple[int, Any]:
        body = json.loads(req.body or b"{}")
        if not isinstance(body, dict) or set(body) - ACTIVITY_KEYS:
            return 400, {"error": f"unknown activity keys: {sorted(set(body) - ACTIVITY_KEYS)}",
                         "allowed": sorted(ACTIVITY_KEYS)}
        return 200, shop.life.activity({k: int(v) for k, v in body.items()})

    def touch(req: Req, oid: int) -> tuple[int, Any]:
        body = json.loads(req.body or b"{}")
        if body.get("add_line") or body.get("remove_line"):
            # A shop manager adds or deletes an item in wp-admin and recalculates.
            try:
                if body.get("add_line"):
                    o = add_line(shop.book, oid, str(body["add_line"]["sku"]),
                                 int(body["add_line"].get("quantity", 1)))
                else:
                    o = remove_line(shop.book, oid, int(body["remove_line"]))
            except ApiError as e:
                return e.status, e.body()
            return 200, {"id": o["id"], "status": o["status"], "total": o["total"],
                         "date_modified_gmt": o["date_modified_gmt"]}
        data = {k: body[k] for k in ("status", "customer_note", "billing", "shipping")
                if k in body}
        try:
            o = shop.book.update(oid, data)
            if body.get("note"):
                shop.book.add_note(oid, {"note": body["note"]})
        except ApiError as e:
            return e.status, e.body()
        return 200, {"id": o["id"], "status": o["status"],
                     "date_modified_gmt": o["date_modified_gmt"]}

    def set_currency(req: Req) -> tuple[int, Any]:
        if req.method == "POST":
            body = json.loads(req.body or b"{}")
            decimals = body.get("decimals")
            if decimals is not None and not (isinstance(decimals, int) and 0 <= decimals <= 4):
                return 400, {"error": "decimals must be an integer 0-4"}
            shop.book.currency = currency.shop_currency(str(body.get("currency") or ""),
                                                        decimals)
        return 200, {**shop.book.currency.as_dict(), "limitation": currency.LIMITATION}

    def dispatch(req: Req) -> tuple[int, Any]:
        path = req.path
        if path == "/_sandbox/state" and req.method == "GET":
            return 200, state()
        if path == "/_sandbox/faults":
            return faults(req)
        if path == "/_sandbox/activity" and req.method == "POST":
            return activity(req)
        if path == "/_sandbox/currency":
            return set_currency(req)
        if path == "/_sandbox/webhooks/flush" and req.method == "POST":
            return 200, {"flushed": shop.flush_webhooks()}
        m = re.fullmatch(r"/_sandbox/orders/(\d+)/touch", path)
        if m and req.method == "POST":
            return touch(req, int(m.group(1)))
        return 404, {"error": "no such control route"}

    async def handle(req: Req) -> tuple[int, Any]:
        if not _loopback(req.client):
            return 403, {"error": "the control plane answers loopback clients only"}
        try:
            return await asyncio.to_thread(dispatch, req)
        except (ValueError, TypeError) as e:
            return 400, {"error": str(e)}

    return handle
