"""Several pairs in one workspace, each a shop stand-in and a GP stand-in of its own, made the
way `init` and `init --pair NAME` make them (prepare_workspace: config, key, credentials, GL),
and `ml-connector worker` for the whole workspace as its own process group."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import IO

from core.clock import SYSTEM_CLOCK
from core.pairs import DEFAULT_PAIR
from core.store.db import close_db, init_db
from core.store.models import Order
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn
from tests.core.pipeline_env import Env, eligible_orders
from tui.demo.setup import DemoEndpoints, prepare_workspace

ROOT = Path(__file__).resolve().parents[2]


def start_pair(tmp: Path, folder: Path, name: str, *, seed: int, orders: int = 0,
               gp: GPStandIn | None = None, posting: dict[str, str] | None = None) -> Env:
    """Pair `name` of the workspace `folder`, with its own shop and its own GP company (or
    `gp`'s, shared with another pair); `posting`: [posting] settings of this pair."""
    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)  # the allow_http warning
    shop = WooStandIn(tmp / f"woo-{name}", seed=seed, orders=orders, webhook_delay=0)
    shop.start()
    if gp is None:
        gp = GPStandIn(tmp / f"gp-{name}", seed=seed)
        gp.start()
    ep = DemoEndpoints(woo_url=shop.url, woo_key=shop.consumer_key,
                       woo_secret=shop.consumer_secret, gp_soap_url=gp.soap_url,
                       gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password,
                       gp_company=gp.company)
    root = folder if name == DEFAULT_PAIR else folder / "pairs" / name
    ws, settings = prepare_workspace(root, ep)
    for key, value in (posting or {}).items():
        section, _, field = key.rpartition(".")
        setattr(getattr(settings, section or "posting"), field, value)
    ws.save(settings)
    close_db()
    return Env(tmp, shop, gp, ws, settings, SYSTEM_CLOCK)


def close_pairs(envs: list[Env]) -> None:
    """Stop every shop and each GP stand-in once (pairs may share one)."""
    stopped: set[int] = set()
    for env in envs:
        if id(env.gp) in stopped:
            env.gp = _Stopped()
        stopped.add(id(env.gp))
        env.close()


class _Stopped:
    def stop(self) -> None:
        """Already stopped with the pair that shares it."""


def start_worker(folder: Path, log: IO[str], *extra: str) -> subprocess.Popen[str]:
    """`ml-connector worker --workspace FOLDER` (every pair), in a process group of its own as a
    service manager starts it; its log (every pair's) goes to `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "worker", "--workspace", str(folder), "--no-webhooks",
         "--no-products", *extra], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def kill_group(process: subprocess.Popen[str]) -> None:
    """kill -9 the worker and every pair's worker process (systemd's KillMode=control-group)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def invoice_counts(env: Env) -> Counter[str]:
    """Invoices in this pair's GP company per customer PO number (the WooCommerce order)."""
    return Counter(str(doc["po"]) for doc in env.gp.state()["invoices"])


def all_posted(env: Env, expected: dict[str, object]) -> bool:
    return set(expected) <= set(invoice_counts(env))


def order_states(env: Env) -> Counter[str]:
    """The pair's orders by state, from its own state database (opened here, then closed)."""
    init_db(env.ws.db_path)
    try:
        return Counter(str(o.state) for o in Order.select(Order.state))
    finally:
        close_db()


__all__ = ["all_posted", "close_pairs", "eligible_orders", "invoice_counts", "kill_group",
           "order_states", "start_pair", "start_worker"]
