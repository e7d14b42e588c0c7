"""A WooCommerce order -> the GP sales invoice exactly as it will be posted (or why not).

Pure: everything that needs the database or GP (the customer id, which SKUs GP knows, the GL
accounts, tax detail ids, today's date) is resolved by the caller into `InvoiceInputs`. The result
is a `MappedInvoice`, a `Held` (a person must fix something: sku / gl / customer / totals) or a
`Rejected` (configuration makes a document GP would refuse, e.g. a number template too long).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.config import PostingSettings
from core.gp.gateway import GPCustomer, GPDistribution, GPPayment, SalesInvoice
from core.money import ZERO, to_cents
from core.woo.views import OrderView

from .currency import rate_for
from .lines import UnknownSku, lines_total, map_lines, resolve_items
from .payments import gateway_rule
from .rules import check_invoice
from .ship_to import order_ship_to
from .totals import Figures, order_figures


@dataclass(frozen=True)
class Held:
    reason: str  # one of core.store.models.HOLD_REASONS
    detail: str  # what a person must do, in plain words
    figures: Mapping[str, str] | None = None
    unknown_skus: tuple[UnknownSku, ...] = ()
    missing_accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    detail: str  # GP would refuse this document; configuration must change


@dataclass(frozen=True)
class MappedInvoice:
    invoice: SalesInvoice
    figures: Figures
    expected_total: Decimal  # what GP must show on read-back, to the cent
    paid: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvoiceInputs:
    posting: PostingSettings
    customer: GPCustomer | None  # None: the customer cannot be decided (held "customer")
    items: Mapping[str, str | None]  # sku key -> GP item (None: GP does not know it)
    accounts: Mapping[str, str | None]  # account kind -> GP account (None: not configured)
    today: date
    tax_details: Mapping[int, str | None] = field(default_factory=dict)  # Woo rate id -> GP id
    customer_problem: str = ""  # why `customer` is None
    functional_currency: str = "USD"  # GP's ([gp] functional_currency)


def render(template: str, **values: object) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"template {template!r} cannot be filled: {exc}") from exc


def invoice_number(order: OrderView, posting: PostingSettings) -> str:
    return render(posting.doc_number_template, number=order.number, id=order.id).upper()


def batch_id(posting: PostingSettings, today: date) -> str:
    return render(posting.batch_template, date=today).upper()


def needed_accounts(figures: Figures, *, paid: bool, tax_mode: str) -> list[str]:
    kinds = ["sales", "receivables"]
    for kind, amount in (("freight", figures.freight), ("misc", figures.misc),
                         ("discount", figures.discount), ("rounding", figures.rounding)):
        if amount:
            kinds.append(kind)
    if figures.tax:  # tax_mode "gp" too: GP's tax is credited there, WooCommerce's expected
        kinds.append("tax")
    if paid:
        kinds.append("cash")
    return kinds


def missing_accounts_detail(missing: list[str], customer: GPCustomer) -> str:
    which = ", ".join(missing)
    return (f"no GL account for {which}: set the company default (or one for customer class "
            f"{customer.class_id or '-'} or customer {customer.customer_id}) in GL mapping"
            + (", and the payment gateway's cash account" if "cash" in missing else ""))


def _tax_details(order: OrderView, tax: Decimal, details: Mapping[int, str | None],
                 decimals: int) -> list[tuple[str, Decimal]]:
    """GP tax detail lines, only when every taxed rate is mapped and they add up exactly;
    otherwise the header tax amount (on the tax account) carries it alone."""
    out: dict[str, Decimal] = {}
    for t in order.tax_lines:
        amount = to_cents(t.amount, decimals)
        if not amount:
            continue
        gp_id = details.get(t.rate_id)
        if not gp_id:
            return []
        out[gp_id] = out.get(gp_id, ZERO) + amount
    rows = [(k, v) for k, v in out.items()]
    return rows if sum((v for _, v in rows), ZERO) == tax else []


def gp_tax_schedule(order: OrderView, schedules: Mapping[str, str]) -> tuple[str, str]:
    """tax_mode "gp": (the GP tax schedule GP taxes this order by, why it cannot be chosen).

    An order without tax sends none (GP falls back to the ship-to's schedule, else SOP setup's);
    a taxed rate with no schedule, or rates mapped to different schedules, cannot be posted."""
    taxed = sorted({t.rate_id for t in order.tax_lines if t.amount})
    if not taxed:
        return "", ""
    missing = [str(r) for r in taxed if not schedules.get(str(r), "").strip()]
    if missing:
        return "", (f"GP computes the tax ([posting] tax_mode = \"gp\") but WooCommerce tax "
                    f"rate {', '.join(missing)} has no GP tax schedule: add it to [posting] "
                    "tax_schedules (rate id = GP tax schedule id), then replay")
    found = {schedules[str(r)].strip().upper() for r in taxed}
    if len(found) > 1:
        return "", (f"WooCommerce taxed this order at rates {', '.join(map(str, taxed))}, mapped "
                    f"to GP tax schedules {', '.join(sorted(found))}; GP taxes a document by one "
                    "schedule: map them to one schedule holding every detail, then replay")
    return found.pop(), ""


def distributions(figures: Figures, accounts: Mapping[str, str | None], *, paid_amount: Decimal,
                  include_tax: bool) -> list[GPDistribution]:
    """The invoice's GL distribution: debits (receivables, cash, trade discount) equal credits
    (sales, freight, misc, tax, rounding)."""
    total = figures.gp_total if include_tax else figures.gp_total - figures.tax
    rows: list[GPDistribution] = []

    def add(kind: str, account_kind: str, debit: Decimal = ZERO, credit: Decimal = ZERO) -> None:
        if debit or credit:
            rows.append(GPDistribution(kind, accounts.get(account_kind) or "", debit, credit))

    add("RECV", "receivables", debit=total - paid_amount)
    add("CASH", "cash", debit=paid_amount)
    add("TRADE", "discount", debit=figures.discount)
    add("SALES", "sales", credit=figures.lines)
    add("FREIGHT", "freight", credit=figures.freight)
    add("MISC", "misc", credit=figures.misc)
    if include_tax:
        add("TAXES", "tax", credit=figures.tax)
    if figures.rounding > 0:
        add("ROUNDING", "rounding", credit=figures.rounding)
    elif figures.rounding < 0:
        add("ROUNDING", "rounding", debit=-figures.rounding)
    return rows


def map_invoice(order: OrderView, inputs: InvoiceInputs) -> MappedInvoice | Held | Rejected:
    posting = inputs.posting
    tol = Decimal(posting.rounding_tolerance)
    customer = inputs.customer
    if customer is None:
        return Held("customer", inputs.customer_problem or
                    "the GP customer for this order cannot be decided")
    if not order.line_items:
        return Held("totals", "the order has no line items: nothing to invoice")
    fallback = posting.fallback_item if posting.allow_fallback_item else None
    resolved, unknown = resolve_items(order.line_items, inputs.items, fallback_item=fallback)
    if unknown:
        names = ", ".join(u.sku or "(none)" for u in unknown)
        return Held("sku", f"GP has no item for {names}: map the SKU(s) in Flagged SKUs",
                    unknown_skus=tuple(unknown))
    figures = order_figures(order, tolerance=tol, tax_mode=posting.tax_mode)
    if not figures.within_tolerance:
        return Held("totals", figures.describe() + f"; beyond the rounding tolerance {tol}",
                    figures=figures.as_dict())
    rule = gateway_rule(posting.gateways, order.payment_method)
    paid = rule.paid and order.date_paid is not None and figures.woo_total > 0
    include_tax = posting.tax_mode == "woo"
    schedule, problem = (gp_tax_schedule(order, posting.tax_schedules) if not include_tax
                         else ("", ""))
    if problem:
        return Held("tax", problem, figures=figures.as_dict())
    missing = [k for k in needed_accounts(figures, paid=paid, tax_mode=posting.tax_mode)
               if not inputs.accounts.get(k)]
    if missing:
        return Held("gl", missing_accounts_detail(missing, customer),
                    figures=figures.as_dict(), missing_accounts=tuple(missing))
    rate = rate_for(posting, inputs.functional_currency, order.currency)
    if rate.problem:
        return Held("currency", rate.problem, figures=figures.as_dict())
    try:
        number = invoice_number(order, posting)
        batch = batch_id(posting, inputs.today)
    except ValueError as exc:
        return Rejected(str(exc))
    d = figures.decimals
    lines = map_lines(order.line_items, resolved, uofm=posting.unit_of_measure,
                      site=posting.site, sales_account=inputs.accounts["sales"] or "", decimals=d)
    assert lines_total(lines) == figures.lines
    tax = figures.tax if include_tax else ZERO
    total = figures.gp_total if include_tax else figures.gp_total - figures.tax
    # GP's ids from the gateway's mapping; WooCommerce's title is never one (payments.py).
    payments = ([GPPayment(rule.payment_type, total, rule.checkbook, rule.card_type,
                           order.transaction_id[:20])]
                if paid else [])
    notes = []
    if rule.problem and order.date_paid is not None and figures.woo_total > 0:
        notes.append(rule.problem)
    if figures.rounding:
        notes.append(f"rounding {figures.rounding} to {inputs.accounts.get('rounding')}")
    ship_to, cut = order_ship_to(order)
    notes.extend(cut)
    invoice = SalesInvoice(
        number=number, customer_id=customer.customer_id, batch=batch,
        doc_date=(order.date_created.date() if order.date_created else inputs.today),
        po_number=order.number[:20], lines=lines, freight=figures.freight,
        # The rounding difference rides on misc (up) or the trade discount (down), with its own
        # ROUNDING distribution, so GP's total equals WooCommerce's and the cent is visible.
        misc=figures.misc + max(figures.rounding, ZERO),
        trade_discount=figures.discount + max(-figures.rounding, ZERO), tax=tax,
        total=total, currency=order.currency, exchange_rate=rate.rate,
        note=order.customer_note,
        ship_to_address_id=customer.ship_to_address_id,
        bill_to_address_id=customer.bill_to_address_id, ship_to=ship_to,
        tax_details=_tax_details(order, tax, inputs.tax_details, d) if include_tax else [],
        gp_computes_tax=not include_tax, tax_schedule=schedule,
        # tax_mode "gp" as well: the tax GP will compute is expected to be WooCommerce's, so the
        # receivable carries it; a rounding difference GP leaves is brought in line afterwards
        # (core.pipeline.gp_tax.rounded) with GP's own tax on this line.
        distributions=distributions(figures, inputs.accounts,
                                    paid_amount=total if paid else ZERO, include_tax=True),
        payments=payments)
    problems = check_invoice(invoice, d)
    if problems:
        return Rejected("GP would refuse invoice " + number + ": " + "; ".join(problems))
    return MappedInvoice(invoice, figures, figures.gp_total, paid, tuple(notes))
