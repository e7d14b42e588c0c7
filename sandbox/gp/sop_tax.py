"""GP's sales tax on an SOP document: its schedules, the tax details it keeps per line, for
freight and for miscellaneous (SOP10105), and the checks on taxes provided (gp.md §12, §22 "Tax").

Schedules (Advanced tax, §12). The document's schedule is the one sent on the header
(TaxScheduleKey; it must exist, eConnect 7023; eConnect's default DEFTAXSCHDS = 0 keeps the
schedule passed), else the ship-to address's, else the customer's default address's, else SOP
setup's. An amount is taxed by the details common to the document's schedule and the amount's own
schedule: a line's item tax schedule (an item with none: every detail of the document's schedule,
inferred); freight's and miscellaneous's schedule (header FreightTaxScheduleKey /
MiscellaneousTaxScheduleKey, else SOP setup's) when their tax basis is Taxable (header
FreightTaxBasis / MiscellaneousTaxBasis, else SOP setup's; Nontaxable unless set up).

Trade discount. GP taxes what is sold after the trade discount: it comes off each line's
taxable amount in proportion to its extended price (inferred).

Rounding. Each detail's tax is computed on the document's taxable amount for that detail and
rounded once, at the currency's decimals, by the detail's rounding option; freight and misc are
rounded per detail on their own. Each line keeps its own row per detail (SOP10105 at the line's
sequence): its share rounded, the cent rounding leaves on the last taxed line, so the line rows
add up to the document's row (the stand-in's model: GP's reconciliation is unpublished).
TaxAmount is the whole tax (lines, freight, misc); FreightTaxAmount and MiscellaneousTaxAmount
are its parts (inferred: the published error 235 text names them next to TaxAmt).

Provided (Create Taxes = Taxes Will Be Provided): details are taken from the header (Use Header
Level Taxes on) or from the lines (off), and from FreightTaxes / MiscellaneousTaxes. Each detail
must exist (TX00201); a line's tax must equal its details, freight and misc tax theirs, and the
header tax the sum of all (RM error 712's SOP analogue; its number and text are unpublished, so
none is given: inferred).
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.gp.references import References
from sandbox.gp.rules import Call, Errors, amount, cents, key_id

ZERO = Decimal(0)
TAXABLE, NONTAXABLE = "Taxable", "Nontaxable"
_ROUNDING = {"Up to the Next Currency Decimal Digit": (ROUND_CEILING, 2),
             "To the Nearest Currency Decimal Digit": (ROUND_HALF_UP, 2),
             "Down to the Previous Currency Decimal Digit": (ROUND_FLOOR, 2),
             "Up to the Next Whole Digit": (ROUND_CEILING, 0),
             "To the Nearest Whole Digit": (ROUND_HALF_UP, 0),
             "Down to the Previous Whole Digit": (ROUND_FLOOR, 0)}


def round_tax(value: Decimal, option: str) -> Decimal:
    mode, places = _ROUNDING.get(option, (ROUND_HALF_UP, 2))
    return value.quantize(Decimal(1).scaleb(-places), rounding=mode)


def sop_setup(call: Call) -> dict[str, Any]:
    found = call.store.find_reference("setup", "sop")
    return dict(found[1]) if found else {}


def _items(src: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [t for t in next(iter((src.get(name) or {}).values()), []) or [] if t]


def schedule_details(call: Call, schedule: str) -> list[tuple[str, dict[str, Any]]]:
    """The schedule's details that exist, in the schedule's order (GP's spelling)."""
    found = call.store.find_reference("tax_schedule", schedule) if schedule else None
    out = []
    for detail_id in (found[1].get("details", []) if found else []):
        detail = call.store.find_reference("tax_detail", detail_id)
        if detail is not None:
            out.append(detail)
    return out


def document_schedules(call: Call, src: dict[str, Any], refs: References, proc: str,
                       address_schedule: str) -> dict[str, str]:
    """The schedules and bases this document is taxed by (see the module's text)."""
    setup = sop_setup(call)
    out = {"tax_schedule": address_schedule or str(setup.get("tax_schedule", ""))}
    for prop, name in (("TaxScheduleKey", "tax_schedule"),
                       ("FreightTaxScheduleKey", "freight_tax_schedule"),
                       ("MiscellaneousTaxScheduleKey", "misc_tax_schedule")):
        sent = key_id(src.get(prop))
        if sent:
            out[name] = refs.tax_schedule(sent, f"{prop}.Id", proc) or sent
        elif name != "tax_schedule":
            out[name] = str(setup.get(name, ""))
    for prop, name in (("FreightTaxBasis", "freight_tax_basis"),
                       ("MiscellaneousTaxBasis", "misc_tax_basis")):
        out[name] = str(src.get(prop) or setup.get(name) or NONTAXABLE)
    return out


def _row(detail: tuple[str, dict[str, Any]], tax: Decimal, taxable: Decimal) -> dict[str, Any]:
    return {"detail": detail[0], "amount": tax, "taxable": taxable,
            "account": detail[1].get("account", "")}


def _common(doc: list[tuple[str, dict[str, Any]]], own: list[tuple[str, dict[str, Any]]]
            ) -> list[tuple[str, dict[str, Any]]]:
    ids = {d[0] for d in own}
    return [d for d in doc if d[0] in ids]


def _lines(call: Call, doc_details: list[tuple[str, dict[str, Any]]],
           lines: list[dict[str, Any]], trade: Decimal
           ) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The document's rows for its lines, and each line's rows (adding up to them). The trade
    discount is taken off each line's taxable amount in proportion to its extended price."""
    subtotal = sum((Decimal(str(ln["extended"])) for ln in lines), ZERO)

    def net(i: int) -> Decimal:
        extended = Decimal(str(lines[i]["extended"]))
        return extended - (cents(trade * extended / subtotal) if subtotal else ZERO)

    applies: list[list[tuple[str, dict[str, Any]]]] = []
    for ln in lines:
        own = ln.get("item_tax_schedule") or ""
        applies.append([] if not ln.get("taxable") else
                       _common(doc_details, schedule_details(call, own)) if own else doc_details)
    header: list[dict[str, Any]] = []
    per_line: list[list[dict[str, Any]]] = [[] for _ in lines]
    for detail in doc_details:
        taxed = [i for i, a in enumerate(applies) if any(d[0] == detail[0] for d in a)]
        if not taxed:
            continue
        percent = Decimal(str(detail[1]["percent"]))
        option = str(detail[1].get("rounding", ""))
        taxable = sum((net(i) for i in taxed), ZERO)
        tax = round_tax(taxable * percent / 100, option)
        header.append(_row(detail, tax, taxable))
        left = tax
        for n, i in enumerate(taxed):
            base = net(i)
            share = left if n == len(taxed) - 1 else cents(base * percent / 100)
            left -= share
            per_line[i].append(_row(detail, share, base))
    return header, per_line


def _extra(call: Call, doc_details: list[tuple[str, dict[str, Any]]], base: Decimal,
           basis: str, schedule: str) -> list[dict[str, Any]]:
    """Freight's or miscellaneous's rows: taxed only when its basis is Taxable."""
    if not base or basis != TAXABLE:
        return []
    return [_row(d, round_tax(base * Decimal(str(d[1]["percent"])) / 100,
                              str(d[1].get("rounding", ""))), base)
            for d in _common(doc_details, schedule_details(call, schedule))]


def _total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(r["amount"])) for r in rows), ZERO)


