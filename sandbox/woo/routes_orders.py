"""wc/v3 routes for orders, order notes and refunds."""
from __future__ import annotations

import json
import re
from typing import Any

from sandbox.woo.app import Req, Resp, Route
from sandbox.woo.errors import ApiError
from sandbox.woo.params import (
    ITEM,
    ORDER_ORDERBY,
    batch_size,
    pages_for,
    paging_link,
    parse_list,
    pick_fields,
    truthy,
)
from sandbox.woo.shop import Shop
from sandbox.woo.views import note_links, order_bytes, refund_in_list, refund_links, with_links
from sandbox.woo.wpjson import dumps

_ORDER_COLS = {"date": "created", "modified": "modified", "id": "id", "include": "id",
               "title": "created", "slug": "created"}


def build(shop: Shop) -> list[Route]:
    book = shop.book

    def api() -> str:
        return f"{shop.home}/wp-json/wc/v3"

    def order_out(raw: bytes, fields: list[str] | None = None) -> Any:
        full = order_bytes(api(), raw)
        return pick_fields(json.loads(full), fields) if fields else full

    def list_orders(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=ORDER_ORDERBY, statuses=True)
        where: list[str] = []
        args: list[Any] = []
        statuses = a.statuses
        if "any" in statuses:
            where.append("status NOT IN ('trash','auto-draft')")
            statuses = [s for s in statuses if s != "any"]
            if statuses:  # "any,trash" and similar widen the set again
                where[-1] = f"({where[-1]} OR status IN ({','.join('?' * len(statuses))}))"
                args += statuses
        elif statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args += statuses
        for col, op, val in (("modified", ">", a.modified_after), ("modified", "<",
                             a.modified_before), ("created", ">", a.after),
                             ("created", "<", a.before)):
            if val is not None:
                where.append(f"{col} {op} ?")  # exclusive bounds, like the real store
                args.append(val)
        if "customer" in req.query:
            where.append("customer_id = ?")
            args.append(int(str(req.query["customer"])))
        if "product" in req.query:
            where.append("body LIKE ?")
            args.append(f'%"product_id":{int(str(req.query["product"]))},%')
        if a.include:
            where.append(f"id IN ({','.join(str(i) for i in a.include)})")
        if a.exclude:
            where.append(f"id NOT IN ({','.join(str(i) for i in a.exclude)})")
        if req.query.get("search"):
            where.append("body LIKE ?")
            args.append(f"%{req.query['search']}%")
        with shop.store.lock:
            total, rows = book.query(where=where, args=args, orderby=_ORDER_COLS[a.orderby],
                                     desc=a.order_desc, offset=a.offset, limit=a.per_page)
        pages = pages_for(total, a.per_page)
        if not rows and a.page > 1:
            total = pages = 0  # HPOS past the last page: both totals read 0 (real quirk)
        link = paging_link(f"{api()}/orders", req.query_pairs, a.page, pages, normalise=True)
        if a.fields:
            body: Any = [order_out(r, a.fields) for r in rows]
            return Resp(200, body, total=total, pages=pages, link=link)
        raw = b"[" + b",".join(order_bytes(api(), r) for r in rows) + b"]"
        return Resp(200, raw, total=total, pages=pages, link=link, raw=True)

    def get_order(req: Req, m: re.Match[str]) -> Resp:
        with shop.store.lock:
            raw = book.raw(int(m["id"]))
        if raw is None:
            raise ApiError.invalid_id("shop_order")
        fields = parse_list({"_fields": req.query.get("_fields")} if "_fields" in req.query
                            else {}, orderby_enum=ORDER_ORDERBY, statuses=False).fields
        out = order_out(raw, fields)
        return Resp(200, out, raw=isinstance(out, bytes))

    def create_order(req: Req, m: re.Match[str]) -> Resp:
        o = book.create(req.json if isinstance(req.json, dict) else {})
        return Resp(201, order_out(dumps(o)), location=f"{api()}/orders/{o['id']}", raw=True)

    def update_order(req: Req, m: re.Match[str]) -> Resp:
        o = book.update(int(m["id"]), req.json if isinstance(req.json, dict) else {})
        return Resp(200, order_out(dumps(o)), raw=True)

    def delete_order(req: Req, m: re.Match[str]) -> Resp:
        o = book.trash(int(m["id"]), force=truthy(req.param("force", False)))
        return Resp(200, order_out(dumps(o)), raw=True)

    def batch_orders(req: Req, m: re.Match[str]) -> Resp:
        batch_size(req)
        body = req.json if isinstance(req.json, dict) else {}
        out: dict[str, list[Any]] = {}
        for action in ("create", "update", "delete"):
            if action not in body:
                continue
            results: list[Any] = []
            for item in body.get(action) or []:
                try:
                    if action == "create":
                        o = book.create(item)
                    elif action == "update":
                        o = book.update(int(item.get("id") or 0), item)
                    else:
                        o = book.trash(int(item), force=True)  # batch deletes are always forced
                    results.append(json.loads(order_out(dumps(o))))
                except ApiError as e:
                    oid = item if action == "delete" else (item.get("id") or 0)
                    results.append({"id": oid, "error": {"code": e.code, "message": e.message,
                                                         "data": e.data}})
            out[action] = results
        return Resp(200, out)

    def order_or_404(oid: int) -> None:
        if book.raw(oid) is None:
            raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")

    def list_notes(req: Req, m: re.Match[str]) -> Resp:
        oid = int(m["order_id"])
        with shop.store.lock:
            order_or_404(oid)
            notes = list(book.notes.get(oid, []))
        return Resp(200, [with_links(n, note_links(api(), oid, n["id"])) for n in notes])

    def create_note(req: Req, m: re.Match[str]) -> Resp:
        oid = int(m["order_id"])
        note = book.add_note(oid, req.json if isinstance(req.json, dict) else {})
        return Resp(201, with_links(note, note_links(api(), oid, note["id"])),
                    location=f"{api()}/orders/{oid}/notes/{note['id']}")

    def get_note(req: Req, m: re.Match[str]) -> Resp:
        oid, nid = int(m["order_id"]), int(m["id"])
        note = next((n for n in book.notes.get(oid, []) if n["id"] == nid), None)
        if note is None:
            raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
        return Resp(200, with_links(note, note_links(api(), oid, nid)))

    def list_order_refunds(req: Req, m: re.Match[str]) -> Resp:
        oid = int(m["order_id"])
        a = parse_list(req.query, orderby_enum=["date", "id", "include", "title", "slug",
                                                "modified"], statuses=False)
        with shop.store.lock:
            if book.raw(oid) is None:
                raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
            total, rows = book.query(where=["parent_id = ?"], args=[oid], orderby="created",
                                     desc=a.order_desc, offset=a.offset, limit=a.per_page,
                                     table="refunds")
        body = [with_links(pick_fields(json.loads(r), a.fields),
                           refund_links(api(), oid, json.loads(r)["id"])) for r in rows]
        pages = pages_for(total, a.per_page)
        link = paging_link(f"{api()}/orders/{oid}/refunds", req.query_pairs, a.page, pages,
                           normalise=False)
        return Resp(200, body, total=total, pages=pages, link=link)

    def create_refund(req: Req, m: re.Match[str]) -> Resp:
        oid = int(m["order_id"])
        ref = book.refund(oid, req.json if isinstance(req.json, dict) else {})
        # The real Location keeps the literal route regex instead of the order id.
        loc = f"{api()}/orders/(?P<order_id>[\\d]+)/refunds/{ref['id']}"
        return Resp(201, with_links(ref, refund_links(api(), oid, ref["id"])), location=loc)

    def get_refund(req: Req, m: re.Match[str]) -> Resp:
        oid, rid = int(m["order_id"]), int(m["id"])
        found = book.refund_raw(rid)
        if not found or found[0] != oid:
            raise ApiError(404, "woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.")
        return Resp(200, with_links(json.loads(found[1]), refund_links(api(), oid, rid)))

    def delete_refund(req: Req, m: re.Match[str]) -> Resp:
        oid, rid = int(m["order_id"]), int(m["id"])
        ref = book.delete_refund(oid, rid)
        return Resp(200, with_links(ref, refund_links(api(), oid, rid)))

    def list_all_refunds(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=["date", "id", "include", "title", "slug",
                                                "modified"], statuses=False)
        where, args = [], []
        if a.after:
            where.append("created > ?")
            args.append(a.after)
        if a.before:
            where.append("created < ?")
            args.append(a.before)
        if "parent" in req.query:
            ids = ",".join(str(int(p)) for p in str(req.query["parent"]).split(","))
            where.append(f"parent_id IN ({ids})")
        with shop.store.lock:
            total, rows = book.query(where=where, args=args,
                                     orderby="id" if a.orderby == "id" else "created",
                                     desc=a.order_desc, offset=a.offset, limit=a.per_page,
                                     table="refunds")
            found = [book.refund_raw(json.loads(r)["id"]) for r in rows]
        body = []
        for r, hit in zip(rows, found, strict=True):
            rid = json.loads(r)["id"]
            pid = hit[0] if hit else 0
            body.append(with_links(pick_fields(refund_in_list(r, pid), a.fields),
                                   refund_links(api(), pid, rid)))
        pages = pages_for(total, a.per_page)
        link = paging_link(f"{api()}/refunds", req.query_pairs, a.page, pages, normalise=False)
        return Resp(200, body, total=total, pages=pages, link=link)

    r = re.compile
    oid = r"(?P<order_id>\d+)"
    return [
        Route(r(r"/wc/v3/orders"), "GET, POST", {"GET": list_orders, "POST": create_order},
              "list"),
        Route(r(r"/wc/v3/orders/batch"), "POST, PUT, PATCH",
              {"POST": batch_orders, "PUT": batch_orders, "PATCH": batch_orders}, "batch"),
        Route(r(r"/wc/v3/orders/(?P<id>\d+)"), ITEM,
              {"GET": get_order, "POST": update_order, "PUT": update_order,
               "PATCH": update_order, "DELETE": delete_order}, "item"),
        Route(r(rf"/wc/v3/orders/{oid}/notes"), "GET, POST",
              {"GET": list_notes, "POST": create_note}, "list"),
        Route(r(rf"/wc/v3/orders/{oid}/notes/(?P<id>\d+)"), "GET, DELETE", {"GET": get_note},
              "item"),
        Route(r(rf"/wc/v3/orders/{oid}/refunds"), "GET, POST",
              {"GET": list_order_refunds, "POST": create_refund}, "list"),
        Route(r(rf"/wc/v3/orders/{oid}/refunds/(?P<id>\d+)"), "GET, DELETE",
              {"GET": get_refund, "DELETE": delete_refund}, "item"),
        Route(r(r"/wc/v3/refunds"), "GET", {"GET": list_all_refunds}, "list"),
    ]
