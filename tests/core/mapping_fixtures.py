"""Helpers shared by the mapping tests: recorded payloads and a complete set of GL accounts."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from core.config import PostingSettings
from core.mapping import InvoiceInputs
from core.mapping.customers import build_customer, gp_customer_id_for
from core.mapping.lines import sku_key
from core.woo.views import OrderView
from tests.conftest import shared_path

ACCOUNTS = {"sales": "000-4100-00", "receivables": "000-1200-00", "freight": "000-4200-00",
            "misc": "000-4300-00", "discount": "000-4500-00", "tax": "000-2300-00",
            "rounding": "000-7900-00", "cash": "000-1100-00"}
TODAY = date(2026, 11, 27)


def recorded(name: str) -> dict[str, Any]:
    path = shared_path("woocommerce", "recordings", name)
    body = json.loads(path.read_text())["response"]["body"]
    return body[0] if isinstance(body, list) else body


def inputs_for(order: OrderView, posting: PostingSettings | None = None, *,
               accounts: dict[str, str | None] | None = None,
               items: dict[str, str | None] | None = None) -> InvoiceInputs:
    posting = posting or PostingSettings()
    gp_id = gp_customer_id_for(order, policy=posting.guest_policy,
                               shared_id=posting.shared_customer_id)
    customer = build_customer(order, gp_id, customer_class="WEB") if gp_id else None
    if items is None:
        items = {sku_key(li): (li.sku or None) for li in order.line_items}
    return InvoiceInputs(posting, customer, items, ACCOUNTS if accounts is None else accounts,
                         TODAY, customer_problem="guest without e-mail")