def calculated(call: Call, schedules: dict[str, str], lines: list[dict[str, Any]],
               trade: Decimal, freight: Decimal, misc: Decimal) -> dict[str, Any]:
    """The document's tax as GP computes it; each line gets its "taxes" and "tax"."""
    doc_details = schedule_details(call, schedules["tax_schedule"])
    header, per_line = _lines(call, doc_details, lines, trade)
    for ln, rows in zip(lines, per_line, strict=True):
        ln["taxes"], ln["tax"] = rows, _total(rows)
    freight_rows = _extra(call, doc_details, freight, schedules["freight_tax_basis"],
                          schedules["freight_tax_schedule"])
    misc_rows = _extra(call, doc_details, misc, schedules["misc_tax_basis"],
                       schedules["misc_tax_schedule"])
    return _result(header, freight_rows, misc_rows)


def _result(header: list[dict[str, Any]], freight_rows: list[dict[str, Any]],
            misc_rows: list[dict[str, Any]]) -> dict[str, Any]:
    freight_tax, misc_tax = cents(_total(freight_rows)), cents(_total(misc_rows))
    return {"taxes": header, "freight_taxes": freight_rows, "misc_taxes": misc_rows,
            "freight_tax": freight_tax, "misc_tax": misc_tax,
            "tax": cents(_total(header)) + freight_tax + misc_tax}


