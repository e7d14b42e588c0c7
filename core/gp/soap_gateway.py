"""GPGateway over the Web Services legacy endpoint.

Existence is always asked with `Get…List` criteria (work AND history; RM: work, open, history):
an empty list is an unambiguous "not found", while a `Get…ByKey` fault is only "unknown".
Any failure to ask raises GPError; None is returned only when GP said so.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.clock import Clock, SystemClock
from core.errors import GPRefused, GPTransient
from core.gp import soap_read as rd
from core.gp import soap_readback
from core.gp.gateway import (
    AdjustmentLine,
    CompanyInfo,
    CreditMemo,
    GPCustomer,
    GPDocument,
    GPItemInfo,
    GPUnsupported,
    SalesInvoice,
    SalesReturn,
)
from core.gp.keys import CASE_INSENSITIVE, key_form, same_key
from core.gp.paging import walk
from core.gp.policy import PostingPolicy, posting_policy
from core.gp.soap import SoapClient
from core.gp.soap_build import Builders
from core.gp.soap_policy import behaviours, uses_supplied_distributions
from core.gp.soap_setup import SetupLists

# capability -> what the SOAP route offers (Web Services has no item or price update operation).
SOAP_CAPABILITIES: dict[str, bool] = {
    "company": True, "customers": True, "customer_email_search": False, "items": True,
    "item_changes": True, "item_update": False, "stock_adjustment": True, "sales_invoice": True,
    "sales_return": True, "credit_memo": True, "accounts": True,
}


class SoapGateway:
    def __init__(self, client: SoapClient, *, clock: Clock | None = None,
                 currency: str = "USD", invoice_doc_id: str = "", return_doc_id: str = "",
                 hold_id: str = "WCHOLD", adjustment_uofm: str = "Each",
                 collation: str = CASE_INSENSITIVE,
                 adjustment_batch_template: str = "WCIV{date:%Y%m%d}") -> None:
        self.c = client
        self.b = Builders(client.t)
        self.clock = clock or SystemClock()
        self.currency = currency
        self.invoice_doc_id = invoice_doc_id
        self.return_doc_id = return_doc_id
        self.hold_id = hold_id
        self.adjustment_uofm = adjustment_uofm
        self.collation = collation
        self.adjustment_batch_template = adjustment_batch_template
        self.setup = SetupLists(client, collation=collation)  # GP's setup rows, for ids
        self._currencies_at: datetime | None = None

    def same(self, a: str, b: str) -> bool:
        """Keys equal as GP's SQL Server compares them (core/gp/keys.py)."""
        return same_key(a, b, self.collation)

    # --- company and capabilities ----------------------------------------------------------
    def company(self) -> CompanyInfo:
        return self.c.company()

    def capabilities(self) -> dict[str, str]:
        return {k: ("soap" if v else "none") for k, v in SOAP_CAPABILITIES.items()}

    # --- customers -------------------------------------------------------------------------
    def _customer_exists(self, customer_id: str) -> bool:
        res = self.c.call("GetCustomerList", write=False, what=f"customer {customer_id}",
                          criteria={"Id": self.b.equal(customer_id), "Scope": "Return All"})
        return any(self.same(rd.text(r, "Key", "Id"), customer_id)
                   for r in rd.items(res, "CustomerSummary"))

    def get_customer(self, customer_id: str) -> GPCustomer | None:
        if not self._customer_exists(customer_id):
            return None
        obj = self.c.call("GetCustomerByKey", write=False, what=f"customer {customer_id}",
                          key={"Id": customer_id})
        if obj is None:
            raise GPTransient(f"GP listed customer {customer_id} but returned nothing for it")
        return rd.customer(obj)

    def create_customer(self, customer: GPCustomer) -> None:
        self.c.call("CreateCustomer", write=True, what=f"customer {customer.customer_id}",
                    policy=True, customer=self.b.customer(customer))

    def update_customer(self, customer: GPCustomer) -> None:
        what = f"customer {customer.customer_id}"
        existing = self.get_customer(customer.customer_id)
        if existing is None:
            raise GPRefused(f"{what} does not exist in GP; create it first")
        have = {key_form(a.address_id, self.collation) for a in existing.addresses}
        # Addresses first: the customer's default/bill-to/ship-to keys must point at them.
        for a in customer.addresses:
            body = self.b.address(customer.customer_id, a, what)
            if key_form(a.address_id, self.collation) in have:
                self.c.call("UpdateCustomerAddress", write=True, what=what, policy=True,
                            address=body)
            else:
                self.c.call("CreateCustomerAddress", write=True, what=what, policy=True,
                            address=body)
        self.c.call("UpdateCustomer", write=True, what=what, policy=True,
                    customer=self.b.customer(customer, with_addresses=False))

    def find_customer_by_email(self, email: str) -> str | None:
        raise GPUnsupported("GP Web Services cannot search customers by e-mail; enable the SBA "
                            "route for customers or use another guest policy")

    # --- items, prices, stock --------------------------------------------------------------
    def _item_summary(self, item_number: str) -> Any | None:
        res = self.c.call("GetItemList", write=False, what=f"item {item_number}",
                          criteria={"ItemId": self.b.equal(item_number)})
        for r in rd.items(res, "ItemSummary"):
            if self.same(rd.text(r, "Key", "Id"), item_number):
                return r
        return None

    def get_item(self, item_number: str) -> GPItemInfo | None:
        summary = self._item_summary(item_number)
        return rd.item_info(summary) if summary is not None else None

    def _priced_items(self, price_level: str, uofm: str, item_number: str = "") -> set[str]:
        """Items with a price at this level and unit, read whole through the 1000-row cap."""
        base: dict[str, Any] = {"PriceLevelId": self.b.equal(price_level),
                                "UofM": self.b.equal(uofm)}

        def fetch(restriction: dict[str, Any] | None) -> list[Any]:
            crit = dict(base)
            if item_number:
                crit["ItemId"] = self.b.equal(item_number)
            elif restriction:
                crit["ItemId"] = restriction
            return rd.items(self.c.call("GetPricingList", write=False,
                                        what=f"prices at {price_level}", criteria=crit),
                            "PricingSummary")
        rows = walk(fetch, lambda r: rd.text(r, "Key", "ItemKey", "Id"),
                    collation=self.collation)
        return {key_form(rd.text(r, "Key", "ItemKey", "Id"), self.collation) for r in rows
                if rd.text(r, "Key", "ItemKey", "Id")}

    def _price(self, item_number: str, price_level: str, uofm: str,
               priced: set[str] | None = None) -> Decimal | None:
        if priced is None:
            priced = self._priced_items(price_level, uofm, item_number)
        if key_form(item_number, self.collation) not in priced:
            return None  # no price at this level / unit: GP says so, not "unknown"
        key = {"ItemKey": {"Id": item_number}, "CurrencyKey": {"ISOCode": self.currency},
               "PriceLevelKey": {"Id": price_level}, "UofM": uofm}
        pricing = self.c.call("GetPricingByKey", write=False,
                              what=f"price of {item_number}", key=key)
        return rd.lowest_tier_price(pricing)

    def _quantity(self, item_number: str, site: str) -> Decimal | None:
        item = self.c.call("GetItemByKey", write=False, what=f"item {item_number}",
                           key={"Id": item_number})
        return rd.available(item, site) if item is not None else None

    def item_snapshot(self, item_number: str, *, price_level: str, uofm: str,
                      site: str) -> GPItemInfo | None:
        summary = self._item_summary(item_number)
        if summary is None:
            return None
        return rd.item_info(summary, price=self._price(item_number, price_level, uofm),
                            quantity=self._quantity(item_number, site))

    def _all_item_summaries(self) -> list[Any]:
        """Every item, whatever order GP lists them in (core/gp/paging.py)."""
        def fetch(restriction: dict[str, Any] | None) -> list[Any]:
            crit: dict[str, Any] = {"ItemId": restriction} if restriction else {}
            return rd.items(self.c.call("GetItemList", write=False, what="the item list",
                                        criteria=crit), "ItemSummary")
        return walk(fetch, lambda r: rd.text(r, "Key", "Id"), collation=self.collation)

    def list_items(self, *, price_level: str, uofm: str, site: str) -> list[GPItemInfo]:
        summaries = self._all_item_summaries()
        priced = self._priced_items(price_level, uofm)
        return [rd.item_info(s, price=self._price(rd.text(s, "Key", "Id"), price_level, uofm,
                                                  priced),
                             quantity=self._quantity(rd.text(s, "Key", "Id"), site))
                for s in summaries]

    def changed_item_numbers(self, since: datetime) -> list[str]:
        window = {"LastModifiedDate": {"From": since, "To": self.clock.now()}}
        changed = rd.items(self.c.call("GetChangedItemKeyList", write=False,
                                       what="changed items", criteria=dict(window)),
                           "ChangedItemKey")
        prices = rd.items(self.c.call("GetChangedPricingKeyList", write=False,
                                      what="changed prices", criteria=dict(window)),
                          "ChangedPricingKey")
        numbers = {rd.text(k, "Id") for k in changed} | {rd.text(k, "ItemKey", "Id")
                                                          for k in prices}
        return sorted(n for n in numbers if n)

    def create_inventory_adjustment(self, number: str, lines: list[AdjustmentLine],
                                    note: str = "") -> None:
        # InventoryAdjustment has no note field over Web Services; the number identifies it.
        when = self.clock.now().date()
        batch = self.adjustment_batch_template.format(date=when).upper()
        body = self.b.adjustment(number, lines, when, self.adjustment_uofm, batch)
        self.c.call("CreateInventoryAdjustment", write=True,
                    what=f"inventory adjustment {number}", policy=True,
                    inventoryAdjustment=body)

    def update_item(self, item_number: str, *, description: str | None = None,
                    price: Decimal | None = None, price_level: str = "",
                    uofm: str = "") -> None:
        raise GPUnsupported(f"GP Web Services has no operation to change item {item_number}'s "
                            "description or price: change it in GP, or enable SBA")

    # --- sales documents -------------------------------------------------------------------
    def _find_sales(self, number: str, kind: str) -> GPDocument | None:
        name = "Invoice" if kind == "invoice" else "Return"
        what = f"{kind} {number}"
        res = self.c.call(f"GetSales{name}List", write=False, what=what,
                          criteria=self.b.sales_criteria(number))
        rows = [r for r in rd.items(res, f"Sales{name}Summary")
                if self.same(rd.text(r, "Key", "Id"), number)]
        if not rows:
            return None
        doc = self.c.call(f"GetSales{name}ByKey", write=False, what=what, key={"Id": number})
        if doc is None:
            raise GPTransient(f"GP listed {what} but returned nothing for it")
        return rd.sales_document(doc, rows[0], kind, f"Sales{name}Line")

    def find_sales_invoice(self, number: str) -> GPDocument | None:
        return self._find_sales(number, "invoice")

    def _as_policy_says(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """Distributions go to GP only when its policy will use them (soap_policy.py)."""
        if "Distributions" in body and not uses_supplied_distributions(self.c, operation):
            body = {k: v for k, v in body.items() if k != "Distributions"}
        return body

    def create_sales_invoice(self, invoice: SalesInvoice) -> None:
        body = self.b.invoice(invoice, doc_type_id=self.invoice_doc_id, hold_id=self.hold_id)
        self.c.call("CreateSalesInvoice", write=True, what=f"invoice {invoice.number}",
                    policy=True, salesInvoice=self._as_policy_says("CreateSalesInvoice", body))

    def _get_invoice(self, number: str) -> Any:
        if self.find_sales_invoice(number) is None:
            raise GPRefused(f"invoice {number} does not exist in GP")
        return self.c.call("GetSalesInvoiceByKey", write=False, what=f"invoice {number}",
                           key={"Id": number})

    def update_sales_invoice(self, invoice: SalesInvoice) -> None:
        what = f"invoice {invoice.number}"
        current = self._get_invoice(invoice.number)
        body = self.b.invoice(invoice, doc_type_id=self.invoice_doc_id, hold_id=self.hold_id)
        # GP adds lines without a key; the old lines go with DeleteOnUpdate.
        old = [{"Key": ln.Key, "ItemKey": ln.ItemKey, "DeleteOnUpdate": True}
               for ln in rd.items(getattr(current, "Lines", None), "SalesInvoiceLine")
               if getattr(ln, "Key", None) is not None]
        body["Lines"] = {"SalesInvoiceLine": old + body["Lines"]["SalesInvoiceLine"]}
        body = self._as_policy_says("UpdateSalesInvoice", body)
        self.c.call("UpdateSalesInvoice", write=True, what=what, policy=True, salesInvoice=body)

    def void_sales_invoice(self, number: str) -> None:
        self.c.call("VoidSalesInvoice", write=True, what=f"invoice {number}", policy=True,
                    key={"Id": number})

    def set_invoice_hold(self, number: str, hold: bool) -> None:
        what = f"invoice {number}"
        current = self._get_invoice(number)
        body = {"Key": {"Id": number},
                "DocumentTypeKey": {"Type": "Invoice",
                                    **({"Id": rd.text(current, "DocumentTypeKey", "Id")}
                                       if rd.text(current, "DocumentTypeKey", "Id") else {})},
                "CustomerKey": {"Id": rd.text(current, "CustomerKey", "Id")},
                "BatchKey": self.b.batch(rd.text(current, "BatchKey", "Id"), what),
                "ProcessHolds": {"SalesProcessHold": [
                    self.b.hold(self.hold_id, what, remove=not hold)]}}
        self.c.call("UpdateSalesInvoice", write=True, what=what, policy=True, salesInvoice=body)

    # --- refunds ---------------------------------------------------------------------------
    def find_credit_memo(self, number: str) -> GPDocument | None:
        what = f"credit memo {number}"
        res = self.c.call("GetReceivablesCreditMemoList", write=False, what=what,
                          criteria=self.b.rm_criteria(number))
        rows = [r for r in rd.items(res, "ReceivablesCreditMemoSummary")
                if self.same(rd.text(r, "Key", "Id"), number)]
        if not rows:
            return None
        doc = self.c.call("GetReceivablesCreditMemoByKey", write=False, what=what,
                          key={"Id": number})
        if doc is None:
            raise GPTransient(f"GP listed {what} but returned nothing for it")
        return rd.credit_memo_document(doc, rows[0])

    def create_credit_memo(self, memo: CreditMemo) -> None:
        self.c.call("CreateReceivablesCreditMemo", write=True, what=f"credit memo {memo.number}",
                    policy=True, receivablesCreditMemo=self._as_policy_says(
                        "CreateReceivablesCreditMemo", self.b.credit_memo(memo)))

    def find_sales_return(self, number: str) -> GPDocument | None:
        return self._find_sales(number, "return")

    def create_sales_return(self, ret: SalesReturn) -> None:
        self.c.call("CreateSalesReturn", write=True, what=f"return {ret.number}", policy=True,
                    salesReturn=self._as_policy_says("CreateSalesReturn", self.b.sales_return(
                        ret, doc_type_id=self.return_doc_id)))

    # --- accounts --------------------------------------------------------------------------
    def account_exists(self, account: str) -> bool | None:
        try:
            res = self.c.call("GetGLAccountList", write=False, what=f"GL account {account}",
                              criteria={"GLAccountId": self.b.equal(account)})
        except GPUnsupported:
            return None  # this server has no chart-of-accounts read: cannot tell
        return any(self.same(rd.text(r, "Key", "Id"), account.strip())
                   for r in rd.items(res, "GLAccountSummary"))

    def close(self) -> None:
        """The HTTP client belongs to the gateway that opened it (factory)."""

    # --- read-backs after a create (one round trip: core/gp/soap_readback.py) ---------------
    def read_sales_invoice(self, number: str) -> GPDocument:
        return soap_readback.read_sales(self.c, number, "invoice")

    def read_sales_return(self, number: str) -> GPDocument:
        return soap_readback.read_sales(self.c, number, "return")

    def read_credit_memo(self, number: str) -> GPDocument:
        return soap_readback.read_credit_memo(self.c, number)

    def currencies(self) -> dict[str, int | None]:
        """GP's currencies (ISO code -> decimals), re-read at most every 5 minutes so one the
        administrator adds is seen without a restart."""
        now = self.clock.now()
        if self._currencies_at is None or (now - self._currencies_at).total_seconds() > 300:
            self.setup.forget("currencies")
            self._currencies_at = now
        return {r.id.upper(): r.decimals for r in self.setup.rows("currencies")}

    # --- for `check` -----------------------------------------------------------------------
    def posting_policy(self) -> PostingPolicy:
        """What GP will do with the invoices the connector sends (its role's policies)."""
        return posting_policy({op: behaviours(self.c, op)
                               for op in ("CreateSalesInvoice", "UpdateSalesInvoice")})

    def behaviors(self, operation: str) -> list[tuple[str, str, str, bool]]:
        """(behaviour id, name, selected option, internal) of the operation's policy."""
        return [(b.id, b.name, b.option, b.internal) for b in behaviours(self.c, operation)]

    def probe(self, operation: str) -> str:
        """Ask GP to run `operation` on a document it must refuse (no customer, no amount).

        GP checks the role before the document, so a security refusal (GPAuthError) means
        "not allowed" and a validation refusal means "allowed". Returns "allowed" or
        "accepted" (GP took the empty probe: someone should delete MLCPROBE in GP); raises
        GPAuthError when the role forbids it and GPError when GP cannot be asked.
        """
        probe_id = "MLCPROBE"
        bodies: dict[str, dict[str, Any]] = {
            "CreateCustomer": {"customer": {
                "PostResultsTo": "Receivables/Discount Account", "CreatedDate": datetime(1, 1, 1),
                "ModifiedDate": datetime(1, 1, 1), "LastModifiedDate": datetime(1, 1, 1)}},
            "CreateSalesInvoice": {"salesInvoice": {
                "Key": {"Id": probe_id}, "DocumentTypeKey": {"Type": "Invoice"}}},
            "CreateSalesReturn": {"salesReturn": {
                "Key": {"Id": probe_id}, "DocumentTypeKey": {"Type": "Return"}}},
            "CreateReceivablesCreditMemo": {"receivablesCreditMemo": {"Key": {"Id": probe_id}}},
        }
        try:
            self.c.call(operation, write=True, what=f"a {operation} probe", policy=True,
                        **bodies[operation])
        except GPRefused:
            return "allowed"
        return "accepted"


def today(clock: Clock) -> date:
    return clock.now().date()
