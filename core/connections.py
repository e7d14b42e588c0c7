"""The one place that opens connections: vault -> GP gateway -> WooCommerce client.

Every process that talks to the two systems (the worker, the console's checks, `check`, `replay
--dry-run`, the command-line tools) builds them here, so the secret is read from the vault for as
short a time as possible, the GP WSDL cache is always the same folder of the workspace, and a
change to how either system is reached is made once.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConfigError
from core.gp.factory import open_gateway
from core.gp.router import RoutedGateway
from core.secrets.vault import (
    GP_PASSWORD,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    Vault,
    open_vault,
)
from core.woo.client import WooClient


class SecretSource(Protocol):
    """Where credentials come from: the vault, or (for a posting process started by a test or a
    service manager) the environment (core/pipeline/cli.py)."""

    def get(self, name: str) -> str | None: ...

    def require(self, name: str) -> str: ...


def workspace_folder(ws: Workspace) -> Path:
    """The folder GP's WSDL cache lives under (`<folder>/cache/gp-wsdl`): the state database's,
    which is the workspace folder with --workspace DIR and the platform data folder otherwise."""
    return ws.db_path.parent


def woo_client(settings: Settings, vault: SecretSource, **options: Any) -> WooClient:
    """The WooCommerce client for the configured store (options: sleep=, clock=, ... for tests)."""
    woo = settings.woocommerce
    if not woo.url:
        raise ConfigError("[woocommerce] url is not set: run `ml-connector credentials set "
                          "woocommerce`")
    return WooClient(woo.url, vault.require(WOO_CONSUMER_KEY), vault.require(WOO_CONSUMER_SECRET),
                     ca_bundle=woo.ca_bundle or None, timeout_s=woo.timeout_s, **options)


def gp_gateway(settings: Settings, vault: SecretSource, folder: Path | None, *,
               clock: Clock | None = None, refresh_wsdl: bool = False,
               wsdl: str | None = None) -> RoutedGateway:
    """The GP gateway the configuration describes, logged in with the stored password; the WSDL
    cached under `folder` (see workspace_folder)."""
    return open_gateway(settings, vault.get(GP_PASSWORD) or "", folder, clock=clock,
                        refresh_wsdl=refresh_wsdl, wsdl=wsdl)


def gp_configured(settings: Settings) -> bool:
    return bool(settings.gp.soap_url or settings.gp.sba_url)


class Connections:
    """Both systems for one workspace whose state database is open."""

    def __init__(self, workspace: Workspace, vault: Vault, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.workspace = workspace
        self.vault = vault
        self.clock = clock
        self.folder = workspace_folder(workspace)

    @classmethod
    def open(cls, workspace: Workspace, *, clock: Clock = SYSTEM_CLOCK,
             at: str | os.PathLike[str] | None = None) -> Connections:
        """`at`: where the workspace keeps its state when not in its state.db (its PostgreSQL
        URL, as core.store.postgres.state_location says)."""
        return cls(workspace, open_vault(workspace, clock=clock, at=at), clock=clock)

    def woo(self, settings: Settings, **options: Any) -> WooClient:
        return woo_client(settings, self.vault, **options)

    def gp(self, settings: Settings, *, refresh_wsdl: bool = False,
           wsdl: str | None = None) -> RoutedGateway:
        return gp_gateway(settings, self.vault, self.folder, clock=self.clock,
                          refresh_wsdl=refresh_wsdl, wsdl=wsdl)

    def gp_opener(self, settings: Callable[[], Settings]) -> Callable[[], RoutedGateway]:
        """Opens a gateway with the settings in force at each call (a reload changes them); the
        password is read once, now, and kept only inside the closure."""
        password = self.vault.get(GP_PASSWORD) or ""
        folder, clock = self.folder, self.clock
        return lambda: open_gateway(settings(), password, folder, clock=clock)
