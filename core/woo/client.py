"""The WooCommerce REST client (wc/v3): one pooled httpx client per worker.

Auth follows what WordPress accepts (woocommerce.md §1): HTTP Basic over HTTPS; OAuth 1.0a
(HMAC-SHA256, in the Authorization header) over plain HTTP; never keys in a query string.
Idempotent requests are retried on timeouts, 429 and 5xx with capped, jittered backoff honouring
`Retry-After`; a POST is retried only when it certainly never reached WordPress. Errors become
`WooError`s whose messages say what to do. Results are the raw dicts WooCommerce sent (money stays
the exact strings; `money()` and `gmt()` read them), which the pipeline's views wrap.
"""
from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from core.clock import SYSTEM_CLOCK, Clock, as_utc, parse_gmt
from core.errors import WooError
from core.money import parse_number
from core.telemetry.calls import InstrumentedTransport
from core.tls import trust_context
from core.woo.client_errors import describe_error
from core.woo.oauth import OAuth1Auth

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
NOT_PROCESSED_STATUSES = {429, 503}  # safe to retry even for POST: WordPress did not act
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
MAX_BATCH = 100
USER_AGENT = "ml-connector/0.1 (+WooCommerce to Dynamics GP)"


def money(value: Any) -> Decimal:
    """A WooCommerce money value as Decimal (strings exactly; JSON numbers via shortest repr)."""
    return parse_number(value)


def gmt(value: str | None) -> datetime | None:
    """A `*_gmt` field (no zone designator) as an aware UTC datetime."""
    return parse_gmt(value)


def format_gmt(when: datetime) -> str:
    """A bound for modified_after & co. (sent with dates_are_gmt=true)."""
    return as_utc(when).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class Page:
    items: list[dict[str, Any]]
    page: int
    total: int
    total_pages: int
    has_next: bool = field(default=False)


def _retry_after(response: httpx.Response, clock: Clock) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (as_utc(when) - clock.now()).total_seconds())


