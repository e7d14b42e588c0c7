"""`ml-connector demo`: the whole product on local stand-ins, no credentials needed.

Starts the WooCommerce and GP stand-ins (seeded store, free loopback ports), a fresh workspace in
a temporary folder, the worker and the console; then the shop keeps selling — new orders, status
changes, partial and full refunds, and an order for a product GP does not have, so a SKU gets
flagged. Fix it in Flagged SKUs, watch its orders replay and post, reconcile the day.

`--headless --orders N` runs the same flow without the console to completion and prints a JSON
summary (exit 0 when there are no duplicates and every postable order posted, else 1).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="try everything on local stand-ins (no credentials)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--headless", action="store_true",
                   help="no console: run to completion and print a JSON summary")
    p.add_argument("--orders", type=int, default=50, metavar="N",
                   help="orders the shop takes in --headless mode (default 50)")
    p.add_argument("--seed", type=int, default=0, help="the seeded store's variant")
    p.add_argument("--every", type=float, default=8.0, metavar="SECONDS",
                   help="console mode: seconds between bursts of shop activity (default 8)")
    p.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                   help="--headless: give up after this long (default 900)")
    p.add_argument("--settle", type=float, default=6.0, metavar="SECONDS",
                   help=argparse.SUPPRESS)  # --headless: quiet time that counts as "done"
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary workspace (its path is printed)")
    p.set_defaults(func=run)


def start_stand_ins(root: Path, seed: int, *, webhook_delay: float = 1.0) -> tuple[Any, Any]:
    """Both stand-ins on free loopback ports, over HTTPS with their self-signed certificates;
    returns (sandbox, endpoints)."""
    from sandbox.launch import launch

    box = launch(root / "stand-ins", seed=seed, orders=0, https=True,
                 webhook_delay=webhook_delay)
    if box.gp is None:
        box.stop()
        raise SystemExit("the GP stand-in could not start: " + "; ".join(box.notes))
    return box, endpoints_for(box)


def endpoints_for(box: Any) -> Any:
    """The demo's endpoints for started stand-ins: the HTTPS URLs, trusted through each
    stand-in's own certificate file (a self-signed CA) — the safe path a real install takes:
    `[woocommerce] ca_bundle` (Basic auth over TLS) and `[gp] ca_bundle`, no `allow_http`."""
    from tui.demo.setup import DemoEndpoints

    shop, gp = box.woo, box.gp
    if not shop.https_url or shop.ca_file is None or gp.ca_file is None:
        raise SystemExit("the demo's stand-ins must be started with https=True")
    return DemoEndpoints(
        woo_url=shop.https_url, woo_key=shop.consumer_key, woo_secret=shop.consumer_secret,
        gp_soap_url=gp.soap_url, gp_sba_url=gp.sba_url, gp_base_url=gp.base_url,
        gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password, gp_company=gp.company,
        woo_ca=str(shop.ca_file), gp_ca=str(gp.ca_file))


def run(args: argparse.Namespace) -> int:
    from core.worker.logs import configure_logging

    root = Path(tempfile.mkdtemp(prefix="ml-connector-demo-"))
    log_file = root / "workspace" / "logs" / "demo.log"
    if args.headless:
        configure_logging("text", "WARNING", file=log_file)
    else:
        # The console owns the terminal: logs go to a file only.
        configure_logging("text", "INFO", file=log_file, stream=open(os.devnull, "w"))
    box = None
    try:
        box, ep = start_stand_ins(root, args.seed)
        if args.headless:
            return _headless(args, root, ep)
        return _console(args, root, ep)
    except KeyboardInterrupt:
        return 130
    finally:
        if box is not None:
            try:
                box.stop()
            except Exception:
                pass
        if args.keep:
            print(f"demo workspace kept in {root / 'workspace'} (log: {log_file})",
                  file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


def _headless(args: argparse.Namespace, root: Path, ep: Any) -> int:
    from tui.demo.harness import run_headless

    summary = run_headless(ep, root / "workspace", orders=max(1, args.orders),
                           timeout_s=args.timeout, settle_s=args.settle)
    print(json.dumps(summary, indent=2))
    ok = summary["duplicates"] == 0 and summary["every_postable_order_posted"] and summary["idle"]
    return 0 if ok else 1


def _console(args: argparse.Namespace, root: Path, ep: Any) -> int:
    from tui.app import make_app
    from tui.demo.harness import ActivityStream, DemoSession

    print("Starting the demo: WooCommerce and GP stand-ins, a worker, the console...",
          file=sys.stderr)
    session = DemoSession.start(ep, root / "workspace")
    # Something to look at straight away, including the SKU GP does not know.
    session.control.activity(orders=6, unknown_sku_orders=1)
    stream = ActivityStream(session.control, every_s=args.every).start()
    try:
        app = make_app(session.workspace, start_worker=False)
        app.run()
    finally:
        stream.stop()
        session.stop()
    return 0
