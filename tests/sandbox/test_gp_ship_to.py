"""A SOP invoice's ship-to (SalesDocument.ShipToAddress, a BusinessAddress) in the GP stand-in,
read by a strict zeep client built from GP's real WSDL: stored and returned as sent, copied from
the customer's address when none is sent (inferred from eConnect), and GP's field widths (gp.md
§9) enforced by refusing, as for every other field."""
from __future__ import annotations

import pytest
import zeep

from tests.sandbox.gp_support import GPClient, log_id

pytestmark = pytest.mark.shared


@pytest.fixture
def client(real_wsdl_client):
    """Calls here go through Microsoft's WSDL, not the one the stand-in serves."""
    return real_wsdl_client


def _create(c: GPClient, number: str, **extra) -> None:
    c.service.CreateSalesInvoice(c.invoice(number, "AARONFIT0001",
                                           [("CAP-CANVAS-NVY", "1", "18.00")], **extra),
                                 c.context(), c.policy("CreateSalesInvoice"))


def _address(c: GPClient, **fields):
    base = dict(Name="Olivia Ship", ContactPerson="Olivia Ship", Line1="500 Harbor Blvd",
                Line2="Dock 4", City="Portland", State="OR", PostalCode="97209",
                CountryRegion="US", Phone1=c.gp.PhoneNumber(Value="5035550123"))
    return c.gp.BusinessAddress(**(base | fields))


def _refused(c: GPClient, call) -> list[str]:
    with pytest.raises(zeep.exceptions.Fault) as exc:
        call()
    lid = log_id(exc.value)
    assert lid, f"expected a validation fault, got {exc.value.message!r}"
    result = c.service.GetLoggedValidationResultByKey(lid, c.context())
    return [e.Message for e in result.Errors.ValidationError]


def test_a_sent_ship_to_is_stored_and_returned_as_sent(client, gp):
    _create(client, "WCSHIP1", ShipToAddress=_address(client))
    doc = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="WCSHIP1"),
                                              client.context())
    a = doc.ShipToAddress
    assert (a.Name, a.ContactPerson, a.Line1, a.Line2, a.City, a.State, a.PostalCode,
            a.CountryRegion, a.Phone1.Value) == (
        "Olivia Ship", "Olivia Ship", "500 Harbor Blvd", "Dock 4", "Portland", "OR", "97209",
        "US", "5035550123")
    assert a.Line3 is None and a.Phone2 is None
    stored = gp.state()["invoices"][0]["ship_to_address"]
    assert stored["line1"] == "500 Harbor Blvd" and stored["name"] == "Olivia Ship"
    # The customer master is another record: the document's address never reaches it.
    customer = next(c for c in gp.state()["customers"] if c["id"] == "AARONFIT0001")
    assert all(x.get("line1") != "500 Harbor Blvd" for x in customer["addresses"])


def test_without_a_ship_to_gp_copies_the_customers_address_inferred_from_econnect(client, gp):
    customer = next(c for c in gp.state()["customers"] if c["id"] == "AARONFIT0001")
    _create(client, "WCSHIP2")
    doc = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="WCSHIP2"),
                                              client.context())
    held = [x for x in customer["addresses"] if x.get("line1")]
    assert doc.ShipToAddress is not None
    assert doc.ShipToAddress.Line1 in {x["line1"] for x in held}


@pytest.mark.parametrize("field, value, prop", [
    ("Line1", "L" * 61, "ShipToAddress.Line1"),
    ("Line2", "L" * 61, "ShipToAddress.Line2"),
    ("City", "C" * 36, "ShipToAddress.City"),
    ("State", "S" * 30, "ShipToAddress.State"),
    ("PostalCode", "9" * 11, "ShipToAddress.PostalCode"),
    ("CountryRegion", "K" * 61, "ShipToAddress.CountryRegion"),
    ("Name", "N" * 65, "ShipToAddress.Name"),
    ("ContactPerson", "P" * 61, "ShipToAddress.ContactPerson"),
])
def test_a_ship_to_field_longer_than_gp_allows_is_refused(client, gp, field, value, prop):
    msgs = _refused(client, lambda: _create(client, "WCSHIP3",
                                            ShipToAddress=_address(client, **{field: value})))
    assert any(prop in m and str(len(value) - 1) in m for m in msgs), msgs
    assert gp.documents("invoice") == []


def test_a_phone_longer_than_21_is_refused_and_the_widest_values_are_accepted(client, gp):
    msgs = _refused(client, lambda: _create(
        client, "WCSHIP4", ShipToAddress=_address(client,
                                                  Phone1=client.gp.PhoneNumber(Value="1" * 22))))
    assert any("ShipToAddress.Phone1.Value" in m for m in msgs), msgs
    widest = _address(client, Name="N" * 64, ContactPerson="P" * 60, Line1="L" * 60,
                      City="C" * 35, State="S" * 29, PostalCode="9" * 10,
                      CountryRegion="K" * 60, Phone1=client.gp.PhoneNumber(Value="1" * 21))
    _create(client, "WCSHIP5", ShipToAddress=widest)
    doc = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="WCSHIP5"),
                                              client.context())
    assert doc.ShipToAddress.Line1 == "L" * 60 and doc.ShipToAddress.Name == "N" * 64


def test_an_update_replaces_the_ship_to_and_keeps_it_when_not_sent(client, gp):
    _create(client, "WCSHIP6", ShipToAddress=_address(client))
    key = client.gp.SalesDocumentKey(Id="WCSHIP6")
    update = client.service.GetSalesInvoiceByKey(key, client.context())
    update.ShipToAddress = _address(client, Line1="7 New Rd", Line2=None)
    client.service.UpdateSalesInvoice(update, client.context(),
                                      client.policy("UpdateSalesInvoice"))
    doc = client.service.GetSalesInvoiceByKey(key, client.context())
    assert (doc.ShipToAddress.Line1, doc.ShipToAddress.Line2) == ("7 New Rd", None)
    doc.ShipToAddress = None
    client.service.UpdateSalesInvoice(doc, client.context(), client.policy("UpdateSalesInvoice"))
    again = client.service.GetSalesInvoiceByKey(key, client.context())
    assert again.ShipToAddress.Line1 == "7 New Rd"
