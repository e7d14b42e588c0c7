"""WooCommerce buyer -> GP customer: deterministic ids, addresses, and a fingerprint.

Pure functions. The id is derived, never looked up or assigned by GP, so a retry after a crash
finds the customer it created before instead of creating a second one.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import asdict

from core.gp.gateway import GPAddress, GPCustomer
from core.woo.views import AddressView, OrderView

CUSTOMER_ID_MAX = 15
BILLING = "BILLING"
SHIPPING = "SHIPPING"
PRIMARY = "PRIMARY"

# GP field widths: longer text is cut, never refused: names and streets are not keys.
_WIDTH = {"name": 64, "contact": 60, "line": 60, "city": 35, "state": 29, "postal": 10,
          "country": 60, "phone": 21}


def _cut(text: str, kind: str) -> str:
    return text.strip()[: _WIDTH[kind]]


def registered_customer_id(customer_id: int, prefix: str = "") -> str:
    """"WC000012" for WooCommerce customer 12: sortable, upper case, <= 15. `prefix` ([posting]
    customer_id_prefix, at most 3 characters) keeps two shops' customers apart in one GP
    company: "RWC000012"."""
    return f"{prefix}WC{customer_id:06d}"[:CUSTOMER_ID_MAX]


def guest_customer_id(email: str, prefix: str = "") -> str:
    """A readable, collision-resistant id per guest e-mail: "G-OLIVIA-5Q2K7W" (<= 15).

    The readable part helps the accountant; the hash part (30 bits) keeps two "john@..." apart.
    A shop's `prefix` shortens the readable part, never the hash: "RG-OLI-5Q2K7W"."""
    normal = email.strip().lower()
    local = re.sub(r"[^A-Z0-9]", "", normal.split("@")[0].upper())[:6 - len(prefix)] or \
        "GUEST"[:max(1, 6 - len(prefix))]
    digest = base64.b32encode(hashlib.sha256(normal.encode()).digest()).decode()[:6]
    return f"{prefix}G-{local}-{digest}"[:CUSTOMER_ID_MAX]


def link_key(order: OrderView, policy: str) -> str:
    """CustomerLink.woo_key: who this order belongs to under the guest policy."""
    if not order.is_guest:
        return f"id:{order.customer_id}"
    if policy == "shared":
        return "shared"
    return f"guest:{order.email}"


def gp_customer_id_for(order: OrderView, *, policy: str, shared_id: str,
                       matched_id: str | None = None, prefix: str = "") -> str | None:
    """The GP customer id for this order, or None when it cannot be decided (a guest without an
    e-mail under the per-email policy: the order is held for a person). `prefix`: the shop's
    [posting] customer_id_prefix (not applied to the shared id nor to a matched GP customer,
    which are GP's own)."""
    if not order.is_guest:
        return registered_customer_id(order.customer_id, prefix)
    if policy == "shared":
        return shared_id.strip().upper()[:CUSTOMER_ID_MAX]
    if policy == "match" and matched_id:
        return matched_id
    if not order.email:
        return None
    return guest_customer_id(order.email, prefix)


def _address(address_id: str, a: AddressView, email: str) -> GPAddress:
    return GPAddress(
        address_id=address_id,
        contact=_cut(a.full_name, "contact"),
        line1=_cut(a.address_1, "line"), line2=_cut(a.address_2, "line"),
        city=_cut(a.city, "city"), state=_cut(a.state, "state"),
        postal_code=_cut(a.postcode, "postal"), country=_cut(a.country, "country"),
        phone=_cut(a.phone, "phone"), email=email.strip())


def customer_name(order: OrderView) -> str:
    b = order.billing
    name = b.company or b.full_name or order.shipping.full_name or order.email or (
        f"WooCommerce customer {order.customer_id}")
    return _cut(name, "name")


def build_customer(order: OrderView, gp_id: str, *, customer_class: str) -> GPCustomer:
    """The GP customer as this order describes it: billing and shipping as address ids."""
    addresses = [_address(BILLING, order.billing, order.billing.email)]
    ship_id = BILLING
    if not order.shipping.is_empty and order.shipping != _as_shipping(order.billing):
        addresses.append(_address(SHIPPING, order.shipping, ""))
        ship_id = SHIPPING
    return GPCustomer(customer_id=gp_id, name=customer_name(order), class_id=customer_class,
                      email=order.billing.email.strip(), addresses=addresses,
                      primary_address_id=BILLING, bill_to_address_id=BILLING,
                      ship_to_address_id=ship_id)


def _as_shipping(a: AddressView) -> AddressView:
    """Billing without the e-mail: WooCommerce's shipping block has no e-mail field."""
    return AddressView(a.first_name, a.last_name, a.company, a.address_1, a.address_2, a.city,
                       a.state, a.postcode, a.country, "", a.phone)


def shared_customer(gp_id: str, *, customer_class: str) -> GPCustomer:
    return GPCustomer(customer_id=gp_id, name="Web shop customers", class_id=customer_class,
                      addresses=[GPAddress(PRIMARY)], primary_address_id=PRIMARY,
                      bill_to_address_id=PRIMARY, ship_to_address_id=PRIMARY)


def fingerprint(customer: GPCustomer) -> str:
    """What we last sent, hashed: an unchanged customer is not updated again."""
    body = json.dumps(asdict(customer), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:32]
