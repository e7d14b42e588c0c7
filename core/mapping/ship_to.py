"""An order's own address on its invoice: the ship-to (GP's free-text `ShipToAddress`).

The order's shipping address, or its billing address when the order has no shipping (a
download, a service): the invoice says where this order went, whatever the customer master
holds (the master follows the WooCommerce customer record, core.pipeline.prepare). GP has no
free-text bill-to on a SOP document: the invoice's bill-to is the customer's BILLING address.

GP's widths (gp.md §9): name 64; contact, address lines and country 60; city 35; state 29;
postal code 10; phone 21. GP refuses a longer value; an address is not a key, so the connector
cuts it to the width (the rule: remove what core.text's rule removes, trim spaces, keep the first
characters, trim again: GP's char columns drop trailing spaces) and says so in a note on the
order's "mapped" event: which field, how long, cut to what width. The note never quotes the
address itself.
"""
from __future__ import annotations

from dataclasses import asdict

from core.gp.gateway import ShipToAddress
from core.text import plain_text
from core.woo.views import AddressView, OrderView

WIDTHS = {"name": 64, "contact": 60, "line1": 60, "line2": 60, "city": 35, "state": 29,
          "postal_code": 10, "country": 60, "phone": 21}
_WORDS = {"name": "name", "contact": "contact", "line1": "address line 1",
          "line2": "address line 2", "city": "city", "state": "state",
          "postal_code": "postal code", "country": "country", "phone": "phone"}


def order_ship_to(order: OrderView) -> tuple[ShipToAddress | None, tuple[str, ...]]:
    """(the ship-to for the order's invoice, notes on what was cut to fit GP). None: the order
    has neither a shipping nor a billing address."""
    which, a = ("shipping", order.shipping) if not order.shipping.is_empty else (
        "billing", order.billing)
    if a.is_empty:
        return None, ()
    raw = _fields(a)
    notes = []
    cut: dict[str, str] = {}
    for name, value in raw.items():
        width = WIDTHS[name]
        cut[name] = value[:width].rstrip()
        if len(value) > width:
            notes.append(f"ship-to {_WORDS[name]} ({which} address, {len(value)} characters) "
                         f"cut to GP's {width}")
    return ShipToAddress(**cut), tuple(notes)


def _fields(a: AddressView) -> dict[str, str]:
    raw = {"name": a.company or a.full_name, "contact": a.full_name, "line1": a.address_1,
           "line2": a.address_2, "city": a.city, "state": a.state, "postal_code": a.postcode,
           "country": a.country, "phone": a.phone}
    # What GP will hold: core.text's rule (as at the SOAP boundary), then trimmed, so the
    # widths are measured on it and the read-back compares like with like.
    return {k: plain_text(v).strip() for k, v in raw.items()}


def ship_to_differences(sent: ShipToAddress | None, held: ShipToAddress | None) -> list[str]:
    """The fields of `sent` GP does not hold as sent. A field sent blank is left out of the
    document, so GP may fill it from the customer's address (eConnect's defaulting, assumed
    for Web Services): only the fields sent are compared."""
    if sent is None:
        return []
    theirs = asdict(held) if held is not None else {}
    return sorted(k for k, v in asdict(sent).items() if v and theirs.get(k, "") != v)