class WooClient:
    """WooCommerce REST API. `sleep` and `rng` are injectable so retry tests never sleep."""

    def __init__(self, url: str, consumer_key: str, consumer_secret: str, *,
                 ca_bundle: str | None = None, timeout_s: float = 30.0,
                 batch_timeout_s: float = 120.0,
                 max_attempts: int = 4, backoff_base_s: float = 1.0, backoff_cap_s: float = 30.0,
                 retry_after_cap_s: float = 120.0, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, clock: Clock = SYSTEM_CLOCK,
                 oauth_now: Callable[[], float] = time.time) -> None:
        if not url.startswith(("http://", "https://")):
            raise WooError(f"the store URL {url!r} must start with https:// (or http:// for a "
                           "development store)")
        self.url = url.rstrip("/")
        self.api = self.url + "/wp-json/wc/v3/"
        self.https = self.url.startswith("https://")
        self.max_attempts = max(1, max_attempts)
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.retry_after_cap_s = retry_after_cap_s
        self.batch_timeout_s = batch_timeout_s
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        auth: httpx.Auth = (httpx.BasicAuth(consumer_key, consumer_secret) if self.https
                            else OAuth1Auth(consumer_key, consumer_secret, now=oauth_now))
        # verify: the default trust store, or the given CA bundle. Never False.
        try:
            verify = trust_context(ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise WooError(f"[woocommerce] ca_bundle {ca_bundle!r} cannot be read as a PEM CA "
                           f"file ({type(exc).__name__})", code="tls") from None
        transport = httpx.HTTPTransport(
            verify=verify, limits=httpx.Limits(max_connections=4, max_keepalive_connections=4))
        self._http = httpx.Client(
            base_url=self.api, auth=auth,
            transport=InstrumentedTransport(transport, "woocommerce"),
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False)
        self.requests_sent = 0
        self.retries = 0

    def __repr__(self) -> str:
        return f"WooClient({self.url}, {'basic' if self.https else 'oauth1'})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WooClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport -----------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return self._rng.uniform(0, ceiling)  # full jitter: retries from many clients spread out

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                json: Any = None, timeout: float | None = None) -> httpx.Response:
        method = method.upper()
        clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            attempt += 1
            self.requests_sent += 1
            try:
                kwargs: dict[str, Any] = {"params": clean}
                if json is not None:
                    kwargs["json"] = json
                if timeout is not None:
                    kwargs["timeout"] = httpx.Timeout(timeout, connect=10.0)
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if attempt < self.max_attempts and (method in IDEMPOTENT or never_sent):
                    self._wait(attempt, None, f"{type(exc).__name__}")
                    continue
                raise _transport_error(exc, self.url, method, path) from None
            if response.status_code < 400:
                return response
            retryable = response.status_code in (
                RETRY_STATUSES if method in IDEMPOTENT else NOT_PROCESSED_STATUSES)
            if retryable and attempt < self.max_attempts:
                self._wait(attempt, _retry_after(response, self._clock),
                           f"HTTP {response.status_code}")
                continue
            raise describe_error(response, method, path)

    def _wait(self, attempt: int, retry_after: float | None, why: str) -> None:
        delay = self._backoff(attempt)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_cap_s))
        self.retries += 1
        log.info("WooCommerce: %s, retrying in %.1f s (attempt %d of %d)", why, delay, attempt + 1,
                 self.max_attempts)
        self._sleep(delay)

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        response = self.request(method, path, **kw)
        try:
            return response.json()
        except ValueError:
            raise WooError(f"WooCommerce answered {method} {path} with something that is not JSON "
                           "(a security plugin or maintenance page in the way?)",
                           status=response.status_code, code="invalid_json") from None

    def _page(self, path: str, params: dict[str, Any]) -> Page:
        response = self.request("GET", path, params=params)
        items = response.json()
        if not isinstance(items, list):
            raise WooError(f"WooCommerce answered GET {path} with an object, not a list",
                           status=response.status_code, code="invalid_json")
        page = int(params.get("page", 1))
        total = _int_header(response, "x-wp-total")
        pages = _int_header(response, "x-wp-totalpages")
        links = response.headers.get("link", "")
        # Past the last page WooCommerce says 0/0 with a bogus prev link; trust only page 1's
        # totals plus an empty page (woocommerce.md §3.3).
        has_next = bool(items) and ('rel="next"' in links or page < pages)
        return Page(items, page, total, pages, has_next)

    def iter_pages(self, path: str, params: dict[str, Any]) -> Iterator[Page]:
        params = dict(params)
        params.setdefault("per_page", 100)
        page = int(params.pop("page", 1))
        while True:
            result = self._page(path, {**params, "page": page})
            if not result.items:
                return
            yield result
            if not result.has_next:
                return
            page += 1

    # --- orders and refunds --------------------------------------------------------------------

    def get_order(self, order_id: int) -> dict[str, Any]:
        return self._json("GET", f"orders/{int(order_id)}")

    def list_orders(self, modified_after: datetime | None = None, page: int = 1,
                    per_page: int = 100,
                    status: str | list[str] | None = None, fields: str | list[str] | None = None,
                    *, orderby: str = "modified", order: str = "asc",
                    modified_before: datetime | None = None, **extra: Any) -> Page:
        params: dict[str, Any] = {"page": page, "per_page": per_page, "orderby": orderby,
                                  "order": order, "dates_are_gmt": "true", **extra}
        if modified_after is not None:
            params["modified_after"] = format_gmt(modified_after)
        if modified_before is not None:
            params["modified_before"] = format_gmt(modified_before)
        if status:
            params["status"] = status
        if fields:
            params["_fields"] = fields
        return self._page("orders", params)

    def iter_orders_modified_since(self, since: datetime | None, *, status: str | None = None,
                                   fields: str | None = None, per_page: int = 100
                                   ) -> Iterator[dict[str, Any]]:
        """Every order modified after `since`, oldest change first (plain paging; the poller
        adds keyset restarts and a durable cursor on top)."""
        page = 1
        while True:
            result = self.list_orders(since, page=page, per_page=per_page, status=status,
                                      fields=fields)
            yield from result.items
            if not result.has_next:
                return
            page += 1

    def list_refunds(self, order_id: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in self.iter_pages(f"orders/{int(order_id)}/refunds", {"per_page": 100}):
            out.extend(page.items)
        return out

    def get_refund(self, order_id: int, refund_id: int) -> dict[str, Any]:
        return self._json("GET", f"orders/{int(order_id)}/refunds/{int(refund_id)}")

    # --- customers and products ----------------------------------------------------------------

    def get_customer(self, customer_id: int) -> dict[str, Any]:
        return self._json("GET", f"customers/{int(customer_id)}")

    def list_products(self, page: int = 1, per_page: int = 100, *,
                      sku: str | list[str] | None = None,
                      modified_after: datetime | None = None, fields: str | list[str] | None = None,
                      **extra: Any) -> Page:
        params: dict[str, Any] = {"page": page, "per_page": per_page, **extra}
        if sku:
            params["sku"] = sku
        if modified_after is not None:
            params["modified_after"] = format_gmt(modified_after)
            params["dates_are_gmt"] = "true"
        if fields:
            params["_fields"] = fields
        return self._page("products", params)

    def get_product(self, product_id: int) -> dict[str, Any]:
        return self._json("GET", f"products/{int(product_id)}")

    def list_variations(self, product_id: int, *, per_page: int = 100) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        path = f"products/{int(product_id)}/variations"
        for page in self.iter_pages(path, {"per_page": per_page}):
            out.extend(page.items)
        return out

    def batch_products(self, *, update: list[dict[str, Any]] | None = None,
                       create: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """`POST products/batch` (≤ 100 items). Check each element for "error" in the answer."""
        return self._batch("products/batch", update=update, create=create)

    def batch_variations(self, product_id: int, *, update: list[dict[str, Any]] | None = None
                         ) -> dict[str, Any]:
        return self._batch(f"products/{int(product_id)}/variations/batch", update=update)

    def _batch(self, path: str, **parts: list[dict[str, Any]] | None) -> dict[str, Any]:
        body = {k: v for k, v in parts.items() if v}
        count = sum(len(v) for v in body.values())
        if count > MAX_BATCH:
            raise WooError(f"a WooCommerce batch takes at most {MAX_BATCH} items, not {count}: "
                           "split it", code="woocommerce_rest_request_entity_too_large")
        return self._json("POST", path, json=body, timeout=self.batch_timeout_s)

    # --- webhooks and status -------------------------------------------------------------------

    def list_webhooks(self, status: str = "all") -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in self.iter_pages("webhooks", {"status": status, "per_page": 100}):
            out.extend(page.items)
        return out

    def create_webhook(self, *, name: str, topic: str, delivery_url: str, secret: str,
                       status: str = "active") -> dict[str, Any]:
        if not secret:
            # An omitted secret makes WooCommerce invent one nobody can read back (§9.8).
            raise ValueError("a webhook is never created without our own secret")
        return self._json("POST", "webhooks", json={"name": name, "topic": topic,
                                                    "delivery_url": delivery_url, "secret": secret,
                                                    "status": status})

    def update_webhook(self, webhook_id: int, **fields: Any) -> dict[str, Any]:
        return self._json("PUT", f"webhooks/{int(webhook_id)}", json=fields)

    def delete_webhook(self, webhook_id: int) -> dict[str, Any]:
        return self._json("DELETE", f"webhooks/{int(webhook_id)}", params={"force": "true"})

    def system_status(self) -> dict[str, Any]:
        return self._json("GET", "system_status")


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)  # comma lists: signed plainly under OAuth (§1.3)
    if isinstance(value, datetime):
        return format_gmt(value)
    return value


def _int_header(response: httpx.Response, name: str) -> int:
    try:
        return int(response.headers.get(name, "0"))
    except ValueError:
        return 0


def _transport_error(exc: httpx.TransportError, url: str, method: str, path: str) -> WooError:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return WooError(f"the certificate of {url} is not trusted: if the store uses its own "
                        "certificate, set [woocommerce] ca_bundle to its CA file (PEM)",
                        code="tls", transient=False)
    if isinstance(exc, httpx.TimeoutException):
        return WooError(f"WooCommerce at {url} did not answer {method} {path} in time; it will be "
                        "retried", code="timeout", transient=True)
    return WooError(f"could not reach WooCommerce at {url} ({type(exc).__name__}); check the URL "
                    "and that the shop is up", code="network", transient=True)
