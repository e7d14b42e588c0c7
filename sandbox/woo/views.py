"""`_links` for every resource and the final bytes a client (or a webhook) receives."""
from __future__ import annotations

import json
from typing import Any

from sandbox.woo.wpjson import dumps

ALL = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _self(href: str, allow: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"href": href, "targetHints": {"allow": allow or ALL}}]


def order_links(api: str, oid: int, customer_id: int, parent_id: int = 0) -> dict[str, Any]:
    links: dict[str, Any] = {
        "self": _self(f"{api}/orders/{oid}"), "collection": [{"href": f"{api}/orders"}],
        "email_templates": [{"embeddable": True,
                             "href": f"{api}/orders/{oid}/actions/email_templates"}]}
    if customer_id:
        links["customer"] = [{"href": f"{api}/customers/{customer_id}"}]
    if parent_id:
        links["up"] = [{"href": f"{api}/orders/{parent_id}"}]
    return links


def splice_links(raw: bytes, links: dict[str, Any]) -> bytes:
    """Stored bodies are complete objects without `_links`: append them as the last key."""
    return raw[:-1] + b',"_links":' + dumps(links) + b"}"


def order_bytes(api: str, raw: bytes) -> bytes:
    # customer_id and parent_id sit early in the body; a cheap parse of the head is enough
    head = json.loads(raw)
    return splice_links(raw, order_links(api, head["id"], head["customer_id"],
                                         head["parent_id"]))


def with_links(obj: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    out = dict(obj)
    out["_links"] = links
    return out


def product_view(api: str, rec: dict[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {"self": _self(f"{api}/products/{rec['id']}"),
                             "collection": [{"href": f"{api}/products"}]}
    if rec["parent_id"]:
        links["up"] = [{"href": f"{api}/products/{rec['parent_id']}"}]
    return with_links(rec, links)


def variation_links(api: str, pid: int, vid: int) -> dict[str, Any]:
    return {"self": _self(f"{api}/products/{pid}/variations/{vid}"),
            "collection": [{"href": f"{api}/products/{pid}/variations"}],
            "up": [{"href": f"{api}/products/{pid}"}]}


def simple_links(api: str, kind: str, rid: int) -> dict[str, Any]:
    return {"self": _self(f"{api}/{kind}/{rid}"), "collection": [{"href": f"{api}/{kind}"}]}


def refund_links(api: str, oid: int, rid: int) -> dict[str, Any]:
    return {"self": _self(f"{api}/orders/{oid}/refunds/{rid}", ["GET", "DELETE"]),
            "collection": [{"href": f"{api}/orders/{oid}/refunds"}],
            "up": [{"href": f"{api}/orders/{oid}"}]}


def note_links(api: str, oid: int, nid: int) -> dict[str, Any]:
    return {"self": _self(f"{api}/orders/{oid}/notes/{nid}", ["GET", "DELETE"]),
            "collection": [{"href": f"{api}/orders/{oid}/notes"}],
            "up": [{"href": f"{api}/orders/{oid}"}]}


def refund_in_list(raw: bytes, parent_id: int) -> dict[str, Any]:
    """`GET /refunds` items carry `parent_id` right after `id`."""
    body = json.loads(raw)
    out: dict[str, Any] = {"id": body.pop("id"), "parent_id": parent_id}
    out.update(body)
    return out
