"""One pair's figures for `demo --headless --pairs`, counted from GP's documents and the shop's
orders, not from our own state alone.

A GP company fed by two shops holds both shops' documents: this pair's are the ones whose number
starts with its own prefix ([posting] doc_number_template for invoices, refund_number_template for
credit memos and returns). The prefixes of two pairs in one company never start with each
other's (core.shared_company refuses that), so the split is exact.

- orders: the shop's orders; postable: the ones our configuration invoices (or already in GP),
  not counting an order held for a SKU GP lacks (the demo's deliberate exception);
- posted: postable orders that have an invoice in GP (read from GP); verified: postable orders
  our read-back of GP found to agree (state "verified");
- duplicates: document numbers this pair has more than once in GP, and orders (customer PO
  numbers) with more than one invoice that is not void;
- totals per currency: for every invoice of this pair, GP's total against the shop order's total,
  in the invoice's currency (an EUR order's EUR invoice compares in EUR), summed per currency;
  an invoice in another currency than its order, or for no order, is a mismatch. The same for
  credit memos and returns against the shop's refunds (our state names which refund each
  credits; the amounts compared are GP's and the shop's).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from core.config import Settings, Workspace
from core.pipeline.eligibility import invoiceable
from core.shared_company import fixed_text
from core.store.db import close_db, init_db
from core.store.models import Order, Refund
from core.store.states import POSTED_STATES, DocState
from tui.demo.setup import state_of

SHOWN = 20  # at most this many order numbers in a list


def pair_documents(settings: Settings, gp: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """This pair's documents in its GP company, by kind (invoices, credit_memos, returns)."""
    invoice = fixed_text(settings.posting.doc_number_template)
    refund = fixed_text(settings.posting.refund_number_template)

    def mine(docs: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
        return [d for d in docs if str(d.get("number", "")).upper().startswith(prefix)]

    return {"invoices": mine(gp.get("invoices", []), invoice),
            "credit_memos": mine(gp.get("credit_memos", []), refund),
            "returns": mine(gp.get("returns", []), refund)}


def _our_rows(ws: Workspace, settings: Settings
              ) -> tuple[list[tuple[Any, ...]], Counter[str], list[tuple[int, str | None]]]:
    """(woo id, number, status, state, hold reason) of every order in the pair's state, its
    refunds by state, and (refund id, GP document number) of each refund."""
    init_db(state_of(ws, settings))
    try:
        orders: list[Any] = list(Order.select(Order.woo_id, Order.number, Order.status,
                                              Order.state, Order.hold_reason).tuples())
        refund_rows: list[Any] = list(Refund.select(Refund.state, Refund.woo_id,
                                                    Refund.gp_doc_number).tuples())
        refunds = Counter(str(r[0]) for r in refund_rows)
        return orders, refunds, [(int(r[1]), r[2]) for r in refund_rows]
    finally:
        close_db()


def duplicates(docs: dict[str, list[dict[str, Any]]]) -> list[str]:
    every = docs["invoices"] + docs["credit_memos"] + docs["returns"]
    by_number = Counter(str(d.get("number")) for d in every)
    by_po = Counter(str(d.get("po")) for d in docs["invoices"] if d.get("state") != "void")
    return sorted([n for n, c in by_number.items() if c > 1]
                  + [f"PO {p}" for p, c in by_po.items() if c > 1 and p])


Counterpart = Callable[[dict[str, Any]], "tuple[str, str, Decimal] | None"]


def compare_totals(docs: list[dict[str, Any]], counterpart: Counterpart, what: str
                   ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per currency of GP's documents (void ones aside): how many, GP's total, the shop's
    total of their counterparts (label, currency, amount), GP's functional total, the rates,
    matched; and each mismatch said with both figures."""
    sums: dict[str, dict[str, Any]] = defaultdict(lambda: {
        what: 0, "gp_total": Decimal(0), "shop_total": Decimal(0),
        "gp_functional_total": Decimal(0), "exchange_rates": set(), "matched": True})
    mismatches: list[str] = []
    for doc in docs:
        if doc.get("state") == "void":
            continue
        code = str(doc.get("currency") or "")
        gp_total = Decimal(str(doc.get("total")))
        row = sums[code]
        row[what] += 1
        row["gp_total"] += gp_total
        functional = (doc.get("functional") or {}).get("total")
        row["gp_functional_total"] += Decimal(str(functional)) if functional else gp_total
        if doc.get("exchange_rate"):
            row["exchange_rates"].add(str(doc["exchange_rate"]))
        found = counterpart(doc)
        if found is None:
            row["matched"] = False
            mismatches.append(f"{doc.get('number')}: GP {code} {gp_total}, nothing in the shop "
                              f"for it (PO {doc.get('po')!r})")
            continue
        label, shop_code, shop_total = found
        row["shop_total"] += shop_total
        if shop_code != code or shop_total != gp_total:
            row["matched"] = False
            mismatches.append(f"{doc.get('number')}: GP {code} {gp_total}, {label} "
                              f"{shop_code} {shop_total}")
    shown = {code: {**row, "gp_total": str(row["gp_total"]),
                    "shop_total": str(row["shop_total"]),
                    "gp_functional_total": str(row["gp_functional_total"]),
                    "exchange_rates": sorted(row["exchange_rates"])}
             for code, row in sorted(sums.items())}
    return shown, mismatches


def totals_by_currency(invoices: list[dict[str, Any]], shop_orders: dict[str, dict[str, Any]]
                       ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """GP's invoices against the shop's orders (by customer PO number = order number)."""
    def order_of(doc: dict[str, Any]) -> tuple[str, str, Decimal] | None:
        order = shop_orders.get(str(doc.get("po")))
        if order is None:
            return None
        return (f"shop order {order.get('number')}", str(order.get("currency") or ""),
                Decimal(str(order.get("total"))))

    return compare_totals(invoices, order_of, "invoices")


def refund_totals_by_currency(credit_docs: list[dict[str, Any]],
                              shop_refund_of: dict[str, tuple[str, str, Decimal]]
                              ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """GP's credit memos and returns against the shop's refunds (label, currency, amount) by
    GP document number."""
    return compare_totals(credit_docs,
                          lambda doc: shop_refund_of.get(str(doc.get("number")).upper()),
                          "credit_documents")


def _shop_refunds(refund_links: list[tuple[int, str | None]], woo: dict[str, Any],
                  orders_by_id: dict[int, dict[str, Any]]) -> dict[str, tuple[str, str, Decimal]]:
    """GP document number -> (label, currency, amount) of the shop's refund it credits: our
    state links the two (refund id -> document number); the figures are the shop's."""
    refunds = {int(r["id"]): r for r in woo.get("refunds", [])}
    found: dict[str, tuple[str, str, Decimal]] = {}
    for woo_id, doc in refund_links:
        refund = refunds.get(int(woo_id))
        if not doc or refund is None:
            continue
        order = orders_by_id.get(int(refund.get("parent_id") or 0), {})
        found[str(doc).upper()] = (f"shop refund {woo_id} of order {order.get('number')}",
                                   str(order.get("currency") or ""),
                                   abs(Decimal(str(refund.get("amount")))))
    return found


def pair_figures(name: str, ws: Workspace, settings: Settings, woo: dict[str, Any],
                 gp: dict[str, Any]) -> dict[str, Any]:
    """The figures of pair `name` (see the module's text); `woo` and `gp` are the stand-ins'
    /_sandbox/state of its shop and of its GP company."""
    docs = pair_documents(settings, gp)
    shop_by_id = {int(o["id"]): o for o in woo.get("orders", [])}
    shop_by_number = {str(o.get("number") or o["id"]): o for o in shop_by_id.values()}
    rows, refund_states, refund_links = _our_rows(ws, settings)
    eligible = settings.posting.eligible_statuses

    def postable(woo_id: int, status: str, state: str, hold: str | None) -> bool:
        if state == DocState.HELD and hold == "sku":
            return False
        shop_status = str(shop_by_id.get(woo_id, {}).get("status", status))
        return invoiceable(shop_status, None, eligible) or state in POSTED_STATES

    wanted = [r for r in rows if postable(r[0], r[2], r[3], r[4])]
    in_gp = {str(d.get("po")) for d in docs["invoices"] if d.get("state") != "void"}
    posted = [r for r in wanted if str(r[1]) in in_gp]
    verified = [r for r in wanted if r[3] == DocState.VERIFIED and str(r[1]) in in_gp]
    unverified = [f"{r[1]} ({r[3]}{': ' + r[4] if r[4] else ''})" for r in wanted
                  if not (r[3] == DocState.VERIFIED and str(r[1]) in in_gp)]
    doubled = duplicates(docs)
    totals, mismatches = totals_by_currency(docs["invoices"], shop_by_number)
    refund_totals, refund_mismatches = refund_totals_by_currency(
        docs["credit_memos"] + docs["returns"], _shop_refunds(refund_links, woo, shop_by_id))
    states = Counter(("held: " + r[4]) if r[3] == DocState.HELD and r[4] else str(r[3])
                     for r in rows)
    return {
        "pair": name,
        "gp_company": gp.get("company", {}).get("name", ""),
        "shop_currencies": sorted({str(o.get("currency")) for o in shop_by_id.values()}),
        "orders": len(shop_by_id),
        "postable": len(wanted),
        "posted": len(posted),
        "verified": len(verified),
        "every_postable_order_verified": not unverified,
        "not_verified": unverified[:SHOWN],
        "flagged_sku_orders": states.get("held: sku", 0),
        "orders_by_state": dict(sorted(states.items())),
        "refunds_in_shop": len(woo.get("refunds", [])),
        "refunds_by_state": dict(sorted(refund_states.items())),
        "gp_documents": {kind: len(found) for kind, found in docs.items()},
        "duplicates": len(doubled),
        "duplicate_documents": doubled[:SHOWN],
        "totals_by_currency": totals,
        "refund_totals_by_currency": refund_totals,
        "totals_matched": not mismatches and not refund_mismatches and bool(totals),
        "total_mismatches": (mismatches + refund_mismatches)[:SHOWN],
    }


def pair_lines(summary: dict[str, Any]) -> list[str]:
    """The per-pair figures as a short table (the JSON has the detail)."""
    lines = [f"{'pair':<10} {'GP company':<10} {'orders':>6} {'postable':>8} {'posted':>6} "
             f"{'verified':>8} {'duplicates':>10}  totals per currency (GP = shop)"]
    for name, f in summary["pairs"].items():
        company = str(f["gp_company"]).split(":", 1)[0]
        totals = "; ".join(
            [f"{code} {t['gp_total']} {'=' if t['matched'] else '!='} {t['shop_total']} "
             f"({t['invoices']} invoices)" for code, t in f["totals_by_currency"].items()]
            + [f"{code} {t['gp_total']} {'=' if t['matched'] else '!='} {t['shop_total']} "
               f"({t['credit_documents']} credits)"
               for code, t in f["refund_totals_by_currency"].items()])
        lines.append(f"{name:<10} {company:<10} {f['orders']:>6} {f['postable']:>8} "
                     f"{f['posted']:>6} {f['verified']:>8} {f['duplicates']:>10}  "
                     f"{totals or 'none'}{'' if pair_ok(f) else '  <- NOT OK'}")
    return lines


def pair_ok(figures: dict[str, Any]) -> bool:
    """What `demo --headless --pairs` requires of every pair to exit 0."""
    return (figures["duplicates"] == 0 and figures["every_postable_order_verified"]
            and figures["totals_matched"] and figures["postable"] > 0)
