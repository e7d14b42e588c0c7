"""Setting up a demo workspace against the two stand-ins, and talking to their control planes.

`core` never imports `sandbox` (the stand-ins must not share the connector's beliefs), so the
demo reaches the stand-ins only the way a person would: by URL, credentials and their
`/_sandbox/` HTTP control planes. The caller (tui/commands/demo.py, the tests) starts them.
"""
from __future__ import annotations

import secrets
import ssl
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core import gl
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.connections import woo_client
from core.intake import known_webhooks
from core.secrets.vault import (
    GP_PASSWORD,
    WEBHOOK_SECRET,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    create_key,
    open_vault,
)
from core.store.db import init_db
from core.store.postgres import state_location

ACTOR = "demo"

# Accounts and checkbooks of the GP stand-in's company (Fabrikam, Inc.), as an accountant would
# enter them in the console's GL mapping on a real install.
COMPANY_ACCOUNTS = {
    "sales": "000-4100-00",
    "receivables": "000-1200-00",
    "freight": "000-4510-00",
    "misc": "000-4520-00",
    "discount": "000-4110-00",
    "tax": "000-2300-00",
    "rounding": "000-7900-00",
    "cash": "000-1110-00",
}
CONNECTOR_ROLE = "ML Connector"
# WooCommerce payment gateways -> paid or not, GP payment type, checkbook, cash account.
GATEWAYS: dict[str, dict[str, Any]] = {
    "stripe": {"payment_type": "credit_card", "card_type": "STRIPE", "checkbook": "CARDS"},
    "ppcp": {"payment_type": "credit_card", "card_type": "PAYPAL", "checkbook": "PAYPAL"},
    # Not paid at checkout: the invoice stays open until the money arrives.
    "bacs": {"payment_type": "none"},
    "cheque": {"payment_type": "none"},
    "cod": {"payment_type": "none"},
}
GATEWAY_CASH_ACCOUNTS = {"stripe": "000-1140-00", "ppcp": "000-1130-00", "bacs": "000-1110-00",
                         "cheque": "000-1110-00", "cod": "000-1110-00"}
# The shop's tax rates (WooCommerce rate id) -> the GP tax detail the administrator created for
# each (README: "Setting up GP for the connector"); GP takes the tax as sent, detail by detail.
SHOP_TAX_DETAILS = {1: "WEB-NY", 2: "WEB-CA", 3: "WEB-TX", 4: "WEB-WA"}
WEBHOOK_TOPICS = ("order.created", "order.updated", "order.deleted", "product.updated")


@dataclass(frozen=True)
class DemoEndpoints:
    """Where the stand-ins listen and how to sign in (the demo's credentials, not a user's)."""

    woo_url: str
    woo_key: str
    woo_secret: str
    gp_soap_url: str
    gp_user: str  # DOMAIN\user
    gp_password: str
    gp_company: str
    gp_base_url: str = ""
    gp_sba_url: str = ""
    woo_ca: str | None = None
    gp_ca: str | None = None

    def __repr__(self) -> str:  # never print a credential
        return f"DemoEndpoints(woo={self.woo_url}, gp={self.gp_soap_url})"


def demo_settings(ep: DemoEndpoints, *, listen: str = "127.0.0.1:0") -> Settings:
    """Settings a shop would have after `init`: the stand-ins, fast polling, gateways."""
    s = Settings()
    s.woocommerce.url = ep.woo_url
    s.woocommerce.ca_bundle = ep.woo_ca or ""
    s.gp.soap_url = ep.gp_soap_url
    s.gp.sba_url = ep.gp_sba_url
    s.gp.user = ep.gp_user
    s.gp.company = ep.gp_company
    s.gp.ca_bundle = ep.gp_ca or ""
    # The demo passes HTTPS URLs and the stand-ins' certificate files (ca_bundle above), so
    # nothing is sent in clear. Only a caller that deliberately started GP over plain http (a
    # few tests) gets allow_http, which check_gp_url then logs as unencrypted.
    s.gp.allow_http = ep.gp_soap_url.startswith("http://")
    # The Web Services role the README's GP set-up creates for the connector; sent as RoleKey.
    s.gp.role = CONNECTOR_ROLE
    s.posting.gateways = {k: dict(v) for k, v in GATEWAYS.items()}
    s.worker.listen = listen
    # A demo should look alive: poll every 5 s whatever the hour (business hours all week).
    sched = s.worker.schedule
    sched.business_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    sched.business_hours = "00:00-24:00"
    sched.business_interval_s = 5
    sched.off_hours_interval_s = 5
    sched.busy_interval_s = 5
    s.worker.lease_ttl_s = 15
    s.products.scan_interval_s = 60
    # The stand-in shop is seeded to agree with GP: its first product pass needs no review.
    s.products.first_run = "approved"
    return s


