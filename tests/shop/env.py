"""A workspace set up against both stand-ins, the way the README's set-up order leaves it."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from core import gl
from core.config import Workspace
from core.store.db import close_db, init_db
from tui.demo.setup import (
    COMPANY_ACCOUNTS,
    GATEWAY_CASH_ACCOUNTS,
    GATEWAYS,
    SandboxControl,
    prepare_workspace,
)

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`ml-connector ARGS` in its own process (exit codes and stdout as a person sees them)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def db_digest(db_path: Path) -> str:
    """The state database file's bytes, after every connection of this process is closed (so
    the WAL is folded in and nothing is pending)."""
    close_db()
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
    return hashlib.sha256(db_path.read_bytes()).hexdigest()


def shop_workspace(tmp_path: Path, ep, *, store_time_zone: bool = True,
                   **posting) -> tuple[Workspace, str]:
    """A workspace on both stand-ins (`ep`: their endpoints) as the README's set-up leaves it,
    with the product sync off (these tests are about orders), the schedule in the stand-in
    store's time zone unless `store_time_zone` is False, and any `[posting]` settings given;
    saved. The workspace, and its path for `--workspace`."""
    ws, settings = prepare_workspace(tmp_path / "ws", ep)
    settings.products.enabled = False
    if store_time_zone:
        settings.worker.schedule.timezone = "America/New_York"
    for key, value in posting.items():
        setattr(settings.posting, key, value)
    ws.save(settings)
    return ws, str(tmp_path / "ws")


def sell_and_sync(ep, root: str, orders: int) -> None:
    """The shop takes `orders` orders, then one worker pass (polling, no webhooks) posts them."""
    control = SandboxControl(ep)
    try:
        control.activity(orders=orders)
    finally:
        control.close()
    run = cli("--workspace", root, "worker", "--once", "--no-webhooks")
    assert run.returncode == 0, run.stderr


def readme_setup(folder: Path, ep, monkeypatch, *init_args: str) -> Workspace:
    """The README's set-up order up to a clean `check`, each step through the CLI: init (the
    credentials from the environment, the store's time zone read from the shop), `check` failing
    on what is missing, GL accounts and gateways set with `gl set` and `payments set`, `check`
    passing. `init_args`: more for init (`--database-url URL`, say)."""
    root = str(folder)
    monkeypatch.setenv("SETUP_WOO_KEY", ep.woo_key)
    monkeypatch.setenv("SETUP_WOO_SECRET", ep.woo_secret)
    monkeypatch.setenv("SETUP_GP_PASSWORD", ep.gp_password)
    monkeypatch.delenv("ML_CONNECTOR_KEY", raising=False)
    init = cli("--workspace", root, "init", "--non-interactive", "--woo-url", ep.woo_url,
               "--woo-key-env", "SETUP_WOO_KEY", "--woo-secret-env", "SETUP_WOO_SECRET",
               "--gp-url", ep.gp_soap_url, "--gp-user", ep.gp_user, "--gp-password-env",
               "SETUP_GP_PASSWORD", "--gp-company", ep.gp_company, "--gp-allow-http",
               *init_args)
    assert init.returncode == 0, init.stderr
    ws = Workspace.at(folder)
    settings = ws.load()
    assert settings.worker.schedule.timezone == "America/New_York"
    # check: the keys work, but every order would be held or posted unpaid
    check = cli("--workspace", root, "check", "--no-probe")
    assert check.returncode == 1, check.stdout
    assert "GL accounts: no company account for sales" in check.stdout
    assert "ml-connector gl set company" in check.stdout
    assert re.search(r"FAIL  Gateway \w+", check.stdout)
    # GL accounts and gateways, with the CLI's `gl set` and `payments set` (issue 13 item 7:
    # no way to set them outside the console was part of what went wrong)
    for kind, account in COMPANY_ACCOUNTS.items():
        done = cli("--workspace", root, "gl", "set", kind, account)
        assert done.returncode == 0, done.stdout + done.stderr
    for gateway, account in GATEWAY_CASH_ACCOUNTS.items():
        done = cli("--workspace", root, "gl", "set", "cash", account, "--scope", "gateway",
                   "--for", gateway)
        assert done.returncode == 0, done.stdout + done.stderr
    for gateway, rule in GATEWAYS.items():
        extra = [f"--{k.replace('_', '-')}={v}" for k, v in rule.items()
                 if k in ("card_type", "checkbook")]
        done = cli("--workspace", root, "payments", "set", gateway, "--type",
                   rule["payment_type"], *extra)
        assert done.returncode == 0, done.stdout + done.stderr
    init_db(settings.store.database_url or ws.db_path)
    try:
        assert {k: gl.resolve_account(k) for k in COMPANY_ACCOUNTS} == COMPANY_ACCOUNTS
        assert gl.gateway_account("stripe") == GATEWAY_CASH_ACCOUNTS["stripe"]
    finally:
        close_db()
    assert ws.load().posting.gateways["stripe"]["card_type"] == "STRIPE"
    check = cli("--workspace", root, "check", "--no-probe")
    assert check.returncode == 0, check.stdout
    return ws
