"""The WooCommerce and GP set-up options shared by `init` and `credentials set`.

Reading is split from storing: every value is read and checked first (`read_woo`, `read_gp`
return the secrets still to store), and only then does a command write anything, so a refused
value leaves no half-written workspace behind.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from core.config import Settings
from core.gp.negotiate import MODES, choose_sign_in
from core.secrets.vault import GP_PASSWORD, WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET, Vault
from tui.commands.common import read_plain, read_secret

F = TypeVar("F", bound=Callable[..., Any])


def _options(specs: list[tuple[str, str, dict[str, Any]]], prefix: str) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        for flag, dest, extra in reversed(specs):
            f = click.option(f"--{prefix}{flag}", dest, **extra)(f)
        return f
    return decorate


def woo_options(prefix: str = "") -> Callable[[F], F]:
    """--url/--key/... (or --woo-url/--woo-key/... with prefix "woo-")."""
    return _options([
        ("url", "woo_url", {"metavar": "URL",
                            "help": "the store's home URL (https://shop.example.com)"}),
        ("key", "woo_key", {"metavar": "CK",
                            "help": "consumer key (ck_...); not secret on its own"}),
        ("key-env", "woo_key_env", {"metavar": "VAR",
                                    "help": "read the consumer key from this environment "
                                            "variable"}),
        ("secret-env", "woo_secret_env", {"metavar": "VAR",
                                          "help": "read the consumer secret from this "
                                                  "environment variable"}),
        ("secret-stdin", "woo_secret_stdin", {"is_flag": True,
                                              "help": "read the consumer secret as one line of "
                                                      "stdin"}),
        ("ca-bundle", "woo_ca_bundle", {"metavar": "PEM",
                                        "help": "CA file to trust for the store's certificate"}),
    ], prefix)


def gp_options(prefix: str = "") -> Callable[[F], F]:
    """--url/--user/... (or --gp-url/--gp-user/... with prefix "gp-")."""
    return _options([
        ("url", "gp_url", {"metavar": "URL",
                           "help": "Web Services endpoint "
                                   "(.../DynamicsGPWebServices/DynamicsGPService.asmx)"}),
        ("sba-url", "gp_sba_url", {"metavar": "URL",
                                   "help": "Service Based Architecture URL "
                                           "(.../GPService/Tenants(..)/Companies(..))"}),
        ("user", "gp_user", {"metavar": "DOMAIN\\user",
                             "help": "the Windows account the connector logs in to GP as"}),
        ("company", "gp_company", {"metavar": "NAME", "help": "the GP company (e.g. TWO)"}),
        ("password-env", "gp_password_env", {"metavar": "VAR",
                                             "help": "read the Windows password from this "
                                                     "environment variable"}),
        ("password-stdin", "gp_password_stdin", {"is_flag": True,
                                                 "help": "read the Windows password as one line "
                                                         "of stdin"}),
        ("ca-bundle", "gp_ca_bundle", {"metavar": "PEM",
                                       "help": "CA file to trust for GP's certificate"}),
        ("allow-http", "gp_allow_http", {"is_flag": True, "default": None,
                                         "help": "accept an http:// GP URL (NTLM over plain "
                                                 "HTTP: not advised)"}),
        ("auth", "gp_auth", {"type": click.Choice(MODES),
                             "help": "Windows sign-in: ntlm (default), negotiate (Kerberos, NTLM "
                                     "as the fallback) or kerberos (only); Kerberos needs "
                                     "ml-connector[kerberos]"}),
        ("kerberos-realm", "gp_kerberos_realm", {"metavar": "REALM",
                                                 "help": "the AD realm DOMAIN\\user signs in "
                                                         "to with Kerberos (FABRIKAM.LOCAL)"}),
        ("spn", "gp_spn", {"metavar": "HTTP/HOST",
                           "help": "GP's service principal, when not HTTP/<host of the GP URL>"}),
        ("kerberos-keytab", "gp_kerberos_keytab", {
            "metavar": "PATH", "help": "get the account's Kerberos ticket from this keytab "
                                       "instead of the password (\"\" clears it)"}),
        ("kerberos-ccache", "gp_kerberos_ccache", {
            "metavar": "TYPE:NAME", "help": "use the ticket in this credential cache, kept "
                                            "fresh by another service (FILE:/path, KCM:)"}),
    ], prefix)


def read_woo(opts: dict[str, Any], settings: Settings, *, ask: bool) -> dict[str, str]:
    """Put the WooCommerce options into settings; returns the secrets to store."""
    woo = settings.woocommerce
    url = opts.get("woo_url") or (read_plain("Store URL", woo.url) if ask else woo.url)
    woo.url = url.rstrip("/")
    if opts.get("woo_ca_bundle"):
        woo.ca_bundle = opts["woo_ca_bundle"]
    if woo.url and not woo.url.startswith(("https://", "http://")):
        raise ValueError(f"the store URL {woo.url!r} must start with https://")
    secrets: dict[str, str] = {}
    key = opts.get("woo_key") or read_secret("Consumer key (ck_...)",
                                             env_var=opts.get("woo_key_env"), prompt=ask)
    if key:
        secrets[WOO_CONSUMER_KEY] = key.strip()
    secret = read_secret("Consumer secret (cs_..., not shown)", env_var=opts.get("woo_secret_env"),
                         stdin=bool(opts.get("woo_secret_stdin")), prompt=ask)
    if secret:
        secrets[WOO_CONSUMER_SECRET] = secret.strip()
    return secrets


def read_gp(opts: dict[str, Any], settings: Settings, *, ask: bool) -> dict[str, str]:
    """Put the GP options into settings; returns the secrets to store."""
    gp = settings.gp
    gp.soap_url = opts.get("gp_url") or (read_plain("GP Web Services URL", gp.soap_url) if ask
                                         else gp.soap_url)
    if opts.get("gp_sba_url"):
        gp.sba_url = opts["gp_sba_url"]
    gp.user = opts.get("gp_user") or (read_plain("GP user (DOMAIN\\user)", gp.user) if ask
                                      else gp.user)
    gp.company = opts.get("gp_company") or (read_plain("GP company", gp.company) if ask
                                            else gp.company)
    if opts.get("gp_ca_bundle"):
        gp.ca_bundle = opts["gp_ca_bundle"]
    if opts.get("gp_allow_http") is not None:
        gp.allow_http = bool(opts["gp_allow_http"])
    for url in (gp.soap_url, gp.sba_url):
        if url.startswith("http://") and not gp.allow_http:
            raise ValueError(f"{url} is plain HTTP: GP's Windows login and documents would travel "
                             "unencrypted; use https:// or pass --gp-allow-http deliberately")
    auth = opts.get("gp_auth") or (read_plain("GP sign-in: ntlm, negotiate (Kerberos, NTLM as "
                                              "the fallback) or kerberos", gp.auth) if ask
                                   else None)
    note = choose_sign_in(gp, auth=auth, realm=opts.get("gp_kerberos_realm"),
                          spn=opts.get("gp_spn"), keytab=opts.get("gp_kerberos_keytab"),
                          ccache=opts.get("gp_kerberos_ccache"))
    if note:
        click.echo(f"note: {note}", err=True)
    if gp.user and "\\" not in gp.user and "@" not in gp.user:
        raise ValueError(f"the GP user {gp.user!r} should be DOMAIN\\user (or user@domain)")
    password = read_secret(f"Windows password for {gp.user or 'the GP user'} (not shown)",
                           env_var=opts.get("gp_password_env"),
                           stdin=bool(opts.get("gp_password_stdin")), prompt=ask)
    return {GP_PASSWORD: password} if password else {}


def store_secrets(vault: Vault, secrets: dict[str, str], actor: str) -> list[str]:
    """Store each secret encrypted; returns their names, in order."""
    for name, value in secrets.items():
        vault.set(name, value, actor)
    return list(secrets)
