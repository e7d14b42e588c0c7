"""A SOP document's ship-to address: `ShipToAddress` (a BusinessAddress) on SalesDocument.

GP keeps a ship-to name and address on every SOP document (SOP10100: ShipToName, ADDRESS1-3,
CITY, STATE, ZIPCODE, COUNTRY, PHONE1-3, FAXNUMBR). A `ShipToAddress` sent with the document is
stored as sent (a field left out is blank); without one, GP copies the address named by
`ShipToAddressKey` (else the customer's ship-to address) onto the document (inferred for Web
Services from eConnect's taSopHdrIvcInsert, where the sent fields override the defaulted ones).
A later change to that customer address leaves the document's copy as it was.

Lengths (gp.md §9): name 64; contact, lines and country 60; city 35; state 29; postal code 10;
phone 21. The WSDL has no maxLength facets; a longer value is refused, as for every other field
the stand-in checks (GP's text for it is unpublished).
"""
from __future__ import annotations

from typing import Any

from sandbox.gp.rules import Errors

# (GP property, our field, length limit name in rules.LIMITS), in the schema's order.
TEXT = [("Line1", "line1", "address_line"), ("Line2", "line2", "address_line"),
        ("Line3", "line3", "address_line"), ("City", "city", "city"),
        ("State", "state", "state"), ("PostalCode", "postal", "postal"),
        ("CountryRegion", "country", "country")]
PHONES = [("Phone1", "phone1"), ("Phone2", "phone2"), ("Phone3", "phone3"), ("Fax", "fax")]
NAMES = [("Name", "name", "customer_name"), ("ContactPerson", "contact", "contact")]


def ship_to(src: dict[str, Any], errors: Errors, customer: dict[str, Any] | None,
            address: dict[str, Any] | None) -> dict[str, str]:
    """The document's ship-to as stored: the one sent (checked), else `address` copied."""
    sent = src.get("ShipToAddress")
    if sent:
        out = {}
        for gp_name, ours, limit in (*TEXT, *NAMES):
            value = sent.get(gp_name)
            errors.length(value, limit, f"ShipToAddress.{gp_name}")
            out[ours] = value or ""
        for gp_name, ours in PHONES:
            value = (sent.get(gp_name) or {}).get("Value")
            errors.length(value, "phone", f"ShipToAddress.{gp_name}.Value")
            out[ours] = value or ""
        return out
    if address is None:
        return {}
    out = {ours: str(address.get(ours) or "") for _, ours, _ in (*TEXT, *NAMES)}
    out.update({ours: str(address.get(ours) or "") for _, ours in PHONES})
    if not out["name"]:
        out["name"] = str((customer or {}).get("name") or "")
    return out


def to_gp(stored: dict[str, str] | None) -> dict[str, Any] | None:
    """GP's ShipToAddress element (None: the document has no ship-to at all)."""
    if not stored or not any(stored.values()):
        return None
    out: dict[str, Any] = {gp: stored.get(ours) or None for gp, ours, _ in TEXT}
    out.update({gp: {"Value": stored[ours]} if stored.get(ours) else None
                for gp, ours in PHONES})
    out.update({gp: stored.get(ours) or None for gp, ours, _ in NAMES})
    return out
