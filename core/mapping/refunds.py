"""A WooCommerce refund -> its own GP credit document, linked to the invoice.

An RM credit memo (money only) by default; an SOP return when the refunded lines went back to
stock and configuration asks for returns. Partial, amount-only and shipping refunds all map: the
parts the refund's lines explain go to their accounts, the rest is money only (sales returns).
A cancellation after posting becomes a credit memo for what is not yet refunded.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from core.config import PostingSettings
from core.gp.gateway import CreditMemo, GPDistribution, SalesReturn
from core.money import ZERO, to_cents
from core.woo.views import FeeLineView, LineView, OrderView, RefundView, ShippingLineView

from .currency import rate_for
from .documents import Held, Rejected, batch_id, render
from .lines import map_lines, resolve_items
from .rules import check_credit_memo, check_return
from .totals import currency_decimals

STATUS_MEMO_TEMPLATE = "WCC{number}"  # credit for a posted invoice cancelled in WooCommerce


@dataclass(frozen=True)
class RefundInputs:
    posting: PostingSettings
    customer_id: str
    invoice_number: str
    accounts: Mapping[str, str | None]
    today: date
    items: Mapping[str, str | None] = field(default_factory=dict)
    restocked: bool = False
    tax_details: Mapping[int, str | None] = field(default_factory=dict)  # Woo rate -> GP id
    functional_currency: str = "USD"  # GP's ([gp] functional_currency)


@dataclass(frozen=True)
class RefundFigures:
    lines: Decimal
    freight: Decimal
    misc: Decimal  # positive fees given back
    tax: Decimal
    remainder: Decimal  # money only (amount not explained by lines); negative = rounding
    amount: Decimal
    # Negative fees (a "loyalty discount" typed as a fee) given back, as a positive amount. The
    # invoice carried them as trade discount, so the credit reverses that discount: it lowers the
    # credit (amount = lines + freight + misc - discount + tax + remainder).
    discount: Decimal = ZERO

    def as_dict(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in (
            "lines", "freight", "misc", "discount", "tax", "remainder", "amount")}


@dataclass(frozen=True)
class MappedRefund:
    document: CreditMemo | SalesReturn
    doc_type: str  # "credit_memo" | "return"
    expected_total: Decimal
    figures: RefundFigures


def refund_number(refund_id: int, order: OrderView, posting: PostingSettings) -> str:
    return render(posting.refund_number_template, refund_id=refund_id, number=order.number,
                  order_id=order.id, id=refund_id).upper()


def refund_figures(refund: RefundView, decimals: int) -> RefundFigures:
    def c(x: Decimal) -> Decimal:
        return to_cents(x, decimals)

    lines = sum((c(-li.total) for li in refund.line_items), ZERO)
    freight = sum((c(-s.total) for s in refund.shipping_lines), ZERO)
    fees = [c(-f.total) for f in refund.fee_lines]
    misc = sum((f for f in fees if f > 0), ZERO)
    discount = sum((-f for f in fees if f < 0), ZERO)
    if refund.tax_lines:
        tax = sum((c(-t.amount) for t in refund.tax_lines), ZERO)
    else:
        taxed: tuple[LineView | ShippingLineView | FeeLineView, ...] = (
            *refund.line_items, *refund.shipping_lines, *refund.fee_lines)
        tax = sum((c(-x.total_tax) for x in taxed), ZERO)
    amount = c(refund.amount)
    explained = lines + freight + misc - discount + tax
    return RefundFigures(lines, freight, misc, tax, amount - explained, amount, discount)


def _memo_distributions(f: RefundFigures, accounts: Mapping[str, str | None]
                        ) -> list[GPDistribution]:
    rows: list[GPDistribution] = []

    def add(kind: str, account_kind: str, debit: Decimal = ZERO, credit: Decimal = ZERO) -> None:
        if debit or credit:
            rows.append(GPDistribution(kind, accounts.get(account_kind) or "", debit, credit))

    add("RECV", "receivables", credit=f.amount)
    # Reverses the invoice's TRADE debit for a negative fee: GP has no negative distribution.
    add("TRADE", "discount", credit=f.discount)
    add("SALES", "sales", debit=f.lines + max(f.remainder, ZERO))
    add("FREIGHT", "freight", debit=f.freight)
    add("MISC", "misc", debit=f.misc)
    add("TAXES", "tax", debit=f.tax)
    if f.remainder < 0:
        add("ROUNDING", "rounding", credit=-f.remainder)
    return rows


def _needed(f: RefundFigures) -> list[str]:
    kinds = ["receivables"]
    if f.lines or f.remainder > 0:
        kinds.append("sales")
    for kind, amount in (("freight", f.freight), ("misc", f.misc), ("tax", f.tax)):
        if amount:
            kinds.append(kind)
    if f.discount:
        kinds.append("discount")
    if f.remainder < 0:
        kinds.append("rounding")
    return kinds


def refund_tax_details(refund: RefundView, tax: Decimal, details: Mapping[int, str | None],
                       decimals: int) -> list[tuple[str, Decimal]]:
    """GP tax detail lines for what the refund gives back, per WooCommerce rate (from the
    refund's tax lines, else its lines' per-rate taxes); only when every rate is mapped and they
    add up to the refund's tax exactly, else none (the header amount alone)."""
    per_rate: dict[int, Decimal] = {}
    if refund.tax_lines:
        for t in refund.tax_lines:
            per_rate[t.rate_id] = per_rate.get(t.rate_id, ZERO) - t.amount
    else:
        for x in (*refund.line_items, *refund.shipping_lines, *refund.fee_lines):
            for share in getattr(x, "taxes", ()):
                per_rate[share.rate_id] = per_rate.get(share.rate_id, ZERO) - share.total
    out: dict[str, Decimal] = {}
    for rate, amount in per_rate.items():
        amount = to_cents(amount, decimals)
        if not amount:
            continue
        gp_id = details.get(rate)
        if not gp_id:
            return []
        out[gp_id] = out.get(gp_id, ZERO) + amount
    rows = list(out.items())
    return rows if sum((v for _, v in rows), ZERO) == tax else []


