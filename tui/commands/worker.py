"""Run the sync unattended: webhook receiver, poller, posting, GP verification and product sync,
holding the single-worker lease.

A workspace of several pairs: every pair runs, each in a worker process of its own (own lease,
state, schedules, webhook port), so one pair's GP outage or slow GP never slows another; a pair's
worker that stops unexpectedly is started again. `--pair NAME` runs that pair alone.
`--route-webhooks`: one webhook address for every pair, served by this process; each delivery
goes to the pair whose shop sent it (`ml-connector receive` runs that receiver on its own).

`--share`: several hosts share the pairs (state on PostgreSQL, the same workspace on each host):
this host starts a pair's worker only while no live worker holds that pair's lease, takes turns
with the others (near an even share) and takes over a dead host's pairs once their leases expire.

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT, or --once finished); 1 unexpected error (see the
log); 2 configuration or credentials missing or wrong; 3 another worker holds the lease (its host
and pid are named); 4 the state database cannot be used; 5 the lease was lost while running.
"""
from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

import click

from core.config import Workspace
from core.errors import ConfigError
from core.intake.receiver import PATH
from core.intake.router import open_router
from core.intake.service import ReceiverServer
from core.pair_guard import start_refused
from core.pairs import DEFAULT_PAIR, pair_workspace
from core.worker.all_pairs import AllPairs, pair_command, stop_with_supervisor
from core.worker.logs import configure_logging
from core.worker.options import EXIT_CONFIG, WorkerOptions
from core.worker.pair_leases import pair_leases
from core.worker.service import Worker
from core.worker.shared_pairs import SharedPairs
from tui.commands.common import (
    CommandError,
    asked_pair,
    existing_pairs,
    existing_workspace,
    global_options,
    workspace_args,
)

log = logging.getLogger("ml_connector.worker")


def listen_option(text: str) -> Any:
    return click.option("--listen", callback=_listen, metavar="HOST:PORT", help=text)


def _listen(_ctx: click.Context, _param: click.Parameter, text: str | None) -> str | None:
    if text is None:
        return None
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise click.BadParameter(
            f"{text!r} is not HOST:PORT (e.g. 0.0.0.0:8787; port 0 = any free port)")
    return text


@click.command(help=__doc__)
@global_options()
@listen_option("webhook receiver address (default: [worker] listen)")
@click.option("--dry-run", is_flag=True,
              help="one read-only pass: show what a real pass would write (orders taken in, "
                   "invoices posted, product changes) and write nothing anywhere")
@click.option("--once", is_flag=True,
              help="one pass of everything (poll, post, verify, products), then exit")
@click.option("--log-format", type=click.Choice(("text", "json")),
              help="text or JSON lines (default: [logging] format)")
@click.option("--log-level", type=click.Choice(("DEBUG", "INFO", "WARNING", "ERROR")),
              help="the least severe level logged (default: [logging] level)")
@click.option("--wait", is_flag=True,
              help="if another worker holds the lease, wait for it instead of exiting 3")
@click.option("--no-webhooks", is_flag=True,
              help="do not listen for webhooks: poll only (the shop cannot reach us)")
@click.option("--route-webhooks", is_flag=True,
              help="one receiver for every pair, served by this process on --listen (default: "
                   "the first pair's [worker] listen): each delivery goes to the pair whose shop "
                   "sent it; the pairs' workers listen nowhere (`ml-connector receive` runs the "
                   "same receiver on its own)")
@click.option("--webhooks-elsewhere", is_flag=True,
              help="this pair's webhooks are received by `ml-connector receive` or `worker "
                   "--route-webhooks`: no receiver here, stored deliveries are picked up within "
                   "a second")
@click.option("--no-products", is_flag=True, help="skip the product sync")
@click.option("--share", is_flag=True,
              help="share the pairs with `worker --share` on other hosts: run a pair's worker "
                   "here only while no live worker holds its lease; take over a dead host's")
@click.option("--drain-timeout", type=float, default=20.0, show_default=True, metavar="SECONDS",
              help="at shutdown, wait this long for the GP call in flight")
