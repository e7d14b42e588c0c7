"""What WordPress's output looks like: JSON bytes, dates, money strings.

`wp_json_encode` escapes `/` as `\\/` and non-ASCII as `\\uXXXX`; money is `number_format(x, 2)`;
dates are `YYYY-MM-DDTHH:MM:SS` with no zone, local (America/New_York) and `_gmt` (UTC) twins.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("America/New_York")
CENT = Decimal("0.01")


def dumps(obj: Any) -> bytes:
    """`wp_json_encode`: compact, ASCII-only, `/` escaped."""
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def money(x: Decimal | str | int) -> str:
    """`number_format(x, 2, '.', '')`: always two decimals, half-up like PHP's round()."""
    return str(Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP))


def r2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def unpadded(x: Decimal) -> str:
    """Coupon `discount` strings: PHP float-to-string, so "5", "12.35", "1.1"."""
    s = format(r2(x).normalize(), "f")
    return s if s != "-0" else "0"


def php_number(total: Decimal, quantity: int) -> int | float:
    """`line_items[].price`: total / quantity as a PHP float: an int when whole."""
    if quantity == 0:
        return 0
    v = float(total) / quantity
    return int(v) if v == int(v) else v


def wp_dates(moment: dt.datetime) -> tuple[str, str]:
    """(local, gmt) strings for a UTC moment, both without a zone designator."""
    utc = moment.astimezone(dt.UTC)
    local = utc.astimezone(SITE_TZ)
    fmt = "%Y-%m-%dT%H:%M:%S"
    return local.strftime(fmt), utc.strftime(fmt)


def parse_wp_date(value: str, *, gmt: bool) -> dt.datetime | None:
    """A date filter as `rest_parse_date` reads it: ISO 8601, zone optional. None if invalid."""
    v = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC if gmt else SITE_TZ)
    return parsed.astimezone(dt.UTC)


def gmt_string(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
