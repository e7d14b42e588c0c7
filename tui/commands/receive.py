"""Receive the webhooks of every pair of the workspace on one address.

Each delivery is stored in the state of the pair whose shop sent it (X-WC-Webhook-Source
matched against each pair's shop URL), after its signature was verified with that pair's own
webhook secrets; a shop no pair has is refused 403. Run it on any host (several behind a load
balancer): each needs every pair's configuration, its state (PostgreSQL, or the pairs' state.db
files on this host) and its key. The pairs' workers then run with `--webhooks-elsewhere`.
`--pair NAME` receives for that pair alone.
`ml-connector worker --route-webhooks` serves the same receiver from the pairs' supervisor.
"""
from __future__ import annotations

import threading

import click

from core.intake.receiver import PATH
from core.intake.router import open_router
from core.intake.service import ReceiverServer
from core.pairs import pair_workspace
from core.worker.logs import configure_logging
from tui.commands.common import CommandError, existing_pairs, global_options
from tui.commands.worker import install_stop_signals, listen_option

WAKE_S = 1.0  # how often the main thread looks whether it was asked to stop


@click.command(help=__doc__)
@global_options()
@listen_option("address to listen on (default: the first pair's [worker] listen)")
@click.option("--log-format", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="text or JSON lines")
@click.option("--log-level", type=click.Choice(("DEBUG", "INFO", "WARNING", "ERROR")),
              default="INFO", show_default=True, help="the least severe level logged")
def command(listen: str | None, log_format: str, log_level: str) -> int:
    base, names = existing_pairs()
    if not names:
        raise CommandError("no pair in this workspace: run `ml-connector init` first")
    configure_logging(log_format, log_level)
    address = listen or pair_workspace(base, names[0]).load().worker.listen
    stop = threading.Event()
    install_stop_signals(lambda _reason: stop.set())
    router = open_router(base, names=names)
    server = ReceiverServer(router, address)
    try:
        server.start()
        router.start()
        click.echo(f"receiving webhooks for {', '.join(r.name for r in router.routes)} on "
                   f"{server.url}{PATH}", err=True)
        while not stop.wait(WAKE_S):
            pass
    finally:
        server.stop()  # closes the router: every pair's writer finishes what it took
    return 0
