"""The one interface the engine uses to talk to Dynamics GP.

Two implementations sit behind it: SOAP over the Web Services legacy endpoint (zeep) and SBA
(REST/JSON over httpx), routed per capability (core/gp/router.py). Callers never know which.

Errors: every method raises core.errors.GPError (transient / validation / unknown_outcome) or
GPAuthError; GPUnsupported when no enabled route can do the operation (e.g. changing an item's
price over Web Services alone): the caller turns that into a task for the accountant.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from core.errors import GPError


class GPUnsupported(GPError):
    """No enabled route offers this operation (e.g. item price updates over SOAP)."""


@dataclass(frozen=True)
class CompanyInfo:
    key: int
    name: str


@dataclass
class GPAddress:
    address_id: str  # <= 15, e.g. "BILLING", "SHIPPING"
    contact: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ShipToAddress:
    """The free-text ship-to a SOP document carries (GP's `ShipToAddress`, a BusinessAddress):
    the order's own address, whatever the customer master holds. GP's widths (gp.md §9): name
    64, contact, lines and country 60, city 35, state 29, postal code 10, phone 21."""

    name: str = ""
    contact: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""


@dataclass
class GPCustomer:
    customer_id: str  # <= 15, upper case
    name: str  # <= 64
    class_id: str = ""
    email: str = ""
    addresses: list[GPAddress] = field(default_factory=list)
    primary_address_id: str = "PRIMARY"
    bill_to_address_id: str = "BILLING"
    ship_to_address_id: str = "SHIPPING"


@dataclass
class GPLine:
    item: str  # <= 30
    quantity: Decimal
    unit_price: Decimal
    extended_price: Decimal  # quantity * unit_price less line discount, to the cent
    description: str = ""
    uofm: str = "Each"
    site: str = "MAIN"
    discount: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    sales_account: str = ""  # resolved GL account for this line


@dataclass
class GPDistribution:
    kind: str  # SALES, RECV, FREIGHT, MISC, TRADE (discount), TAXES, ROUNDING, CASH
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")


@dataclass
class GPPayment:
    payment_type: str  # "credit_card" | "cash" | "check"
    amount: Decimal
    checkbook: str = ""  # GP checkbook id
    card_type: str = ""  # GP payment card type id (never WooCommerce's gateway title)
    reference: str = ""  # the gateway's transaction id


@dataclass
class SalesInvoice:
    number: str  # <= 17 over Web Services; decided by us, never by GP
    customer_id: str
    batch: str  # <= 15
    doc_date: date
    po_number: str  # the WooCommerce order number
    lines: list[GPLine]
    freight: Decimal = Decimal("0")
    misc: Decimal = Decimal("0")
    trade_discount: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    currency: str = "USD"
    # None: GP takes the rate from its exchange table for the document date (or the document
    # is in GP's functional currency); else the rate sent (functional units per unit).
    exchange_rate: Decimal | None = None
    note: str = ""
    ship_to_address_id: str = "SHIPPING"
    bill_to_address_id: str = "BILLING"
    # The order's own address to ship to (its shipping, else its billing): on the invoice,
    # never on the customer master. GP has no free-text bill-to on a SOP document: the bill-to
    # is `bill_to_address_id`, an address of the customer master.
    ship_to: ShipToAddress | None = None
    # (GP tax detail id, amount)
    tax_details: list[tuple[str, Decimal]] = field(default_factory=list)
    distributions: list[GPDistribution] = field(default_factory=list)
    payments: list[GPPayment] = field(default_factory=list)
    hold: bool = False
    # tax_mode "gp": GP computes the tax (TaxAmount and TotalAmount are not sent) by this
    # schedule ("": the ship-to address's, else SOP setup's).
    gp_computes_tax: bool = False
    tax_schedule: str = ""


@dataclass
class CreditMemo:
    """A receivables (RM) credit memo: money only."""

    number: str
    customer_id: str
    batch: str
    doc_date: date
    amount: Decimal
    description: str = ""  # e.g. "Refund 123 of order 1042"
    apply_to: str = ""  # the invoice it credits
    distributions: list[GPDistribution] = field(default_factory=list)
    currency: str = ""  # the credited order's ("": GP's functional currency)
    exchange_rate: Decimal | None = None  # as on SalesInvoice


@dataclass
class SalesReturn:
    """An SOP return, when lines are restocked and configuration asks for it."""

    number: str
    customer_id: str
    batch: str
    doc_date: date
    po_number: str
    lines: list[GPLine]
    freight: Decimal = Decimal("0")
    misc: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    note: str = ""
    trade_discount: Decimal = Decimal("0")  # a negative fee (or rounding cent) given back
    # (GP tax detail id, amount): GP needs them when its policy takes the taxes provided
    tax_details: list[tuple[str, Decimal]] = field(default_factory=list)
    currency: str = ""  # the returned order's ("": GP's functional currency)
    exchange_rate: Decimal | None = None  # as on SalesInvoice


@dataclass(frozen=True)
class GPDocument:
    """A document as GP holds it (read back after create, or found by number)."""

    number: str
    doc_type: str  # invoice / return / credit_memo
    customer_id: str
    total: Decimal
    state: str  # work / history / void
    batch: str = ""
    po_number: str = ""
    lines: tuple[GPLine, ...] = ()
    tax: Decimal | None = None  # GP's header tax (None: not read)
    distributions: tuple[GPDistribution, ...] = ()  # as GP holds them (its own when it built them)
    ship_to: ShipToAddress | None = None  # SOP documents: the ship-to GP holds (None: none)
    currency: str = ""  # CurrencyKey.ISOCode as GP holds it ("": not read)


@dataclass(frozen=True)
class GPItemInfo:
    item_number: str
    description: str
    price: Decimal | None  # at the configured price level / U of M, when asked for
    quantity_available: Decimal | None  # on hand less allocated at the configured site(s)
    modified_at: datetime | None = None


@dataclass(frozen=True)
class AdjustmentLine:
    item: str
    site: str
    quantity: Decimal  # signed change


class GPGateway(Protocol):
    # --- company and capabilities
    def company(self) -> CompanyInfo: ...
    def capabilities(self) -> dict[str, str]: ...  # capability -> "soap" | "sba" | "none"

    # --- customers
    def get_customer(self, customer_id: str) -> GPCustomer | None: ...
    def create_customer(self, customer: GPCustomer) -> None: ...
    def update_customer(self, customer: GPCustomer) -> None: ...
    def find_customer_by_email(self, email: str) -> str | None: ...

    # --- items, prices, stock
    def get_item(self, item_number: str) -> GPItemInfo | None: ...
    def list_items(self, *, price_level: str, uofm: str, site: str) -> list[GPItemInfo]: ...
    def changed_item_numbers(self, since: datetime) -> list[str]: ...
    def item_snapshot(self, item_number: str, *, price_level: str, uofm: str,
                      site: str) -> GPItemInfo | None: ...
    def create_inventory_adjustment(self, number: str, lines: list[AdjustmentLine],
                                    note: str = "") -> None: ...
    def update_item(self, item_number: str, *, description: str | None = None,
                    price: Decimal | None = None, price_level: str = "",
                    uofm: str = "") -> None: ...  # raises GPUnsupported without a route

    # --- sales invoices
    def find_sales_invoice(self, number: str) -> GPDocument | None: ...  # work, history or void
    # The read-backs: a document GP has just accepted, by its key alone (one round trip). A
    # failure raises GPError ("could not read back"); they never answer "absent".
    def read_sales_invoice(self, number: str) -> GPDocument: ...
    def create_sales_invoice(self, invoice: SalesInvoice) -> None: ...
    def update_sales_invoice(self, invoice: SalesInvoice) -> None: ...
    def void_sales_invoice(self, number: str) -> None: ...
    def set_invoice_hold(self, number: str, hold: bool) -> None: ...

    # --- refunds
    def find_credit_memo(self, number: str) -> GPDocument | None: ...
    def create_credit_memo(self, memo: CreditMemo) -> None: ...
    def read_credit_memo(self, number: str) -> GPDocument: ...
    def find_sales_return(self, number: str) -> GPDocument | None: ...
    def read_sales_return(self, number: str) -> GPDocument: ...
    def create_sales_return(self, ret: SalesReturn) -> None: ...

    # --- accounts
    def account_exists(self, account: str) -> bool | None: ...  # None: cannot tell on this route

    def close(self) -> None: ...
