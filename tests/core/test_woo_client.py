"""WooClient against the WooCommerce stand-in over real loopback HTTP(S)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from core.errors import WooError
from core.intake.service import ReceiverServer
from core.woo.client import WooClient, gmt, money
from core.woo.oauth import OAuth1Auth, base_string, signature
from sandbox.woo import WooStandIn
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    s = WooStandIn(tmp_path_factory.mktemp("shop"), seed=3, orders=250, https=True)
    s.start()
    yield s
    s.stop()


def _client(shop: WooStandIn, *, https: bool = True, **kw) -> WooClient:
    if https:
        return WooClient(shop.https_url, shop.consumer_key, shop.consumer_secret,
                         ca_bundle=str(shop.ca_file), **kw)
    return WooClient(shop.url, shop.consumer_key, shop.consumer_secret, **kw)


@pytest.mark.parametrize("name", ["oauth-vector-get-simple.json",
                                  "oauth-vector-get-hmac-sha1.json"])
def test_oauth_signer_reproduces_the_recorded_vectors(name):
    vec = json.loads(shared_path("woocommerce", "recordings", name).read_text())["oauth_vector"]
    params = [tuple(p) for p in vec["request_params_signed"]] + [
        ("oauth_consumer_key", vec["consumer_key"]), ("oauth_nonce", vec["nonce"]),
        ("oauth_signature_method", vec["signature_method"]), ("oauth_timestamp", vec["timestamp"])]
    assert base_string("GET", vec["base_url"], params) == vec["signature_base_string"]
    assert signature("GET", vec["base_url"], params, vec["consumer_secret"],
                     vec["signature_method"]) == vec["oauth_signature"]


def test_oauth_goes_in_the_header_never_the_query_string():
    auth = OAuth1Auth("ck_key", "cs_secret", now=lambda: 1795767073.0)
    request = httpx.Request("GET", "http://shop.test/wp-json/wc/v3/orders?per_page=1")
    auth.sign(request)
    assert "ck_key" not in str(request.url) and "oauth" not in str(request.url)
    header = request.headers["authorization"]
    assert header.startswith("OAuth ") and 'oauth_consumer_key="ck_key"' in header
    assert "cs_secret" not in header and "secret" not in repr(auth)


@pytest.mark.parametrize("https", [True, False], ids=["https-basic", "http-oauth1"])
def test_reads_orders_over_both_transports(shop, https):
    with _client(shop, https=https) as client:
        page = client.list_orders(None, per_page=5, orderby="id", order="asc")
        assert len(page.items) == 5 and page.total == 250 and page.total_pages == 50
        order = client.get_order(page.items[0]["id"])
        assert order["id"] == page.items[0]["id"] and isinstance(order["total"], str)
        assert client.system_status()["environment"]
        assert client.requests_sent == 3 and client.retries == 0


def test_paging_walks_every_order_once_and_stops_past_the_end(shop):
    with _client(shop) as client:
        ids = [o["id"] for o in client.iter_orders_modified_since(
            datetime(2000, 1, 1, tzinfo=UTC), per_page=100)]
        assert len(ids) == 250 and len(set(ids)) == 250
        assert client.requests_sent == 3  # pages 1..3, stopped by X-WP-TotalPages / Link
        past = client.list_orders(None, page=9, per_page=100)
        assert past.items == [] and not past.has_next
        cheap = client.list_orders(None, per_page=3, fields="id,date_modified_gmt,status")
        assert all(set(o) == {"id", "date_modified_gmt", "status"} for o in cheap.items)


def test_money_and_dates_are_read_exactly(shop):
    with _client(shop) as client:
        order = client.iter_orders_modified_since(None, per_page=1).__next__()
    assert isinstance(money(order["total"]), Decimal)
    assert money("12.50") == Decimal("12.50") and money(24.526666666666667) == Decimal(
        "24.526666666666667")
    when = gmt(order["date_modified_gmt"])
    assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0


def test_errors_say_what_to_do(shop):
    ro = WooClient(shop.https_url, shop.readonly_key, shop.readonly_secret,
                   ca_bundle=str(shop.ca_file))
    with pytest.raises(WooError, match="check it has read/write permission") as err:
        ro.create_webhook(name="x", topic="order.updated", delivery_url="https://x.test/h",
                          secret="a" * 40)
    assert err.value.status == 401 and not err.value.transient
    wrong = WooClient(shop.https_url, shop.consumer_key, "cs_" + "0" * 40,
                      ca_bundle=str(shop.ca_file))
    with pytest.raises(WooError, match="refused the consumer secret") as err:
        wrong.get_order(1)
    assert "cs_000" not in str(err.value)
    with _client(shop) as client:
        with pytest.raises(WooError, match="no such object") as err:
            client.get_order(999_999)
        assert err.value.status == 404
        sent = client.requests_sent
        with pytest.raises(WooError, match="at most 100"):
            client.batch_products(update=[{"id": i} for i in range(101)])
        assert client.requests_sent == sent
        with pytest.raises(ValueError):
            client.create_webhook(name="x", topic="order.updated", delivery_url="https://x/",
                                  secret="")


def test_untrusted_certificate_is_a_clear_error_never_skipped(shop):
    client = WooClient(shop.https_url, shop.consumer_key, shop.consumer_secret, max_attempts=1)
    with pytest.raises(WooError, match="ca_bundle") as err:
        client.get_order(1)
    assert err.value.code == "tls"


def test_batch_update_and_webhooks(shop):
    with _client(shop) as client:
        product = client.list_products(per_page=1, type="simple").items[0]
        answer = client.batch_products(update=[{"id": product["id"], "regular_price": "31.00"},
                                               {"id": 999_999, "regular_price": "1.00"}])
        assert answer["update"][0]["regular_price"] == "31.00"
        assert "error" in answer["update"][1]
        assert client.get_product(product["id"])["regular_price"] == "31.00"
        hook = client.create_webhook(name="t", topic="order.updated",
                                     delivery_url="http://127.0.0.1:9/x", secret="S" * 40)
        assert "secret" not in hook
        assert any(h["id"] == hook["id"] for h in client.list_webhooks())
        client.delete_webhook(hook["id"])


def test_transient_failures_are_retried_with_capped_jitter_then_reported(shop):
    sleeps: list[float] = []
    control = httpx.Client(base_url=shop.url)
    try:
        control.post("/_sandbox/faults", json={"error_rate": 1.0}).raise_for_status()
        with _client(shop, sleep=sleeps.append, max_attempts=4, backoff_base_s=1,
                     backoff_cap_s=3) as client:
            with pytest.raises(WooError, match="will be retried") as err:
                client.get_order(1)
            assert err.value.transient and err.value.status == 500
            assert len(sleeps) == 3 and all(0 <= s <= 3 for s in sleeps)
            sleeps.clear()
            with pytest.raises(WooError):  # a POST that reached WordPress is never re-sent
                client.create_webhook(name="t", topic="order.updated",
                                      delivery_url="http://127.0.0.1:9/x", secret="S" * 40)
            assert sleeps == []
        control.post("/_sandbox/faults", json={"error_rate": 0.0, "outage": True})
        with _client(shop, sleep=sleeps.append, max_attempts=2) as client:
            with pytest.raises(WooError) as err:
                client.get_order(1)
            assert err.value.status == 503 and len(sleeps) == 1
    finally:
        control.delete("/_sandbox/faults")
        control.close()


class _RateLimited:
    """A loopback server that answers 429 + Retry-After once, then a list."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        self.calls += 1
        if self.calls == 1:
            status, headers, body = 429, [(b"retry-after", b"7")], b'{"code":"rate"}'
        else:
            status, headers, body = 200, [(b"x-wp-total", b"1"), (b"x-wp-totalpages", b"1")], \
                b'[{"id":1}]'
        await send({"type": "http.response.start", "status": status,
                    "headers": headers + [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def test_retry_after_is_honoured(tmp_path):
    app = _RateLimited()
    server = ReceiverServer(app, "127.0.0.1:0")  # any ASGI app: here a rate-limiting "shop"
    server.start()
    sleeps: list[float] = []
    try:
        with WooClient(server.url, "ck_x", "cs_y", sleep=sleeps.append, backoff_cap_s=1) as client:
            assert client.list_orders(None).items == [{"id": 1}]
    finally:
        server.stop()
    assert app.calls == 2 and sleeps == [7.0]
