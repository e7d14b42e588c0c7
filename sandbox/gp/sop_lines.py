"""One SOP line: item, unit, site, price, the unit/extended price check, quantity shortage.

Line amounts (gp.md §22): eConnect accepts a line when round(extended / quantity, currency
decimals) equals the unit price (less its markdown), and refuses it with error 722 otherwise
(inferred from two documented cases: 231 at 233.69 for 53,981.87 accepted; 8 at 261.12 for
2,089.00 refused). The extended price sent is kept, so the document's subtotal is the sum of the
extended prices, not of quantity x price.

Quantity shortage (gp.md §22 "Stock"): an invoice line for more than the site has available
follows the shortage option, the customer's default (Backorder Remaining -> back order the
balance, Cancel Remaining -> cancel the balance) or, when the customer has none, the company's:
"Override Shortage" by default (eConnect's default quantity shortage option, QtyShrtOpt 2;
inferred for Web Services) allocates past zero on purpose and records the overridden quantity;
"None" refuses the line. The back-ordered or cancelled balance is not invoiced, so the line's
extended price shrinks to what is sold.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.gp.faults import econnect
from sandbox.gp.references import References
from sandbox.gp.rules import Call, Errors, amount, cents, key_id

LINE_SEQ_STEP = 16384  # GP numbers SOP lines 16384, 32768, ...
SHORTAGE_OPTIONS = ("None", "Override Shortage", "Back Order Balance", "Cancel Balance")
_CUSTOMER_SHORTAGE = {"Backorder Remaining": "Back Order Balance",
                      "Cancel Remaining": "Cancel Balance"}


def unit_price_matches(extended: Decimal, quantity: Decimal, unit_net: Decimal,
                       decimals: int = 2) -> bool:
    """eConnect's line check (error 722): extended / quantity, rounded half up at the
    currency's decimals, equals the net unit price."""
    if not quantity:
        return extended == 0
    step = Decimal(1).scaleb(-decimals)
    return (extended / quantity).quantize(step, rounding=ROUND_HALF_UP) == unit_net


def shortage_option(call: Call, customer: dict[str, Any] | None) -> str:
    own = _CUSTOMER_SHORTAGE.get(str((customer or {}).get("shortage", "None")))
    if own:
        return own
    setup = call.store.find_reference("setup", "sop")
    return str((setup[1] if setup else {}).get("quantity_shortage", "Override Shortage"))


