"""Store (`set woocommerce|gp`), show (masked) or re-key (`rotate-key`) the credentials.

Secrets are prompted without echo, or read from an environment variable (`--secret-env VAR`,
`--password-env VAR`) or one line of stdin (`--secret-stdin`, `--password-stdin`); never from
the command line. They are stored encrypted; `show` masks them.
"""
from __future__ import annotations

from typing import Any

import click

from core.store.audit import actor
from core.store.postgres import describe_location
from tui.commands.common import global_options, interactive, load, state_of
from tui.commands.credential_input import gp_options, read_gp, read_woo, store_secrets, woo_options


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.group("set", help="Store WooCommerce or GP settings and credentials.")
@global_options()
def set_group() -> None:
    pass


def _set(system: str, read: Any, opts: dict[str, Any]) -> int:
    ws, settings, vault = load()
    secrets = read(opts, settings, ask=interactive())  # everything checked before writing
    stored = store_secrets(vault, secrets, actor("cli"))
    ws.save(settings)
    click.echo(f"saved {system} settings to {ws.config_path}")
    for name in stored:
        click.echo(f"stored {name} (encrypted)")
    return 0


@set_group.command("woocommerce", help="Store the store's URL, consumer key and secret.")
@global_options()
@woo_options()
def set_woocommerce(**opts: Any) -> int:
    return _set("woocommerce", read_woo, opts)


@set_group.command("gp", help="Store GP's endpoint(s), DOMAIN\\user, password and company.")
@global_options()
@gp_options()
def set_gp(**opts: Any) -> int:
    return _set("gp", read_gp, opts)


@command.command("show", help="Settings and credentials, secrets masked.")
@global_options()
def show() -> int:
    ws, settings, vault = load()
    click.echo(f"configuration   {ws.config_path}")
    click.echo(f"database        {describe_location(state_of(ws, settings))}")
    click.echo(f"encryption key  {vault.key_store.description}")
    click.echo(f"woocommerce     {settings.woocommerce.url or '(not set)'}")
    gp = settings.gp
    click.echo(f"gp              {gp.soap_url or gp.sba_url or '(not set)'}"
               f"  user {gp.user or '-'}  company {gp.company or '-'}")
    for name, shown in vault.masked().items():
        click.echo(f"  {name:<30} {shown}")
    return 0


@command.command("rotate-key", help="Re-encrypt every secret under a new key.")
@global_options()
@click.option("--finish", is_flag=True,
              help="only finish an interrupted rotation (or one started by putting a new key "
                   "first in ML_CONNECTOR_KEY)")
def rotate_key(finish: bool) -> int:
    _, _, vault = load()
    who = actor("cli")
    report = vault.finish_rotation(who) if finish else vault.rotate_key(who)
    click.echo(f"encryption key {report.new_key_id}: {report.rotated} secret(s) re-encrypted, "
               f"{report.removed_keys} old key(s) retired ({vault.key_store.description})")
    return 0
