"""`check`, the shop's half beyond "the keys work": facts of a real shop the sync depends on.

- **Home URL** (WordPress's own, from `GET /wp-json/`): WooCommerce signs webhooks with it, so
  a shop configured as http:// whose home is https:// would see every delivery refused.
- **Time zone** (`timezone_string` / `gmt_offset`): schedules and reconciliation days are the
  store's; a schedule left in UTC groups a New York shop's evening orders into tomorrow.
- **Key permission**: a read-only key passes every read, then webhooks, refunds and product
  sync fail. Probed without writing anything (core.woo.site.key_can_write).
- **GL accounts and payment gateways** used by the shop's recent orders: without them every
  order would be held (GL) or posted as unpaid (gateway). `check` only detects and names the
  command that sets them (`ml-connector gl`, `ml-connector payments`, or the console).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from core.check_currency import check_shop_currency
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.errors import WooError
from core.gl import gateway_account, resolve_account
from core.store.db import database
from core.woo.client import WooClient
from core.woo.site import SiteInfo, key_can_write, read_site, same_site

RECENT_DAYS = 30
RECENT_PAGES = 5  # at most 500 recent orders are read to see which gateways and amounts occur
PAID_STATUSES = ("processing", "completed", "refunded", "on-hold")
GL_FIX = ("set the company defaults in the console (GL accounts) or with `ml-connector gl set "
          "company {kind} <account>`")
GATEWAY_FIX = ("choose its GP payment in the console or with `ml-connector payments set "
               "{gateway} ...`; set its cash account with `ml-connector gl set gateway {gateway} "
               "cash <account>`")

Add = Callable[..., None]


def check_site(settings: Settings, site: SiteInfo, add: Add) -> None:
    configured = settings.woocommerce.url
    if same_site(site.home, configured):
        add("Home URL", "ok", f"{site.home} (webhooks are signed with it)")
    else:
        add("Home URL", "warn", f"[woocommerce] url is {configured} but WordPress's home is "
            f"{site.home}: WooCommerce signs every webhook with {site.home}; the receiver "
            "compares with the home URL it reads from the shop", f"set [woocommerce] url = "
            f"\"{site.home}\"")
    zone = site.timezone
    have = settings.worker.schedule.timezone
    offset = f"UTC{site.gmt_offset:+g}" if site.gmt_offset is not None else "(none)"
    shown = site.timezone_string or offset
    if zone is None:
        add("Time zone", "warn", f"the store's time zone ({shown}) cannot be used for "
            "schedules", "set a named time zone in WordPress > Settings > General")
    elif zone != have:
        add("Time zone", "fail", f"the store runs on {zone} but [worker.schedule] timezone is "
            f"{have}: business hours and reconciliation days would be {have}'s",
            f"set [worker.schedule] timezone = \"{zone}\" (ml-connector init does)")
    else:
        add("Time zone", "ok", f"{zone}, as the schedule")


def check_key(client: WooClient, add: Add) -> None:
    try:
        can_write = key_can_write(client)
    except WooError as exc:
        add("Key permission", "warn", f"could not tell ({exc})")
        return
    if can_write:
        add("Key permission", "ok", "read/write")
    else:
        add("Key permission", "fail", "the API key is read-only: orders can be read, but "
            "installing or re-activating webhooks, product sync to the shop and refunds need "
            "write", "create a Read/Write key in WooCommerce > Settings > Advanced > REST API "
            "and store it with `ml-connector credentials set woocommerce`")


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return Decimal(0)


def recent_orders(client: WooClient, now: datetime) -> list[dict[str, Any]]:
    fields = ("id,status,payment_method,payment_method_title,shipping_total,discount_total,"
              "total_tax,fee_lines")
    out: list[dict[str, Any]] = []
    for page in range(1, RECENT_PAGES + 1):
        result = client.list_orders(now - timedelta(days=RECENT_DAYS), page=page, fields=fields,
                                    order="desc")
        out.extend(result.items)
        if not result.has_next:
            break
    return out


def check_mappings(settings: Settings, orders: list[dict[str, Any]], add: Add) -> None:
    """GL company defaults and gateway mappings for what the recent orders contain. The state
    database must be open (core.gl reads it)."""
    paid = [o for o in orders if o.get("status") in PAID_STATUSES]
    needed = ["sales", "receivables"]
    for kind, present in (
            ("freight", any(_amount(o.get("shipping_total")) for o in paid)),
            ("misc", any(o.get("fee_lines") for o in paid)),
            ("discount", any(_amount(o.get("discount_total")) for o in paid)),
            ("tax", settings.posting.tax_mode == "woo"
             and any(_amount(o.get("total_tax")) for o in paid))):
        if present:
            needed.append(kind)
    missing = [k for k in needed if resolve_account(k) is None]
    if missing:
        add("GL accounts", "fail", f"no company account for {', '.join(missing)}: every order "
            f"would be held", GL_FIX.format(kind=missing[0]) + (
                f" (likewise {', '.join(missing[1:])})" if missing[1:] else ""))
    else:
        add("GL accounts", "ok", f"company accounts set for {', '.join(needed)}")
    used = Counter(str(o.get("payment_method") or "") for o in paid)
    used.pop("", None)
    for gateway, count in sorted(used.items()):
        conf = settings.posting.gateways.get(gateway)
        title = next((str(o.get("payment_method_title") or "") for o in paid
                      if o.get("payment_method") == gateway), "")
        what = f"{gateway}" + (f" ({title})" if title and title != gateway else "")
        problems = []
        if conf is None:
            problems.append("no GP payment chosen for it")
        elif conf.get("paid") and not (gateway_account(gateway) or resolve_account("cash")):
            problems.append("no cash account")
        if problems:
            add(f"Gateway {gateway}", "fail", f"{what} is used by {count} recent order(s) but "
                f"has {' and '.join(problems)}: paid orders would post without their payment",
                GATEWAY_FIX.format(gateway=gateway))
        else:
            add(f"Gateway {gateway}", "ok", f"{what}: {count} recent order(s), mapped")


def check_shop(settings: Settings, client: WooClient, add: Add, *,
               clock: Clock = SYSTEM_CLOCK, mappings: bool = True) -> SiteInfo | None:
    """Every check above, on an open client. Returns what the shop said about itself."""
    site: SiteInfo | None = None
    try:
        site = read_site(client)
    except WooError as exc:
        add("Site", "warn", f"the WordPress REST index cannot be read ({exc}): home URL and "
            "time zone unchecked")
    if site is not None:
        check_site(settings, site, add)
    check_key(client, add)
    if mappings and (not database.database or database.is_closed()):
        add("GL and gateways", "info", "not checked: no state database (run `ml-connector init`)")
    elif mappings:
        try:
            orders = recent_orders(client, clock.now())
        except WooError as exc:
            add("Recent orders", "warn", f"cannot read them ({exc}): GL and gateway mappings "
                "unchecked")
        else:
            check_mappings(settings, orders, add)
            check_shop_currency(settings, client, add, orders)
    return site
