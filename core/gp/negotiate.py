"""Kerberos through SPNEGO ("Negotiate") to GP, with NTLM as the fallback, chosen per workspace.

`[gp] auth`:
- "ntlm" (the default): NTLM only, as before.
- "negotiate": Kerberos when GP offers Negotiate and a ticket for its SPN can be had; otherwise
  NTLM on the same connection, with a warning naming why (once per reason) and `check` saying so.
- "kerberos": Kerberos only (a domain where NTLM is disabled); a failure is a 401 with the reason.

The account's ticket-granting ticket comes from the password in the vault (as for NTLM), from a
keytab (`[gp] kerberos_keytab`) or from an existing credential cache (`[gp] kerberos_ccache`):
core/gp/tickets.py. Password and keytab tickets live in a MEMORY credential cache of this
process: nothing on disk, renewed before they end. NTLM, the fallback, needs the password.
Each new TCP connection then asks the KDC for a service ticket for HTTP/<GP host> (or `[gp] spn`)
and sends it in a SPNEGO token; GP's answer carries its own token, which is checked (mutual
authentication: the server holds the SPN's keys). Like NTLM, Kerberos authenticates the
connection, so the exchanges stay serialised per client (core/gp/http.py).

pyspnego does SPNEGO and gssapi/krb5 do Kerberos: the `kerberos` extra, because gssapi has no
Linux wheels and builds against the system's Kerberos headers. Nothing here logs a token, a
ticket or the password.
"""
from __future__ import annotations

import base64
import logging
import re
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
import spnego
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

from core.config import GPSettings
from core.errors import ConfigError, GPAuthError, GPUnknownOutcome
from core.gp.tickets import MISSING as MISSING
from core.gp.tickets import TicketError, TicketInfo, gssapi, krb5, ticket_source

log = logging.getLogger(__name__)
# Tokens are credentials: pyspnego's DEBUG lines print them, and httpcore's print response
# headers (WWW-Authenticate: Negotiate/NTLM <token>). Neither goes below INFO, whatever the
# log level asked for.
for _name in ("spnego", "httpcore"):
    logging.getLogger(_name).setLevel(logging.INFO)

MODES = ("ntlm", "negotiate", "kerberos")
INSTALL = ("pip install 'ml-connector[kerberos]' (it builds python-gssapi against the system's "
           "Kerberos: Debian/Ubuntu libkrb5-dev, RHEL krb5-devel, plus a C compiler)")

Flow = Generator[httpx.Request, httpx.Response, None]


def principal_for(user: str, realm: str) -> str:
    """The Kerberos name of the GP account: `DOMAIN\\user` -> `user@REALM` (REALM from
    `[gp] kerberos_realm`, else krb5.conf's default realm); `user@REALM` stays as it is."""
    if "@" in user:
        name, _, dom = user.rpartition("@")
        return f"{name}@{(realm or dom).upper()}"
    name = user.rpartition("\\")[2]
    return f"{name}@{realm.upper()}" if realm else name


def choose_sign_in(gp: GPSettings, *, auth: str | None, realm: str | None,
                   spn: str | None, keytab: str | None = None,
                   ccache: str | None = None) -> str:
    """Set `[gp] auth`, `kerberos_realm`, `spn`, `kerberos_keytab`, `kerberos_ccache` (init /
    credentials set gp; an empty value clears it); returns a note for the person setting up,
    empty when there is nothing to say. The workspace's validation checks the values."""
    if auth is not None:
        if auth not in MODES:
            raise ConfigError(f"GP sign-in must be one of {', '.join(MODES)}, not {auth!r}")
        gp.auth = auth
    if realm is not None:
        gp.kerberos_realm = realm.strip().upper()
    if spn is not None:
        gp.spn = spn.strip()
    if keytab is not None:
        gp.kerberos_keytab = keytab.strip()
    if ccache is not None:
        gp.kerberos_ccache = ccache.strip()
    if gp.auth != "ntlm" and MISSING:
        fallback = ("GP sign-in will use NTLM until then" if gp.auth == "negotiate"
                    else "GP sign-in fails until then")
        return f"[gp] auth = {gp.auth}, but {MISSING}: {INSTALL}; {fallback}"
    return ""


def spn_for(host: str, override: str) -> str:
    return override.strip() or f"HTTP/{host}"


