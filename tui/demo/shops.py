"""Three shops, two GP companies: the demo of several pairs in one workspace (`demo --pairs`).

    default  - a US shop selling in USD         -> GP company 1
    europe   - a European shop selling in EUR   -> GP company 1 (the same company)
    company2 - a second brand's shop, in USD    -> GP company 2

The two shops feeding company 1 keep their GP keys apart as the README's multi-pair set-up says:
their own document, return and batch prefixes and customer id prefix (core.shared_company
checks them; a clash would stop the newcomer's worker). The European shop's invoices are in EUR:
GP takes the rate from its EUR exchange table (the "configured" GP set-up has EUR and GBP).

Company 2 is a second GP stand-in: the stand-in serves one company per server (real GP serves
several on one Web Services server, chosen by the CompanyKey in each call's Context; the
stand-in does not model that), so the second company is on a server of its own, as a second
GP installation would be. Both stand-ins hold the same sample company data (Fabrikam's chart,
items and customers); company 2 is named "Contoso Outdoor, Ltd." (id 2), and the connector tells
them apart by server and company, as `check` does.

Each pair is made the way `init` and `init --pair NAME` make one: its own folder, config, key,
credentials, state database and GL accounts (prepare_workspace), in `<workspace>/pairs/NAME`.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import Settings, Workspace
from core.connections import woo_client
from core.errors import ConnectorError
from core.pairs import DEFAULT_PAIR, other_pairs, pair_workspace
from core.secrets.vault import open_vault
from core.shared_company import key_clashes
from core.store.db import close_db
from core.woo.site import read_site
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn
from tui.demo.setup import DemoEndpoints, prepare_workspace, state_of


class ShopsError(ConnectorError):
    pass


@dataclass(frozen=True)
class ShopPlan:
    """One pair of the demo: the shop, what it sells in, which GP company it posts to and the
    [posting] settings that keep its GP keys apart from the other shop's in that company."""

    pair: str
    currency: str
    company: int  # 1 or 2: which GP stand-in
    about: str
    posting: dict[str, str] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)


SHOPS: tuple[ShopPlan, ...] = (
    ShopPlan(DEFAULT_PAIR, "USD", 1, "US shop, USD, into GP company 1"),
    ShopPlan("europe", "EUR", 1, "European shop, EUR, into GP company 1 (shared)",
             posting={"doc_number_template": "EU{number}",
                      "refund_number_template": "EUR{refund_id}",
                      "batch_template": "EU{date:%Y%m%d}",
                      "customer_id_prefix": "EU"},
             products={"adjustment_batch_template": "EUIV{date:%Y%m%d}"}),
    ShopPlan("company2", "USD", 2, "second brand's shop, USD, into GP company 2"),
)


@dataclass
class ShopsAndCompanies:
    """The started stand-ins: a shop per pair, two GP companies; and each pair's endpoints."""

    shops: dict[str, WooStandIn]
    companies: dict[int, GPStandIn]
    endpoints: dict[str, DemoEndpoints]
    plans: tuple[ShopPlan, ...] = SHOPS

    def stop(self) -> None:
        for gp in self.companies.values():
            try:
                gp.stop()
            except Exception:  # stopping the rest matters more
                pass
        for shop in self.shops.values():
            try:
                shop.stop()
            except Exception:
                pass


