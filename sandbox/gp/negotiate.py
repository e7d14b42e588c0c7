"""Kerberos through SPNEGO for the stand-in, as IIS Windows Authentication accepts it.

IIS with Windows Authentication offers `WWW-Authenticate: Negotiate` and `WWW-Authenticate: NTLM`
on every 401. A Negotiate token that is SPNEGO (or a bare Kerberos AP-REQ) is accepted with the
keys of the server's service principal, HTTP/<host> (here: a keytab, as a Linux server or the
machine account would hold them); the 200 carries the server's answer (`WWW-Authenticate:
Negotiate <AP-REP>`) so the client can check it reached the right server (mutual
authentication). A Negotiate token that is raw NTLM goes to the NTLM acceptor.

MIT's GSSAPI does the work (python-gssapi, the `kerberos` extra). The keytab and the replay cache
are passed in a credential store, not through KRB5_KTNAME or a global file: the connector's tests
run client and server in one process, and the replay cache belongs to this stand-in's folder.
A principal `user@REALM` becomes `DOMAIN\\user` with DOMAIN the realm's first label, the way a
NetBIOS domain name usually relates to the AD realm.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

try:  # optional: the `kerberos` extra
    import gssapi
    from gssapi.raw import ChannelBindings, GSSError
except ImportError:  # pragma: no cover - exercised on a plain install
    gssapi = None
    ChannelBindings = None
    GSSError = Exception

NTLM_SIGNATURE = b"NTLMSSP\x00"
CHANNEL_BOUND = 2048  # GSS_C_CHANNEL_BOUND_FLAG: the initiator's bindings matched ours


def kerberos_available() -> bool:
    return gssapi is not None


@dataclass(frozen=True)
class Accepted:
    """A Kerberos handshake step: `principal` once complete, `token` to send back (may be
    empty), `context` to keep for the next leg when not complete."""

    principal: str | None
    token: bytes
    context: object | None


class KerberosAcceptor:
    """Accepts Kerberos (SPNEGO or bare) with the keys in `keytab`."""

    def __init__(self, keytab: Path, state_dir: Path, *, channel_bindings: bytes | None = None,
                 require_channel_binding: bool = False) -> None:
        if gssapi is None:
            raise RuntimeError("Kerberos needs python-gssapi: pip install 'ml-connector[kerberos]'")
        if not Path(keytab).is_file():
            raise FileNotFoundError(f"keytab {keytab} does not exist")
        store = {"keytab": f"FILE:{Path(keytab).resolve()}",
                 "rcache": f"file2:{Path(state_dir).resolve() / 'krb5.rcache'}"}
        self._creds = gssapi.Credentials(usage="accept", store=store)
        self.require_channel_binding = require_channel_binding
        self._bindings = (ChannelBindings(application_data=channel_bindings)
                          if channel_bindings and require_channel_binding else None)

    def step(self, context: object | None, token: bytes) -> Accepted:
        """One leg; raises ValueError when the token is refused (bad ticket, wrong keys,
        replay, missing channel bindings)."""
        ctx = context if context is not None else gssapi.SecurityContext(
            creds=self._creds, usage="accept", channel_bindings=self._bindings)
        try:
            out = ctx.step(token) or b""
        except GSSError as exc:
            raise ValueError(f"Kerberos refused: {exc.gen_message()}") from None
        if not ctx.complete:
            return Accepted(None, out, ctx)
        if self.require_channel_binding and not int(ctx.actual_flags) & CHANNEL_BOUND:
            raise ValueError("Kerberos without channel bindings: Extended Protection requires them")
        return Accepted(str(ctx.initiator_name), out, None)


def is_ntlm(token: bytes) -> bool:
    return token.startswith(NTLM_SIGNATURE)


def windows_name(principal: str) -> tuple[str, str]:
    """`user@FABRIKAM.LOCAL` -> ("FABRIKAM", "user")."""
    name, _, realm = principal.rpartition("@")
    return realm.split(".", 1)[0].upper(), name
