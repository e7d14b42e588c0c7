"""Try the whole product on local stand-ins, no credentials needed.

Starts the WooCommerce and GP stand-ins (seeded store, free loopback ports), a fresh workspace in
a temporary folder, the worker and the console; then the shop keeps selling — new orders, status
changes, partial and full refunds, and an order for a product GP does not have, so a SKU gets
flagged. Fix it in Flagged SKUs, watch its orders replay and post, reconcile the day.

`--headless --orders N` runs the same flow without the console to completion and prints a JSON
summary (exit 0 when there are no duplicates and every postable order posted, else 1).

`--pairs`: three shops and two GP companies in one workspace — a US shop (USD) and a European
shop (EUR) both posting to GP company 1, a second brand's shop (USD) posting to GP company 2 —
run by one worker. With --headless every shop takes N orders and the summary is per pair:
orders, posted, verified, duplicates (counted in GP), totals per currency (GP's invoice totals
against the shop's order totals); exit 1 if any pair has a duplicate, an unverified postable
order or a total that differs. `--pairs N`: N shops (2 to 16) from a small table, mostly USD,
some EUR, taking turns between the two GP companies, each with its own GP key prefixes.

`--headless --pairs N --workers W --database postgresql`: W `ml-connector worker` processes on
the one workspace share the pairs (a pair's lease lets one run it at a time); every few seconds
one of them is killed with -9 (its whole process group) and started again. Polling only (a
pair's webhook receiver would move with its lease). Each pair's state is in a schema of its own
on a PostgreSQL the demo starts (or --database-url). The summary adds the kills, restarts and
which worker held each pair at the end.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import tempfile
from datetime import datetime
from pathlib import Path

import click
import httpx

from core.config import Workspace
from core.pairs import list_pairs, pair_workspace
from core.worker.logs import configure_logging, remove_logging
from core.worker.options import EXIT_CONFIG
from sandbox.launch import Sandbox, launch
from tui.app import make_app, make_picker_app
from tui.commands.common import global_options
from tui.demo.database import DatabaseMissing, DemoDatabase
from tui.demo.fleet_run import fleet_lines, run_headless_fleet
from tui.demo.harness import ActivityStream, DemoSession, run_headless
from tui.demo.more_shops import MOST, shop_plans
from tui.demo.pair_figures import pair_lines
from tui.demo.pairs_run import PairsSession, run_headless_pairs
from tui.demo.setup import DemoEndpoints
from tui.demo.shops import SHOPS, ShopsAndCompanies, start_shops_and_companies


def start_stand_ins(root: Path, seed: int, *, webhook_delay: float = 1.0,
                    gp_profile: str = "configured") -> tuple[Sandbox, DemoEndpoints]:
    """Both stand-ins on free loopback ports, over HTTPS with their self-signed certificates;
    returns (sandbox, endpoints). GP is configured as the README's GP set-up says, unless
    gp_profile is "fresh" (GP's defaults: watch what the connector meets without the set-up)."""
    box = launch(root / "stand-ins", seed=seed, orders=0, https=True,
                 webhook_delay=webhook_delay, gp_profile=gp_profile)
    if box.gp is None:
        box.stop()
        raise SystemExit("the GP stand-in could not start: " + "; ".join(box.notes))
    return box, endpoints_for(box)


def endpoints_for(box: Sandbox) -> DemoEndpoints:
    """The demo's endpoints for started stand-ins: the HTTPS URLs, trusted through each
    stand-in's own certificate file (a self-signed CA) — the safe path a real install takes:
    `[woocommerce] ca_bundle` (Basic auth over TLS) and `[gp] ca_bundle`, no `allow_http`."""
    shop, gp = box.woo, box.gp
    if not shop.https_url or shop.ca_file is None or gp.ca_file is None:
        raise SystemExit("the demo's stand-ins must be started with https=True")
    return DemoEndpoints(
        woo_url=shop.https_url, woo_key=shop.consumer_key, woo_secret=shop.consumer_secret,
        gp_soap_url=gp.soap_url, gp_sba_url=gp.sba_url, gp_base_url=gp.base_url,
        gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password, gp_company=gp.company,
        woo_ca=str(shop.ca_file), gp_ca=str(gp.ca_file))


@click.command(help=__doc__)
@global_options()
@click.option("--headless", is_flag=True,
              help="no console: run to completion and print a JSON summary")
@click.option("--pairs", "several", type=click.IntRange(2, MOST), is_flag=False, flag_value=3,
              default=None, metavar="[N]",
              help="several shops, two GP companies; bare: a US shop (USD) and a European shop "
                   "(EUR) into GP company 1, a second brand's shop (USD) into GP company 2; "
                   f"N (2 to {MOST}): N shops, mostly USD, some EUR, taking turns between the "
                   "two companies")
@click.option("--workers", type=click.IntRange(1, 8), default=1, show_default=True, metavar="W",
              help="with --pairs --headless: W `ml-connector worker` processes on the one "
                   "workspace, one of them killed (kill -9 of its process group) and restarted "
                   "every few seconds; polling only, no webhooks")
@click.option("--kill-every", type=click.FloatRange(min=0), default=8.0, show_default=True,
              metavar="SECONDS",
              help="with --workers: about this long between kills (seeded by --seed; 0: none)")
@click.option("--database", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True,
              help="with --pairs --headless: each pair's state in a schema of its own on a "
                   "local PostgreSQL the demo starts (the pgserver package)")
@click.option("--database-url", metavar="URL",
              help="with --database postgresql: an existing server instead "
                   "(postgresql://user@host:port/database, no password in it)")
@click.option("--orders", type=click.IntRange(min=1, clamp=True), default=None, metavar="N",
              help="orders the shop (with --pairs: each shop) takes in --headless mode "
                   "[default: 50; with --workers or --database postgresql: 20]")
@click.option("--seed", type=int, default=0, show_default=True, help="the seeded store's variant")
@click.option("--every", type=float, default=8.0, show_default=True, metavar="SECONDS",
              help="console mode: seconds between bursts of shop activity")
@click.option("--timeout", type=float, default=900.0, show_default=True, metavar="SECONDS",
              help="--headless: give up after this long")
@click.option("--settle", type=float, default=6.0, hidden=True, metavar="SECONDS",
              help="--headless: quiet time that counts as done (for tests)")
@click.option("--keep", is_flag=True, help="keep the temporary workspace (its path is printed)")
@click.option("--gp-profile", type=click.Choice(["configured", "fresh"]), default="configured",
              show_default=True,
              help="GP as the README's GP set-up leaves it, or as a fresh install")
@click.option("--gp-latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              metavar="MS", help="GP's median time per business call (a realistic profile: 300)")
@click.option("--gp-processes", type=click.IntRange(min=1), default=30, show_default=True,
              metavar="N", help="GP service processes serving calls at once (e.g. 4)")
def command(headless: bool, several: int | None, workers: int, kill_every: float,
            database: str, database_url: str | None, orders: int | None, seed: int, every: float,
            timeout: float, settle: float, keep: bool, gp_profile: str, gp_latency_ms: float,
            gp_processes: int) -> int:
    postgres = database == "postgresql" or bool(database_url)
    fleet = several is not None and (workers > 1 or postgres)
    if (workers > 1 or postgres) and (several is None or not headless):
        raise click.UsageError("--workers and --database postgresql go with --pairs --headless")
    orders = orders or (20 if fleet else 50)
    root = Path(tempfile.mkdtemp(prefix="ml-connector-demo-"))
    log_file = root / "workspace" / "logs" / "demo.log"
    if headless:
        configure_logging("text", "WARNING", file=log_file)
    else:
        # The console owns the terminal: logs go to a file only.
        configure_logging("text", "INFO", file=log_file, stream=open(os.devnull, "w"))
    box: Sandbox | ShopsAndCompanies | None = None
    db: DemoDatabase | None = None
    try:
        if several is not None:
            if postgres:
                db = (DemoDatabase.existing(database_url) if database_url else
                      DemoDatabase.local(root / "workspace" / "postgresql"))
            box = _start_shops(root, several, seed, gp_profile, gp_latency_ms, gp_processes)
            if fleet:
                return _headless_fleet(root, box, db, orders=orders, workers=workers, seed=seed,
                                       kill_every=kill_every, timeout=timeout, settle=settle)
            if headless:
                return _headless_pairs(root, box, orders, timeout, settle)
            return _console_pairs(root, box, every)
        box, ep = start_stand_ins(root, seed, gp_profile=gp_profile)
        set_gp_capacity(ep.gp_base_url, ep.gp_ca, gp_latency_ms, gp_processes, seed)
        if headless:
            return _headless(root, ep, orders, timeout, settle)
        return _console(root, ep, every)
    except DatabaseMissing as exc:
        click.echo(f"ml-connector demo: {exc}", err=True)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    finally:
        if box is not None:
            try:
                box.stop()
            except Exception:
                pass
        if db is not None:
            db.stop(keep=keep)
        remove_logging()  # the demo's own log file (removed with its folder unless --keep)
        _clean_up(root, log_file, keep)


def _start_shops(root: Path, several: int, seed: int, gp_profile: str, gp_latency_ms: float,
                 gp_processes: int) -> ShopsAndCompanies:
    """`--pairs [N]`'s shops and GP companies (bare --pairs, like --pairs 3: SHOPS)."""
    plans = SHOPS if several == len(SHOPS) else shop_plans(several)
    box = start_shops_and_companies(root / "stand-ins", seed, gp_profile=gp_profile, plans=plans)
    for gp in box.companies.values():
        set_gp_capacity(gp.base_url, str(gp.ca_file), gp_latency_ms, gp_processes, seed)
    return box


def _clean_up(root: Path, log_file: Path, keep: bool) -> None:
    if keep:
        click.echo(f"demo workspace kept in {root / 'workspace'} (log: {log_file})", err=True)
        return
    saved = keep_exports(root / "workspace" / "exports")
    if saved is not None:
        click.echo(f"the demo's exports and screenshots were kept in {saved}", err=True)
    # Each pair's key lives outside the workspace (core.config.workspace_key_dir): removed too.
    base = Workspace.at(root / "workspace")
    keys = [pair_workspace(base, name).key_dir for name in list_pairs(base)]
    shutil.rmtree(root, ignore_errors=True)
    for key_dir in [base.key_dir, *keys]:
        shutil.rmtree(key_dir, ignore_errors=True)


def set_gp_capacity(base_url: str, ca_file: str | None, latency_ms: float, processes: int,
                    seed: int) -> None:
    """GP's speed and capacity (sandbox/gp/capacity.py): calls queue when all are busy."""
    if not latency_ms and processes == 30:
        return
    httpx.post(f"{base_url}/_sandbox/capacity", json={
        "median_ms": latency_ms, "sigma": 0.4, "processes": processes, "seed": seed},
        verify=ssl.create_default_context(cafile=ca_file) if ca_file else True,
        timeout=30).raise_for_status()


def keep_exports(exports: Path) -> Path | None:
    """What the accountant exported (CSV, screenshots) outlives the demo's temporary folder:
    moved beside it, under a name that says what it is, and the path is printed."""
    if not exports.is_dir() or not any(p.is_file() for p in exports.rglob("*")):
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(tempfile.gettempdir()) / f"ml-connector-demo-exports-{stamp}"
    shutil.move(str(exports), str(target))
    return target


def _headless(root: Path, ep: DemoEndpoints, orders: int, timeout: float,
              settle: float) -> int:
    summary = run_headless(ep, root / "workspace", orders=orders, timeout_s=timeout,
                           settle_s=settle)
    click.echo(json.dumps(summary, indent=2))
    ok = summary["duplicates"] == 0 and summary["every_postable_order_posted"] and summary["idle"]
    return 0 if ok else 1


def _console(root: Path, ep: DemoEndpoints, every: float) -> int:
    click.echo("Starting the demo: WooCommerce and GP stand-ins, a worker, the console...",
               err=True)
    session = DemoSession.start(ep, root / "workspace")
    # Something to look at straight away, including the SKU GP does not know.
    session.control.activity(orders=6, unknown_sku_orders=1)
    stream = ActivityStream(session.control, every_s=every).start()
    try:
        app = make_app(session.workspace, start_worker=False)
        app.run()
    finally:
        stream.stop()
        session.stop()
    return 0


def _headless_pairs(root: Path, started: ShopsAndCompanies, orders: int, timeout: float,
                    settle: float) -> int:
    summary = run_headless_pairs(root / "workspace", started, orders=orders, timeout_s=timeout,
                                 settle_s=settle)
    click.echo(json.dumps(summary, indent=2))
    click.echo("\n".join(pair_lines(summary)), err=True)
    return 0 if summary["every_pair_ok"] and summary["idle"] else 1


def _headless_fleet(root: Path, started: ShopsAndCompanies, db: DemoDatabase | None, *,
                    orders: int, workers: int, seed: int, kill_every: float, timeout: float,
                    settle: float) -> int:
    # The W workers run in sessions of their own (kill -9 of one's group spares the demo): a
    # SIGTERM to the demo must still stop them, through the finally blocks.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    urls = {p.pair: db.pair_url(p.pair) for p in started.plans} if db is not None else None
    if db is not None:
        click.echo(f"the pairs' state: PostgreSQL at {db.where()}", err=True)
    summary = run_headless_fleet(root / "workspace", started, orders=orders, workers=workers,
                                 database_urls=urls, seed=seed, kill_every_s=kill_every,
                                 timeout_s=timeout, settle_s=settle)
    click.echo(json.dumps(summary, indent=2))
    click.echo("\n".join(fleet_lines(summary)), err=True)
    return 0 if summary["every_pair_ok"] and summary["idle"] else 1


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _console_pairs(root: Path, started: ShopsAndCompanies, every: float) -> int:
    click.echo("Starting the demo: three shops, two GP companies, one worker for every pair, "
               "the console (on the pair picker)...", err=True)
    session = PairsSession.start(root / "workspace", started)
    streams = []
    try:
        for control in session.controls.values():
            control.activity(orders=4, unknown_sku_orders=1)
            streams.append(ActivityStream(control, every_s=every).start())
        # The pair picker first, as `console` opens on a workspace of several pairs: the
        # accountant sees the three shops side by side and switches with key 0.
        app = make_picker_app(session.base, start_worker=False)
        app.run()
    finally:
        for stream in streams:
            stream.stop()
        session.stop()
    return 0
