"""Shared set-up for the GP gateway tests: a stand-in, settings that point at it, a gateway."""
from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from core.config import Settings
from core.gp.gateway import GPLine, SalesInvoice
from sandbox.gp import GPStandIn

ITEM = "APRON-DENIM"  # seeded in the stand-in at 32.00, 45 on hand at MAIN
ITEM_PRICE = Decimal("32.00")
CUSTOMER = "AARONFIT0001"


def settings_for(gp: GPStandIn, *, user: str | None = None, **gp_over: Any) -> Settings:
    s = Settings()
    s.gp.soap_url = gp.soap_url
    s.gp.sba_url = gp.sba_url if gp.https else ""
    s.gp.user = f"{gp.domain}\\{user or gp.user}"
    s.gp.company = gp.company
    s.gp.allow_http = not gp.https
    s.gp.ca_bundle = str(gp.ca_file) if gp.ca_file else ""
    s.gp.timeout_s = 10.0
    for k, v in gp_over.items():
        setattr(s.gp, k, v)
    return s


@contextmanager
def standin(tmp: Path, **kw: Any) -> Iterator[GPStandIn]:
    gp = GPStandIn(tmp, **kw).start()
    try:
        yield gp
    finally:
        gp.stop()


def control(gp: GPStandIn, method: str, path: str, body: Any = None) -> Any:
    verify: Any = ssl.create_default_context(cafile=str(gp.ca_file)) if gp.ca_file else True
    with httpx.Client(verify=verify, timeout=10) as c:
        r = c.request(method, f"{gp.control_url}/{path}", json=body)
        r.raise_for_status()
        return r.json()


def invoice(number: str, *, customer: str = CUSTOMER, qty: str = "2",
            price: Decimal = ITEM_PRICE, item: str = ITEM, freight: str = "5.00",
            batch: str = "WC20261127", **over: Any) -> SalesInvoice:
    q = Decimal(qty)
    ext = (q * price).quantize(Decimal("0.01"))
    base: dict[str, Any] = dict(
        number=number, customer_id=customer, batch=batch, doc_date=date(2026, 11, 27),
        po_number=number.removeprefix("WC"),
        lines=[GPLine(item, q, price, ext, "Denim apron", site="MAIN")],
        freight=Decimal(freight), total=ext + Decimal(freight),
        ship_to_address_id="PRIMARY", bill_to_address_id="PRIMARY")
    base.update(over)
    return SalesInvoice(**base)
