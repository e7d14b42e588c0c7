"""Install and check the WooCommerce webhooks, or run only the webhook receiver.

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

import os
import signal
import threading

import click

from core.connections import woo_client
from core.intake import known_webhooks
from core.intake.poller import check_webhook_health
from core.intake.service import IntakeService
from core.store.audit import actor
from core.woo.webhook_admin import InstalledWebhook, install_webhooks
from tui.commands.common import global_options, load


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.command("install", help="Create (or re-activate) the webhooks with a fresh secret.")
@global_options()
@click.option("--url", required=True,
              help="public URL of the receiver, e.g. https://sync.example.com/webhooks/woocommerce")
@click.option("--secret-env", metavar="VAR",
              help="sign with the secret in this environment variable instead of a new one")
def install(url: str, secret_env: str | None) -> int:
    _, settings, vault = load()
    secret = None
    if secret_env:
        secret = os.environ.get(secret_env, "")
        if not secret:
            raise ValueError(f"the environment variable {secret_env} is empty or not set")
    # WooCommerce pings each new webhook before its id comes back: those pings are ours.
    known_webhooks.expect_creation_pings(actor=actor("cli"))
    done: list[InstalledWebhook] = []
    try:
        with woo_client(settings, vault) as client:
            done = install_webhooks(client, vault, url, actor=actor("cli"), secret=secret)
    finally:  # the ids are ours from now on; the window closes whatever happened
        known_webhooks.remember([hook.id for hook in done], actor=actor("cli"))
    for hook in done:
        click.echo(f"  {hook.action:<8} webhook {hook.id:>5}  {hook.topic}")
    click.echo(f"{len(done)} webhook(s) point at {url}; the secret is stored encrypted")
    return 0


@command.command("status", help="WooCommerce's own status of each webhook (exit 1: not active).")
@global_options()
def status() -> int:
    _, settings, vault = load()
    with woo_client(settings, vault) as client:
        hooks = check_webhook_health(client)
    if not hooks:
        click.echo("WooCommerce has no webhooks: orders arrive by polling only "
                   "(`ml-connector webhooks install --url ...` adds them)")
        return 0
    bad = 0
    for h in hooks:
        click.echo(f"  {h.id:>5}  {h.status:<9} {h.topic:<18} {h.delivery_url}")
    for h in hooks:
        if h.status != "active":
            bad += 1
            disabled = h.status == "disabled"
            click.echo(f"WooCommerce {'disabled' if disabled else 'paused'} webhook {h.id} "
                       f"({h.topic}){' after repeated failed deliveries' if disabled else ''}"
                       ". Orders keep arriving by polling. Fix what stopped the deliveries, then "
                       "run `ml-connector webhooks install --url ...` to re-activate it.")
    return 1 if bad else 0


@command.command("serve", help="Run only the webhook receiver, until Ctrl-C or SIGTERM.")
@global_options()
@click.option("--listen", metavar="HOST:PORT", help="the receiver's address (default: [worker] "
                                                     "listen)")
def serve(listen: str | None) -> int:
    _, settings, vault = load()
    service = IntakeService(settings, vault, listen=listen, poll=False)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    service.start()
    click.echo(f"listening on {service.url}/webhooks/woocommerce")
    try:
        stop.wait()
    finally:
        service.stop()
    return 0
