"""Create a workspace: the configuration, the state database and the encryption key.

The key never lives beside the database: ML_CONNECTOR_KEY when set, else the OS keyring when one
is available, else a 0600 key file in its own folder (with --workspace DIR: always the file, in
the workspace's folder under the user's key home, outside DIR, so a copy of DIR decrypts
nothing). Running init again keeps the existing key and credentials and updates what is given.
Every value is read and checked before anything is written: a refused value leaves nothing
behind. `init` is the only command that creates a workspace.

Non-interactive example (secrets from the environment or stdin, never from argv):

\b
  ml-connector init --workspace DIR --woo-url https://shop.example.com --woo-key ck_... \\
      --woo-secret-env WOO_SECRET --gp-url https://gp.example.com/.../DynamicsGPService.asmx \\
      --gp-user 'CONTOSO\\svc-gp' --gp-password-env GP_PASSWORD --gp-company TWO
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from core.config import Settings, Workspace, validate
from core.errors import ConfigError, ConnectorError
from core.pairs import DEFAULT_PAIR, other_pairs, state_clashes, unused_listen
from core.secrets.vault import (
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    create_key,
    open_vault,
)
from core.shared_company import key_clashes
from core.store.audit import actor
from core.store.db import close_db, ensure_db
from core.store.postgres import describe_location, state_location
from core.woo.client import WooClient
from core.woo.site import adopt_site
from tui.commands.common import (
    CommandError,
    asked_pair,
    base_workspace,
    global_options,
    interactive,
    workspace,
)
from tui.commands.credential_input import gp_options, read_gp, read_woo, store_secrets, woo_options


@contextmanager
def _removed_on_failure(ws: Workspace) -> Iterator[None]:
    """Whatever this init creates is removed again if it fails half-way (files first, then the
    folders it made), so a failed init never leaves a workspace that later commands accept."""
    db_files = [ws.db_path.with_name(ws.db_path.name + suffix) for suffix in ("", "-wal", "-shm")]
    candidates = [ws.config_path, *db_files, ws.key_dir, ws.config_path.parent, ws.db_path.parent]
    new = [p for p in dict.fromkeys(candidates) if not p.exists()]
    try:
        yield
    except BaseException:
        close_db()
        for path in new:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
        raise


@click.command(help=__doc__)
@global_options()
@woo_options("woo-")
@gp_options("gp-")
@click.option("--non-interactive", is_flag=True, help="never prompt (missing values stay unset)")
@click.option("--database-url", metavar="URL",
              help="keep the state on PostgreSQL: postgresql://user@host:port/database "
                   "([store] database_url; no password: ~/.pgpass or PGPASSWORD)")
def command(non_interactive: bool, database_url: str | None, **opts: Any) -> int:
    ws = workspace()
    ask = interactive() and not non_interactive
    settings = ws.load() if ws.config_path.exists() else Settings()
    pair = asked_pair()
    if not ws.config_path.exists():
        # a new pair's webhook receiver must not take another pair's port
        settings.worker.listen = unused_listen(settings.worker.listen,
                                               other_pairs(base_workspace(),
                                                           pair or DEFAULT_PAIR))
    if database_url is not None:
        settings.store.database_url = database_url.strip()
    secrets = read_woo(opts, settings, ask=ask)
    secrets |= read_gp(opts, settings, ask=ask)
    validate(settings)
    try:
        where = state_location(ws.db_path, settings.store.database_url)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    with _removed_on_failure(ws):
        key_store = create_key(ws, at=where)
        ensure_db(where, home=ws.db_path)
        vault = open_vault(ws, at=where)
        store_secrets(vault, secrets, actor("cli"))
        learned = learn_from_shop(settings, vault)
        ws.save(settings)
    for line in learned:
        click.echo(f"from the shop   {line}")
    if pair not in (None, DEFAULT_PAIR):
        click.echo(f"pair            {pair} (webhooks on {settings.worker.listen})")
    click.echo(f"configuration   {ws.config_path}")
    click.echo(f"database        {describe_location(where)}")
    click.echo(f"encryption key  {key_store.description}")
    masked = vault.masked()
    for name, shown in masked.items():
        click.echo(f"  {name:<30} {shown}")
    missing = [n for n, shown in masked.items() if shown == "(not set)" and n != "webhook.secret"]
    if missing:
        click.echo("still missing: " + ", ".join(missing) + " (ml-connector credentials set ...)")
    others = other_pairs(base_workspace(), pair or DEFAULT_PAIR)
    for problem in (key_clashes(pair or DEFAULT_PAIR, settings, others)
                    + state_clashes(pair or DEFAULT_PAIR, settings, others)):
        click.echo(f"warning: {problem}")
    click.echo("next: `ml-connector check`, then GL accounts and gateways, then "
               "`ml-connector worker --once --dry-run` (the README's set-up order)")
    return 0


def learn_from_shop(settings: Settings, vault: Any) -> list[str]:
    """The store's time zone and home URL from its WordPress REST index (best effort: a shop
    that cannot be reached now is reported, and `check` compares them later)."""
    woo = settings.woocommerce
    key, secret = vault.get(WOO_CONSUMER_KEY), vault.get(WOO_CONSUMER_SECRET)
    if not woo.url or not key or not secret:
        return []
    try:
        with WooClient(woo.url, key, secret, ca_bundle=woo.ca_bundle or None, timeout_s=10.0,
                       max_attempts=1) as client:
            return adopt_site(settings, client)
    except ConnectorError as exc:
        return [f"could not read the store's time zone and home URL ({exc}); "
                "`ml-connector check` compares them once the shop answers"]