def _provided_rows(call: Call, sent: list[dict[str, Any]], refs: References,
                   where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for j, t in enumerate(sent):
        detail_id = key_id((t.get("Key") or {}).get("TaxDetailKey"))
        detail = refs.find("tax_detail", detail_id or "", f"{where}[{j}].Key.TaxDetailKey.Id")
        row = call.store.find_reference("tax_detail", detail) if detail else None
        out.append({"detail": detail or detail_id or "",
                    "amount": cents(amount(t.get("TaxAmount")) or ZERO),
                    "taxable": amount(t.get("TaxableAmount")),
                    "account": (row[1].get("account", "") if row else "")})
    return out


def _must_equal(errors: Errors, what: str, column: str, stated: Decimal | None,
                rows: list[dict[str, Any]], prop: str) -> Decimal:
    """The amount stated must equal its details (none stated: their sum)."""
    total = _total(rows)
    value = cents(stated) if stated is not None else total
    if value != total:
        # eConnect 712 says it for RM ("Tax amount (TAXAMNT) does not equal tax details in
        # RM10601"); the SOP analogue's number is unpublished, so none is given (inferred).
        errors.add(f"{what} ({column}) {value} does not equal the tax details in SOP10105 "
                   f"({total}).", prop)
    return value


def provided(call: Call, src: dict[str, Any], src_lines: list[dict[str, Any]],
             lines: list[dict[str, Any]], errors: Errors, refs: References) -> dict[str, Any]:
    """The taxes sent, checked: details exist, every stated amount equals its details."""
    header = _provided_rows(call, _items(src, "Taxes"), refs, "Taxes")
    if header and not call.header_level_taxes:
        errors.add("Header-level tax details were sent but the policy's Use Header Level Taxes "
                   "behaviour is off: send the taxes on the lines (inferred).", "Taxes")
    line_rows: list[dict[str, Any]] = []
    for i, (sent, ln) in enumerate(zip(src_lines, lines, strict=True)):
        rows = _provided_rows(call, _items(sent, "Taxes"), refs, f"Lines[{i}].Taxes")
        if rows and call.header_level_taxes:
            errors.add("Line tax details were sent but the policy's Use Header Level Taxes "
                       "behaviour is on: send the taxes on the header (inferred).",
                       f"Lines[{i}].Taxes")
        stated = amount(sent.get("TaxAmount"))
        ln["taxes"] = rows
        ln["tax"] = (_must_equal(errors, "Line tax amount", "TAXAMNT", stated, rows,
                                 f"Lines[{i}].TaxAmount") if rows else cents(stated or ZERO))
        line_rows += rows
    if not header:  # the document's rows are the lines' rows summed per detail
        by_detail: dict[str, dict[str, Any]] = {}
        for r in line_rows:
            got = by_detail.setdefault(r["detail"], {**r, "amount": ZERO, "taxable": ZERO})
            got["amount"] += r["amount"]
            got["taxable"] = (got["taxable"] or ZERO) + (r["taxable"] or ZERO)
        header = list(by_detail.values())
    freight_rows = _provided_rows(call, _items(src, "FreightTaxes"), refs, "FreightTaxes")
    misc_rows = _provided_rows(call, _items(src, "MiscellaneousTaxes"), refs,
                               "MiscellaneousTaxes")
    _must_equal(errors, "Freight tax amount", "FRTTXAMT", amount(src.get("FreightTaxAmount")),
                freight_rows, "FreightTaxAmount")
    _must_equal(errors, "Miscellaneous tax amount", "MSCTXAMT",
                amount(src.get("MiscellaneousTaxAmount")), misc_rows, "MiscellaneousTaxAmount")
    out = _result(header, freight_rows, misc_rows)
    out["tax"] = _must_equal(errors, "Tax amount", "TAXAMNT", amount(src.get("TaxAmount")),
                             [*header, *freight_rows, *misc_rows], "TaxAmount")
    return out