def prepare_workspace(root: Path, ep: DemoEndpoints, *, listen: str = "127.0.0.1:0",
                      clock: Clock = SYSTEM_CLOCK, database_url: str = ""
                      ) -> tuple[Workspace, Settings]:
    """A fresh workspace: config, database, key, credentials, GL accounts and gateways; the
    state in its state.db, or at `database_url` ([store] database_url: PostgreSQL)."""
    ws = Workspace.at(root)
    settings = demo_settings(ep, listen=listen)
    settings.store.database_url = database_url
    ws.save(settings)
    create_key(ws)
    init_db(state_of(ws, settings))
    vault = open_vault(ws, clock=clock, at=state_of(ws, settings))
    vault.set(WOO_CONSUMER_KEY, ep.woo_key, ACTOR)
    vault.set(WOO_CONSUMER_SECRET, ep.woo_secret, ACTOR)
    vault.set(GP_PASSWORD, ep.gp_password, ACTOR)
    for kind, account in COMPANY_ACCOUNTS.items():
        gl.set_account("company", "", kind, account, actor=ACTOR, clock=clock)
    for gateway, account in GATEWAY_CASH_ACCOUNTS.items():
        gl.set_account("gateway", gateway, "cash", account, actor=ACTOR, clock=clock)
    for rate_id, detail in SHOP_TAX_DETAILS.items():
        gl.set_account("tax_rate", str(rate_id), "tax", detail, actor=ACTOR, clock=clock)
    return ws, settings


def state_of(ws: Workspace, settings: Settings) -> str | Path:
    """Where a demo workspace keeps its state: [store] database_url, else its state.db."""
    return state_location(ws.db_path, settings.store.database_url)


def install_webhooks(ws: Workspace, settings: Settings, delivery_url: str,
                     *, clock: Clock = SYSTEM_CLOCK) -> list[int]:
    """Create the shop's webhooks towards our receiver, each with our own random secret
    (stored in the vault first, so the first delivery already verifies)."""
    vault = open_vault(ws, clock=clock, at=state_of(ws, settings))
    secret = vault.get(WEBHOOK_SECRET)
    if not secret:
        alphabet = string.ascii_letters + string.digits
        secret = "".join(secrets.choice(alphabet) for _ in range(40))
        vault.set(WEBHOOK_SECRET, secret, ACTOR)
    client = woo_client(settings, vault)
    ids: list[int] = []
    known_webhooks.expect_creation_pings(actor=ACTOR, clock=clock)  # pings precede the ids
    try:
        for topic in WEBHOOK_TOPICS:
            ids.append(int(client.create_webhook(name=f"ml-connector {topic}", topic=topic,
                                                 delivery_url=delivery_url, secret=secret)["id"]))
        return ids
    finally:
        known_webhooks.remember(ids, actor=ACTOR, clock=clock)
        client.close()


def _trust(ca_file: str | None) -> ssl.SSLContext | bool:
    """The stand-in's own certificate as the only trust anchor, else the system store."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else True


class SandboxControl:
    """The stand-ins' `/_sandbox/` control planes (loopback, no auth)."""

    def __init__(self, ep: DemoEndpoints, *, timeout_s: float = 120.0) -> None:
        self.ep = ep
        self._woo = httpx.Client(base_url=ep.woo_url, timeout=timeout_s,
                                 verify=_trust(ep.woo_ca))
        gp_base = ep.gp_base_url or ep.gp_soap_url.split("/DynamicsGPWebServices")[0]
        self._gp = httpx.Client(base_url=gp_base, timeout=timeout_s, verify=_trust(ep.gp_ca))

    def activity(self, **counts: int) -> dict[str, Any]:
        """Make the shop do things (orders, refunds, status changes, unknown SKUs), webhooks
        included."""
        r = self._woo.post("/_sandbox/activity", json={k: v for k, v in counts.items() if v})
        r.raise_for_status()
        return r.json()

    def woo_state(self) -> dict[str, Any]:
        r = self._woo.get("/_sandbox/state")
        r.raise_for_status()
        return r.json()

    def gp_state(self) -> dict[str, Any]:
        r = self._gp.get("/_sandbox/state")
        r.raise_for_status()
        return r.json()

    def close(self) -> None:
        self._woo.close()
        self._gp.close()