def map_refund(refund: RefundView, order: OrderView, inputs: RefundInputs
               ) -> MappedRefund | Held | Rejected:
    posting = inputs.posting
    d = currency_decimals(order.currency)
    tol = Decimal(posting.rounding_tolerance)
    f = refund_figures(refund, d)
    if f.amount <= 0:
        return Held("totals", f"refund {refund.id} has no amount ({refund.amount})")
    if f.remainder < -tol:
        return Held("totals", f"refund {refund.id}: its lines make {f.amount - f.remainder}, "
                    f"more than the refunded amount {f.amount}", figures=f.as_dict())
    as_return = (inputs.restocked and posting.refund_document == "return_when_restocked"
                 and bool(refund.line_items))
    missing = [k for k in _needed(f) if not inputs.accounts.get(k)]
    if missing:
        return Held("gl", f"no GL account for {', '.join(missing)}: set the company default in "
                    "GL mapping", figures=f.as_dict())
    try:
        number = refund_number(refund.id, order, posting)
        batch = batch_id(posting, inputs.today)
    except ValueError as exc:
        return Rejected(str(exc))
    doc_date = refund.date_created.date() if refund.date_created else inputs.today
    # In the credited order's currency, at the rate the accountant chose for it.
    rate = rate_for(posting, inputs.functional_currency, order.currency)
    if rate.problem:
        return Held("currency", rate.problem, figures=f.as_dict())
    if as_return:
        resolved, unknown = resolve_items(refund.line_items, inputs.items)
        if unknown:
            return Held("sku", "GP has no item for " + ", ".join(u.sku for u in unknown),
                        unknown_skus=tuple(unknown))
        lines = map_lines(refund.line_items, resolved, uofm=posting.unit_of_measure,
                          site=posting.site, sales_account=inputs.accounts.get("sales") or "",
                          decimals=d, sign=-1, after_discount=True)
        ret = SalesReturn(number=number, customer_id=inputs.customer_id, batch=batch,
                          doc_date=doc_date, po_number=order.number[:20], lines=lines,
                          freight=f.freight, misc=f.misc + f.remainder, tax=f.tax,
                          trade_discount=f.discount, total=f.amount,
                          note=(refund.reason or "")[:200],
                          tax_details=refund_tax_details(refund, f.tax, inputs.tax_details, d),
                          currency=order.currency, exchange_rate=rate.rate)
        if ret.misc < 0:  # a rounding cent the other way: GP has no negative misc amount
            ret = _shift_negative_misc(ret)
        problems = check_return(ret, d)
        if problems:
            return Rejected(f"GP would refuse return {number}: " + "; ".join(problems))
        return MappedRefund(ret, "return", f.amount, f)
    memo = CreditMemo(number=number, customer_id=inputs.customer_id, batch=batch,
                      doc_date=doc_date, amount=f.amount,
                      description=f"Refund {refund.id} of order {order.number}"[:30],
                      apply_to=inputs.invoice_number,
                      distributions=_memo_distributions(f, inputs.accounts),
                      currency=order.currency, exchange_rate=rate.rate)
    problems = check_credit_memo(memo)
    if problems:
        return Rejected(f"GP would refuse credit memo {number}: " + "; ".join(problems))
    return MappedRefund(memo, "credit_memo", f.amount, f)


def _shift_negative_misc(ret: SalesReturn) -> SalesReturn:
    """Move a negative misc (the rounding cent the other way) onto the trade discount, as the
    invoice does, so no amount is negative and the total is unchanged."""
    return replace(ret, misc=ZERO, trade_discount=ret.trade_discount - ret.misc)


def status_memo_number(order: OrderView) -> str:
    return render(STATUS_MEMO_TEMPLATE, number=order.number, id=order.id).upper()


def map_status_credit(order: OrderView, inputs: RefundInputs, *, amount: Decimal,
                      reason: str) -> MappedRefund | Held | Rejected:
    """Credit what a posted invoice still owes when WooCommerce cancels the order."""
    d = currency_decimals(order.currency)
    amount = to_cents(amount, d)
    f = RefundFigures(ZERO, ZERO, ZERO, ZERO, amount, amount, ZERO)
    missing = [k for k in ("receivables", "sales") if not inputs.accounts.get(k)]
    if missing:
        return Held("gl", f"no GL account for {', '.join(missing)}")
    number = status_memo_number(order)
    rate = rate_for(inputs.posting, inputs.functional_currency, order.currency)
    if rate.problem:
        return Held("currency", rate.problem)
    memo = CreditMemo(number=number, customer_id=inputs.customer_id,
                      batch=batch_id(inputs.posting, inputs.today), doc_date=inputs.today,
                      amount=amount, description=f"{reason} order {order.number}"[:30],
                      apply_to=inputs.invoice_number,
                      distributions=_memo_distributions(f, inputs.accounts),
                      currency=order.currency, exchange_rate=rate.rate)
    problems = check_credit_memo(memo)
    if problems:
        return Rejected(f"GP would refuse credit memo {number}: " + "; ".join(problems))
    return MappedRefund(memo, "credit_memo", amount, f)
