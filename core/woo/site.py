"""What the shop says about itself: the WordPress REST index (`GET /wp-json/`, public) and the
API key's permission.

- `home` is the URL WooCommerce signs every webhook with (`X-WC-Webhook-Source`), whatever URL
  the connector was configured with (http:// vs https://, www or not): the receiver compares
  the source with this, and `check` warns when the configured URL differs.
- `timezone_string` / `gmt_offset` give the store's day boundaries for schedules and
  reconciliation (`init` writes them, `check` compares them).
- The key's permission is read by a request WooCommerce refuses before doing anything:
  `PUT /orders/0` is "does not have write permissions" (401) for a read-only key and
  "Invalid ID" (400/404) for a read/write one. Nothing is written either way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import WooError
from core.woo.client import WooClient


@dataclass(frozen=True)
class SiteInfo:
    name: str
    home: str
    timezone_string: str
    gmt_offset: float | None

    @property
    def timezone(self) -> str | None:
        """An IANA zone for the schedule: the named zone, else a fixed offset (Etc/GMT±N,
        whose sign is inverted by POSIX convention); None when neither is usable."""
        if self.timezone_string:
            try:
                ZoneInfo(self.timezone_string)
                return self.timezone_string
            except (ZoneInfoNotFoundError, ValueError):
                pass
        if self.gmt_offset is None or self.gmt_offset != int(self.gmt_offset):
            return None
        hours = int(self.gmt_offset)
        return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def read_site(client: WooClient) -> SiteInfo:
    """The WordPress REST index of the configured store."""
    response = client.request("GET", client.url + "/wp-json/")
    try:
        body: Any = response.json()
    except ValueError:
        raise WooError(f"{client.url}/wp-json/ did not answer with the WordPress REST index "
                       "(JSON)", status=response.status_code, code="invalid_json") from None
    if not isinstance(body, dict) or "home" not in body:
        raise WooError(f"{client.url}/wp-json/ is not a WordPress REST index (no 'home')",
                       status=response.status_code, code="invalid_json")
    offset = body.get("gmt_offset")
    try:
        gmt_offset = None if offset in (None, "") else float(offset)
    except (TypeError, ValueError):
        gmt_offset = None
    return SiteInfo(str(body.get("name") or ""), str(body.get("home") or "").rstrip("/"),
                    str(body.get("timezone_string") or ""), gmt_offset)


def same_site(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def key_can_write(client: WooClient) -> bool:
    """True for a read/write key, False for a read-only one (see the module docstring)."""
    try:
        client.request("PUT", "orders/0", json={})
    except WooError as exc:
        if exc.status == 401 and exc.code == "woocommerce_rest_authentication_error" and (
                "write permission" in str(exc)):
            return False
        if exc.status in (400, 404):
            return True
        raise
    return True


def adopt_site(settings: Any, client: WooClient) -> list[str]:
    """`init`: take the store's time zone and home URL into the settings; returns what changed
    in words. Raises WooError when the index cannot be read."""
    site = read_site(client)
    said: list[str] = []
    zone = site.timezone
    sched = settings.worker.schedule
    if zone and zone != sched.timezone:
        said.append(f"time zone: the store runs on {zone} (was {sched.timezone})")
        sched.timezone = zone
    elif not zone:
        said.append(f"time zone: the store's ({site.timezone_string or site.gmt_offset}) "
                    "cannot be used; set [worker.schedule] timezone yourself")
    if site.home and site.home != settings.woocommerce.home_url:
        settings.woocommerce.home_url = site.home
        said.append(f"home URL: {site.home} (WooCommerce signs webhooks with it)")
        if not same_site(site.home, settings.woocommerce.url):
            said.append(f"note: [woocommerce] url {settings.woocommerce.url} differs from "
                        f"WordPress's home {site.home}")
    return said
