"""Pairs of one workspace kept in schemas of one PostgreSQL database, and `ml-connector worker
--share` processes sharing them, for the tests of issue 18 (several hosts, one PostgreSQL).

Each pair is made the way `init --pair NAME` makes one (prepare_workspace's steps: config, key,
credentials, GL accounts), but with `[store] database_url` naming a schema of its own
(`...&options=-csearch_path%3DNAME`). Every pair has its own shop stand-in; the pairs share one
GP stand-in company, each with its own document, batch and customer prefixes (as the README's
two-shops-one-company set-up says; core.shared_company refuses clashes).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import IO

from core import gl
from core.clock import SYSTEM_CLOCK
from core.config import Workspace
from core.pairs import DEFAULT_PAIR
from core.secrets.vault import (
    GP_PASSWORD,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    create_key,
    open_vault,
)
from core.store.db import close_db, database, init_db
from core.store.models import Job, Order
from core.store.postgres import open_postgres
from core.worker.lease import LeaseInfo
from core.worker.pair_leases import read_pair_lease
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn
from tests.core.pipeline_env import Env
from tui.demo.setup import (
    ACTOR,
    COMPANY_ACCOUNTS,
    GATEWAY_CASH_ACCOUNTS,
    SHOP_TAX_DETAILS,
    DemoEndpoints,
    demo_settings,
)

ROOT = Path(__file__).resolve().parents[2]
LETTERS = "ABCDEFGHJK"  # each pair's prefix in the shared GP company (no I: reads as 1)


def pair_names(count: int) -> list[str]:
    """The default pair and then p1, p2, ..."""
    return [DEFAULT_PAIR] + [f"p{n}" for n in range(1, count)]


def schema_url(pg_url: str, schema: str) -> str:
    return f"{pg_url}&options=-csearch_path%3D{schema}"


def prefixes(letter: str) -> dict[str, str]:
    return {"doc_number_template": f"{letter}{{number}}",
            "refund_number_template": f"{letter}R{{refund_id}}",
            "batch_template": f"{letter}{{date:%Y%m%d}}", "customer_id_prefix": letter}


def make_pg_pair(tmp: Path, folder: Path, name: str, index: int, *, pg_url: str, gp: GPStandIn,
                 seed: int, orders: int = 0, lease_ttl_s: int = 6) -> Env:
    """Pair `name` (the index-th) of workspace `folder`, its state in schema s_<name> of the
    database at `pg_url`, its own shop, GP company `gp`'s (shared) with its own prefixes."""
    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)  # the allow_http warning
    schema = f"s_{name}"
    init_db(pg_url, migrate=False)
    database.execute_sql(f'CREATE SCHEMA "{schema}"')
    close_db()
    shop = WooStandIn(tmp / f"woo-{name}", seed=seed, orders=orders, webhook_delay=0)
    shop.start()
    ep = DemoEndpoints(woo_url=shop.url, woo_key=shop.consumer_key,
                       woo_secret=shop.consumer_secret, gp_soap_url=gp.soap_url,
                       gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password,
                       gp_company=gp.company)
    ws = Workspace.at(folder if name == DEFAULT_PAIR else folder / "pairs" / name)
    settings = demo_settings(ep)
    letter = LETTERS[index]
    for key, value in prefixes(letter).items():
        setattr(settings.posting, key, value)
    settings.products.adjustment_batch_template = f"{letter}IV{{date:%Y%m%d}}"
    settings.store.database_url = schema_url(pg_url, schema)
    settings.worker.lease_ttl_s = lease_ttl_s
    settings.posting.concurrency = 1
    ws.save(settings)
    create_key(ws)
    init_db(settings.store.database_url, home=ws.db_path)
    try:
        vault = open_vault(ws, clock=SYSTEM_CLOCK, at=settings.store.database_url)
        vault.set(WOO_CONSUMER_KEY, ep.woo_key, ACTOR)
        vault.set(WOO_CONSUMER_SECRET, ep.woo_secret, ACTOR)
        vault.set(GP_PASSWORD, ep.gp_password, ACTOR)
        for kind, account in COMPANY_ACCOUNTS.items():
            gl.set_account("company", "", kind, account, actor=ACTOR)
        for gateway, account in GATEWAY_CASH_ACCOUNTS.items():
            gl.set_account("gateway", gateway, "cash", account, actor=ACTOR)
        for rate_id, detail in SHOP_TAX_DETAILS.items():
            gl.set_account("tax_rate", str(rate_id), "tax", detail, actor=ACTOR)
    finally:
        close_db()
    return Env(tmp, shop, gp, ws, settings, SYSTEM_CLOCK)


def start_sharing(folder: Path, log: IO[str], host: str | None = None) -> subprocess.Popen[str]:
    """`ml-connector worker --share` for the whole workspace, in a process group of its own as
    a service manager starts it; `host`: the host name it gives in its leases
    (ML_CONNECTOR_HOST), so one machine can stand for several hosts."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ML_CONNECTOR_DATABASE_URL", None)
    if host is not None:
        env["ML_CONNECTOR_HOST"] = host
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "worker", "--workspace", str(folder), "--share",
         "--no-webhooks", "--no-products"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)


def leases(envs: dict[str, Env]) -> dict[str, LeaseInfo | None]:
    """Every pair's lease row, read as the sharing supervisor reads it."""
    return {name: read_pair_lease(env.settings.store.database_url) for name, env in envs.items()}


def pair_progress(env: Env) -> tuple[Counter[str], int]:
    """(the pair's orders by state, its jobs still queued or leased), through a connection of
    the test's own (never the global database)."""
    db = open_postgres(env.settings.store.database_url)
    try:
        db.connect()
        states = Counter(str(o.state) for o in Order.select(Order.state).bind(db))
        waiting = Job.select().where(Job.status.in_(("queued", "leased"))).bind(db).count()
    finally:
        db.close()
    return states, waiting


__all__ = ["LETTERS", "leases", "make_pg_pair", "pair_names", "pair_progress", "prefixes",
           "start_sharing"]
