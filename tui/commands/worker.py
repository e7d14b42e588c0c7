"""`ml-connector worker`: run the sync unattended (webhook receiver, poller, posting, GP
verification, product sync) holding the single-worker lease.

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT, or --once finished); 1 unexpected error (see the
log); 2 configuration or credentials missing or wrong; 3 another worker holds the lease (its host
and pid are named); 4 the state database cannot be used; 5 the lease was lost while running.
"""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Any


def _listen(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not HOST:PORT (e.g. 0.0.0.0:8787; port 0 = any free port)")
    return text


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="run the sync unattended (a service)", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", type=_listen, metavar="HOST:PORT",
                   help="webhook receiver address (default: [worker] listen)")
    p.add_argument("--dry-run", action="store_true",
                   help="one read-only pass: show what a real pass would write (orders taken "
                        "in, invoices posted, product changes) and write nothing anywhere")
    p.add_argument("--once", action="store_true",
                   help="one pass of everything (poll, post, verify, products), then exit")
    p.add_argument("--log-format", choices=("text", "json"),
                   help="text (default) or JSON lines (default: [logging] format)")
    p.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    p.add_argument("--wait", action="store_true",
                   help="if another worker holds the lease, wait for it instead of exiting 3")
    p.add_argument("--no-webhooks", action="store_true",
                   help="do not listen for webhooks: poll only (the shop cannot reach us)")
    p.add_argument("--no-products", action="store_true", help="skip the product sync")
    p.add_argument("--drain-timeout", type=float, default=20.0, metavar="SECONDS",
                   help="at shutdown, wait this long for the GP call in flight (default 20)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.config import Workspace
    from core.errors import ConfigError
    from core.worker.logs import configure_logging
    from core.worker.service import EXIT_CONFIG, Worker, WorkerOptions

    ws = Workspace.from_args(args.workspace, args.config)
    try:
        settings = ws.load()
    except ConfigError as exc:
        configure_logging(args.log_format or "text", "INFO")
        print(f"ml-connector worker: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(args.log_format or settings.logging.format,
                      args.log_level or settings.logging.level, file=settings.logging.file or None)
    worker = Worker(ws, settings, WorkerOptions(
        mode="headless", dry_run=args.dry_run, once=args.once, listen=args.listen,
        receiver=not args.no_webhooks, products=not args.no_products, wait_for_lease=args.wait,
        drain_timeout_s=args.drain_timeout))
    install_stop_signals(worker.request_stop)
    code = worker.run()
    if worker.dry_report is not None:
        print("\n".join(worker.dry_report.lines()))
    return code


def install_stop_signals(stop: Any) -> None:
    """SIGTERM (systemd, `kill`), SIGINT (Ctrl+C) and SIGBREAK (Windows console) all stop the
    worker the same graceful way."""
    def handler(signum: int, _frame: Any) -> None:
        stop(f"signal {signal.Signals(signum).name}")

    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, handler)
