"""`ml-connector` — every terminal face starts here.

Each sub-command lives in its own module under tui/commands/ and exposes
`register(subparsers)`, which adds its parser and sets `func=run(args) -> int`.
Adding a command = a new module + one line in COMMAND_MODULES.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: list[str] = [
    "tui.commands.init",
    "tui.commands.credentials",
    "tui.commands.webhooks",
    "tui.commands.backfill",
    "tui.commands.audit_cmd",
    "tui.commands.check",
    "tui.commands.worker",
    "tui.commands.status",
    "tui.commands.reconcile",
    "tui.commands.demo",
    "tui.commands.sandbox",
    "tui.commands.console",
    "tui.commands.replay",
    "tui.commands.products",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ml-connector",
        description="Move WooCommerce orders, refunds, customers and products into Dynamics GP.",
    )
    parser.add_argument("--workspace", metavar="DIR",
                        help="keep configuration, database and key file together in DIR")
    parser.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
