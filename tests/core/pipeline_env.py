"""Both stand-ins over real loopback HTTP (NTLM for GP), a workspace, and the real clients.

Shared by the pipeline, reliability and bench code: the stand-ins are started exactly as a user
would (`sandbox.woo.WooStandIn`, `sandbox.gp.GPStandIn`), the connector reaches them only by URL
and credentials.
"""
from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core import gl
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.intake.inbox import accept_order_snapshot
from core.store.db import init_db

# The GP stand-in's chart of accounts (GP's Fabrikam sample) and checkbooks.
ACCOUNTS = {"sales": "000-4100-00", "receivables": "000-1200-00", "freight": "000-4510-00",
            "misc": "000-4520-00", "discount": "000-4110-00", "tax": "000-2300-00",
            "rounding": "000-7900-00", "cash": "000-1110-00"}
GATEWAY_CASH = {"stripe": "000-1140-00", "ppcp": "000-1130-00"}
GATEWAYS = {"stripe": {"payment_type": "credit_card", "card_type": "STRIPE", "checkbook": "CARDS"},
            "ppcp": {"payment_type": "credit_card", "card_type": "PAYPAL", "checkbook": "PAYPAL"}}
# The shop's tax rates -> the GP tax details the README's GP set-up creates for them.
SHOP_TAX_DETAILS = {1: "WEB-NY", 2: "WEB-CA", 3: "WEB-TX", 4: "WEB-WA"}
PASSWORD_ENV = "ML_TEST_GP_PASSWORD"
WOO_KEY_ENV = "ML_TEST_WOO_KEY"
WOO_SECRET_ENV = "ML_TEST_WOO_SECRET"


def pipeline_worker(env: Any, crash: str | None, concurrency: int | str
                    ) -> tuple[list[str], dict[str, str]]:
    """(argv, environment) of the posting worker as its own process (`python -m
    core.pipeline.cli`) on `env`'s workspace, its secrets passed by environment variable;
    `crash`: ML_CONNECTOR_CRASH (the points where it SIGKILLs itself), None for none. The
    workspace's config names its state, never an inherited ML_CONNECTOR_DATABASE_URL."""
    child_env = dict(os.environ)
    child_env.update({PASSWORD_ENV: env.gp.password, WOO_KEY_ENV: env.shop.consumer_key,
                      WOO_SECRET_ENV: env.shop.consumer_secret})
    child_env.pop("ML_CONNECTOR_CRASH", None)
    child_env.pop("ML_CONNECTOR_DATABASE_URL", None)
    if crash:
        child_env["ML_CONNECTOR_CRASH"] = crash
    argv = [sys.executable, "-m", "core.pipeline.cli", "--workspace",
            str(env.ws.db_path.parent), "--gp-password-env", PASSWORD_ENV, "--woo-key-env",
            WOO_KEY_ENV, "--woo-secret-env", WOO_SECRET_ENV, "--concurrency", str(concurrency)]
    return argv, child_env


