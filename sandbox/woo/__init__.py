"""The WooCommerce 10 stand-in (wc/v3 over loopback HTTP/HTTPS).

    from sandbox.woo import WooStandIn
    shop = WooStandIn(state_dir, seed=0, orders=0, https=False)
    shop.start(host="127.0.0.1", port=0, https_port=0)
    shop.url, shop.https_url, shop.ca_file
    shop.consumer_key, shop.consumer_secret     # read_write
    shop.readonly_key, shop.readonly_secret     # read
    shop.flush_webhooks()
    shop.stop()

REST at `{url}/wp-json/wc/v3/...`; control plane at `{url}/_sandbox/...` (see control.py).
"""
from __future__ import annotations

from sandbox.woo.standin import WooStandIn

__all__ = ["WooStandIn"]