def explain(reason: str) -> str:
    """What a GP administrator should do about a Kerberos failure, in their words."""
    low = reason.lower()
    if "keytab" in low or "key table" in low:
        return ("the keytab holds no keys for the account, or this service cannot read it: "
                "export the account's keys again (ktpass -princ user@REALM ... on a domain "
                "controller, or kadmin ktadd), readable by the service account only, and check "
                "[gp] kerberos_keytab, [gp] user and [gp] kerberos_realm")
    if "credential cache" in low or "ccache" in low:
        return ("the credential cache set in [gp] kerberos_ccache has no valid ticket: renew "
                "it (kinit -k, k5start or the service that keeps it), or set [gp] "
                "kerberos_keytab instead and let the connector renew its own ticket")
    if "skew" in low:
        return ("this machine's clock and the domain controller's differ by more than Kerberos "
                "allows (5 minutes): sync the clock with the domain (w32tm, chrony)")
    if "not found in kerberos database" in low and "server" in low:
        return ("the domain has no account with that SPN: register it on the account GP Web "
                "Services runs as (setspn -S HTTP/<gp host> DOMAIN\\account), or set [gp] spn")
    if ("preauthentication" in low or "password" in low or "integrity check" in low
            or "not found in kerberos database" in low):
        return ("the domain refused the account or password: check [gp] user, [gp] "
                "kerberos_realm and the password stored with `ml-connector credentials`")
    if "cannot contact" in low or "cannot find kdc" in low or "realm" in low:
        return ("no domain controller answered for the realm: check [gp] kerberos_realm and "
                "that this machine resolves the domain's DNS (or list the KDC in krb5.conf)")
    if "refused the ticket" in low:
        return ("GP could not read the ticket: the SPN is registered on another account than "
                "the one GP Web Services runs as, or the URL uses a DNS alias (use the server's "
                "own name or set [gp] spn)")
    return "see the reason above"


@dataclass(frozen=True)
class SignIn:
    """How the last handshake signed in, for `check` and the logs."""

    mechanism: str  # "Kerberos" | "NTLM"
    detail: str  # e.g. "svc@FABRIKAM.LOCAL to HTTP/gp01.fabrikam.local"
    fallback: str = ""  # why NTLM, when Kerberos was wanted


def _tokens(response: httpx.Response, scheme: str) -> bytes | None:
    for value in response.headers.get_list("www-authenticate"):
        name, _, token = value.strip().partition(" ")
        if name.lower() == scheme.lower() and token.strip():
            return base64.b64decode(token.strip())
    return None


def offered(response: httpx.Response) -> set[str]:
    return {v.strip().split(" ", 1)[0].lower() for v in response.headers.get_list(
        "www-authenticate")}


def ntlm_legs(request: httpx.Request, user: str, password: str,
              bindings: GssChannelBindings | None, scheme: str = "NTLM") -> Flow:
    """The NTLM handshake after a 401 (NTLMv2, channel bindings when given)."""
    ctx = spnego.client(user, password, protocol="ntlm", channel_bindings=bindings)
    request.headers["Authorization"] = f"{scheme} {base64.b64encode(ctx.step() or b'').decode()}"
    response = yield request
    challenge = _tokens(response, scheme)
    if response.status_code != 401 or challenge is None:
        return
    reply = ctx.step(challenge)
    request.headers["Authorization"] = f"{scheme} {base64.b64encode(reply or b'').decode()}"
    yield request