@dataclass
class Env:
    root: Path
    shop: Any
    gp: Any
    ws: Workspace
    settings: Settings
    clock: Clock
    _open: list[Any] = field(default_factory=list)

    # --- clients ------------------------------------------------------------------------
    def woo(self) -> Any:
        from core.woo.client import WooClient

        client = WooClient(self.shop.url, self.shop.consumer_key, self.shop.consumer_secret,
                           sleep=lambda s: None)
        self._open.append(client)
        return client

    def gateway(self) -> Any:
        from core.gp.factory import open_gateway

        gw = open_gateway(self.settings, self.gp.password, self.ws.db_path.parent)
        self._open.append(gw)
        return gw

    def runner(self, **kw: Any) -> Any:
        from core.pipeline.runner import Runner

        kw.setdefault("clock", self.clock)
        kw.setdefault("gateway_factory", self.gateway)  # a gateway per worker thread
        runner = Runner(self.settings, gateway=kw.pop("gateway", None) or self.gateway(),
                        woo=kw.pop("woo", None) or self.woo(), **kw)
        self._open.append(runner)
        return runner

    def refresh_items(self) -> int:
        """What the worker's product sync keeps up to date: the local copy of GP's item list
        (the pipeline then asks GP only about SKUs it has never seen)."""
        from core.store.db import database
        from core.store.models import GpItem

        gw = self.gateway()
        items = gw.list_items(price_level="RETAIL", uofm="Each", site="MAIN")
        now = self.clock.now()
        with database.atomic():
            GpItem.insert_many([{"item_number": i.item_number, "description": i.description,
                                 "refreshed_at": now} for i in items]).on_conflict(
                conflict_target=[GpItem.item_number],
                preserve=[GpItem.description, GpItem.refreshed_at]).execute()
        return len(items)

    # --- the shop -----------------------------------------------------------------------
    def ingest(self) -> int:
        """What the poller does: every order snapshot through intake's one door."""
        woo = self.woo()
        return sum(accept_order_snapshot(o, source="poll", clock=self.clock)
                   for o in woo.iter_orders_modified_since(None))

    def woo_control(self, method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(method, f"{self.shop.url}/_sandbox/{path}", json=body, timeout=30)
        r.raise_for_status()
        return r.json()

    def gp_faults(self, **faults: Any) -> None:
        r = httpx.post(f"{self.gp.base_url}/_sandbox/faults", json=faults, timeout=30)
        r.raise_for_status()

    def gp_clear_faults(self) -> None:
        httpx.delete(f"{self.gp.base_url}/_sandbox/faults", timeout=30).raise_for_status()

    def woo_orders(self) -> list[dict[str, Any]]:
        return list(self.woo().iter_orders_modified_since(None))

    def close(self) -> None:
        for c in reversed(self._open):
            try:
                c.close()
            except Exception:  # noqa: BLE001 - best effort in teardown
                pass
        self.shop.stop()
        self.gp.stop()


def start_env(root: Path, *, orders: int = 0, seed: int = 1, clock: Clock = SYSTEM_CLOCK,
              concurrency: int = 4, calculate_unit_price: bool = False,
              profile: str = "configured", database: str | None = None) -> Env:
    """`database`: a postgresql:// URL to keep the state there instead of the workspace's
    state.db (tests/postgres)."""
    from sandbox.gp import GPStandIn
    from sandbox.woo import WooStandIn

    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)  # the allow_http warning
    shop = WooStandIn(root / "woo", seed=seed, orders=orders, webhook_delay=0)
    shop.start()
    # "fresh": GP as a new install leaves it (its own defaults, nothing set up for us).
    gp = GPStandIn(root / "gp", seed=seed, profile=profile,
                   calculate_unit_price=None if profile == "fresh" else calculate_unit_price)
    gp.start()
    ws = Workspace.at(root / "ws")
    s = Settings()
    s.woocommerce.url = shop.url
    s.gp.soap_url = gp.soap_url
    s.gp.user = f"{gp.domain}\\{gp.user}"
    s.gp.company = gp.company
    s.gp.allow_http = True
    s.gp.timeout_s = 10.0
    s.gp.role = "ML Connector"  # the README's role; the stand-in's configured profile has it
    s.posting.gateways = {k: dict(v) for k, v in GATEWAYS.items()}
    s.posting.concurrency = concurrency
    ws.save(s)
    init_db(database or ws.db_path)
    for kind, account in ACCOUNTS.items():
        gl.set_account("company", "", kind, account, actor="test", clock=clock)
    for gateway, account in GATEWAY_CASH.items():
        gl.set_account("gateway", gateway, "cash", account, actor="test", clock=clock)
    for rate_id, detail in SHOP_TAX_DETAILS.items():
        gl.set_account("tax_rate", str(rate_id), "tax", detail, actor="test", clock=clock)
    return Env(root, shop, gp, ws, s, clock)


def invoices_by_po(env: Env) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for doc in env.gp.state()["invoices"]:
        out.setdefault(doc["po"], []).append(doc)
    return out


def eligible_orders(env: Env) -> dict[str, dict[str, Any]]:
    """Woo orders that must end as exactly one GP invoice (invoiceable: an eligible status or
    refunded after payment; every SKU known)."""
    from core.pipeline.eligibility import invoiceable
    from sandbox.catalog import GP_MISSING_SKUS

    missing = set(GP_MISSING_SKUS)
    out = {}
    for o in env.woo_orders():
        skus = [li.get("sku") or "" for li in o.get("line_items", [])]
        if invoiceable(o["status"], o.get("date_paid_gmt"),
                       env.settings.posting.eligible_statuses) and all(
                s and s not in missing for s in skus):
            out[str(o["number"])] = o
    return out
