"""`demo --pairs N`: N shops from a small table, into the two GP companies.

The first rows are `demo --pairs`'s three shops (tui/demo/shops.py); the others are more brands,
mostly selling in USD, some in EUR, taking turns between GP company 1 and GP company 2. Every shop
but the two on the defaults (one per company) gets its own two-letter code, used as

    invoice numbers   CODE{number}          credit memos / returns   CODER{refund_id}
    posting batches   CODE{date:%Y%m%d}     stock adjustment batches CODEIV{date:%Y%m%d}
    customer ids      CODE...

All codes have two letters, none is another's and none starts with W or E (the defaults' "WC",
"WCR", "WCIV" and the European shop's "EU", "EUR", "EUIV"), so no pair's fixed text starts with
another pair's in the same company: core.shared_company accepts them (a unit test checks every N).
The lengths fit GP's: 17 characters for a document number, 15 for a batch or a customer id.
"""
from __future__ import annotations

from core.pairs import DEFAULT_PAIR
from tui.demo.shops import SHOPS, ShopPlan

# (pair, currency, GP company, code); None: the connector's defaults (WC...).
TABLE: tuple[tuple[str, str, int, str | None], ...] = (
    (DEFAULT_PAIR, "USD", 1, None),
    ("company2", "USD", 2, None),
    ("europe", "EUR", 1, "EU"),
    ("garden", "USD", 2, "GA"),
    ("kitchen", "USD", 1, "KI"),
    ("berlin", "EUR", 2, "BE"),
    ("toys", "USD", 1, "TO"),
    ("books", "USD", 2, "BO"),
    ("paris", "EUR", 1, "PA"),
    ("sports", "USD", 2, "SP"),
    ("tools", "USD", 1, "TL"),
    ("music", "USD", 2, "MU"),
    ("madrid", "EUR", 1, "MA"),
    ("pets", "USD", 2, "PE"),
    ("crafts", "USD", 1, "CR"),
    ("vienna", "EUR", 2, "VI"),
)
MOST = len(TABLE)
COMPANY_NAMES = {1: "GP company 1", 2: "GP company 2"}


def coded(code: str) -> tuple[dict[str, str], dict[str, str]]:
    """The [posting] and [products] settings of a shop with its own code."""
    return ({"doc_number_template": f"{code}{{number}}",
             "refund_number_template": f"{code}R{{refund_id}}",
             "batch_template": f"{code}{{date:%Y%m%d}}",
             "customer_id_prefix": code},
            {"adjustment_batch_template": f"{code}IV{{date:%Y%m%d}}"})


def shop_plans(count: int) -> tuple[ShopPlan, ...]:
    """The first `count` shops of the table (2 <= count <= MOST): both GP companies from two
    on, the European shop from three on. ValueError outside that range."""
    if not 2 <= count <= MOST:
        raise ValueError(f"--pairs takes 2 to {MOST} shops, not {count}")
    known = {plan.pair: plan for plan in SHOPS}
    plans = []
    for pair, currency, company, code in TABLE[:count]:
        if pair in known:
            plans.append(known[pair])
            continue
        assert code is not None
        posting, products = coded(code)
        plans.append(ShopPlan(pair, currency, company,
                              f"{pair} shop, {currency}, into {COMPANY_NAMES[company]}",
                              posting=posting, products=products))
    return tuple(plans)


__all__ = ["MOST", "TABLE", "shop_plans"]
