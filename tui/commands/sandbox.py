"""Start the WooCommerce 10 and Dynamics GP stand-ins on loopback, print their URLs and
credentials, and serve until Ctrl-C or SIGTERM. With --workspace DIR (an existing folder) their
state is kept in DIR/sandbox; otherwise in a temporary folder removed at the end."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import click

from sandbox.launch import launch, wait_for_signal
from tui.commands.common import CommandError, global_options, named_folder


@click.command(help=__doc__)
@global_options()
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the shop's data")
@click.option("--orders", type=int, default=0, metavar="N",
              help="generate N historical orders first")
@click.option("--woo-port", type=int, default=0, metavar="P",
              help="WooCommerce's port (default: any free port)")
@click.option("--gp-port", type=int, default=0, metavar="P",
              help="GP's port (default: any free port)")
@click.option("--https", is_flag=True, help="serve both over HTTPS (self-signed)")
@click.option("--print-json", is_flag=True,
              help="print one JSON line with URLs and credentials")
@click.option("--gp-profile", type=click.Choice(["configured", "fresh"]), default="configured",
              show_default=True,
              help="GP as the README's GP set-up leaves it, or as a fresh install (GP's defaults)")
@click.option("--gp-latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="median GP business-call latency (log-normal, sigma 0.4 when > 0)")
@click.option("--gp-processes", type=click.IntRange(min=1), default=30, show_default=True,
              help="GP service processes: requests queue when all are busy (SBA's default 30)")
def command(seed: int, orders: int, woo_port: int, gp_port: int, https: bool,
            print_json: bool, gp_profile: str, gp_latency_ms: float, gp_processes: int) -> int:
    folder = named_folder()
    if folder is not None and not folder.is_dir():
        raise CommandError(f"no folder at {folder}", command="sandbox")
    state_dir = folder / "sandbox" if folder else Path(tempfile.mkdtemp(
        prefix="ml-connector-sandbox-"))
    capacity = {"median_ms": gp_latency_ms, "sigma": 0.4 if gp_latency_ms else 0.0,
                "processes": gp_processes}
    box = launch(state_dir, seed=seed, orders=orders, woo_port=woo_port, gp_port=gp_port,
                 https=https, gp_profile=gp_profile, gp_capacity=capacity)
    try:
        info = box.describe()
        if print_json:
            click.echo(json.dumps(info))
        else:
            w, g = info["woocommerce"], info["gp"]
            click.echo("WooCommerce stand-in")
            click.echo(f"  url            {w['url']}")
            if w["https_url"]:
                click.echo(f"  https_url      {w['https_url']}  (CA file {w['ca_file']})")
            click.echo(f"  consumer key   {w['consumer_key']}  (read/write)")
            click.echo(f"  secret         {w['consumer_secret']}")
            click.echo(f"  read-only key  {w['readonly_key']}  secret {w['readonly_secret']}")
            click.echo(f"  control plane  {w['url']}/_sandbox/state")
            if g:
                click.echo("Dynamics GP stand-in")
                click.echo(f"  soap_url       {g['soap_url']}")
                click.echo(f"  sba_url        {g['sba_url']}")
                click.echo(f"  login          {g['domain']}\\{g['user']}  password {g['password']}")
                click.echo(f"  company        {g['company']}")
            for note in box.notes:
                click.echo(f"note: {note}", err=True)
            click.echo("Ctrl-C stops both.")
        wait_for_signal()
    finally:
        box.stop()
        if folder is None:
            shutil.rmtree(state_dir, ignore_errors=True)  # our own temp dir: leave no keys
    return 0
