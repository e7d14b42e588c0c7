"""GL distributions for SOP documents, and the tax schedule an address gives one (gp.md §12,
§22 "Tax", "Policies").

Tax (sandbox/gp/sop_tax.py computes and checks it): the schedule an address gives the document
is the ship-to address's, else the customer's default address's, else SOP setup's. GP's own
distributions carry every tax detail: the lines', freight's and miscellaneous's.

Distributions: under "Automatically Create Distributions" (GP's default) GP builds them from
its posting accounts and ignores any sent [cc508406]; under "Distributions Will Be Provided" the
ones sent are kept, their accounts must exist (716) and debits must equal credits.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.gp.references import References
from sandbox.gp.rules import Call, Errors, amount, cents, key_id

ZERO = Decimal(0)
# SOP distribution types (gp.md §10.3).
SALES, RECEIVABLES, CASH, TRADE, FREIGHT, MISC, TAXES = 1, 2, 3, 6, 7, 8, 9


def schedule_for(call: Call, customer_id: str, ship_to: str, customer: dict[str, Any]) -> str:
    store = call.store
    for address_id in (ship_to, customer.get("default_address", "")):
        if address_id:
            addr = store.address(customer_id, address_id) or {}
            if addr.get("tax_schedule"):
                return str(addr["tax_schedule"])
    setup = store.find_reference("setup", "sop")
    return str((setup[1] if setup else {}).get("tax_schedule", ""))


def posting_account(call: Call, name: str) -> str:
    setup = call.store.find_reference("setup", "posting_accounts")
    return str((setup[1] if setup else {}).get(name, ""))


def automatic_distributions(call: Call, doc: dict[str, Any], customer: dict[str, Any]
                            ) -> list[dict[str, Any]]:
    """GP's own distributions for an invoice (a return reverses debit and credit)."""
    acct = {k: str(customer.get(f"{k}_account") or posting_account(call, k))
            for k in ("receivables", "sales", "freight", "misc", "trade", "cash")}
    rows: list[tuple[int, str, Decimal, Decimal]] = []
    paid = Decimal(str(doc["payment"]))
    total = Decimal(str(doc["total"]))
    rows.append((RECEIVABLES, acct["receivables"], total - paid, ZERO))
    for p in doc["payments"]:
        account = acct["cash"]
        if p.get("checkbook"):
            found = call.store.find_reference("checkbook", p["checkbook"])
            account = str((found[1] if found else {}).get("account") or account)
        rows.append((CASH, account, Decimal(str(p["amount"] or 0)), ZERO))
    by_account: dict[str, Decimal] = {}
    for ln in doc["lines"]:
        account = ln.get("sales_account") or acct["sales"]
        by_account[account] = by_account.get(account, ZERO) + Decimal(str(ln["extended"]))
    rows += [(SALES, a, ZERO, v) for a, v in by_account.items()]
    rows.append((TRADE, acct["trade"], Decimal(str(doc["trade_discount"])), ZERO))
    rows.append((FREIGHT, acct["freight"], ZERO, Decimal(str(doc["freight"]))))
    rows.append((MISC, acct["misc"], ZERO, Decimal(str(doc["misc"]))))
    rows += [(TAXES, t["account"], ZERO, Decimal(str(t["amount"])))
             for t in [*doc["taxes"], *doc.get("freight_taxes", []), *doc.get("misc_taxes", [])]]
    out = [{"type": kind, "account": account, "debit": debit, "credit": credit}
           for kind, account, debit, credit in rows if debit or credit]
    if doc["kind"] == "return":
        out = [{**d, "debit": d["credit"], "credit": d["debit"]} for d in out]
    return out


def provided_distributions(src: dict[str, Any], errors: Errors, refs: References,
                           proc: str) -> list[dict[str, Any]]:
    sent = [d for d in next(iter((src.get("Distributions") or {}).values()), []) or [] if d]
    out: list[dict[str, Any]] = []
    for j, d in enumerate(sent):
        account = refs.account(key_id(d.get("GLAccountKey")),
                               f"Distributions[{j}].GLAccountKey.Id", proc)
        out.append({"type": (d.get("DistributionTypeKey") or {}).get("Id"),
                    "account": account or key_id(d.get("GLAccountKey")),
                    "debit": cents(amount(d.get("DebitAmount")) or ZERO),
                    "credit": cents(amount(d.get("CreditAmount")) or ZERO)})
    debit = sum((d["debit"] for d in out), ZERO)
    credit = sum((d["credit"] for d in out), ZERO)
    if debit != credit:
        # GP's text is unpublished; the stand-in's.
        errors.add(f"The distributions do not balance: debits {debit}, credits {credit}.",
                   "Distributions")
    return out
