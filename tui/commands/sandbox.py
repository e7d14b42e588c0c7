"""`ml-connector sandbox`: run the WooCommerce and GP stand-ins on loopback until Ctrl-C."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sandbox", help="run local WooCommerce and GP stand-ins (no credentials needed)",
        description="Start the WooCommerce 10 and Dynamics GP stand-ins on loopback, print "
                    "their URLs and credentials, and serve until Ctrl-C or SIGTERM.")
    p.add_argument("--seed", type=int, default=0, help="seed of the shop's data (default 0)")
    p.add_argument("--orders", type=int, default=0, metavar="N",
                   help="generate N historical orders first")
    p.add_argument("--woo-port", type=int, default=0, metavar="P", help="WooCommerce port")
    p.add_argument("--gp-port", type=int, default=0, metavar="P", help="GP port")
    p.add_argument("--https", action="store_true", help="serve both over HTTPS (self-signed)")
    p.add_argument("--print-json", action="store_true",
                   help="print one JSON line with URLs and credentials")
    p.set_defaults(func=run)


def _state_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "workspace", None):
        return Path(args.workspace) / "sandbox"
    return Path(tempfile.mkdtemp(prefix="ml-connector-sandbox-"))


def run(args: argparse.Namespace) -> int:
    from sandbox.launch import launch, wait_for_signal

    state_dir = _state_dir(args)
    box = launch(state_dir, seed=args.seed, orders=args.orders, woo_port=args.woo_port,
                 gp_port=args.gp_port, https=args.https)
    try:
        info = box.describe()
        if args.print_json:
            print(json.dumps(info), flush=True)
        else:
            w, g = info["woocommerce"], info["gp"]
            print("WooCommerce stand-in")
            print(f"  url            {w['url']}")
            if w["https_url"]:
                print(f"  https_url      {w['https_url']}  (CA file {w['ca_file']})")
            print(f"  consumer key   {w['consumer_key']}  (read/write)")
            print(f"  secret         {w['consumer_secret']}")
            print(f"  read-only key  {w['readonly_key']}  secret {w['readonly_secret']}")
            print(f"  control plane  {w['url']}/_sandbox/state")
            if g:
                print("Dynamics GP stand-in")
                print(f"  soap_url       {g['soap_url']}")
                print(f"  sba_url        {g['sba_url']}")
                print(f"  login          {g['domain']}\\{g['user']}  password {g['password']}")
                print(f"  company        {g['company']}")
            for note in box.notes:
                print(f"note: {note}", file=sys.stderr)
            print("Ctrl-C stops both.", flush=True)
        wait_for_signal()
    finally:
        box.stop()
        if not getattr(args, "workspace", None):
            shutil.rmtree(state_dir, ignore_errors=True)  # our own temp dir: leave no keys
    return 0
