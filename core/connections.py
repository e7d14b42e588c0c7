"""Clients built from settings + vault, so no caller handles a secret longer than needed."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from core.clock import Clock
from core.config import Settings
from core.errors import ConfigError
from core.gp.factory import open_gateway
from core.gp.router import RoutedGateway
from core.secrets.vault import GP_PASSWORD, WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET, Vault
from core.woo.client import WooClient


def woo_client(settings: Settings, vault: Vault, **options: Any) -> WooClient:
    """The WooCommerce client for the configured store (options: sleep=, clock=, ... for tests)."""
    woo = settings.woocommerce
    if not woo.url:
        raise ConfigError("[woocommerce] url is not set: run `ml-connector credentials set "
                          "woocommerce`")
    return WooClient(woo.url, vault.require(WOO_CONSUMER_KEY), vault.require(WOO_CONSUMER_SECRET),
                     ca_bundle=woo.ca_bundle or None, timeout_s=woo.timeout_s, **options)


def gp_gateway(settings: Settings, vault: Vault, workspace_dir: Path | None, *,
               clock: Clock | None = None, refresh_wsdl: bool = False,
               wsdl: str | None = None) -> RoutedGateway:
    """The GP gateway the configuration describes, logged in with the stored password."""
    return open_gateway(settings, vault.get(GP_PASSWORD) or "", workspace_dir, clock=clock,
                        refresh_wsdl=refresh_wsdl, wsdl=wsdl)
