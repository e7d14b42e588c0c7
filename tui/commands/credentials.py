"""`ml-connector credentials set woocommerce|gp`, `credentials show`, `credentials rotate-key`.

Secrets are prompted without echo, or read from an environment variable (`--secret-env VAR`,
`--password-env VAR`) or one line of stdin (`--secret-stdin`, `--password-stdin`); never from
the command line. They are stored encrypted; `show` masks them.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from core.gp.negotiate import choose_sign_in
from tui.commands.intake_common import actor, fail, load, read_plain, read_secret


def add_woo_options(p: argparse.ArgumentParser, prefix: str = "") -> None:
    p.add_argument(f"--{prefix}url", dest="woo_url", metavar="URL",
                   help="the store's home URL (https://shop.example.com)")
    p.add_argument(f"--{prefix}key", dest="woo_key", metavar="CK",
                   help="consumer key (ck_...); not secret on its own")
    p.add_argument(f"--{prefix}key-env", dest="woo_key_env", metavar="VAR",
                   help="read the consumer key from this environment variable")
    p.add_argument(f"--{prefix}secret-env", dest="woo_secret_env", metavar="VAR",
                   help="read the consumer secret from this environment variable")
    p.add_argument(f"--{prefix}secret-stdin", dest="woo_secret_stdin", action="store_true",
                   help="read the consumer secret as one line of stdin")
    p.add_argument(f"--{prefix}ca-bundle", dest="woo_ca_bundle", metavar="PEM",
                   help="CA file to trust for the store's certificate")


def add_gp_options(p: argparse.ArgumentParser, prefix: str = "") -> None:
    p.add_argument(f"--{prefix}url", dest="gp_url", metavar="URL",
                   help="Web Services endpoint (.../DynamicsGPWebServices/DynamicsGPService.asmx)")
    p.add_argument(f"--{prefix}sba-url", dest="gp_sba_url", metavar="URL",
                   help="Service Based Architecture URL (.../GPService/Tenants(..)/Companies(..))")
    p.add_argument(f"--{prefix}user", dest="gp_user", metavar="DOMAIN\\user")
    p.add_argument(f"--{prefix}company", dest="gp_company", metavar="NAME")
    p.add_argument(f"--{prefix}password-env", dest="gp_password_env", metavar="VAR",
                   help="read the Windows password from this environment variable")
    p.add_argument(f"--{prefix}password-stdin", dest="gp_password_stdin", action="store_true",
                   help="read the Windows password as one line of stdin")
    p.add_argument(f"--{prefix}ca-bundle", dest="gp_ca_bundle", metavar="PEM")
    p.add_argument(f"--{prefix}allow-http", dest="gp_allow_http", action="store_true",
                   default=None,
                   help="accept an http:// GP URL (NTLM over plain HTTP: not advised)")
    p.add_argument(f"--{prefix}auth", dest="gp_auth", choices=("ntlm", "negotiate", "kerberos"),
                   help="Windows sign-in: ntlm (default), negotiate (Kerberos, NTLM as the "
                        "fallback) or kerberos (only); Kerberos needs ml-connector[kerberos]")
    p.add_argument(f"--{prefix}kerberos-realm", dest="gp_kerberos_realm", metavar="REALM",
                   help="the AD realm DOMAIN\\user signs in to (FABRIKAM.LOCAL)")
    p.add_argument(f"--{prefix}spn", dest="gp_spn", metavar="HTTP/HOST",
                   help="GP's service principal, when not HTTP/<host of the GP URL>")


def apply_woo(args: argparse.Namespace, settings: Any, vault: Any, *, ask: bool) -> list[str]:
    """Put the WooCommerce options into settings/vault; returns what was stored."""
    from core.secrets.vault import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET

    woo = settings.woocommerce
    woo.url = (args.woo_url or (read_plain("Store URL", woo.url) if ask else woo.url)).rstrip("/")
    if args.woo_ca_bundle:
        woo.ca_bundle = args.woo_ca_bundle
    if woo.url and not woo.url.startswith(("https://", "http://")):
        raise ValueError(f"the store URL {woo.url!r} must start with https://")
    stored = []
    key = args.woo_key or read_secret("Consumer key (ck_...)", env_var=args.woo_key_env,
                                      prompt=ask)
    if key:
        vault.set(WOO_CONSUMER_KEY, key.strip(), actor())
        stored.append(WOO_CONSUMER_KEY)
    secret = read_secret("Consumer secret (cs_..., not shown)", env_var=args.woo_secret_env,
                         stdin=args.woo_secret_stdin, prompt=ask)
    if secret:
        vault.set(WOO_CONSUMER_SECRET, secret.strip(), actor())
        stored.append(WOO_CONSUMER_SECRET)
    return stored


def apply_gp(args: argparse.Namespace, settings: Any, vault: Any, *, ask: bool) -> list[str]:
    from core.secrets.vault import GP_PASSWORD

    gp = settings.gp
    gp.soap_url = args.gp_url or (read_plain("GP Web Services URL", gp.soap_url) if ask
                                  else gp.soap_url)
    if args.gp_sba_url:
        gp.sba_url = args.gp_sba_url
    gp.user = args.gp_user or (read_plain("GP user (DOMAIN\\user)", gp.user) if ask else gp.user)
    gp.company = args.gp_company or (read_plain("GP company", gp.company) if ask else gp.company)
    if args.gp_ca_bundle:
        gp.ca_bundle = args.gp_ca_bundle
    if args.gp_allow_http is not None:
        gp.allow_http = bool(args.gp_allow_http)
    for url in (gp.soap_url, gp.sba_url):
        if url.startswith("http://") and not gp.allow_http:
            raise ValueError(f"{url} is plain HTTP: GP's Windows login and documents would travel "
                             "unencrypted; use https:// or pass --gp-allow-http deliberately")
    auth = args.gp_auth or (read_plain("GP sign-in: ntlm, negotiate (Kerberos, NTLM as the "
                                       "fallback) or kerberos", gp.auth) if ask else None)
    note = choose_sign_in(gp, auth=auth, realm=args.gp_kerberos_realm, spn=args.gp_spn)
    if note:
        print(f"note: {note}", file=sys.stderr)
    if gp.user and "\\" not in gp.user and "@" not in gp.user:
        raise ValueError(f"the GP user {gp.user!r} should be DOMAIN\\user (or user@domain)")
    stored = []
    password = read_secret(f"Windows password for {gp.user or 'the GP user'} (not shown)",
                           env_var=args.gp_password_env, stdin=args.gp_password_stdin, prompt=ask)
    if password:
        vault.set(GP_PASSWORD, password, actor())
        stored.append(GP_PASSWORD)
    return stored


def register(sub: Any) -> None:
    p = sub.add_parser("credentials", help="store, show (masked) or re-key credentials",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    csub = p.add_subparsers(dest="credentials_command", metavar="ACTION")
    s = csub.add_parser("set", help="store WooCommerce or GP credentials")
    ssub = s.add_subparsers(dest="system", metavar="SYSTEM")
    woo = ssub.add_parser("woocommerce", help="store URL, consumer key and consumer secret")
    add_woo_options(woo)
    gp = ssub.add_parser("gp", help="endpoint(s), DOMAIN\\user, password, company")
    add_gp_options(gp)
    csub.add_parser("show", help="settings and credentials, secrets masked")
    rot = csub.add_parser("rotate-key", help="re-encrypt every secret under a new key")
    rot.add_argument("--finish", action="store_true",
                     help="only finish an interrupted rotation (or one started by putting a new "
                          "key first in ML_CONNECTOR_KEY)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.errors import ConnectorError

    action = getattr(args, "credentials_command", None)
    try:
        ws, settings, vault = load(args)
        if action == "set":
            system = getattr(args, "system", None)
            if system not in ("woocommerce", "gp"):
                print("ml-connector credentials set: say which: woocommerce or gp", file=sys.stderr)
                return 2
            from tui.commands.intake_common import interactive

            apply = apply_woo if system == "woocommerce" else apply_gp
            stored = apply(args, settings, vault, ask=interactive())
            ws.save(settings)
            print(f"saved {system} settings to {ws.config_path}")
            for name in stored:
                print(f"stored {name} (encrypted)")
            return 0
        if action == "rotate-key":
            report = (vault.finish_rotation(actor()) if args.finish else vault.rotate_key(actor()))
            print(f"encryption key {report.new_key_id}: {report.rotated} secret(s) re-encrypted, "
                  f"{report.removed_keys} old key(s) retired ({vault.key_store.description})")
            return 0
        if action == "show":
            print(f"configuration   {ws.config_path}")
            print(f"database        {ws.db_path}")
            print(f"encryption key  {vault.key_store.description}")
            print(f"woocommerce     {settings.woocommerce.url or '(not set)'}")
            gp = settings.gp
            print(f"gp              {gp.soap_url or gp.sba_url or '(not set)'}"
                  f"  user {gp.user or '-'}"
                  f"  company {gp.company or '-'}")
            for name, shown in vault.masked().items():
                print(f"  {name:<30} {shown}")
            return 0
        print("ml-connector credentials: choose set, show or rotate-key", file=sys.stderr)
        return 2
    except (ConnectorError, ValueError) as exc:
        return fail("credentials", exc)
