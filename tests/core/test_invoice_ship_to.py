"""The order's ship-to on its invoice (core.mapping.ship_to) and the read-back check of it
(core.pipeline.gpdoc.verify): which address, GP's widths, and a ship-to GP holds differently
is never verified silently."""
from __future__ import annotations

from decimal import Decimal

from core.gp.gateway import GPDocument, ShipToAddress
from core.mapping.ship_to import WIDTHS, order_ship_to, ship_to_differences
from core.pipeline.gpdoc import verify
from core.woo.views import OrderView

BILLING = {"first_name": "Ann", "last_name": "Buyer", "company": "", "address_1": "1 Bill St",
           "address_2": "", "city": "Salem", "state": "OR", "postcode": "97301",
           "country": "US", "email": "ann@example.com", "phone": "5035550100"}
SHIPPING = {"first_name": "Gift", "last_name": "Receiver", "company": "Harbor Books",
            "address_1": "500 Harbor Blvd", "address_2": "Dock 4", "city": "Portland",
            "state": "OR", "postcode": "97209", "country": "US", "phone": ""}


def _order(**over) -> OrderView:
    return OrderView.from_payload({"id": 7, "number": "7", "status": "processing",
                                   "billing": BILLING, "shipping": SHIPPING} | over)


def test_the_shipping_address_is_the_ship_to_with_the_company_as_its_name():
    ship_to, notes = order_ship_to(_order())
    assert ship_to == ShipToAddress(name="Harbor Books", contact="Gift Receiver",
                                    line1="500 Harbor Blvd", line2="Dock 4", city="Portland",
                                    state="OR", postal_code="97209", country="US")
    assert notes == ()


def test_a_billing_only_order_ships_to_its_billing_address():
    empty = dict.fromkeys(SHIPPING, "")
    ship_to, _ = order_ship_to(_order(shipping=empty))
    assert ship_to is not None
    assert (ship_to.name, ship_to.line1, ship_to.phone) == ("Ann Buyer", "1 Bill St",
                                                            "5035550100")
    none, notes = order_ship_to(_order(shipping=empty, billing=dict.fromkeys(BILLING, "")))
    assert (none, notes) == (None, ())


def test_every_field_longer_than_gp_allows_is_cut_to_its_width_and_said():
    long = {**SHIPPING, "company": "C" * 70, "address_1": "L" * 61, "address_2": "M" * 90,
            "city": "T" * 36, "state": "S" * 30, "postcode": "9" * 11, "country": "K" * 61,
            "phone": "1" * 22}
    ship_to, notes = order_ship_to(_order(shipping=long))
    assert ship_to is not None
    for name, width in WIDTHS.items():
        assert len(getattr(ship_to, name)) <= width
    assert ship_to.line1 == "L" * 60 and ship_to.postal_code == "9" * 10
    assert ship_to.line1 == long["address_1"][:60]
    assert "ship-to address line 1 (shipping address, 61 characters) cut to GP's 60" in notes
    assert "ship-to postal code (shipping address, 11 characters) cut to GP's 10" in notes
    assert len(notes) == 8  # name, lines 1-2, city, state, postal code, country, phone
    assert all("L" * 10 not in n for n in notes)  # the address itself is never quoted


def test_a_ship_to_gp_holds_differently_fails_verification_with_the_fields_named():
    sent, _ = order_ship_to(_order())
    assert sent is not None
    doc = GPDocument("WC7", "invoice", "WC000001", Decimal("10.00"), "work", ship_to=sent)
    ok = verify(doc, label="invoice WC7", customer_id="WC000001",
                expected_total=Decimal("10.00"), sent_ship_to=sent)
    assert ok.ok
    other = GPDocument("WC7", "invoice", "WC000001", Decimal("10.00"), "work",
                       ship_to=ShipToAddress(name="Harbor Books", line1="9 Else St"))
    v = verify(other, label="invoice WC7", customer_id="WC000001",
               expected_total=Decimal("10.00"), sent_ship_to=sent)
    assert not v.ok and v.reason == "address"
    assert "line1" in v.figures["fields"] and "city" in v.figures["fields"]
    none = GPDocument("WC7", "invoice", "WC000001", Decimal("10.00"), "work")
    assert verify(none, label="invoice WC7", customer_id="WC000001",
                  expected_total=Decimal("10.00"), sent_ship_to=sent).reason == "address"


def test_control_characters_go_and_a_cut_never_ends_in_a_space_gp_would_drop():
    ship_to, notes = order_ship_to(_order(shipping={
        **SHIPPING, "address_1": "1 Main St\x1b[31m\x07", "city": "Port" + " " * 40 + "land"}))
    assert ship_to is not None
    assert ship_to.line1 == "1 Main St"
    assert ship_to.city == "Port" and notes == (
        "ship-to city (shipping address, 48 characters) cut to GP's 35",)


def test_a_field_sent_blank_that_gp_fills_from_the_customer_is_no_difference():
    sent, _ = order_ship_to(_order())
    assert sent is not None and sent.phone == ""
    filled = ShipToAddress(**{**sent.__dict__, "phone": "5035550100"})  # GP's defaulting
    assert ship_to_differences(sent, filled) == []
    assert ship_to_differences(sent, ShipToAddress(**{**sent.__dict__, "city": "Salem"})) == [
        "city"]
    assert ship_to_differences(None, filled) == []