def start_shops_and_companies(root: Path, seed: int, *, https: bool = True,
                              plans: tuple[ShopPlan, ...] = SHOPS,
                              webhook_delay: float = 1.0,
                              gp_profile: str = "configured") -> ShopsAndCompanies:
    """A WooCommerce stand-in per shop (selling in the plan's currency) and a GP stand-in per
    company, all on free loopback ports (HTTPS with their own certificates unless https=False)."""
    started = ShopsAndCompanies({}, {}, {}, plans)
    try:
        for number in sorted({p.company for p in plans}):
            gp = GPStandIn(root / f"gp-company{number}", seed=seed + number, https=https,
                           profile=gp_profile, company=COMPANIES.get(number))
            gp.start()
            started.companies[number] = gp
        for i, plan in enumerate(plans):
            shop = WooStandIn(root / f"woo-{plan.pair}", seed=seed + i, orders=0, https=https,
                              webhook_delay=webhook_delay, currency=plan.currency)
            shop.start()
            started.shops[plan.pair] = shop
            started.endpoints[plan.pair] = _endpoints(shop, started.companies[plan.company])
    except BaseException:
        started.stop()
        raise
    return started


# Company 2 is another firm's GP: its own name (and id) so the picker, the dashboard's title
# and `check` tell the two companies apart; company 1 keeps the stand-in's sample, Fabrikam.
COMPANIES: dict[int, tuple[int, str]] = {2: (2, "Contoso Outdoor, Ltd.")}


def _endpoints(shop: WooStandIn, gp: GPStandIn) -> DemoEndpoints:
    https = shop.https_url is not None and gp.ca_file is not None
    return DemoEndpoints(
        woo_url=shop.https_url if https and shop.https_url else shop.url,
        woo_key=shop.consumer_key, woo_secret=shop.consumer_secret,
        gp_soap_url=gp.soap_url, gp_sba_url=gp.sba_url, gp_base_url=gp.base_url,
        gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password, gp_company=gp.company,
        woo_ca=str(shop.ca_file) if https and shop.ca_file else None,
        gp_ca=str(gp.ca_file) if https and gp.ca_file else None)


def free_listen() -> str:
    """A free loopback port for a pair's webhook receiver, chosen now so the shop's webhooks
    can point at it before its worker (another process) starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def accepts(host: str, port: int) -> bool:
    """Whether something listens at host:port yet (a receiver another process starts)."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def prepare_pairs(base_root: Path, started: ShopsAndCompanies, *, webhooks: bool = True,
                  database_urls: dict[str, str] | None = None
                  ) -> dict[str, tuple[Workspace, Settings]]:
    """Every pair's workspace, made as `init [--pair NAME]` makes it, with its plan's settings
    (and its state at database_urls[pair] when given: PostgreSQL); refuses (ShopsError) when
    two pairs in one company could make the same GP key."""
    base = Workspace.at(base_root)
    made: dict[str, tuple[Workspace, Settings]] = {}
    for plan in started.plans:
        folder = pair_workspace(base, plan.pair).config_path.parent
        ws, settings = prepare_workspace(folder, started.endpoints[plan.pair],
                                         listen=free_listen() if webhooks else "127.0.0.1:0",
                                         database_url=(database_urls or {}).get(plan.pair, ""))
        apply_plan(settings, plan)
        # The shop's day is the schedule's and reconciliation's (`check` fails otherwise).
        settings.worker.schedule.timezone = store_timezone(ws, settings) or "UTC"
        ws.save(settings)
        close_db()
        made[plan.pair] = (ws, settings)
    for name, (_ws, settings) in made.items():
        clashes = key_clashes(name, settings, other_pairs(base, name))
        if clashes:
            raise ShopsError("; ".join(clashes))
    return made


def store_timezone(ws: Workspace, settings: Settings) -> str | None:
    """The store's named time zone, read from its WordPress REST index."""
    client = woo_client(settings, open_vault(ws, at=state_of(ws, settings)))
    try:
        return read_site(client).timezone
    finally:
        client.close()


def apply_plan(settings: Settings, plan: ShopPlan) -> None:
    """The plan's [posting] and [products] settings (its own GP key prefixes)."""
    _apply(settings.posting, plan.posting)
    _apply(settings.products, plan.products)


def _apply(section: Any, values: dict[str, str]) -> None:
    for key, value in values.items():
        if not hasattr(section, key):
            raise ShopsError(f"no setting {key!r}")
        setattr(section, key, value)
