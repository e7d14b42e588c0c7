"""`ml-connector products plan | approve`: the product sync's plan that waits for approval.

The first product sync on a shop, and any later pass that would change more than
`[products] max_changes_per_pass` products, writes nothing and waits. `plan` shows what it
would change (exit 1 while a plan waits); `approve` lets exactly that pass through. The
console's Products screen shows the same plan (key a approves).
"""
from __future__ import annotations

import argparse
from typing import Any

from tui.commands.intake_common import actor, workspace


def register(sub: Any) -> None:
    p = sub.add_parser("products", help="the product sync plan waiting for approval",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    psub = p.add_subparsers(dest="products_command", metavar="ACTION")
    psub.add_parser("plan", help="show the plan waiting for approval (exit 1 when one waits)")
    psub.add_parser("approve", help="approve the waiting plan: the next pass writes it")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.clock import SYSTEM_CLOCK
    from core.products.approval import approve, current_plan
    from core.store.db import close_db, init_db

    ws = workspace(args)
    if not ws.db_path.exists():
        print(f"ml-connector products: no state database at {ws.db_path}: run "
              "`ml-connector init` first")
        return 2
    init_db(ws.db_path)
    try:
        if args.products_command == "approve":
            try:
                state = approve(actor(), clock=SYSTEM_CLOCK)
            except ValueError as exc:
                print(f"ml-connector products approve: {exc}")
                return 1
            print(f"approved: the next product sync writes up to {state.changes} change(s)")
            return 0
        state = current_plan()
        if not state.awaiting:
            print("no product sync plan is waiting"
                  + (f" (last approved by {state.approved_by})" if state.approved_by else ""))
            return 0
        print(f"waiting for approval: {state.reason}")
        print("\n".join(f"  {line}" for line in state.lines))
        return 1
    finally:
        close_db()
