"""`ml-connector webhooks install --url URL`, `webhooks status`, `webhooks serve`.

install: creates (or updates) one WooCommerce webhook per order/customer/product topic pointing at
URL, all signed with a fresh random secret (48 letters and digits; `--secret-env VAR` brings your
own) that is stored in the vault first. Running it again re-activates disabled webhooks.

status: WooCommerce's own view of the webhooks. WooCommerce disables a webhook after 7 failed
deliveries in a row and never re-delivers; orders keep arriving by polling meanwhile. Exit code 1
when any webhook is not active.

serve: only the webhook receiver (no polling, no posting): for checking that WooCommerce can
reach this machine. The worker runs the same receiver itself.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from tui.commands.intake_common import actor, fail, load


def register(sub: Any) -> None:
    p = sub.add_parser("webhooks", help="install and check WooCommerce webhooks",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    wsub = p.add_subparsers(dest="webhooks_command", metavar="ACTION")
    inst = wsub.add_parser("install", help="create the webhooks with a fresh secret")
    inst.add_argument("--url", required=True,
                      help="public URL of the receiver, e.g. https://sync.example.com/webhooks/"
                           "woocommerce")
    inst.add_argument("--secret-env", metavar="VAR", help="use this secret instead of a new one")
    wsub.add_parser("status", help="WooCommerce's status of each webhook")
    serve = wsub.add_parser("serve", help="run only the webhook receiver")
    serve.add_argument("--listen", metavar="HOST:PORT", help="default: [worker] listen")
    p.set_defaults(func=run)


def _install(args: argparse.Namespace) -> int:
    from core.connections import woo_client
    from core.woo.webhook_admin import install_webhooks

    _, settings, vault = load(args)
    secret = None
    if args.secret_env:
        secret = os.environ.get(args.secret_env, "")
        if not secret:
            raise ValueError(f"the environment variable {args.secret_env} is empty or not set")
    with woo_client(settings, vault) as client:
        done = install_webhooks(client, vault, args.url, actor=actor(), secret=secret)
    for hook in done:
        print(f"  {hook.action:<8} webhook {hook.id:>5}  {hook.topic}")
    print(f"{len(done)} webhook(s) point at {args.url}; the secret is stored encrypted")
    return 0


def _status(args: argparse.Namespace) -> int:
    from core.connections import woo_client
    from core.intake.poller import check_webhook_health

    _, settings, vault = load(args)
    with woo_client(settings, vault) as client:
        hooks = check_webhook_health(client)
    if not hooks:
        print("WooCommerce has no webhooks: orders arrive by polling only "
              "(`ml-connector webhooks install --url ...` adds them)")
        return 0
    bad = 0
    for h in hooks:
        print(f"  {h.id:>5}  {h.status:<9} {h.topic:<18} {h.delivery_url}")
    for h in hooks:
        if h.status != "active":
            bad += 1
            disabled = h.status == "disabled"
            print(f"WooCommerce {'disabled' if disabled else 'paused'} webhook {h.id} "
                  f"({h.topic}){' after repeated failed deliveries' if disabled else ''}"
                  ". Orders keep arriving by polling. Fix what stopped the deliveries, then run "
                  "`ml-connector webhooks install --url ...` to re-activate it.")
    return 1 if bad else 0


def _serve(args: argparse.Namespace) -> int:
    from core.intake.service import IntakeService

    _, settings, vault = load(args)
    service = IntakeService(settings, vault, listen=args.listen, poll=False)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    service.start()
    print(f"listening on {service.url}/webhooks/woocommerce", flush=True)
    try:
        stop.wait()
    finally:
        service.stop()
    return 0


def run(args: argparse.Namespace) -> int:
    from core.errors import ConnectorError

    action = getattr(args, "webhooks_command", None)
    handlers = {"install": _install, "status": _status, "serve": _serve}
    if action not in handlers:
        print("ml-connector webhooks: choose install, status or serve", file=sys.stderr)
        return 2
    try:
        return handlers[action](args)
    except (ConnectorError, ValueError) as exc:
        return fail(f"webhooks {action}", exc)
