"""GP's tax engine and GL distributions for SOP documents (gp.md §12, §22 "Tax", "Policies").

Tax: under "Create Taxes = Calculate Taxes" (GP's default) GP ignores the tax sent and computes
it: the schedule is the ship-to address's, else the customer's default address's, else SOP
setup's; taxable lines are those whose item is taxable; freight and miscellaneous are not taxed
(SOP setup's default, no freight/misc schedule in this company). Each detail's tax is computed on
the taxable amount and rounded once, per detail, at the currency's decimals by the detail's
rounding option; the header tax is the sum of the details [cc508129]. Under "Taxes Will Be
Provided" the details sent are taken: each must exist (TX00201) and the header tax must equal
their sum, else the document is refused (RM error 712's SOP analogue; inferred).

Distributions: under "Automatically Create Distributions" (GP's default) GP builds them from
its posting accounts and ignores any sent [cc508406]; under "Distributions Will Be Provided" the
ones sent are kept, their accounts must exist (716) and debits must equal credits.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.gp.references import References
from sandbox.gp.rules import Call, Errors, amount, cents, key_id

ZERO = Decimal(0)
_ROUNDING = {"Up to the Next Currency Decimal Digit": (ROUND_CEILING, 2),
             "To the Nearest Currency Decimal Digit": (ROUND_HALF_UP, 2),
             "Down to the Previous Currency Decimal Digit": (ROUND_FLOOR, 2),
             "Up to the Next Whole Digit": (ROUND_CEILING, 0),
             "To the Nearest Whole Digit": (ROUND_HALF_UP, 0),
             "Down to the Previous Whole Digit": (ROUND_FLOOR, 0)}
# SOP distribution types (gp.md §10.3).
SALES, RECEIVABLES, CASH, TRADE, FREIGHT, MISC, TAXES = 1, 2, 3, 6, 7, 8, 9


def round_tax(value: Decimal, option: str) -> Decimal:
    mode, places = _ROUNDING.get(option, (ROUND_HALF_UP, 2))
    return value.quantize(Decimal(1).scaleb(-places), rounding=mode)


def schedule_for(call: Call, customer_id: str, ship_to: str, customer: dict[str, Any]) -> str:
    store = call.store
    for address_id in (ship_to, customer.get("default_address", "")):
        if address_id:
            addr = store.address(customer_id, address_id) or {}
            if addr.get("tax_schedule"):
                return str(addr["tax_schedule"])
    setup = store.find_reference("setup", "sop")
    return str((setup[1] if setup else {}).get("tax_schedule", ""))


def calculated_taxes(call: Call, lines: list[dict[str, Any]], schedule: str
                     ) -> list[dict[str, Any]]:
    """[{detail, amount, taxable, account}] as GP computes them for the document."""
    found = call.store.find_reference("tax_schedule", schedule) if schedule else None
    if found is None:
        return []
    taxable = sum((Decimal(str(ln["extended"])) for ln in lines if ln.get("taxable")), ZERO)
    out = []
    for detail_id in found[1].get("details", []):
        detail = call.store.find_reference("tax_detail", detail_id)
        if detail is None:
            continue
        row = detail[1]
        tax = round_tax(taxable * Decimal(row["percent"]) / 100, row.get("rounding", ""))
        out.append({"detail": detail[0], "amount": tax, "taxable": taxable,
                    "account": row.get("account", "")})
    return out


def provided_taxes(call: Call, src: dict[str, Any], header_tax: Decimal | None,
                   errors: Errors, refs: References) -> tuple[list[dict[str, Any]], Decimal]:
    taxes = [t for t in next(iter((src.get("Taxes") or {}).values()), []) or [] if t]
    if taxes and not call.header_level_taxes:
        errors.add("Header-level tax details were sent but the policy's Use Header Level Taxes "
                   "behaviour is off: send the taxes on the lines (inferred).", "Taxes")
    out = []
    for j, t in enumerate(taxes):
        detail_id = key_id((t.get("Key") or {}).get("TaxDetailKey"))
        detail = refs.find("tax_detail", detail_id or "", f"Taxes[{j}].Key.TaxDetailKey.Id")
        row = call.store.find_reference("tax_detail", detail) if detail else None
        out.append({"detail": detail or detail_id or "",
                    "amount": cents(amount(t.get("TaxAmount")) or ZERO),
                    "taxable": amount(t.get("TaxableAmount")),
                    "account": (row[1].get("account", "") if row else "")})
    total = sum((t["amount"] for t in out), ZERO)
    tax = cents(header_tax) if header_tax is not None else total
    if tax != total:
        # eConnect 712 says it for RM ("Tax amount (TAXAMNT) does not equal tax details in
        # RM10601"); the SOP analogue's number is unpublished, so none is given (inferred).
        errors.add(f"Tax amount (TAXAMNT) {tax} does not equal the tax details in SOP10105 "
                   f"({total}).", "TaxAmount")
    return out, tax


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
    rows += [(TAXES, t["account"], ZERO, Decimal(str(t["amount"]))) for t in doc["taxes"]]
    out = [{"type": kind, "account": account, "debit": debit, "credit": credit}
           for kind, account, debit, credit in rows if debit or credit]
    if doc["kind"] == "return":
        out = [{**d, "debit": d["credit"], "credit": d["debit"]} for d in out]
    return out


def provided_distributions(src: dict[str, Any], errors: Errors, refs: References,
                           proc: str) -> list[dict[str, Any]]:
    sent = [d for d in next(iter((src.get("Distributions") or {}).values()), []) or [] if d]
    out = []
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
