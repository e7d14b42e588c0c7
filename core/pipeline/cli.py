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
from core.connections import gp_gateway, woo_client
from core.pipeline.runner import Runner
from core.secrets.vault import (
    GP_PASSWORD,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    Vault,
    open_vault,
)
from core.store.db import init_db
from core.store.postgres import state_location


class Secrets:
    """Each credential from its environment variable when one is named, else from the vault."""

    def __init__(self, env: dict[str, str | None], vault: Vault | None) -> None:
        self.env = env
        self.vault = vault

    def get(self, name: str) -> str | None:
        var = self.env.get(name)
        if var:
            value = os.environ.get(var)
            if value is None:
                raise SystemExit(f"environment variable {var} is not set")
            return value
        if self.vault is None:
            raise SystemExit(f"no vault in this workspace for {name}")
        return self.vault.get(name)

    def require(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise SystemExit(f"{name} is not stored: run `ml-connector credentials set`")
        return value


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
    init_db(state_location(ws.db_path, settings.store.database_url))
    env = {GP_PASSWORD: args.gp_password_env, WOO_CONSUMER_KEY: args.woo_key_env,
           WOO_CONSUMER_SECRET: args.woo_secret_env}
    vault = None if all(env.values()) else open_vault(ws)
    secrets = Secrets(env, vault)
    folder = Path(args.workspace)
    gateway = gp_gateway(settings, secrets, folder)
    woo = woo_client(settings, secrets)
    runner = Runner(settings, gateway=gateway, woo=woo, dry_run=args.dry_run,
                    concurrency=args.concurrency,
                    gateway_factory=lambda: gp_gateway(settings, secrets, folder))
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
