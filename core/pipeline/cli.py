"""`python -m core.pipeline.cli --workspace DIR`: the posting loop as its own process.

Used by the kill -9 reliability tests and handy for an operator ("post what is queued, then
exit"). Credentials come from the workspace vault; `--gp-password-env` / `--woo-*-env` let a
test or a service manager pass them through the environment instead (never argv).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from core.config import Workspace
from core.gp.factory import open_gateway
from core.pipeline.runner import Runner
from core.secrets.vault import open_vault
from core.store.db import init_db
from core.woo.client import WooClient


def _secret(env: str | None, vault: object | None, name: str) -> str:
    if env:
        value = os.environ.get(env)
        if value is None:
            raise SystemExit(f"environment variable {env} is not set")
        return value
    if vault is None:
        raise SystemExit(f"no vault in this workspace for {name}")
    return vault.require(name)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.pipeline.cli")
    p.add_argument("--workspace", required=True)
    p.add_argument("--config")
    p.add_argument("--concurrency", type=int)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--gp-password-env")
    p.add_argument("--woo-key-env")
    p.add_argument("--woo-secret-env")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    ws = Workspace.from_args(args.workspace, args.config)
    settings = ws.load()
    init_db(ws.db_path)
    vault = None
    if not (args.gp_password_env and args.woo_key_env and args.woo_secret_env):
        vault = open_vault(ws)
    password = _secret(args.gp_password_env, vault, "gp.password")
    gateway = open_gateway(settings, password, Path(args.workspace))
    woo = WooClient(settings.woocommerce.url,
                    _secret(args.woo_key_env, vault, "woocommerce.consumer_key"),
                    _secret(args.woo_secret_env, vault, "woocommerce.consumer_secret"),
                    ca_bundle=settings.woocommerce.ca_bundle or None,
                    timeout_s=settings.woocommerce.timeout_s)
    runner = Runner(settings, gateway=gateway, woo=woo, dry_run=args.dry_run,
                    concurrency=args.concurrency,
                    gateway_factory=lambda: open_gateway(settings, password, Path(args.workspace)))
    try:
        done = runner.run_until_idle()
    finally:
        runner.close()
        gateway.close()
        woo.close()
    print(json.dumps({"done": done, "retried": runner.stats.retried}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
