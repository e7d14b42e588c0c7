"""GP's setup lists over Web Services: what the accountant chooses ids from, and what `check`
proves every configured id against: a setup row an id names must exist in GP.

Each list is read whole through the 1,000-row cap (core/gp/paging.py). Web Services has no
checkbook list (CM00100 has no Get…List operation in the legacy WSDL): the checkbooks GP names
are the ones its payment card types deposit into; `checkbooks_complete` says so.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.gp import soap_read as rd
from core.gp.keys import CASE_INSENSITIVE
from core.gp.paging import walk
from core.gp.soap import SoapClient


@dataclass(frozen=True)
class SetupRow:
    id: str
    description: str = ""
    checkbook: str = ""  # card types: the checkbook customer card payments go to
    rate: Decimal | None = None  # tax details: percent
    account: str = ""  # tax details: the GL account
    decimals: int | None = None  # currencies: DecimalPlaces


@dataclass(frozen=True)
class ListSpec:
    operation: str
    criteria_field: str
    result: str  # the ArrayOf… entry name
    key: tuple[str, ...]  # path of the id in one row
    what: str


SPECS: dict[str, ListSpec] = {
    "card_types": ListSpec("GetPaymentCardTypeList", "Id", "PaymentCardType", ("Key", "Id"),
                           "payment card types"),
    "holds": ListSpec("GetSalesProcessHoldSetupList", "Id", "SalesProcessHoldSetup",
                      ("Key", "Id"), "sales process holds"),
    "tax_details": ListSpec("GetTaxDetailList", "TaxDetailKeyId", "TaxDetail",
                            ("TaxDetailKey", "Id"), "tax details"),
    "tax_schedules": ListSpec("GetTaxScheduleList", "TaxScheduleKeyId", "TaxSchedule",
                              ("TaxScheduleKey", "Id"), "tax schedules"),
    "sites": ListSpec("GetWarehouseList", "WarehouseId", "WarehouseSummary", ("Key", "Id"),
                      "sites"),
    "price_levels": ListSpec("GetPriceLevelList", "PriceLevelKeyId", "PriceLevel",
                             ("Key", "Id"), "price levels"),
    "currencies": ListSpec("GetCurrencyList", "ISOCode", "Currency", ("Key", "ISOCode"),
                           "currencies"),
    "gl_accounts": ListSpec("GetGLAccountList", "GLAccountId", "GLAccountSummary",
                            ("Key", "Id"), "GL accounts"),
}


def _row(kind: str, r: Any, key: tuple[str, ...]) -> SetupRow:
    rid = rd.text(r, *key)
    if kind == "card_types":
        return SetupRow(rid, checkbook=rd.text(r, "CustomerCardBankAccountKey", "Id"))
    if kind == "tax_details":
        pct = getattr(r, "TaxDetailPercent", None)
        return SetupRow(rid, rd.text(r, "TaxDetailDescription"),
                        rate=Decimal(str(pct)) if pct is not None else None,
                        account=rd.text(r, "Account", "Id"))
    if kind == "tax_schedules":
        return SetupRow(rid, rd.text(r, "TaxScheduleDescription"))
    if kind == "currencies":
        places = rd.text(r, "DecimalPlaces")
        return SetupRow(rid, rd.text(r, "Description"),
                        decimals=_PLACES.index(places) if places in _PLACES else None)
    return SetupRow(rid, rd.text(r, "Description"))


_PLACES = ("Zero", "One", "Two", "Three", "Four", "Five")


class SetupLists:
    """GP's setup rows, read once per list and kept for the life of the object."""

    def __init__(self, client: SoapClient, *, collation: str = CASE_INSENSITIVE) -> None:
        self.c = client
        self.collation = collation
        self._cache: dict[str, list[SetupRow]] = {}

    def rows(self, kind: str) -> list[SetupRow]:
        if kind not in self._cache:
            spec = SPECS[kind]
            found = walk(self._fetcher(spec), lambda r: rd.text(r, *spec.key),
                         collation=self.collation)
            self._cache[kind] = sorted((_row(kind, r, spec.key) for r in found),
                                       key=lambda row: row.id.upper())
        return self._cache[kind]

    def forget(self, kind: str) -> None:
        """Read `kind` from GP again next time (a list the administrator may extend)."""
        self._cache.pop(kind, None)

    def _fetcher(self, spec: ListSpec) -> Callable[[dict[str, Any] | None], list[Any]]:
        def fetch(restriction: dict[str, Any] | None) -> list[Any]:
            criteria = {spec.criteria_field: restriction} if restriction else {}
            return rd.items(self.c.call(spec.operation, write=False, what=spec.what,
                                        criteria=criteria), spec.result)
        return fetch

    def card_types(self) -> list[SetupRow]:
        return self.rows("card_types")

    def checkbooks(self) -> list[str]:
        """Checkbooks GP names (through its card types): not a complete list (see module)."""
        return sorted({r.checkbook for r in self.card_types() if r.checkbook}, key=str.upper)

    checkbooks_complete = False
