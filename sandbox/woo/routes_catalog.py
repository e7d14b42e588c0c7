"""wc/v3 routes for products, variations, customers, coupons, webhooks and system status."""
from __future__ import annotations

import re
import secrets
import string
from typing import Any

from sandbox.woo.app import Req, Resp, Route
from sandbox.woo.errors import ApiError
from sandbox.woo.params import (
    ITEM,
    PRODUCT_ORDERBY,
    batch_size,
    pages_for,
    paging_link,
    parse_list,
    pick_fields,
    truthy,
)
from sandbox.woo.records import valid_topic, variation_view, webhook_record
from sandbox.woo.shop import Shop
from sandbox.woo.views import product_view, simple_links, variation_links, with_links


def build(shop: Shop) -> list[Route]:
    store = shop.store

    def api() -> str:
        return f"{shop.home}/wp-json/wc/v3"

    def paged(req: Req, items: list[dict[str, Any]], a: Any, base: str) -> Resp:
        total = len(items)
        page_items = items[a.offset:a.offset + a.per_page]
        pages = pages_for(total, a.per_page)
        link = paging_link(f"{api()}/{base}", req.query_pairs, a.page, pages, normalise=False)
        return Resp(200, [pick_fields(i, a.fields) for i in page_items], total=total,
                    pages=pages, link=link)

    def edited(rec: dict[str, Any]) -> dict[str, Any]:
        """Create/update responses use the `edit` context: two more keys before `_links`."""
        out = dict(rec)
        out["permalink_template"] = f"{shop.home}/product/%pagename%/"
        out["generated_slug"] = rec["slug"]
        return product_view(api(), out)

    # -- products ------------------------------------------------------------------------------
    def list_products(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=PRODUCT_ORDERBY, statuses=False)
        with store.lock:
            recs = list(store.products.values())
            skus = [s for s in str(req.query.get("sku", "")).split(",") if s]
            if skus:  # exact match on a comma list; variations included
                recs = [p for p in recs if p["sku"] in skus]
            else:
                recs = [p for p in recs if p["type"] != "variation"]
            if req.query.get("type"):
                recs = [p for p in recs if p["type"] == req.query["type"]]
            if req.query.get("search"):
                term = str(req.query["search"]).lower()
                recs = [p for p in recs if term in p["name"].lower()]
            if a.modified_after:
                recs = [p for p in recs if p["date_modified_gmt"] > a.modified_after]
            if a.modified_before:
                recs = [p for p in recs if p["date_modified_gmt"] < a.modified_before]
            if a.include:
                recs = [p for p in recs if p["id"] in a.include]
            key = {"id": "id", "include": "id", "title": "name", "slug": "slug",
                   "modified": "date_modified_gmt", "price": "price"}.get(a.orderby,
                                                                          "date_created_gmt")
            recs.sort(key=lambda p: p["id"])
            recs.sort(key=lambda p: p[key], reverse=a.order_desc)  # stable: ties keep id asc
            items = [product_view(api(), p) for p in recs]
        return paged(req, items, a, "products")

    def product_or_error(pid: int, status: int = 404) -> dict[str, Any]:
        rec = store.products.get(pid)
        if rec is None:
            raise ApiError(status, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return rec

    def get_product(req: Req, m: re.Match[str]) -> Resp:
        with store.lock:
            return Resp(200, product_view(api(), product_or_error(int(m["id"]))))

    def create_product(req: Req, m: re.Match[str]) -> Resp:
        rec = store.create_product(req.json or {})
        return Resp(201, edited(rec), location=f"{api()}/products/{rec['id']}")

    def update_product(req: Req, m: re.Match[str]) -> Resp:
        rec = store.update_product(int(m["id"]), req.json or {})
        return Resp(200, edited(rec))

    def batch_products(req: Req, m: re.Match[str], parent: int | None = None) -> Resp:
        batch_size(req)
        body = req.json if isinstance(req.json, dict) else {}
        out: dict[str, list[Any]] = {}
        for action in ("create", "update", "delete"):
            if action not in body:
                continue
            results: list[Any] = []
            for item in body.get(action) or []:
                try:
                    if action == "update":
                        rec = store.update_product(int(item.get("id") or 0), item)
                    elif action == "create":
                        rec = store.create_product(item)
                    else:
                        raise ApiError(400, "woocommerce_rest_cannot_delete",
                                       "The stand-in does not delete products.")
                    results.append(variation_out(rec) if parent else edited(rec))
                except ApiError as e:
                    rid = item if action == "delete" else (item.get("id") or 0)
                    results.append({"id": rid, "error": {"code": e.code, "message": e.message,
                                                         "data": e.data}})
            out[action] = results
        return Resp(200, out)

    def variation_out(rec: dict[str, Any]) -> dict[str, Any]:
        parent = store.products[rec["parent_id"]]
        return with_links(variation_view(rec, parent),
                          variation_links(api(), parent["id"], rec["id"]))

    def variation_or_404(pid: int, vid: int) -> dict[str, Any]:
        rec = store.products.get(vid)
        if rec is None or rec["parent_id"] != pid:
            raise ApiError(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
        return rec

    def list_variations(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=PRODUCT_ORDERBY, statuses=False)
        with store.lock:
            parent = product_or_error(int(m["product_id"]))
            items = [variation_out(store.products[v]) for v in parent["variations"]]
        items.sort(key=lambda v: v["id"], reverse=a.order_desc)
        return paged(req, items, a, f"products/{parent['id']}/variations")

    def create_variation(req: Req, m: re.Match[str]) -> Resp:
        rec = store.create_variation(int(m["product_id"]), req.json or {})
        # Like orders' refunds, the real Location keeps the literal route regex.
        loc = f"{api()}/products/(?P<product_id>[\\d]+)/variations/{rec['id']}"
        return Resp(201, variation_out(rec), location=loc)

    def get_variation(req: Req, m: re.Match[str]) -> Resp:
        with store.lock:
            return Resp(200, variation_out(variation_or_404(int(m["product_id"]),
                                                            int(m["id"]))))

    def update_variation(req: Req, m: re.Match[str]) -> Resp:
        with store.lock:
            variation_or_404(int(m["product_id"]), int(m["id"]))
            return Resp(200, variation_out(store.update_product(int(m["id"]), req.json or {})))

    def batch_variations(req: Req, m: re.Match[str]) -> Resp:
        return batch_products(req, m, parent=int(m["product_id"]))

    # -- customers -----------------------------------------------------------------------------
    def list_customers(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=["id", "include", "name", "registered_date"],
                       statuses=False, default_orderby="name", default_order="asc")
        role = str(req.query.get("role", "customer"))
        with store.lock:
            recs = [c for c in store.customers.values() if role == "all" or c["role"] == role]
            if req.query.get("email"):
                recs = [c for c in recs if c["email"] == req.query["email"]]
            if req.query.get("search"):
                t = str(req.query["search"]).lower()
                recs = [c for c in recs if t in f"{c['email']} {c['first_name']} "
                        f"{c['last_name']} {c['username']}".lower()]
            key = {"name": "username", "registered_date": "date_created_gmt"}.get(a.orderby, "id")
            recs.sort(key=lambda c: c[key], reverse=a.order_desc)
            items = [with_links(c, simple_links(api(), "customers", c["id"])) for c in recs]
        return paged(req, items, a, "customers")

    def customer_or_404(cid: int) -> dict[str, Any]:
        rec = store.customers.get(cid)
        if rec is None:
            raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
        return rec

    def get_customer(req: Req, m: re.Match[str]) -> Resp:
        with store.lock:
            c = customer_or_404(int(m["id"]))
            return Resp(200, with_links(c, simple_links(api(), "customers", c["id"])))

    def create_customer(req: Req, m: re.Match[str]) -> Resp:
        c = store.create_customer(req.json or {})
        return Resp(201, with_links(c, simple_links(api(), "customers", c["id"])),
                    location=f"{api()}/customers/{c['id']}")

    def update_customer(req: Req, m: re.Match[str]) -> Resp:
        c = store.update_customer(int(m["id"]), req.json or {})
        return Resp(200, with_links(c, simple_links(api(), "customers", c["id"])))

    # -- coupons -------------------------------------------------------------------------------
    def list_coupons(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=PRODUCT_ORDERBY, statuses=False)
        with store.lock:
            recs = sorted(store.coupons.values(), key=lambda c: c["id"], reverse=a.order_desc)
            if req.query.get("code"):
                recs = [c for c in recs if c["code"] == str(req.query["code"]).lower()]
            items = [with_links(c, simple_links(api(), "coupons", c["id"])) for c in recs]
        return paged(req, items, a, "coupons")

    def create_coupon(req: Req, m: re.Match[str]) -> Resp:
        c = store.create_coupon(req.json or {})
        return Resp(201, with_links(c, simple_links(api(), "coupons", c["id"])),
                    location=f"{api()}/coupons/{c['id']}")

    def get_coupon(req: Req, m: re.Match[str]) -> Resp:
        c = store.coupons.get(int(m["id"]))
        if c is None:
            raise ApiError(404, "woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.")
        return Resp(200, with_links(c, simple_links(api(), "coupons", c["id"])))

    # -- webhooks ------------------------------------------------------------------------------
    def hook_out(h: dict[str, Any]) -> dict[str, Any]:
        return with_links(h, simple_links(api(), "webhooks", h["id"]))

    def list_webhooks(req: Req, m: re.Match[str]) -> Resp:
        a = parse_list(req.query, orderby_enum=["date", "id", "include", "title"],
                       statuses=False)
        status = str(req.query.get("status", "all"))
        if status not in ("all", "active", "paused", "disabled"):
            raise ApiError.invalid_param("status", "status is not one of all, active, paused, "
                                         "and disabled.", "rest_not_in_enum")
        with store.lock:
            hooks = [h for h in store.webhooks.values() if status in ("all", h["status"])]
            hooks.sort(key=lambda h: h["id"], reverse=a.order_desc)
            items = [hook_out(h) for h in hooks]
        return paged(req, items, a, "webhooks")

    def create_webhook(req: Req, m: re.Match[str]) -> Resp:
        body = req.json if isinstance(req.json, dict) else {}
        missing = [k for k in ("topic", "delivery_url") if not body.get(k)]
        if missing:
            raise ApiError.missing_param(*missing)
        topic, url = str(body["topic"]), str(body["delivery_url"])
        if not valid_topic(topic):
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                           "Webhook topic is invalid.")
        if not re.match(r"^https?://", url):
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                           "Webhook delivery URL must be a valid URL starting with http:// or "
                           "https://.")
        status = str(body.get("status") or "active")
        with store.lock:
            wid = max(store.webhooks, default=0) + 1
            dates = store.now()
            hook = webhook_record(wid=wid, name=str(body.get("name") or
                                                   f"Webhook created on {dates[0]}"),
                                  topic=topic, delivery_url=url, status=status, dates=dates)
            # Write-only secret: WooCommerce makes a 50-char one when none is sent.
            alphabet = string.ascii_letters + string.digits + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|"
            shop.engine.secrets[wid] = str(body.get("secret") or "".join(
                secrets.choice(alphabet) for _ in range(50)))
            store.webhooks[wid] = hook
            out = hook_out(dict(hook))
        if status == "active" and shop.engine.ping(wid, url) == 200:
            with store.lock:  # the successful ping saves the webhook (date_modified set later)
                hook["date_modified"], hook["date_modified_gmt"] = store.now()
        return Resp(201, out, location=f"{api()}/webhooks/{wid}")

    def hook_or_404(wid: int) -> dict[str, Any]:
        h = store.webhooks.get(wid)
        if h is None:
            raise ApiError(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
        return h

    def get_webhook(req: Req, m: re.Match[str]) -> Resp:
        with store.lock:
            return Resp(200, hook_out(hook_or_404(int(m["id"]))))

    def update_webhook(req: Req, m: re.Match[str]) -> Resp:
        body = req.json if isinstance(req.json, dict) else {}
        with store.lock:
            h = hook_or_404(int(m["id"]))
            if "status" in body:
                if body["status"] not in ("active", "paused", "disabled"):
                    raise ApiError.invalid_param("status", "status is not one of active, paused,"
                                                 " and disabled.", "rest_not_in_enum")
                # Re-activation sends no ping and does NOT reset the failure count (the real
                # store: only a successful delivery does), so the next failure disables again.
                h["status"] = body["status"]
            if body.get("topic"):
                if not valid_topic(str(body["topic"])):
                    raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                                   "Webhook topic is invalid.")
                fresh = webhook_record(wid=h["id"], name=h["name"], topic=str(body["topic"]),
                                       delivery_url=h["delivery_url"], status=h["status"],
                                       dates=(h["date_created"], h["date_created_gmt"]))
                h.update({k: fresh[k] for k in ("topic", "resource", "event", "hooks")})
            for k in ("name", "delivery_url"):
                if body.get(k):
                    h[k] = str(body[k])
            if body.get("secret"):
                shop.engine.secrets[h["id"]] = str(body["secret"])
            h["date_modified"], h["date_modified_gmt"] = store.now()
            return Resp(200, hook_out(h))

    def delete_webhook(req: Req, m: re.Match[str]) -> Resp:
        if not truthy(req.param("force", False)):
            raise ApiError(501, "woocommerce_rest_trash_not_supported",
                           "Webhooks do not support trashing.")
        with store.lock:
            h = hook_or_404(int(m["id"]))
            del store.webhooks[h["id"]]
            shop.engine.secrets.pop(h["id"], None)
            return Resp(200, hook_out(h))

    def system_status(req: Req, m: re.Match[str]) -> Resp:
        with store.lock:
            counts = shop.book.counts()
        return Resp(200, {
            "environment": {"home_url": shop.home, "site_url": shop.home, "version": "10.0.2",
                            "wp_version": "6.8.3", "wp_multisite": False,
                            "php_version": "8.2.36", "mysql_version": "10.11.19-MariaDB",
                            "default_timezone": "UTC", "server_info": "nginx/1.22.1"},
            "database": {"wc_database_version": "10.0.2", "database_prefix": "wp_"},
            "active_plugins": [{"plugin": "woocommerce/woocommerce.php",
                                "name": "WooCommerce", "version": "10.0.2"}],
            "settings": {"api_enabled": True, "force_ssl": False,
                         **shop.book.currency.as_dict(), "currency_position": "left",
                         "thousand_separator": ",", "decimal_separator": ".",
                         "taxonomies": {}, "woocommerce_com_connected":
                         "no", "enforce_approved_download_dirs": True,
                         "order_datastore": "Automattic\\WooCommerce\\Internal\\DataStores\\"
                                            "Orders\\OrdersTableDataStore"},
            "post_type_counts": [{"type": "shop_order", "count": sum(counts.values())}],
        })

    r = re.compile
    pid = r"(?P<product_id>\d+)"
    return [
        Route(r(r"/wc/v3/products"), "GET, POST", {"GET": list_products,
                                                   "POST": create_product}, "list"),
        Route(r(r"/wc/v3/products/batch"), "POST, PUT, PATCH",
              dict.fromkeys(("POST", "PUT", "PATCH"), batch_products), "batch"),
        Route(r(r"/wc/v3/products/(?P<id>\d+)"), ITEM,
              {"GET": get_product, "POST": update_product, "PUT": update_product,
               "PATCH": update_product}, "item"),
        Route(r(rf"/wc/v3/products/{pid}/variations"), "GET, POST",
              {"GET": list_variations, "POST": create_variation}, "list"),
        Route(r(rf"/wc/v3/products/{pid}/variations/batch"), "POST, PUT, PATCH",
              dict.fromkeys(("POST", "PUT", "PATCH"), batch_variations), "batch"),
        Route(r(rf"/wc/v3/products/{pid}/variations/(?P<id>\d+)"), ITEM,
              {"GET": get_variation, "POST": update_variation, "PUT": update_variation,
               "PATCH": update_variation}, "item"),
        Route(r(r"/wc/v3/customers"), "GET, POST", {"GET": list_customers,
                                                    "POST": create_customer}, "list"),
        Route(r(r"/wc/v3/customers/(?P<id>\d+)"), ITEM,
              {"GET": get_customer, "POST": update_customer, "PUT": update_customer,
               "PATCH": update_customer}, "item"),
        Route(r(r"/wc/v3/coupons"), "GET, POST", {"GET": list_coupons,
                                                  "POST": create_coupon}, "list"),
        Route(r(r"/wc/v3/coupons/(?P<id>\d+)"), ITEM, {"GET": get_coupon}, "item"),
        Route(r(r"/wc/v3/webhooks"), "GET, POST", {"GET": list_webhooks,
                                                   "POST": create_webhook}, "list"),
        Route(r(r"/wc/v3/webhooks/(?P<id>\d+)"), ITEM,
              {"GET": get_webhook, "POST": update_webhook, "PUT": update_webhook,
               "PATCH": update_webhook, "DELETE": delete_webhook}, "item"),
        Route(r(r"/wc/v3/system_status"), "GET", {"GET": system_status}, "list"),
    ]