def line(call: Call, kind: str, src: dict[str, Any], i: int, errors: Errors, refs: References,
         level: str, header_site: str | None, customer: dict[str, Any] | None, *,
         currency: str = "USD") -> dict[str, Any]:
    """One line; `currency` is the document's: GP prices from that currency's price list."""
    store = call.store
    where = f"Lines[{i}]."
    item_id = key_id(src.get("ItemKey")) or ""
    errors.length(item_id, "item", where + "ItemKey.Id")
    non_inventory = bool(src.get("IsNonInventory"))
    item = store.get("items", item_id) if item_id else None
    if item is not None:
        item_id = item["id"]  # GP's spelling of the key
    if not item_id:
        errors.add("The item number (ITEMNMBR) is empty.", where + "ItemKey.Id")
    elif item is None and not non_inventory:
        # Stand-in wording: taSopLineIvcInsert's text for a missing item is unpublished (§21).
        errors.add(f"The Item Number (ITEMNMBR) '{item_id}' does not exist in the Item Master "
                   "Table - IV00101", where + "ItemKey.Id")
    quantity = amount(src.get("Quantity"))
    if quantity is None or quantity <= 0:
        errors.add("The quantity must be greater than zero.", where + "Quantity")
        quantity = Decimal(0)
    uofm = src.get("UofM") or (item or {}).get("selling_uofm", "Each")
    errors.length(uofm, "uofm", where + "UofM")
    if item is not None:
        uofm = refs.uofm(item, uofm, where + "UofM") or uofm
    site = key_id(src.get("WarehouseKey")) or header_site or (item or {}).get("default_site",
                                                                             "MAIN")
    errors.length(site, "site", where + "WarehouseKey.Id")
    site = refs.find("site", site, where + "WarehouseKey.Id") or site
    sites = store.sites_of(item_id) if item is not None else {}
    if item is not None and site not in sites:
        errors.add(f"The item '{item_id}' is not assigned to site '{site}' (IV00102).",
                   where + "WarehouseKey.Id")
    line_level = key_id(src.get("PriceLevelKey")) or level
    if key_id(src.get("PriceLevelKey")):
        line_level = refs.find("price_level", line_level, where + "PriceLevelKey.Id") or level
    list_price = store.price(item_id, line_level, currency, uofm) if item is not None else None
    given_price = amount(src.get("UnitPrice"))
    if call.calculates_unit_price or given_price is None:
        if list_price is None and item is not None:
            errors.add(f"No price is set up for item '{item_id}' in price level '{line_level}'"
                       + ("." if currency == "USD" else f" for currency {currency}."),
                       where + "UnitPrice")
        unit_price = list_price if list_price is not None else (given_price or Decimal(0))
    else:
        unit_price = given_price
    discount = src.get("Discount") or {}
    markdown = amount(discount.get("Amount"))
    if markdown is None and amount(discount.get("Percent")) is not None:
        markdown = cents(unit_price * amount(discount.get("Percent")) / 100)  # type: ignore[operator]
    markdown = markdown or Decimal(0)
    sold, backordered, canceled, overridden = _shortage(call, kind, item, sites.get(site), quantity,
                                            customer, errors, where, item_id)
    given_extended = amount(src.get("TotalAmount"))
    if call.calculates_unit_price or given_extended is None or sold != quantity:
        extended = cents(sold * (unit_price - markdown))
    else:
        extended = given_extended
        if not unit_price_matches(given_extended, quantity, unit_price - markdown):
            errors.add_item(econnect(722, "taSopLineIvcInsert", "Unit Price calculation does "
                                     "not match out to Extended price.", [where + "TotalAmount"]))
    returned = src.get("ReturnQuantity") or {}
    buckets = {name: amount(returned.get(name)) for name in
               ("OnHandQuantity", "ReturnedQuantity", "InUseQuantity", "InServiceQuantity",
                "DamagedQuantity") if amount(returned.get(name))}
    if kind == "return" and not buckets:
        buckets = {"OnHandQuantity": quantity}
    description = src.get("ItemDescription") or (item or {}).get("description", "")
    errors.length(description, "item_description", where + "ItemDescription")
    return {"seq": ((src.get("Key") or {}).get("LineSequenceNumber")
                    or LINE_SEQ_STEP * (i + 1)),
            "item": item_id, "description": description, "quantity": quantity, "uofm": uofm,
            "unit_price": unit_price, "markdown": markdown, "extended": extended,
            "allocated": sold if kind == "invoice" else Decimal(0),
            "backordered": backordered, "canceled": canceled, "overridden": overridden,
            "tax": cents(amount(src.get("TaxAmount")) or Decimal(0)), "site": site,
            "non_inventory": non_inventory or item is None, "price_level": line_level,
            "sales_account": key_id(src.get("SalesGLAccountKey")) or "",
            "taxable": (item or {}).get("tax_basis", "Taxable") != "Nontaxable",
            "item_tax_schedule": (refs.tax_schedule(key_id(src.get("ItemTaxScheduleKey")),
                                                    where + "ItemTaxScheduleKey.Id",
                                                    "taSopLineIvcInsert")
                                  or (item or {}).get("tax_schedule", "")),
            "return_buckets": buckets}


def _shortage(call: Call, kind: str, item: dict[str, Any] | None,
              stock: dict[str, Decimal] | None, quantity: Decimal,
              customer: dict[str, Any] | None, errors: Errors, where: str,
              item_id: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(sold, back-ordered, cancelled, overridden) for an invoice line; returns sell all."""
    zero = Decimal(0)
    if kind != "invoice" or item is None or stock is None:
        return quantity, zero, zero, zero
    available = max(stock["on_hand"] - stock["allocated"], zero)
    if quantity <= available:
        return quantity, zero, zero, zero
    option = shortage_option(call, customer)
    short = quantity - available
    if option == "Override Shortage":
        return quantity, zero, zero, short
    if option == "Back Order Balance" and item.get("allow_backorder", True):
        return available, short, zero, zero
    if option == "Cancel Balance":
        return available, zero, short, zero
    # 4776 is GP's number for "item does not allow back orders" (gp.md §21); the text is ours.
    errors.add_item(econnect(4776, "taSopLineIvcInsert", f"Quantity shortage: {quantity} of "
                             f"item '{item_id}' ordered, {available} available, and no quantity "
                             "shortage option sells, back orders or cancels the balance",
                             [where + "Quantity"]))
    return quantity, zero, zero, zero
