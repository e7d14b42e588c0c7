"""`GET /wp-json/`: the WordPress REST index, public (no authentication), as WordPress 6.8
serves it. The connector reads `home` (the URL WooCommerce signs webhooks with, as
`X-WC-Webhook-Source`), `timezone_string` and `gmt_offset` (the store's day boundaries) here.

`gmt_offset` is WordPress's `wp_timezone_override_offset()` when a named zone is set: the
current offset in hours as a PHP float (`-5` in winter, `-4` in summer for New York).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.woo.wpjson import SITE_TZ

NAMESPACES = ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc-telemetry", "wc/store/v1",
              "wc-admin", "wc-analytics", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"]


def site_index(home: str, now: dt.datetime, *, name: str = "Sandbox Shop",
               timezone_string: str = "") -> dict[str, Any]:
    tz_name = timezone_string or str(SITE_TZ.key)
    offset = now.astimezone(SITE_TZ).utcoffset() or dt.timedelta(0)
    return {
        "name": name, "description": "", "url": home, "home": home,
        "gmt_offset": round(offset.total_seconds() / 3600, 2),
        "timezone_string": tz_name, "page_for_posts": 0, "page_on_front": 0,
        "show_on_front": "posts", "namespaces": NAMESPACES, "authentication": [],
        "routes": {"/": {"namespace": "", "methods": ["GET"],
                         "endpoints": [{"methods": ["GET"], "args": {}}],
                         "_links": {"self": [{"href": f"{home}/wp-json/"}]}}},
        "site_logo": 0, "site_icon": 0, "site_icon_url": "",
        "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
    }
