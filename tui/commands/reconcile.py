"""`ml-connector reconcile --from DATE --to DATE [--csv FILE] [--json]`: the console's
reconciliation, for scripts. Days are the store's (worker.schedule.timezone).

Exit codes: 0 everything matches, 1 differences found (they are listed), 2 usage or set-up error.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from exc


def register(sub: Any) -> None:
    p = sub.add_parser("reconcile", help="compare WooCommerce with GP for a range of days",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="date_from", type=_day, required=True, metavar="DATE")
    p.add_argument("--to", dest="date_to", type=_day, required=True, metavar="DATE")
    p.add_argument("--csv", metavar="FILE",
                   help="write the summary to FILE and the explaining documents beside it")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--by-method", action="store_true", help="one line per day and payment method")
    p.set_defaults(func=run)


def _side(side: Any) -> dict[str, Any]:
    return {"count": side.count, "total": str(side.total)}


def _row(row: Any) -> dict[str, Any]:
    return {"day": row.day.isoformat(), "payment_method": row.payment_method,
            "woo_orders": _side(row.woo_orders), "woo_refunds": _side(row.woo_refunds),
            "gp_invoices": _side(row.gp_invoices), "gp_credit_memos": _side(row.gp_credit_memos),
            "difference": str(row.difference), "count_difference": row.count_difference,
            "matches": row.matches}


def run(args: argparse.Namespace) -> int:
    from core.errors import ConnectorError
    from core.reconcile import export_csv, reconcile
    from tui.commands.status import open_workspace

    try:
        _, settings = open_workspace(args)
        report = reconcile(args.date_from, args.date_to,
                           timezone=settings.worker.schedule.timezone,
                           eligible_statuses=settings.posting.eligible_statuses)
    except (ConnectorError, ValueError) as exc:
        print(f"ml-connector reconcile: {exc}", file=sys.stderr)
        return 2
    total = report.total()
    rows = report.rows if args.by_method else report.days()
    if args.csv:
        summary, details = export_csv(report, args.csv)
        print(f"wrote {summary} and {details}", file=sys.stderr)
    if args.json:
        print(json.dumps({"from": args.date_from.isoformat(), "to": args.date_to.isoformat(),
                          "timezone": report.timezone, "rows": [_row(r) for r in rows],
                          "total": _row(total),
                          "explanations": [{
                              "day": e.day.isoformat(), "payment_method": e.payment_method,
                              "kind": e.kind, "woo_id": e.woo_id, "number": e.number,
                              "woo_amount": str(e.woo_amount), "gp_amount": str(e.gp_amount),
                              "difference": str(e.difference), "state": e.state,
                              "reason": e.reason} for e in report.explanations]}, indent=2))
    else:
        head = (f"{'day':<10} {'method':<14} {'Woo orders':>16} {'refunds':>14} "
                f"{'GP invoices':>16} {'credit memos':>14} {'difference':>11}")
        print(f"Reconciliation {args.date_from} .. {args.date_to} ({report.timezone})")
        print(head)
        for r in [*rows, total]:
            label = "total" if r is total else r.day.isoformat()
            print(f"{label:<10} {r.payment_method[:14]:<14} "
                  f"{r.woo_orders.count:>5} {r.woo_orders.total:>10} "
                  f"{r.woo_refunds.count:>4} {r.woo_refunds.total:>9} "
                  f"{r.gp_invoices.count:>5} {r.gp_invoices.total:>10} "
                  f"{r.gp_credit_memos.count:>4} {r.gp_credit_memos.total:>9} "
                  f"{r.difference:>11}{'' if r.matches else '  *'}")
        if report.explanations:
            print(f"\n{len(report.explanations)} document(s) explain the differences:")
            for e in report.explanations[:50]:
                print(f"  {e.day} {e.kind:<6} {e.number:<14} Woo {e.woo_amount:>10} "
                      f"GP {e.gp_amount:>10}  {e.reason}")
            if len(report.explanations) > 50:
                print(f"  ... {len(report.explanations) - 50} more (use --csv or --json)")
    return 0 if total.matches else 1
