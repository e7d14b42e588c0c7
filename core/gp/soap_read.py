"""GP Web Services answers (zeep objects) -> our dataclasses.

zeep hands back objects whose absent elements are None and whose empty lists are None too.
Money arrives as Decimal (xs:decimal); nothing here goes through float.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from core.gp.gateway import (
    GPAddress,
    GPCustomer,
    GPDistribution,
    GPDocument,
    GPItemInfo,
    GPLine,
    ShipToAddress,
)
from core.gp.soap import _items

items = _items


def text(obj: Any, *path: str) -> str:
    for name in path:
        if obj is None:
            return ""
        obj = getattr(obj, name, None)
    return "" if obj is None else str(obj).strip()


def amount(obj: Any) -> Decimal:
    """Value of a MoneyAmount / Quantity (zero when absent)."""
    value = getattr(obj, "Value", None) if obj is not None else None
    return Decimal(str(value)) if value is not None else Decimal("0")


def state_of(doc: Any) -> str:
    if getattr(doc, "IsVoided", None):
        return "void"
    state = text(doc, "TransactionState").lower()
    return state or "work"


def utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.year <= 1:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sales_line(line: Any) -> GPLine:
    qty = amount(getattr(line, "Quantity", None))
    price = amount(getattr(line, "UnitPrice", None))
    total = getattr(line, "TotalAmount", None)
    discount = getattr(getattr(line, "Discount", None), "Amount", None)
    return GPLine(
        item=text(line, "ItemKey", "Id"),
        quantity=qty,
        unit_price=price,
        extended_price=amount(total) if total is not None else (qty * price),
        description=text(line, "ItemDescription"),
        uofm=text(line, "UofM") or "Each",
        site=text(line, "WarehouseKey", "Id"),
        discount=amount(discount),
        tax=amount(getattr(line, "TaxAmount", None)),
        sales_account=text(line, "SalesGLAccountKey", "Id"),
    )


def sales_document(doc: Any, summary: Any, doc_type: str, line_name: str) -> GPDocument:
    """A SOP invoice/return read by key (lines, void flag), with its list summary as fallback."""
    src = doc if doc is not None else summary
    total_obj = getattr(src, "TotalAmount", None)
    if total_obj is None and summary is not None:
        total_obj = getattr(summary, "TotalAmount", None)
    lines = tuple(sales_line(ln) for ln in items(getattr(doc, "Lines", None), line_name))
    return GPDocument(
        number=text(src, "Key", "Id"),
        doc_type=doc_type,
        customer_id=text(src, "CustomerKey", "Id"),
        total=amount(total_obj),
        state=state_of(doc if doc is not None else summary),
        batch=text(src, "BatchKey", "Id"),
        po_number=text(src, "CustomerPONumber"),
        lines=lines,
        tax=amount(getattr(src, "TaxAmount", None)) if getattr(src, "TaxAmount", None)
        is not None else None,
        distributions=tuple(distribution(d) for d in items(getattr(doc, "Distributions", None),
                                                            "SalesDistribution")),
        ship_to=ship_to(getattr(doc, "ShipToAddress", None)),
        currency=text(src, "CurrencyKey", "ISOCode"),
    )


def ship_to(a: Any) -> ShipToAddress | None:
    """A SOP document's ShipToAddress (None when GP holds none)."""
    if a is None:
        return None
    found = ShipToAddress(name=text(a, "Name"), contact=text(a, "ContactPerson"),
                          line1=text(a, "Line1"), line2=text(a, "Line2"), city=text(a, "City"),
                          state=text(a, "State"), postal_code=text(a, "PostalCode"),
                          country=text(a, "CountryRegion"), phone=text(a, "Phone1", "Value"))
    return found if found != ShipToAddress() else None


# SOP distribution type ids -> the kinds the connector's GL mapping names.
SOP_KINDS = {1: "SALES", 2: "RECV", 3: "CASH", 6: "TRADE", 7: "FREIGHT", 8: "MISC", 9: "TAXES",
             22: "ROUNDING"}


