"""WooCommerce error answers -> WooError messages a person can act on.

The status comes from the HTTP line (refund errors say 500 with `data` an integer), the meaning
from `code`. WooCommerce's own message is kept at the end: it never carries a credential.
"""
from __future__ import annotations

from typing import Any

import httpx

from core.errors import WooError

_AUTH_HINTS = {
    "Consumer secret is invalid.":
        "WooCommerce refused the consumer secret: it does not belong to this consumer key; "
        "copy both again from WooCommerce > Settings > Advanced > REST API",
    "Consumer key is invalid.":
        "WooCommerce does not know this consumer key: check it in WooCommerce > Settings > "
        "Advanced > REST API",
    "The API key provided does not have write permissions.":
        "WooCommerce refused the consumer key: check it has read/write permission",
    "The API key provided does not have read permissions.":
        "WooCommerce refused the consumer key: check it has read (or read/write) permission",
    "Invalid timestamp.":
        "WooCommerce refused the request time: this computer's clock is more than 15 minutes off",
}


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        doc = response.json()
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def describe_error(response: httpx.Response, method: str, path: str) -> WooError:
    status = response.status_code
    doc = _body(response)
    code = str(doc.get("code") or "")
    message = str(doc.get("message") or "").strip()
    data = doc.get("data")
    tail = f" (WooCommerce: {code}: {message})" if code else ""
    transient = status in (429, 500, 502, 503, 504) and not code.startswith(
        ("woocommerce_rest_cannot_create_order_refund", "woocommerce_rest_invalid_order_refund"))

    if code == "woocommerce_rest_cannot_view" and status == 401:
        text = ("WooCommerce did not accept the credentials at all (not authenticated): check the "
                "store URL starts with https:// (Basic auth is ignored over plain HTTP), the "
                "consumer key is right, and pretty permalinks are on")
    elif code in ("woocommerce_rest_cannot_view", "woocommerce_rest_cannot_edit",
                  "woocommerce_rest_cannot_create", "woocommerce_rest_cannot_delete"):
        text = ("WooCommerce refused the consumer key: its user lacks the right for "
                f"{method} {path}; give the key to a Shop Manager or Administrator with read/write")
    elif code == "woocommerce_rest_authentication_error":
        text = _AUTH_HINTS.get(message, "WooCommerce refused the consumer key/secret")
        if message.startswith("Invalid signature") or message.startswith("Invalid nonce"):
            text = ("WooCommerce refused the OAuth signature over plain HTTP: check the consumer "
                    "secret and the store URL exactly as WordPress knows it, or use https://")
    elif code == "woocommerce_rest_authentication_missing_parameter":
        text = "WooCommerce refused the OAuth request: a parameter is missing"
    elif code == "rest_no_route":
        text = (f"WooCommerce has no route for {method} {path}: is WooCommerce active and the "
                "REST API reachable at /wp-json/wc/v3 (pretty permalinks)?")
    elif code.endswith("_invalid_id") or status == 404:
        text = f"WooCommerce has no such object: {method} {path}"
    elif code == "rest_invalid_param":
        params = data.get("params") if isinstance(data, dict) else None
        detail = "; ".join(f"{k}: {v}" for k, v in (params or {}).items())
        text = f"WooCommerce refused a parameter of {method} {path}"
        text += f": {detail}" if detail else ""
    elif status == 413:
        text = "WooCommerce refused the request as too large (at most 100 items per batch)"
    elif status == 429:
        text = "WooCommerce (or its host's firewall) is rate-limiting us; it will be retried"
    elif status >= 500 and transient:
        text = f"WooCommerce failed {method} {path} with HTTP {status}; it will be retried"
    else:
        text = f"WooCommerce refused {method} {path} with HTTP {status}"
    return WooError(text + tail, status=status, code=code or None, transient=transient)
