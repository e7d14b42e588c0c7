"""Collection parameters: WordPress's validation errors, paging headers and `Link` quirks."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sandbox.woo.app import Req
from sandbox.woo.errors import ApiError
from sandbox.woo.records import require_status
from sandbox.woo.wpjson import gmt_string, parse_wp_date

ORDER_ORDERBY = ["date", "id", "include", "title", "slug", "modified"]
PRODUCT_ORDERBY = ["date", "modified", "id", "include", "title", "slug", "price", "popularity",
                   "rating", "menu_order"]


def _enum_msg(name: str, allowed: list[str]) -> str:
    return f"{name} is not one of {', '.join(allowed[:-1])}, and {allowed[-1]}."


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in str(value).split(",") if v != ""]


def _int(req_value: Any, name: str) -> int:
    try:
        return int(str(req_value).strip())
    except ValueError:
        raise ApiError.invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type",
                                     {"param": name}) from None


def _bool(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


@dataclass
class ListArgs:
    page: int
    per_page: int
    offset: int
    order_desc: bool
    orderby: str
    statuses: list[str]
    modified_after: str | None
    modified_before: str | None
    after: str | None
    before: str | None
    fields: list[str] | None
    include: list[int]
    exclude: list[int]


def parse_list(query: dict[str, Any], *, orderby_enum: list[str], statuses: bool,
               default_orderby: str = "date", default_order: str = "desc") -> ListArgs:
    page = _int(query.get("page", 1), "page")
    if page < 1:
        raise ApiError.invalid_param("page", "page must be greater than or equal to 1",
                                     "rest_out_of_bounds")
    per_page = _int(query.get("per_page", 10), "per_page")
    if not 1 <= per_page <= 100:
        raise ApiError.invalid_param(
            "per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)",
            "rest_out_of_bounds")
    offset = _int(query["offset"], "offset") if "offset" in query else (page - 1) * per_page
    order = str(query.get("order", default_order))
    if order not in ("asc", "desc"):
        raise ApiError.invalid_param("order", _enum_msg("order", ["asc", "desc"]),
                                     "rest_not_in_enum")
    orderby = str(query.get("orderby", default_orderby))
    if orderby not in orderby_enum:
        raise ApiError.invalid_param("orderby", _enum_msg("orderby", orderby_enum),
                                     "rest_not_in_enum")
    status_list = _as_list(query.get("status", "any")) if statuses else []
    for i, s in enumerate(status_list):
        try:
            require_status(s, for_list=True)
        except ApiError as e:
            data: dict[str, Any] = e.data if isinstance(e.data, dict) else {}
            msg = str(data["params"]["status"]).replace("status[0]", f"status[{i}]")
            raise ApiError.invalid_param("status", msg, "rest_not_in_enum") from None
    gmt = _bool(query.get("dates_are_gmt", "false"))
    dates: dict[str, str | None] = {}
    for name in ("modified_after", "modified_before", "after", "before"):
        if name in query:
            parsed = parse_wp_date(str(query[name]), gmt=gmt)
            if parsed is None:
                raise ApiError.invalid_param(name, "Invalid date.", "rest_invalid_date")
            dates[name] = gmt_string(parsed)
        else:
            dates[name] = None
    fields = [f.split(".")[0] for f in _as_list(query.get("_fields"))] or None
    include = [_int(v, "include") for v in _as_list(query.get("include"))]
    exclude = [_int(v, "exclude") for v in _as_list(query.get("exclude"))]
    return ListArgs(page, per_page, offset, order == "desc", orderby, status_list,
                    dates["modified_after"], dates["modified_before"], dates["after"],
                    dates["before"], fields, include, exclude)


def pick_fields(obj: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if not fields:
        return obj
    return {k: v for k, v in obj.items() if k in fields}


def pages_for(total: int, per_page: int) -> int:
    return math.ceil(total / per_page) if total else 0


def _q(value: str) -> str:
    return quote(value, safe="")


def _pairs_for_link(pairs: list[tuple[str, str]], *, normalise: bool,
                    past_end: bool = False) -> list[tuple[str, str]]:
    """Query pairs as WordPress writes them back into paging links (already URL-encoded).
    Past the last page the real store adds only `status[0]=any`, not `dp` and `context`."""
    out: list[tuple[str, str]] = []
    seen = set()
    for k, v in pairs:
        base = k.split("[")[0]
        seen.add(base)
        if normalise and base == "status":
            if "status" in [x[0].split("%5B")[0] for x in out]:
                continue
            vals = [v2 for k2, v2 in pairs if k2.split("[")[0] == "status"]
            flat = [s for val in vals for s in val.split(",") if s]
            out += [(f"status%5B{i}%5D", _q(s)) for i, s in enumerate(flat)]
        elif k == "oauth_signature":
            # WordPress re-encodes the decoded signature and loses its "=" padding (real quirk)
            out.append((k, quote(v.rstrip("="), safe="+")))
        elif normalise and v.lower() == "true":
            out.append((_q(k), "1"))
        elif normalise and v.lower() == "false":
            out.append((_q(k), ""))
        else:
            out.append((_q(k), _q(v)))
    if normalise:
        if "status" not in seen:
            out.append(("status%5B0%5D", "any"))
        if "dp" not in seen and not past_end:
            out.append(("dp", "2"))
        if "context" not in seen and not past_end:
            out.append(("context", "view"))
    return out


def paging_link(base: str, pairs: list[tuple[str, str]], page: int, pages: int, *,
                normalise: bool) -> str | None:
    """`Link` with only rel=prev/next; orders normalise params (status[0]=any, dp, context)."""
    prepared = _pairs_for_link(pairs, normalise=normalise, past_end=page > pages)
    has_page = any(k == "page" for k, _ in prepared)

    def url(n: int) -> str:
        items = [(k, str(n) if k == "page" else v) for k, v in prepared]
        if not has_page:
            items.append(("page", str(n)))
        return base + "?" + "&".join(f"{k}={v}" for k, v in items)

    links = []
    if page > 1:
        links.append(f'<{url(min(page - 1, pages))}>; rel="prev"')
    if page < pages:
        links.append(f'<{url(page + 1)}>; rel="next"')
    return ", ".join(links) or None


# Allowed methods on a single item route (the Allow header).
ITEM = "GET, POST, PUT, PATCH, DELETE"


def truthy(v: Any) -> bool:
    """A WordPress boolean parameter (true, 1, yes)."""
    return v is True or str(v).lower() in ("1", "true", "yes")


def batch_size(req: Req) -> int:
    """How many items a batch request carries; WooCommerce refuses more than 100."""
    body = req.json if isinstance(req.json, dict) else {}
    n = sum(len(body.get(k) or []) for k in ("create", "update", "delete"))
    if n > 100:
        raise ApiError(413, "woocommerce_rest_request_entity_too_large",
                       "Unable to accept more than 100 items for this request.")
    return n
