"""Compare WooCommerce with GP for a range of days: the console's reconciliation, for scripts.

Per day (in the store's time zone, [worker.schedule] timezone) and payment method: WooCommerce
orders and refunds against GP invoices and credit memos, with the documents that explain every
difference.

Exit codes: 0 everything matches, 1 differences found (they are listed), 2 usage or set-up error.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from core.reconcile import export_csv
from core.reconcile_live import reconcile_for
from tui.commands.common import global_options, open_state


def _day(_ctx: click.Context, _param: click.Parameter, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a date like 2026-11-27") from exc


def _side(side: Any) -> dict[str, Any]:
    return {"count": side.count, "total": str(side.total)}


def _row(row: Any) -> dict[str, Any]:
    return {"day": row.day.isoformat(), "payment_method": row.payment_method,
            "currency": row.currency, "woo_orders": _side(row.woo_orders),
            "woo_refunds": _side(row.woo_refunds),
            "gp_invoices": _side(row.gp_invoices), "gp_credit_memos": _side(row.gp_credit_memos),
            "difference": str(row.difference), "count_difference": row.count_difference,
            "matches": row.matches}


@click.command(help=__doc__)
@global_options()
@click.option("--from", "date_from", required=True, callback=_day, metavar="DATE",
              help="the first day, in the store's time zone (2026-11-01)")
@click.option("--to", "date_to", required=True, callback=_day, metavar="DATE",
              help="the last day, included (2026-11-30)")
@click.option("--csv", "csv_file", metavar="FILE",
              help="write the summary to FILE and the explaining documents beside it")
@click.option("--json", "as_json", is_flag=True, help="print JSON for scripts")
@click.option("--by-method", is_flag=True, help="one line per day and payment method")
@click.option("--stored", is_flag=True,
              help="compare the connector's stored copy instead of reading the live shop and "
                   "GP (fast, offline; blind to what the shop changed without telling)")
def command(date_from: date, date_to: date, csv_file: str | None, as_json: bool,
            by_method: bool, stored: bool) -> int:
    ws, settings = open_state()
    report, source = reconcile_for(ws, settings, date_from, date_to, live=not stored)
    click.echo(f"figures: {source}", err=True)
    total = report.total()
    rows = report.rows if by_method else report.days()
    if csv_file:
        summary, details = export_csv(report, csv_file)
        click.echo(f"wrote {summary} and {details}", err=True)
    if as_json:
        click.echo(json.dumps({"from": date_from.isoformat(), "to": date_to.isoformat(),
                          "source": source, "timezone": report.timezone,
                          "rows": [_row(r) for r in rows],
                          "total": _row(total),
                          "totals": [_row(t) for t in report.totals()],
                          "explanations": [{
                              "day": e.day.isoformat(), "payment_method": e.payment_method,
                              "currency": e.currency,
                              "kind": e.kind, "woo_id": e.woo_id, "number": e.number,
                              "woo_amount": str(e.woo_amount), "gp_amount": str(e.gp_amount),
                              "difference": str(e.difference), "state": e.state,
                              "reason": e.reason} for e in report.explanations]}, indent=2))
    else:
        head = (f"{'day':<10} {'method':<14} {'cur':<3} {'Woo orders':>16} {'refunds':>14} "
                f"{'GP invoices':>16} {'credit memos':>14} {'difference':>11}")
        click.echo(f"Reconciliation {date_from} .. {date_to} ({report.timezone}); {source}")
        click.echo(head)
        totals = report.totals()  # one per currency: money never adds up across currencies
        for r in [*rows, *totals]:
            label = "total" if r.payment_method == "total" else r.day.isoformat()
            click.echo(f"{label:<10} {r.payment_method[:14]:<14} {r.currency:<3} "
                  f"{r.woo_orders.count:>5} {r.woo_orders.total:>10} "
                  f"{r.woo_refunds.count:>4} {r.woo_refunds.total:>9} "
                  f"{r.gp_invoices.count:>5} {r.gp_invoices.total:>10} "
                  f"{r.gp_credit_memos.count:>4} {r.gp_credit_memos.total:>9} "
                  f"{r.difference:>11}{'' if r.matches else '  *'}")
        if report.explanations:
            click.echo(f"\n{len(report.explanations)} document(s) explain the differences:")
            for e in report.explanations[:50]:
                click.echo(f"  {e.day} {e.kind:<6} {e.number:<14} Woo {e.woo_amount:>10} "
                      f"GP {e.gp_amount:>10}  {e.reason}")
            if len(report.explanations) > 50:
                click.echo(f"  ... {len(report.explanations) - 50} more (use --csv or --json)")
    return 0 if total.matches else 1
