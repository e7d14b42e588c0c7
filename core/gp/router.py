"""One GPGateway over two routes, chosen per capability.

SOAP (Web Services) is the route for SOP documents, credit memos and customers: its shapes are
published and every request is validated against GP's schema. SBA (REST) is optional and
version-dependent: it is used where the server exposes it and SOAP cannot do the job
(item name/price updates, customer e-mail search) or where configuration asks for it.
`[gp] routes = { items = "sba" }` pins a capability; "auto" (the default) picks as above.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from core.errors import ConfigError
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

CAPABILITIES: tuple[str, ...] = (
    "company", "customers", "customer_email_search", "items", "item_changes", "item_update",
    "stock_adjustment", "sales_invoice", "sales_return", "credit_memo", "accounts")

# Under "auto", which route is tried first for each capability.
AUTO_ORDER: dict[str, tuple[str, ...]] = {
    "items": ("sba", "soap"),  # one JSON call per item instead of three SOAP calls
    "item_update": ("sba",),
    "customer_email_search": ("sba",),
}
DEFAULT_ORDER: tuple[str, ...] = ("soap", "sba")
LABELS: dict[str, str] = {"soap": "Web Services (SOAP)", "sba": "SBA"}
UNSET: dict[str, str] = {"soap": "[gp] soap_url is empty", "sba": "[gp] sba_url is empty"}

DESCRIPTIONS: dict[str, str] = {
    "company": "find the company",
    "customers": "read, create and update customers",
    "customer_email_search": "find a customer by e-mail (guest policy \"match\")",
    "items": "read items, prices and stock",
    "item_changes": "list items and prices changed in GP since a time",
    "item_update": "change an item's name or price in GP",
    "stock_adjustment": "adjust stock (inventory adjustments)",
    "sales_invoice": "create, find, update, void and hold invoices",
    "sales_return": "create and find returns",
    "credit_memo": "create and find credit memos",
    "accounts": "check GL accounts",
}


class Route(Protocol):
    def capabilities(self) -> dict[str, str]: ...
    def close(self) -> None: ...


def resolve_routes(configured: dict[str, str], available: dict[str, dict[str, str]]
                   ) -> dict[str, str]:
    """capability -> "soap" | "sba" | "none", from configuration and what each route offers."""
    unknown = sorted(set(configured) - set(CAPABILITIES))
    if unknown:
        raise ConfigError(f"[gp] routes has unknown capability(ies) {', '.join(unknown)}; known: "
                          f"{', '.join(CAPABILITIES)}")
    out: dict[str, str] = {}
    for cap in CAPABILITIES:
        want = configured.get(cap, "auto")
        if want not in ("auto", "soap", "sba"):
            raise ConfigError(f"[gp] routes.{cap} = {want!r}: use \"soap\", \"sba\" or \"auto\"")
        order = AUTO_ORDER.get(cap, DEFAULT_ORDER) if want == "auto" else (want,)
        out[cap] = next((r for r in order if available.get(r, {}).get(cap) == r), "none")
    return out


class RoutedGateway:
    """Implements GPGateway by delegating each method to the route of its capability."""

    def __init__(self, routes: dict[str, Any], configured: dict[str, str] | None = None,
                 *, closer: Callable[[], None] | None = None) -> None:
        self.routes = {name: r for name, r in routes.items() if r is not None}
        self._closer = closer
        self._configured = dict(configured or {})
        self._caps = resolve_routes(configured or {}, {n: r.capabilities()
                                                       for n, r in self.routes.items()})

    @property
    def soap(self) -> Any | None:
        return self.routes.get("soap")

    @property
    def sba(self) -> Any | None:
        return self.routes.get("sba")

    def capabilities(self) -> dict[str, str]:
        return dict(self._caps)

    def explain(self, capability: str) -> str:
        """Which route serves `capability` and why, e.g. "over Web Services (SOAP): SBA /help
        does not list GET Inventory/ItemPriceLists(…)" or "not available: …"."""
        chosen = self._caps.get(capability, "none")
        want = self._configured.get(capability, "auto")
        order = AUTO_ORDER.get(capability, DEFAULT_ORDER) if want == "auto" else (want,)
        why = [f"[gp] routes pins it to {LABELS.get(want, want)}"] if want != "auto" else []
        tried = list(order) if chosen == "none" else list(order[:order.index(chosen) + 1])
        if chosen == "none":  # and why no other route can either
            tried += [n for n in LABELS if n not in tried]
        why += [self._why(name, capability) for name in tried]
        head = f"over {LABELS[chosen]}" if chosen != "none" else "not available"
        return f"{head}: {'; '.join(why)}"

    def summary(self) -> str:
        """For a person testing the connection: which route serves what, and for each thing no
        route can do, what it is and why (the same reason `check` gives)."""
        by_route: dict[str, list[str]] = {}
        for capability, name in sorted(self._caps.items()):
            by_route.setdefault(name, []).append(capability)
        parts = [f"{LABELS.get(name, name)} serves {', '.join(caps)}"
                 for name, caps in sorted(by_route.items()) if name != "none"]
        parts += [f"{DESCRIPTIONS.get(c, c)}: {self.explain(c)}" for c in by_route.get("none", [])]
        return "; ".join(parts) or "no routes"

    def _why(self, name: str, capability: str) -> str:
        route = self.routes.get(name)
        if route is None:
            return f"{LABELS.get(name, name)} is not configured ({UNSET.get(name, '')})"
        explain = getattr(route, "explain", None)  # SBA says which /help route it lacks
        if explain is not None:
            text: str = explain(capability)
            return text
        if route.capabilities().get(capability) == name:
            return f"{LABELS.get(name, name)} has operations for it"
        return f"{LABELS.get(name, name)} has no operation for it"

    def _route(self, capability: str, doing: str) -> Any:
        name = self._caps.get(capability, "none")
        if name == "none":
            raise GPUnsupported(f"no enabled GP route can {doing} "
                                f"({DESCRIPTIONS.get(capability, capability)}); see "
                                "`ml-connector check`")
        return self.routes[name]

    # --- company -------------------------------------------------------------------------
    def company(self) -> CompanyInfo:
        return self._route("company", "find the company").company()

    # --- customers -----------------------------------------------------------------------
    def get_customer(self, customer_id: str) -> GPCustomer | None:
        return self._route("customers", "read customers").get_customer(customer_id)

    def create_customer(self, customer: GPCustomer) -> None:
        self._route("customers", "create customers").create_customer(customer)

    def update_customer(self, customer: GPCustomer) -> None:
        self._route("customers", "update customers").update_customer(customer)

    def find_customer_by_email(self, email: str) -> str | None:
        return self._route("customer_email_search", "search customers by e-mail"
                           ).find_customer_by_email(email)

    # --- items ---------------------------------------------------------------------------
    def get_item(self, item_number: str) -> GPItemInfo | None:
        return self._route("items", "read items").get_item(item_number)

    def list_items(self, *, price_level: str, uofm: str, site: str) -> list[GPItemInfo]:
        return self._route("items", "list items").list_items(
            price_level=price_level, uofm=uofm, site=site)

    def changed_item_numbers(self, since: datetime) -> list[str]:
        return self._route("item_changes", "list changed items").changed_item_numbers(since)

    def item_snapshot(self, item_number: str, *, price_level: str, uofm: str,
                      site: str) -> GPItemInfo | None:
        return self._route("items", "read items").item_snapshot(
            item_number, price_level=price_level, uofm=uofm, site=site)

    def create_inventory_adjustment(self, number: str, lines: list[AdjustmentLine],
                                    note: str = "") -> None:
        self._route("stock_adjustment", "adjust stock").create_inventory_adjustment(
            number, lines, note)

    def update_item(self, item_number: str, *, description: str | None = None,
                    price: Decimal | None = None, price_level: str = "",
                    uofm: str = "") -> None:
        self._route("item_update", "update items").update_item(
            item_number, description=description, price=price, price_level=price_level,
            uofm=uofm)

    # --- sales documents -----------------------------------------------------------------
    def find_sales_invoice(self, number: str) -> GPDocument | None:
        return self._route("sales_invoice", "find invoices").find_sales_invoice(number)

    def read_sales_invoice(self, number: str) -> GPDocument:
        return self._route("sales_invoice", "read invoices").read_sales_invoice(number)

    def create_sales_invoice(self, invoice: SalesInvoice) -> None:
        self._route("sales_invoice", "create invoices").create_sales_invoice(invoice)

    def update_sales_invoice(self, invoice: SalesInvoice) -> None:
        self._route("sales_invoice", "update invoices").update_sales_invoice(invoice)

    def void_sales_invoice(self, number: str) -> None:
        self._route("sales_invoice", "void invoices").void_sales_invoice(number)

    def posting_policy(self) -> Any:
        """GP's policy for invoices over the route that creates them (None: it has none)."""
        route = self._route("sales_invoice", "create invoices")
        reader = getattr(route, "posting_policy", None)
        return reader() if reader is not None else None

    def currencies(self) -> dict[str, int | None] | None:
        """GP's currencies (ISO code -> decimals) over the invoice route (None: cannot tell)."""
        reader = getattr(self._route("sales_invoice", "create invoices"), "currencies", None)
        return reader() if reader is not None else None

    def set_invoice_hold(self, number: str, hold: bool) -> None:
        self._route("sales_invoice", "hold invoices").set_invoice_hold(number, hold)

    # --- refunds -------------------------------------------------------------------------
    def find_credit_memo(self, number: str) -> GPDocument | None:
        return self._route("credit_memo", "find credit memos").find_credit_memo(number)

    def read_credit_memo(self, number: str) -> GPDocument:
        return self._route("credit_memo", "read credit memos").read_credit_memo(number)

    def create_credit_memo(self, memo: CreditMemo) -> None:
        self._route("credit_memo", "create credit memos").create_credit_memo(memo)

    def find_sales_return(self, number: str) -> GPDocument | None:
        return self._route("sales_return", "find returns").find_sales_return(number)

    def read_sales_return(self, number: str) -> GPDocument:
        return self._route("sales_return", "read returns").read_sales_return(number)

    def create_sales_return(self, ret: SalesReturn) -> None:
        self._route("sales_return", "create returns").create_sales_return(ret)

    # --- accounts ------------------------------------------------------------------------
    def account_exists(self, account: str) -> bool | None:
        try:
            route = self._route("accounts", "check accounts")
        except GPUnsupported:
            return None
        result: bool | None = route.account_exists(account)
        return result

    def close(self) -> None:
        for r in self.routes.values():
            r.close()
        if self._closer is not None:
            self._closer()