class NegotiateAuth(httpx.Auth):
    """Kerberos (SPNEGO) first, NTLM as the fallback unless `mode` is "kerberos"."""

    requires_request_body = True  # a fallback re-sends the body

    def __init__(self, user: str, password: str, *, mode: str, realm: str = "", spn: str = "",
                 bindings: Callable[[httpx.Response], GssChannelBindings | None] | None = None,
                 clock: Callable[[], float] = time.time, keytab: str = "",
                 ccache: str = "") -> None:
        if mode not in ("negotiate", "kerberos"):
            raise ConfigError(f"[gp] auth = {mode!r}: NegotiateAuth is for negotiate/kerberos")
        self.user, self._password, self.mode = user, password, mode
        self.principal = principal_for(user, realm)
        self.spn_override = spn
        self._bindings = bindings or (lambda response: None)
        self._tickets = (ticket_source(self.principal, password, keytab=keytab, ccache=ccache,
                                       user=user, clock=clock) if krb5 is not None else None)
        self._lock = threading.Lock()
        self._warned: set[str] = set()
        self.last: SignIn | None = None

    def __repr__(self) -> str:  # never the password
        return f"NegotiateAuth({self.principal!r}, mode={self.mode!r})"

    def sign_in(self) -> SignIn | None:
        with self._lock:
            return self.last

    def ticket(self) -> TicketInfo | None:
        """Where the ticket-granting ticket came from, whose it is, when it ends (`check`)."""
        return self._tickets.info() if self._tickets is not None else None

    def auth_flow(self, request: httpx.Request) -> Flow:
        request.headers["Connection"] = "Keep-Alive"
        response = yield request
        if response.status_code != 401 or "Authorization" in request.headers:
            return
        schemes = offered(response)
        spn = spn_for(request.url.host, self.spn_override)
        bindings = self._bindings(response)
        if "negotiate" not in schemes:
            reason = "GP did not offer Negotiate (only " + ", ".join(sorted(schemes)) + ")"
        elif self._tickets is None:
            reason = f"{MISSING}: {INSTALL}"
        else:
            reason = yield from self._kerberos(request, spn, bindings)
            if not reason:
                return
        if self.mode == "kerberos":
            raise GPAuthError(f"Kerberos sign-in to GP as {self.principal} for {spn} failed: "
                              f"{reason}; {explain(reason)}")
        if not self._password:
            raise GPAuthError(f"Kerberos sign-in to GP as {self.principal} for {spn} failed: "
                              f"{reason}; {explain(reason)}; NTLM, the fallback, needs the "
                              "account's password and none is stored")
        self._fell_back(spn, reason)
        request.headers.pop("Authorization", None)
        if "ntlm" in schemes or "negotiate" in schemes:
            yield from ntlm_legs(request, self.user, self._password, bindings,
                                 "NTLM" if "ntlm" in schemes else "Negotiate")

    def _kerberos(self, request: httpx.Request, spn: str,
                  bindings: GssChannelBindings | None) -> Generator[httpx.Request,
                                                                    httpx.Response, str]:
        """Kerberos legs; returns "" when signed in, else why not (nothing was accepted)."""
        assert self._tickets is not None and krb5 is not None and gssapi is not None
        service, _, host = spn.partition("/")
        for attempt in (1, 2):
            try:
                cache = self._tickets.ccache()
                ctx = spnego.client([spnego.KerberosCCache(ccache=cache)], hostname=host,
                                    service=service, protocol="negotiate",
                                    channel_bindings=bindings)
                token = ctx.step() or b""
                break
            except (krb5.Krb5Error, SpnegoError, gssapi.exceptions.GSSError,  # type: ignore[attr-defined]
                    TicketError) as exc:
                if attempt == 1 and "expired" in str(exc).lower():
                    self._tickets.forget()  # e.g. the machine slept past the ticket's end
                    continue
                return _reason(exc)
        request.headers["Authorization"] = "Negotiate " + base64.b64encode(token).decode()
        response = yield request
        server = _tokens(response, "Negotiate")
        while response.status_code == 401 and server is not None and not ctx.complete:
            try:
                token = ctx.step(server) or b""
            except SpnegoError as exc:
                return f"GP refused the ticket ({_reason(exc)})"
            request.headers["Authorization"] = "Negotiate " + base64.b64encode(token).decode()
            response = yield request
            server = _tokens(response, "Negotiate")
        if response.status_code == 401:
            return "GP refused the ticket for " + spn
        if not ctx.complete:
            try:
                if server is None:
                    raise SpnegoError(context_msg="no Negotiate token in GP's answer")
                ctx.step(server)
            except SpnegoError as exc:
                # GP answered, so a write may have been applied: the caller reads GP back.
                kind = GPAuthError if request.method == "GET" else GPUnknownOutcome
                raise kind(
                    f"GP's answer did not prove it holds the keys of {spn} (mutual "
                    f"authentication failed: {_reason(exc)}); treat this server as "
                    "suspect") from None
        principal = self._tickets.principal or self.principal  # a cache's own principal
        with self._lock:
            first = self.last is None or self.last.mechanism != "Kerberos"
            self.last = SignIn("Kerberos", f"{principal} to {spn}")
        if first:
            log.info("signed in to GP with Kerberos as %s to %s (ticket from %s)", principal,
                     spn, self._tickets.source)
        return ""

    def _fell_back(self, spn: str, reason: str) -> None:
        with self._lock:
            self.last = SignIn("NTLM", self.user, fallback=reason)
            first = reason not in self._warned
            self._warned.add(reason)
        if first:
            log.warning("Kerberos to GP (%s as %s) did not work, signing in with NTLM: %s; %s",
                        spn, self.principal, reason, explain(reason))


def _reason(exc: BaseException) -> str:
    """A failure's message without tokens: GSS/krb5 messages name principals and codes only."""
    base = getattr(exc, "base_error", None)
    if base is not None and base is not exc:
        return _reason(base)
    text = " ".join((str(exc).strip() or type(exc).__name__).split())
    # GSSAPI: "Major (851968): Unspecified GSS failure. ..., Minor (n): <the real reason>"
    text = re.split(r"Minor \(\d+\): ", text)[-1]
    return re.sub(r" -?\d{6,}$", "", text)[:300]
