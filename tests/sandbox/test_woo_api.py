"""The stand-in's REST semantics over real loopback HTTP(S): auth, paging, orders, faults."""
from __future__ import annotations

import datetime as dt
import json
import ssl
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from sandbox.woo import WooStandIn
from sandbox.woo.auth import sign


class Clock:
    """Injected time for the stand-in: OAuth timestamps are judged against it."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[WooStandIn]:
    s = WooStandIn(tmp_path_factory.mktemp("woo"), seed=7, orders=300, https=True,
                   webhook_delay=0, clock=clock)
    s.start()
    yield s
    s.stop()


def https(shop: WooStandIn, key: str | None = None, secret: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=f"{shop.https_url}/wp-json/wc/v3",
                        verify=ssl.create_default_context(cafile=str(shop.ca_file)),
                        auth=(key or shop.consumer_key, secret or shop.consumer_secret))


def oauth_get(shop: WooStandIn, clock: Clock, path: str, params: dict[str, str] | None = None,
              *, ts: int | None = None, nonce: str = "n", method: str = "HMAC-SHA256",
              secret: str | None = None) -> httpx.Response:
    url = f"{shop.url}/wp-json/wc/v3{path}"
    p = dict(params or {})
    p.update(oauth_consumer_key=shop.consumer_key, oauth_nonce=nonce,
             oauth_signature_method=method,
             oauth_timestamp=str(ts if ts is not None else int(clock.now.timestamp())))
    p["oauth_signature"] = sign("GET", url, p, secret or shop.consumer_secret, method)
    return httpx.get(url, params=p)


def err(r: httpx.Response) -> tuple[int, str, str]:
    b = r.json()
    return r.status_code, b["code"], b["message"]


# -- authentication ---------------------------------------------------------------------------
def test_basic_only_over_https(shop: WooStandIn) -> None:
    with https(shop) as c:
        assert c.get("/orders").status_code == 200
    r = httpx.get(f"{shop.url}/wp-json/wc/v3/orders",
                  auth=(shop.consumer_key, shop.consumer_secret))
    assert err(r) == (401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    assert r.headers["Vary"] == "Origin" and "Allow" not in r.headers
    r = httpx.get(f"{shop.url}/wp-json/wc/v3/orders",
                  params={"consumer_key": shop.consumer_key,
                          "consumer_secret": shop.consumer_secret})
    assert r.status_code == 401


def test_wrong_secret_unknown_key_and_readonly(shop: WooStandIn) -> None:
    with https(shop, secret="cs_" + "0" * 40) as c:
        assert err(c.get("/orders")) == (401, "woocommerce_rest_authentication_error",
                                         "Consumer secret is invalid.")
    with https(shop, key="ck_" + "0" * 40) as c:
        assert err(c.get("/orders/1"))[1:] == ("woocommerce_rest_cannot_view",
                                               "Sorry, you cannot view this resource.")
    with https(shop, shop.readonly_key, shop.readonly_secret) as c:
        oid = c.get("/orders").json()[0]["id"]
        assert err(c.put(f"/orders/{oid}", json={"customer_note": "x"})) == (
            401, "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.")


def test_oauth_over_http(shop: WooStandIn, clock: Clock) -> None:
    r = oauth_get(shop, clock, "/orders", {"per_page": "1"}, nonce="a1")
    assert r.status_code == 200 and len(r.json()) == 1
    # nonces are remembered per timestamp: a second one in the same second would evict "a1"
    assert oauth_get(shop, clock, "/products", {"sku": "TEE-BLU-M"}, nonce="a2",
                     method="HMAC-SHA1", ts=int(clock.now.timestamp()) - 1).status_code == 200
    again = oauth_get(shop, clock, "/orders", {"per_page": "1"}, nonce="a1",
                      ts=int(clock.now.timestamp()) + 1)
    assert err(again)[2] == "Invalid nonce - nonce has already been used."
    stale = oauth_get(shop, clock, "/orders", nonce="a3", ts=int(clock.now.timestamp()) - 901)
    assert err(stale)[2] == "Invalid timestamp."
    future = oauth_get(shop, clock, "/orders", nonce="a4", ts=int(clock.now.timestamp()) + 960)
    assert err(future)[2] == "Invalid timestamp."
    bad = oauth_get(shop, clock, "/orders", nonce="a5", secret="cs_wrong")
    assert err(bad)[2] == "Invalid signature - provided signature does not match."
    r = httpx.get(f"{shop.url}/wp-json/wc/v3/orders",
                  params={"oauth_consumer_key": shop.consumer_key, "oauth_signature": "x",
                          "oauth_signature_method": "HMAC-SHA256"})
    assert err(r) == (401, "woocommerce_rest_authentication_missing_parameter",
                      "Missing OAuth parameters oauth_timestamp, oauth_nonce")


def test_oauth_authorization_header(shop: WooStandIn, clock: Clock) -> None:
    url = f"{shop.url}/wp-json/wc/v3/orders"
    p = {"per_page": "2", "oauth_consumer_key": shop.consumer_key, "oauth_nonce": "hdr1",
         "oauth_signature_method": "HMAC-SHA256",
         "oauth_timestamp": str(int(clock.now.timestamp()))}
    p["oauth_signature"] = sign("GET", url, p, shop.consumer_secret)
    from urllib.parse import quote
    header = "OAuth " + ", ".join(f'{k}="{quote(v, safe="")}"' for k, v in p.items()
                                  if k.startswith("oauth_"))
    r = httpx.get(url, params={"per_page": "2"}, headers={"Authorization": header})
    assert r.status_code == 200 and len(r.json()) == 2


def test_rest_route_query_form_is_anonymous(shop: WooStandIn) -> None:
    r = httpx.get(f"{shop.https_url}/", params={"rest_route": "/wc/v3/orders"},
                  verify=ssl.create_default_context(cafile=str(shop.ca_file)),
                  auth=(shop.consumer_key, shop.consumer_secret))
    assert err(r)[:2] == (401, "woocommerce_rest_cannot_view")


# -- paging, filters --------------------------------------------------------------------------
def test_paging_headers_and_links(shop: WooStandIn) -> None:
    with https(shop) as c:
        total = int(c.get("/orders", params={"per_page": 100}).headers["X-WP-Total"])
        pages = -(-total // 7)
        first = c.get("/orders", params={"per_page": 7, "page": 1})
        assert first.headers["X-WP-TotalPages"] == str(pages)
        assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
        assert "status%5B0%5D=any&dp=2&context=view" in first.headers["Link"]
        mid = c.get("/orders", params={"per_page": 7, "page": 2}).headers["Link"]
        assert 'rel="prev"' in mid and 'rel="next"' in mid
        last = c.get("/orders", params={"per_page": 7, "page": pages})
        assert 'rel="next"' not in last.headers["Link"]
        past = c.get("/orders", params={"per_page": 7, "page": pages + 3})
        assert past.json() == [] and past.headers["X-WP-Total"] == "0"
        assert past.headers["X-WP-TotalPages"] == "0"
        walked = []
        for n in range(1, pages + 1):
            walked += [o["id"] for o in c.get("/orders", params={"per_page": 7,
                                                                  "page": n}).json()]
        assert len(walked) == len(set(walked)) == total
        bad = c.get("/orders", params={"per_page": 101})
        assert bad.status_code == 400 and bad.json()["data"]["params"]["per_page"] == (
            "per_page must be between 1 (inclusive) and 100 (inclusive)")
        assert c.get("/orders", params={"orderby": "total"}).json()["code"] == "rest_invalid_param"


def test_modified_after_is_exclusive_and_ordered(shop: WooStandIn) -> None:
    with https(shop) as c:
        rows = c.get("/orders", params={"per_page": 100, "orderby": "modified", "order": "asc",
                                        "_fields": "id,date_modified_gmt,status"}).json()
        assert set(rows[0]) == {"id", "date_modified_gmt", "status"}
        stamps = [r["date_modified_gmt"] for r in rows]
        assert stamps == sorted(stamps)
        bound = stamps[len(stamps) // 2]
        after = c.get("/orders", params={"modified_after": bound, "dates_are_gmt": "true",
                                         "orderby": "modified", "order": "asc",
                                         "per_page": 100}).json()
        assert after and all(o["date_modified_gmt"] > bound for o in after)
        want = {"processing", "on-hold"}
        got = c.get("/orders", params={"status": "processing,on-hold", "per_page": 100}).json()
        assert got and {o["status"] for o in got} <= want
        arr = c.get("/orders", params=[("status[]", "processing"), ("status[]", "on-hold"),
                                       ("per_page", "100")]).json()
        assert [o["id"] for o in arr] == [o["id"] for o in got]


# -- orders, money, refunds -------------------------------------------------------------------
def test_generated_orders_add_up_exactly(shop: WooStandIn) -> None:
    with https(shop) as c:
        checked = 0
        for page in (1, 2, 3):
            for o in c.get("/orders", params={"per_page": 100, "page": page}).json():
                D = Decimal  # noqa: N806
                lines = sum((D(li["total"]) for li in o["line_items"]), D(0))
                subs = sum((D(li["subtotal"]) for li in o["line_items"]), D(0))
                fees = sum((D(f["total"]) for f in o["fee_lines"]), D(0))
                ship = D(o["shipping_total"])
                assert D(o["total"]) == lines + ship + fees + D(o["total_tax"])
                assert D(o["total"]) == subs - D(o["discount_total"]) + ship + fees + D(
                    o["total_tax"])
                assert D(o["total_tax"]) == D(o["cart_tax"]) + D(o["shipping_tax"])
                for li in o["line_items"]:
                    assert isinstance(li["price"], int | float)
                if o["status"] in ("processing", "completed"):
                    assert o["payment_method"] in ("stripe", "ppcp") and o["date_paid_gmt"]
                elif o["status"] in ("pending", "on-hold"):
                    assert o["payment_method"] in ("bacs", "cheque", "cod")
                if o["tax_lines"]:
                    assert isinstance(o["tax_lines"][0]["rate_id"], int)
                checked += 1
        assert checked == 300


def test_refunds_negative_lines_full_refund_and_gateway_error(shop: WooStandIn) -> None:
    with https(shop) as c:
        o = c.post("/orders", json={
            "payment_method": "bacs", "set_paid": True, "line_items": [
                {"sku": "TOWEL-TEA-LINEN", "quantity": 2}],
            "shipping": {"state": "NY", "country": "US"},
            "shipping_lines": [{"method_id": "flat_rate", "total": "7.95"}]}).json()
        assert o["status"] == "processing"
        r = c.post(f"/orders/{o['id']}/refunds", json={"amount": "1.00"})
        assert r.status_code == 500 and r.json()["data"] == 500  # data is an int here
        li, sh = o["line_items"][0], o["shipping_lines"][0]
        part = c.post(f"/orders/{o['id']}/refunds", json={
            "amount": "15.24", "api_refund": False, "line_items": [{
                "id": li["id"], "quantity": 1, "refund_total": "14.00",
                "refund_tax": [{"id": 1, "refund_total": "1.24"}]}]})
        assert part.status_code == 201, part.text
        assert "(?P<order_id>[\\d]+)" in part.headers["Location"]
        line = part.json()["line_items"][0]
        assert line["quantity"] == -1 and line["total"] == "-14.00" and line["price"] == 14
        rest = Decimal(o["total"]) - Decimal("15.24")
        full = c.post(f"/orders/{o['id']}/refunds", json={
            "amount": str(rest), "api_refund": False, "line_items": [{
                "id": sh["id"], "refund_total": sh["total"],
                "refund_tax": [{"id": 1, "refund_total": sh["total_tax"]}]}]})
        assert full.status_code == 201
        after = c.get(f"/orders/{o['id']}").json()
        assert after["status"] == "refunded"
        assert [r["total"] for r in after["refunds"]] == [f"-{rest}", "-15.24"]
        listed = c.get("/refunds", params={"per_page": 5}).json()
        assert list(listed[0])[:2] == ["id", "parent_id"]
        neg = c.post(f"/orders/{o['id']}/refunds", json={"amount": "-5", "api_refund": False})
        assert neg.json() == {"code": "woocommerce_rest_invalid_order_refund",
                              "message": "Refund amount must be greater than zero.",
                              "data": 400}


def test_trash_then_410_and_batch_limit(shop: WooStandIn) -> None:
    with https(shop) as c:
        oid = c.post("/orders", json={"line_items": [{"sku": "CAP-WOOL-GRY",
                                                      "quantity": 1}]}).json()["id"]
        assert c.delete(f"/orders/{oid}").json()["status"] == "pending"
        assert c.get(f"/orders/{oid}").json()["status"] == "trash"
        assert err(c.delete(f"/orders/{oid}"))[:2] == (410, "woocommerce_rest_already_trashed")
        assert oid not in [o["id"] for o in c.get("/orders", params={"per_page": 100}).json()]
        too_many = {"update": [{"id": 1, "regular_price": "1.00"}] * 101}
        assert err(c.post("/products/batch", json=too_many))[0] == 413
        r = c.post("/products/batch", json={"update": [{"id": 999999, "regular_price": "1"}]})
        assert r.json()["update"][0]["error"]["code"] == "woocommerce_rest_product_invalid_id"


# -- control plane and faults -----------------------------------------------------------------
def test_faults_and_activity(shop: WooStandIn) -> None:
    ctl = f"{shop.url}/_sandbox"
    assert httpx.post(f"{ctl}/faults", json={"nope": 1}).status_code == 400
    assert httpx.post(f"{ctl}/faults", json={"outage": True}).status_code == 200
    with https(shop) as c:
        assert c.get("/orders").status_code == 503
        httpx.post(f"{ctl}/faults", json={"outage": False, "error_rate": 1.0})
        r = c.get("/orders")
        assert r.status_code == 500 and r.json()["code"] == "internal_server_error"
        assert httpx.delete(f"{ctl}/faults").json() == {"faults": {}}
        assert c.get("/orders").status_code == 200
    before = len(httpx.get(f"{ctl}/state").json()["orders"])
    done = httpx.post(f"{ctl}/activity", json={"orders": 3, "refunds": 1, "status_changes": 2,
                                               "price_changes": 1, "stock_changes": 1,
                                               "unknown_sku_orders": 1}).json()
    assert len(done["orders"]) == 3 and len(done["unknown_sku_orders"]) == 1
    assert len(done["refunds"]) == 1 and len(done["status_changes"]) == 2
    state = httpx.get(f"{ctl}/state").json()
    assert len(state["orders"]) == before + 4
    assert json.dumps(state)  # serialisable, one stable document
    touched = httpx.post(f"{ctl}/orders/{done['orders'][0]}/touch",
                         json={"status": "completed", "note": "packed"}).json()
    assert touched["status"] == "completed"
