"""`ml-connector init`: create the configuration, the state database and the encryption key.

The key never lives beside the database: ML_CONNECTOR_KEY when set, else the OS keyring when one
is available, else a 0600 key file in its own folder (with --workspace DIR: DIR/keys/, always the
file). Running init again keeps the existing key and credentials and updates what is given.

Non-interactive example (secrets from the environment or stdin, never from argv):

  ml-connector --workspace DIR init --woo-url https://shop.example.com --woo-key ck_... \\
      --woo-secret-env WOO_SECRET --gp-url https://gp.example.com/.../DynamicsGPService.asmx \\
      --gp-user 'CONTOSO\\svc-gp' --gp-password-env GP_PASSWORD --gp-company TWO
"""
from __future__ import annotations

import argparse
from typing import Any

from tui.commands.credentials import add_gp_options, add_woo_options, apply_gp, apply_woo
from tui.commands.intake_common import fail, interactive, workspace


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create configuration, database and encryption key",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_woo_options(p, prefix="woo-")
    add_gp_options(p, prefix="gp-")
    p.add_argument("--non-interactive", action="store_true",
                   help="never prompt (missing values stay unset)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.config import Settings
    from core.errors import ConnectorError
    from core.secrets.vault import create_key, open_vault

    ws = workspace(args)
    ask = interactive() and not args.non_interactive
    try:
        settings = ws.load() if ws.config_path.exists() else Settings()
        store = create_key(ws)
        vault = open_vault(ws)
        stored = apply_woo(args, settings, vault, ask=ask)
        stored += apply_gp(args, settings, vault, ask=ask)
        learned = learn_from_shop(settings, vault)
        ws.save(settings)
    except (ConnectorError, ValueError) as exc:
        return fail("init", exc)
    for line in learned:
        print(f"from the shop   {line}")
    print(f"configuration   {ws.config_path}")
    print(f"database        {ws.db_path}")
    print(f"encryption key  {store.description}")
    for name, shown in vault.masked().items():
        print(f"  {name:<30} {shown}")
    missing = [n for n, shown in vault.masked().items()
               if shown == "(not set)" and n != "webhook.secret"]
    if missing:
        print("still missing: " + ", ".join(missing) + " (ml-connector credentials set ...)")
    print("next: `ml-connector check`, then GL accounts and gateways, then "
          "`ml-connector worker --once --dry-run` (see the README's set-up order)")
    return 0


def learn_from_shop(settings: Any, vault: Any) -> list[str]:
    """The store's time zone and home URL from its WordPress REST index (best effort: a shop
    that cannot be reached now is reported, and `check` compares them later)."""
    from core.errors import ConnectorError
    from core.secrets.vault import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET
    from core.woo.client import WooClient
    from core.woo.site import adopt_site

    woo = settings.woocommerce
    if not woo.url or not vault.get(WOO_CONSUMER_KEY) or not vault.get(WOO_CONSUMER_SECRET):
        return []
    try:
        with WooClient(woo.url, vault.get(WOO_CONSUMER_KEY), vault.get(WOO_CONSUMER_SECRET),
                       ca_bundle=woo.ca_bundle or None, timeout_s=10.0, max_attempts=1) as c:
            return adopt_site(settings, c)
    except ConnectorError as exc:
        return [f"could not read the store's time zone and home URL ({exc}); "
                "`ml-connector check` compares them once the shop answers"]