def command(listen: str | None, dry_run: bool, once: bool, log_format: str | None,
            log_level: str | None, wait: bool, no_webhooks: bool, route_webhooks: bool,
            webhooks_elsewhere: bool, no_products: bool, share: bool,
            drain_timeout: float) -> int:
    base, names = existing_pairs()
    if share and (once or dry_run or wait):
        raise CommandError("--share runs until stopped and takes a pair whenever its lease is "
                           "free: leave out --once, --dry-run and --wait")
    if share and not names:
        raise CommandError(f"no pair in {base.db_path.parent} to share: create one with "
                           "`ml-connector init`")
    # One receiver for every pair here; the pairs' workers listen nowhere.
    routed = route_webhooks and bool(names) and not (once or dry_run or no_webhooks)
    if len(names) > 1 or share or routed:
        if listen and DEFAULT_PAIR not in names and not routed:
            raise CommandError("--listen names one address; with several pairs each pair's "
                               "worker listens on its own [worker] listen (or run one pair: "
                               "--pair NAME)")
        configure_logging(log_format or "text", log_level or "INFO")
        forwarded = [flag for flag, on in (("--dry-run", dry_run), ("--once", once),
                                           ("--wait", wait), ("--no-webhooks", no_webhooks),
                                           ("--webhooks-elsewhere", routed or webhooks_elsewhere),
                                           ("--no-products", no_products)) if on]
        forwarded += [f"--drain-timeout={drain_timeout}"]
        forwarded += [f"--log-format={log_format}"] if log_format else []
        forwarded += [f"--log-level={log_level}"] if log_level else []
        commands = pair_commands(names, forwarded, None if routed else listen)
        supervisor = SharedPairs(
            commands, pair_leases(base, names),
            drain_timeout_s=drain_timeout) if share else AllPairs(
            commands, once=once or dry_run, drain_timeout_s=drain_timeout)
        install_stop_signals(supervisor.request_stop)
        return routing(base, names, listen, supervisor) if routed else supervisor.run()
    ws = existing_workspace()
    try:
        settings = ws.load()
    except ConfigError as exc:
        configure_logging(log_format or "text", "INFO")
        click.echo(f"ml-connector worker: {exc}", err=True)
        return EXIT_CONFIG
    refused = start_refused(base, names[0] if names else DEFAULT_PAIR, settings)
    if refused:
        for problem in refused:
            click.echo(f"ml-connector worker: {problem}; this pair's worker does not start "
                       "until they differ (`ml-connector check` shows it)", err=True)
        return EXIT_CONFIG
    pair = asked_pair()
    configure_logging(log_format or settings.logging.format,
                      log_level or settings.logging.level, file=settings.logging.file or None,
                      pair=pair)
    worker = Worker(ws, settings, WorkerOptions(
        mode="headless", dry_run=dry_run, once=once, listen=listen,
        receiver=not no_webhooks, webhooks_elsewhere=webhooks_elsewhere,
        products=not no_products, wait_for_lease=wait,
        drain_timeout_s=drain_timeout))
    install_stop_signals(worker.request_stop)
    stop_with_supervisor(worker.request_stop)
    code = worker.run()
    if worker.dry_report is not None:
        click.echo("\n".join(worker.dry_report.lines()))
    return code


def routing(base: Workspace, names: list[str], listen: str | None,
            supervisor: AllPairs) -> int:
    """The pairs' workers under `supervisor`, and the receiver of every pair served here."""
    router = open_router(base, names=names)
    server = ReceiverServer(router, listen or pair_workspace(base, names[0]).load().worker.listen)
    server.start()
    router.start()
    log.info("webhooks for every pair (%s) on %s%s", ", ".join(r.name for r in router.routes),
             server.url, PATH)
    try:
        return supervisor.run()
    finally:
        server.stop()


def pair_commands(names: list[str], options: list[str], listen: str | None
                  ) -> dict[str, list[str]]:
    """Each pair's worker command line. --listen (the service file's) stays the default pair's:
    adding a pair changes nothing for it; every other pair listens on its own [worker] listen."""
    return {name: pair_command(workspace_args(), name, options + (
        [f"--listen={listen}"] if listen and name == DEFAULT_PAIR else [])) for name in names}


def install_stop_signals(stop: Callable[[str], Any]) -> None:
    """SIGTERM (systemd, `kill`), SIGINT (Ctrl+C) and SIGBREAK (Windows console) all stop the
    worker the same graceful way."""
    def handler(signum: int, _frame: Any) -> None:
        stop(f"signal {signal.Signals(signum).name}")

    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, handler)
