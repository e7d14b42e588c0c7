"""Our documents -> GP Web Services objects (zeep dicts), honouring the schema's rules.

Schema rules that shape this file:
- required, non-nillable elements must carry a value or zeep refuses the message, and the real
  schema refuses it too. Read-only ones (BatchKey.CreatedDateTime, Customer/CustomerAddress dates)
  get 0001-01-01T00:00:00, exactly what GP's own .NET proxies send for an unset DateTime.
- MoneyAmount / Quantity always carry Value and DecimalDigits.
- Distribution amounts are typed `Amount` (abstract) in the schema: they go out as MoneyAmount
  with an xsi:type, so they are built as typed objects.
- Lines never carry a Key on create: GP numbers lines itself.
Lengths are checked before sending (the WSDL has no maxLength facets, GP truncates or refuses).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.errors import GPRefused
from core.gp.gateway import (
    AdjustmentLine,
    CreditMemo,
    GPAddress,
    GPCustomer,
    GPDistribution,
    GPLine,
    GPPayment,
    SalesInvoice,
    SalesReturn,
    ShipToAddress,
)
from core.gp.soap import Types
from core.money import currency_decimals

DOTNET_MIN = datetime(1, 1, 1)  # what a .NET client sends for an unset, non-nullable DateTime

# SOP distribution types (DistributionTypeKey.Id).
SOP_DISTRIBUTION = {"SALES": 1, "RECV": 2, "CASH": 3, "TAKEN": 4, "AVAILABLE": 5, "TRADE": 6,
                    "FREIGHT": 7, "MISC": 8, "TAXES": 9, "MARKDOWN": 10, "COGS": 14,
                    "INVENTORY": 15, "RETURNS": 16, "ROUNDING": 22}
# RM distribution types (taRMDistribution).
RM_DISTRIBUTION = {"CASH": 1, "TAKEN": 2, "RECV": 3, "WRITEOFF": 4, "AVAILABLE": 5, "OTHER": 8,
                   "SALES": 9, "TRADE": 10, "FREIGHT": 11, "MISC": 12, "TAXES": 13,
                   "CREDIT_MEMO": 19, "ROUNDING": 8}
PAYMENT_TYPES = {"credit_card": "Payment Card Payment", "cash": "Cash Payment",
                 "check": "Check Payment"}

# Field lengths over Web Services.
LIMITS = {"SOP number": 17, "RM number": 15, "customer id": 15, "batch id": 15,
          "item number": 30, "customer PO": 20, "address id": 15, "site": 10, "U of M": 8,
          "customer name": 64, "RM description": 30, "price level": 10, "GL account": 75,
          "address line": 60, "city": 35, "state": 29, "postal code": 10, "phone": 21,
          "contact": 60, "country": 60, "checkbook": 15, "payment card type": 15,
          "process hold": 15, "document type id": 15, "adjustment number": 17,
          "tax schedule": 15}


def check_len(kind: str, value: str, what: str) -> str:
    limit = LIMITS[kind]
    if len(value) > limit:
        raise GPRefused(f"{what}: {kind} {value!r} is {len(value)} characters; GP allows {limit}",
                        messages=[f"{kind} longer than {limit} characters"])
    return value


def decimals(value: Decimal) -> int:
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def as_datetime(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


class Builders:
    """Builds request objects; `currency_digits` is the decimals of the document's currency
    (a document in another currency is built by `in_currency`'s copy)."""

    def __init__(self, t: Types, *, currency_digits: int = 2) -> None:
        self.t = t
        self.digits = currency_digits

    def in_currency(self, currency: str) -> Builders:
        """Builders for amounts in `currency` (JPY: 0 decimals): a copy, so threads that share
        this one never see another document's digits."""
        digits = currency_decimals(currency) if currency else self.digits
        return self if digits == self.digits else Builders(self.t, currency_digits=digits)

    @staticmethod
    def _currency(out: dict[str, Any], currency: str, rate: Decimal | None,
                  doc_date: date) -> None:
        """CurrencyKey, and ExchangeRate/ExchangeDate when the rate is ours, not GP's table's."""
        if currency:
            out["CurrencyKey"] = {"ISOCode": currency}
        if rate is not None:
            out["ExchangeRate"] = Decimal(rate)
            out["ExchangeDate"] = as_datetime(doc_date)

    # --- small shapes ------------------------------------------------------------------
    def money(self, value: Decimal) -> dict[str, Any]:
        return {"Value": Decimal(value), "DecimalDigits": self.digits}

    def typed_money(self, value: Decimal) -> Any:
        return self.t("MoneyAmount")(Value=Decimal(value), DecimalDigits=self.digits)

    @staticmethod
    def qty(value: Decimal) -> dict[str, Any]:
        value = Decimal(value)
        return {"Value": value, "DecimalDigits": decimals(value)}

    @staticmethod
    def account(account: str) -> dict[str, Any]:
        return {"Id": check_len("GL account", account, "GL account"), "IsEncrypted": False}

    @staticmethod
    def batch(batch_id: str, what: str) -> dict[str, Any]:
        return {"Id": check_len("batch id", batch_id, what), "CreatedDateTime": DOTNET_MIN}

    def distribution(self, d: GPDistribution, types: dict[str, int], what: str) -> dict[str, Any]:
        kind = d.kind.upper()
        if kind not in types:
            raise GPRefused(f"{what}: unknown distribution kind {d.kind!r}")
        out: dict[str, Any] = {"DistributionTypeKey": {"Id": types[kind]},
                               "GLAccountKey": self.account(d.account)}
        if d.debit:
            out["DebitAmount"] = self.typed_money(d.debit)
        if d.credit:
            out["CreditAmount"] = self.typed_money(d.credit)
        return out

    # --- sales documents ---------------------------------------------------------------
    def _line(self, line: GPLine, what: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "UnitPrice": self.money(line.unit_price),
            "TotalAmount": self.money(line.extended_price),
            "Quantity": self.qty(line.quantity),
        }
        if line.discount:
            out["Discount"] = {"Amount": self.money(line.discount)}
        if line.description:
            out["ItemDescription"] = line.description[:100]
        out["UofM"] = check_len("U of M", line.uofm, what)
        if line.tax:
            out["TaxAmount"] = self.money(line.tax)
        if line.sales_account:
            out["SalesGLAccountKey"] = self.account(line.sales_account)
        if line.site:
            out["WarehouseKey"] = {"Id": check_len("site", line.site, what)}
        out["ItemKey"] = {"Id": check_len("item number", line.item, what)}
        return out

    def _header(self, number: str, customer_id: str, batch: str, doc_date: date,
                po_number: str, doc_type: str, doc_type_id: str, what: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Key": {"Id": check_len("SOP number", number, what)},
            "Date": as_datetime(doc_date),
            "CustomerPONumber": check_len("customer PO", po_number, what),
        }
        type_key: dict[str, Any] = {"Type": doc_type}
        if doc_type_id:
            type_key["Id"] = check_len("document type id", doc_type_id, what)
        out["DocumentTypeKey"] = type_key
        out["CustomerKey"] = {"Id": check_len("customer id", customer_id, what)}
        out["BatchKey"] = self.batch(batch, what)
        return out

    def _payment(self, p: GPPayment, doc_date: date, what: str) -> dict[str, Any]:
        if p.payment_type not in PAYMENT_TYPES:
            raise GPRefused(f"{what}: unknown payment type {p.payment_type!r}")
        out: dict[str, Any] = {"Date": as_datetime(doc_date), "PaymentAmount": self.money(p.amount)}
        if p.checkbook:
            out["BankAccountKey"] = {"Id": check_len("checkbook", p.checkbook, what)}
        if p.payment_type == "credit_card":
            if not p.card_type:
                raise GPRefused(f"{what}: a payment card payment needs GP's payment card "
                                "type id")
            # GP's own id, never cut to fit: a truncated id would name another card type.
            out["PaymentCardTypeKey"] = {"Id": check_len("payment card type", p.card_type,
                                                         what)}
        if p.reference:
            if p.payment_type == "check":
                out["CheckNumber"] = p.reference[:20]
            elif p.payment_type == "credit_card":
                out["AuthorizationCode"] = p.reference[:15]
            out["Number"] = p.reference[:20]
        out["Type"] = PAYMENT_TYPES[p.payment_type]
        return out

    def invoice(self, inv: SalesInvoice, *, doc_type_id: str = "",
                hold_id: str = "") -> dict[str, Any]:
        b = self.in_currency(inv.currency)
        if b is not self:
            return b.invoice(inv, doc_type_id=doc_type_id, hold_id=hold_id)
        what = f"invoice {inv.number}"
        out = self._header(inv.number, inv.customer_id, inv.batch, inv.doc_date, inv.po_number,
                           "Invoice", doc_type_id, what)
        # Element order does not matter to zeep (it follows the schema); grouped for reading.
        out["FreightAmount"] = self.money(inv.freight)
        out["MiscellaneousAmount"] = self.money(inv.misc)
        if not inv.gp_computes_tax:  # else GP's own figures: a sent total would be refused (235)
            out["TaxAmount"] = self.money(inv.tax)
        if inv.tax_schedule:
            out["TaxScheduleKey"] = {"Id": check_len("tax schedule", inv.tax_schedule, what)}
        if inv.trade_discount:
            out["TradeDiscount"] = {"Amount": self.money(inv.trade_discount)}
        if inv.note:
            out["Note"] = inv.note
        if inv.total and not inv.gp_computes_tax:
            out["TotalAmount"] = self.money(inv.total)
        self._currency(out, inv.currency, inv.exchange_rate, inv.doc_date)
        if inv.bill_to_address_id:
            out["BillToAddressKey"] = {"Id": check_len("address id", inv.bill_to_address_id, what)}
        if inv.ship_to_address_id:
            out["ShipToAddressKey"] = {"Id": check_len("address id", inv.ship_to_address_id, what)}
        if inv.ship_to is not None:
            out["ShipToAddress"] = self.ship_to(inv.ship_to, what)
        if inv.tax_details:
            out["Taxes"] = self.taxes(inv.tax_details)
        if inv.payments:
            out["PaymentAmount"] = self.money(sum((p.amount for p in inv.payments), Decimal(0)))
            out["Payments"] = {"SalesPayment": [self._payment(p, inv.doc_date, what)
                                                for p in inv.payments]}
        out["Lines"] = {"SalesInvoiceLine": [self._line(ln, what) for ln in inv.lines]}
        if inv.distributions:
            out["Distributions"] = {"SalesDistribution": [
                self.distribution(d, SOP_DISTRIBUTION, what) for d in inv.distributions]}
        if inv.hold and hold_id:
            out["ProcessHolds"] = {"SalesProcessHold": [self.hold(hold_id, what)]}
        return out

    def taxes(self, details: list[tuple[str, Decimal]]) -> dict[str, Any]:
        return {"SalesDocumentTax": [
            {"TaxAmount": self.money(amount),
             "Key": {"SequenceNumber": i, "TaxDetailKey": {"Id": detail_id}}}
            for i, (detail_id, amount) in enumerate(details, start=1)]}

    def hold(self, hold_id: str, what: str, *, remove: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"Key": {"SalesProcessHoldSetupKey": {
            "Id": check_len("process hold", hold_id, what)}}}
        if remove:
            out["DeleteOnUpdate"] = True
        return out

    def sales_return(self, ret: SalesReturn, *, doc_type_id: str = "") -> dict[str, Any]:
        b = self.in_currency(ret.currency)
        if b is not self:
            return b.sales_return(ret, doc_type_id=doc_type_id)
        what = f"return {ret.number}"
        out = self._header(ret.number, ret.customer_id, ret.batch, ret.doc_date, ret.po_number,
                           "Return", doc_type_id, what)
        out["FreightAmount"] = self.money(ret.freight)
        out["MiscellaneousAmount"] = self.money(ret.misc)
        out["TaxAmount"] = self.money(ret.tax)
        if ret.trade_discount:
            out["TradeDiscount"] = {"Amount": self.money(ret.trade_discount)}
        if ret.note:
            out["Note"] = ret.note
        if ret.total:
            out["TotalAmount"] = self.money(ret.total)
        if ret.tax_details:
            out["Taxes"] = self.taxes(ret.tax_details)
        self._currency(out, ret.currency, ret.exchange_rate, ret.doc_date)
        lines = []
        for ln in ret.lines:
            d = self._line(ln, what)
            # Restocked: the returned quantity lands in the site's on-hand bucket.
            d["ReturnQuantity"] = {"OnHandQuantity": self.qty(ln.quantity)}
            lines.append(d)
        out["Lines"] = {"SalesReturnLine": lines}
        return out

    def credit_memo(self, memo: CreditMemo) -> dict[str, Any]:
        b = self.in_currency(memo.currency)
        if b is not self:
            return b.credit_memo(memo)
        what = f"credit memo {memo.number}"
        out: dict[str, Any] = {
            "Key": {"Id": check_len("RM number", memo.number, what)},
            "Date": as_datetime(memo.doc_date),
            "DocumentAmount": self.money(memo.amount),
            "SalesAmount": self.money(memo.amount),
        }
        description = memo.description or (f"Credit for {memo.apply_to}" if memo.apply_to else "")
        if description:
            out["Description"] = description[:LIMITS["RM description"]]
        if memo.apply_to:
            # No apply operation exists over Web Services: the credited invoice rides in the PO
            # field so the accountant can apply it (and a person can search by it).
            out["CustomerPONumber"] = check_len("customer PO", memo.apply_to, what)
        out["BatchKey"] = self.batch(memo.batch, what)
        out["CustomerKey"] = {"Id": check_len("customer id", memo.customer_id, what)}
        self._currency(out, memo.currency, memo.exchange_rate, memo.doc_date)
        if memo.distributions:
            out["Distributions"] = {"ReceivablesDistribution": [
                self.distribution(d, RM_DISTRIBUTION, what) for d in memo.distributions]}
        return out

    @staticmethod
    def ship_to(a: ShipToAddress, what: str) -> dict[str, Any]:
        """A SOP document's free-text ship-to (BusinessAddress). The mapping has cut each field
        to GP's width and said so; a longer one here is a bug, refused before sending."""
        out: dict[str, Any] = {}
        for field, kind, value in (("Line1", "address line", a.line1),
                                   ("Line2", "address line", a.line2),
                                   ("City", "city", a.city), ("State", "state", a.state),
                                   ("PostalCode", "postal code", a.postal_code),
                                   ("CountryRegion", "country", a.country),
                                   ("Name", "customer name", a.name),
                                   ("ContactPerson", "contact", a.contact)):
            if value:
                out[field] = check_len(kind, value, what)
        if a.phone:
            out["Phone1"] = {"Value": check_len("phone", a.phone, what)}
        return out

    # --- customers ---------------------------------------------------------------------
    def address(self, customer_id: str, a: GPAddress, what: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, kind, value in (("Line1", "address line", a.line1),
                                   ("Line2", "address line", a.line2),
                                   ("City", "city", a.city), ("State", "state", a.state),
                                   ("PostalCode", "postal code", a.postal_code),
                                   ("CountryRegion", "country", a.country)):
            if value:
                out[field] = check_len(kind, value, what)
        if a.phone:
            out["Phone1"] = {"Value": check_len("phone", a.phone, what)}
        if a.contact:
            out["ContactPerson"] = check_len("contact", a.contact, what)
        out["CreatedDate"] = DOTNET_MIN
        out["ModifiedDate"] = DOTNET_MIN
        if a.email:
            out["InternetAddresses"] = {"EmailToAddress": a.email}
        out["Key"] = {"CustomerKey": {"Id": customer_id},
                      "Id": check_len("address id", a.address_id, what)}
        return out

    def customer(self, c: GPCustomer, *, with_addresses: bool = True) -> dict[str, Any]:
        what = f"customer {c.customer_id}"
        cid = check_len("customer id", c.customer_id, what)
        if cid != cid.upper():
            raise GPRefused(f"{what}: GP customer ids are upper case")
        out: dict[str, Any] = {"Key": {"Id": cid},
                               "Name": check_len("customer name", c.name, what)}
        if c.class_id:
            out["ClassKey"] = {"Id": c.class_id}
        ids = {a.address_id for a in c.addresses}
        for field, addr_id in (("DefaultAddressKey", c.primary_address_id),
                               ("ShipToAddressKey", c.ship_to_address_id),
                               ("BillToAddressKey", c.bill_to_address_id)):
            if addr_id and (addr_id in ids or not with_addresses):
                out[field] = {"CustomerKey": {"Id": cid}, "Id": addr_id}
        out["PostResultsTo"] = "Receivables/Discount Account"
        out["CreatedDate"] = DOTNET_MIN
        out["ModifiedDate"] = DOTNET_MIN
        out["LastModifiedDate"] = DOTNET_MIN
        if with_addresses and c.addresses:
            out["Addresses"] = {"CustomerAddress": [self.address(cid, a, what)
                                                    for a in c.addresses]}
        return out

    # --- inventory ---------------------------------------------------------------------
    def adjustment(self, number: str, lines: list[AdjustmentLine], when: date,
                   uofm: str, batch: str) -> dict[str, Any]:
        what = f"inventory adjustment {number}"
        if not batch:
            raise GPRefused(f"{what}: GP needs a batch for inventory adjustments")
        return {
            "Key": {"Id": check_len("adjustment number", number, what)},
            # GP refuses an inventory transaction without a batch (eConnect BACHNUMB).
            "BatchKey": self.batch(batch, what),
            "Date": as_datetime(when),
            "Lines": {"InventoryAdjustmentLine": [
                {"ItemKey": {"Id": check_len("item number", ln.item, what)},
                 "Quantity": self.qty(ln.quantity),
                 "UofM": check_len("U of M", uofm, what),
                 "WarehouseKey": {"Id": check_len("site", ln.site, what)}}
                for ln in lines]},
        }

    # --- criteria ----------------------------------------------------------------------
    @staticmethod
    def equal(value: str) -> dict[str, Any]:
        return {"EqualValue": value}

    def sales_criteria(self, number: str) -> dict[str, Any]:
        return {"TransactionState": {"Items": {"SalesTransactionState": ["Work", "History"]}},
                "DocumentId": self.equal(number), "Scope": "Return All"}

    def rm_criteria(self, number: str) -> dict[str, Any]:
        return {"TransactionState": {"Items": {
                    "ReceivablesTransactionState": ["Work", "Open", "History"]}},
                "DocumentId": self.equal(number), "Scope": "Return All"}