def distribution(d: Any) -> GPDistribution:
    type_id = getattr(getattr(d, "DistributionTypeKey", None), "Id", None)
    kind = SOP_KINDS.get(int(type_id), f"TYPE {type_id}") if type_id is not None else "?"
    return GPDistribution(kind, text(d, "GLAccountKey", "Id"),
                          amount(getattr(d, "DebitAmount", None)),
                          amount(getattr(d, "CreditAmount", None)))


def credit_memo_document(doc: Any, summary: Any) -> GPDocument:
    src = doc if doc is not None else summary
    state = state_of(src)
    return GPDocument(
        number=text(src, "Key", "Id"),
        doc_type="credit_memo",
        customer_id=text(src, "CustomerKey", "Id"),
        total=amount(getattr(src, "DocumentAmount", None)),
        state=state,
        batch=text(src, "BatchKey", "Id"),
        po_number=text(src, "CustomerPONumber"),
        currency=text(src, "CurrencyKey", "ISOCode"),
    )


def address(a: Any) -> GPAddress:
    return GPAddress(
        address_id=text(a, "Key", "Id"),
        contact=text(a, "ContactPerson"),
        line1=text(a, "Line1"),
        line2=text(a, "Line2"),
        city=text(a, "City"),
        state=text(a, "State"),
        postal_code=text(a, "PostalCode"),
        country=text(a, "CountryRegion"),
        phone=text(a, "Phone1", "Value"),
        email=text(a, "InternetAddresses", "EmailToAddress"),
    )


def customer(c: Any) -> GPCustomer:
    addresses = [address(a) for a in items(getattr(c, "Addresses", None), "CustomerAddress")]
    primary = text(c, "DefaultAddressKey", "Id") or "PRIMARY"
    email = next((a.email for a in addresses if a.address_id == primary and a.email), "")
    email = email or next((a.email for a in addresses if a.email), "")
    return GPCustomer(
        customer_id=text(c, "Key", "Id"),
        name=text(c, "Name"),
        class_id=text(c, "ClassKey", "Id"),
        email=email,
        addresses=addresses,
        primary_address_id=primary,
        bill_to_address_id=text(c, "BillToAddressKey", "Id") or "BILLING",
        ship_to_address_id=text(c, "ShipToAddressKey", "Id") or "SHIPPING",
    )


def available(item: Any, site: str) -> Decimal | None:
    """On hand less allocated at `site` ("all": every site) from SalesItem.Quantities."""
    rows = items(getattr(item, "Quantities", None), "SalesItemWarehouse")
    if not rows:
        return None
    total = Decimal("0")
    found = False
    for row in rows:
        row_site = text(row, "Key", "WarehouseKey", "Id")
        if site.lower() != "all" and row_site.upper() != site.upper():
            continue
        found = True
        total += amount(getattr(row, "OnHandQuantity", None))
        total -= amount(getattr(row, "AllocatedQuantity", None))
    return total if found else Decimal("0")


def lowest_tier_price(pricing: Any) -> Decimal | None:
    """The unit price of the first quantity break (ToQuantity smallest) of a Pricing."""
    details = items(getattr(pricing, "Details", None), "PricingDetail")
    best: tuple[Decimal, Decimal] | None = None
    for d in details:
        price = getattr(getattr(d, "UofMPrice", None), "Amount", None)
        if price is None:
            continue
        to_qty = getattr(getattr(d, "Key", None), "ToQuantity", None)
        tier = amount(to_qty) if to_qty is not None else Decimal("Infinity")
        if best is None or tier < best[0]:
            best = (tier, amount(price))
    return best[1] if best else None


def item_info(summary: Any, *, price: Decimal | None = None,
              quantity: Decimal | None = None) -> GPItemInfo:
    modified = utc(getattr(summary, "LastModifiedDate", None)) or utc(
        getattr(summary, "ModifiedDate", None))
    return GPItemInfo(item_number=text(summary, "Key", "Id"),
                      description=text(summary, "Description"),
                      price=price, quantity_available=quantity, modified_at=modified)
