"""GP's own rules, checked before anything is sent (the field lengths Web Services enforces,
"lines must sum").

GP's WSDL has no maxLength facets: an over-long key would be cut or refused by GP after the
round trip. Checking here turns that into a clear message on the order instead.
"""
from __future__ import annotations

from decimal import Decimal

from core.gp.gateway import CreditMemo, GPDistribution, GPLine, SalesInvoice, SalesReturn
from core.money import ZERO, to_cents

SOP_NUMBER_MAX = 17
RM_NUMBER_MAX = 15
CUSTOMER_MAX = 15
BATCH_MAX = 15
PO_MAX = 20
ITEM_MAX = 30
UOFM_MAX = 8
SITE_MAX = 10
DESCRIPTION_MAX = 100
RM_DESCRIPTION_MAX = 30
MONEY_LIMIT = Decimal(10) ** 14  # numeric(19,5)


def _key(problems: list[str], what: str, value: str, limit: int) -> None:
    if not value:
        problems.append(f"{what} is empty")
    elif len(value) > limit:
        problems.append(f"{what} {value!r} is {len(value)} characters; GP allows {limit}")


def _money(problems: list[str], what: str, value: Decimal, *, signed: bool = False) -> None:
    if abs(value) >= MONEY_LIMIT:
        problems.append(f"{what} {value} is too large for GP")
    if not signed and value < 0:
        problems.append(f"{what} {value} is negative")


def check_lines(lines: list[GPLine], decimals: int = 2) -> list[str]:
    problems: list[str] = []
    for n, li in enumerate(lines, 1):
        _key(problems, f"line {n} item", li.item, ITEM_MAX)
        if len(li.uofm) > UOFM_MAX:
            problems.append(f"line {n} unit of measure {li.uofm!r} is over {UOFM_MAX} characters")
        if len(li.site) > SITE_MAX:
            problems.append(f"line {n} site {li.site!r} is over {SITE_MAX} characters")
        if len(li.description) > DESCRIPTION_MAX:
            problems.append(f"line {n} description is over {DESCRIPTION_MAX} characters")
        if li.quantity <= 0:
            problems.append(f"line {n} quantity {li.quantity} is not positive")
        _money(problems, f"line {n} unit price", li.unit_price)
        if to_cents(li.quantity * li.unit_price, decimals) != li.extended_price:
            problems.append(f"line {n}: {li.quantity} x {li.unit_price} does not make "
                            f"{li.extended_price}")
    return problems


def check_distributions(dists: list[GPDistribution], total: Decimal) -> list[str]:
    problems: list[str] = []
    if not dists:
        return problems
    debit = sum((d.debit for d in dists), ZERO)
    credit = sum((d.credit for d in dists), ZERO)
    for d in dists:
        if not d.account:
            problems.append(f"{d.kind} distribution has no account")
        if d.debit < 0 or d.credit < 0:
            problems.append(f"{d.kind} distribution is negative")
    if debit != credit:
        problems.append(f"distributions do not balance: debit {debit}, credit {credit}")
    return problems


def _sop_keys(problems: list[str], doc: SalesInvoice | SalesReturn, number_what: str) -> None:
    """The keys an SOP document (invoice or return) carries, within GP's lengths."""
    _key(problems, number_what, doc.number, SOP_NUMBER_MAX)
    _key(problems, "customer id", doc.customer_id, CUSTOMER_MAX)
    _key(problems, "batch id", doc.batch, BATCH_MAX)
    if len(doc.po_number) > PO_MAX:
        problems.append(f"customer PO {doc.po_number!r} is over {PO_MAX} characters")


def _sop_amounts(problems: list[str], doc: SalesInvoice | SalesReturn, decimals: int) -> Decimal:
    """An SOP document's lines and header amounts; returns the lines' total."""
    problems += check_lines(doc.lines, decimals)
    for what, value in (("freight", doc.freight), ("misc", doc.misc), ("tax", doc.tax),
                        ("trade discount", doc.trade_discount), ("total", doc.total)):
        _money(problems, what, value)
    return sum((li.extended_price for li in doc.lines), ZERO)


def check_invoice(inv: SalesInvoice, decimals: int = 2) -> list[str]:
    problems: list[str] = []
    _sop_keys(problems, inv, "document number")
    if not inv.lines:
        problems.append("the invoice has no lines")
    lines = _sop_amounts(problems, inv, decimals)
    expect = lines - inv.trade_discount + inv.freight + inv.misc + inv.tax
    if expect != inv.total:
        problems.append(f"total {inv.total} is not lines {lines} - discount {inv.trade_discount} "
                        f"+ freight {inv.freight} + misc {inv.misc} + tax {inv.tax} = {expect}")
    if inv.tax_details and sum((a for _, a in inv.tax_details), ZERO) != inv.tax:
        problems.append("tax details do not add up to the tax amount")
    paid = sum((p.amount for p in inv.payments), ZERO)
    if paid > inv.total:
        problems.append(f"payments {paid} exceed the total {inv.total}")
    problems += check_distributions(inv.distributions, inv.total)
    return problems


def check_credit_memo(memo: CreditMemo) -> list[str]:
    problems: list[str] = []
    _key(problems, "credit memo number", memo.number, RM_NUMBER_MAX)
    _key(problems, "customer id", memo.customer_id, CUSTOMER_MAX)
    _key(problems, "batch id", memo.batch, BATCH_MAX)
    if len(memo.description) > RM_DESCRIPTION_MAX:
        problems.append(f"description is over {RM_DESCRIPTION_MAX} characters")
    if memo.amount <= 0:
        problems.append(f"credit memo amount {memo.amount} is not positive")
    _money(problems, "amount", memo.amount)
    problems += check_distributions(memo.distributions, memo.amount)
    return problems


def check_return(ret: SalesReturn, decimals: int = 2) -> list[str]:
    problems: list[str] = []
    _sop_keys(problems, ret, "return number")
    lines = _sop_amounts(problems, ret, decimals)
    if lines - ret.trade_discount + ret.freight + ret.misc + ret.tax != ret.total:
        problems.append(f"return total {ret.total} is not lines {lines} - discount "
                        f"{ret.trade_discount} + freight {ret.freight} + misc {ret.misc} "
                        f"+ tax {ret.tax}")
    return problems
