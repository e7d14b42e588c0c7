"""Real NTLM for the stand-in: a pyspnego acceptor per TCP connection, users from a file.

pyspnego's pure-Python acceptor looks users up in the file named by the NTLM_USER_FILE environment
variable, read through `spnego._ntlm._get_credential_file()` when the acceptor is built and again
when it checks the Authenticate message. Setting the variable would leak into every test in the
process (the connector's tests run client and server together), so we route that one lookup
through a context variable: set only while *this* stand-in's acceptor steps, unset elsewhere, in
which case pyspnego's own behaviour (the environment variable) is untouched.

Windows authenticates the connection, not the request (gp.md §17): once the three legs succeed,
later requests on the same connection need no Authorization header. A connection is known by the
client's (host, port) from the ASGI scope.

Like IIS, every 401 offers `Negotiate` and `NTLM`; a Negotiate token that is Kerberos (SPNEGO)
goes to the Kerberos acceptor (sandbox/gp/negotiate.py) when the stand-in has a keytab, else it
is refused and the client falls back to NTLM, as with a server whose SPN is not registered.
"""
from __future__ import annotations

import base64
import contextvars
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import spnego
import spnego._ntlm as _spnego_ntlm
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

from sandbox.gp.negotiate import KerberosAcceptor, is_ntlm, windows_name

log = logging.getLogger(__name__)
# IIS's Windows Authentication: both schemes on every 401, Negotiate first.
OFFER = ["Negotiate", "NTLM"]

_USER_FILE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gp_standin_ntlm_user_file", default=None)
_install_lock = threading.Lock()


def _install_lookup() -> None:
    with _install_lock:
        original = _spnego_ntlm._get_credential_file
        if getattr(original, "_gp_standin", False):
            return

        def lookup() -> str | None:
            path = _USER_FILE.get()
            return path if path is not None else original()

        lookup._gp_standin = True  # type: ignore[attr-defined]
        _spnego_ntlm._get_credential_file = lookup


def tls_server_end_point(cert_der: bytes, signature_hash: str) -> bytes:
    """RFC 5929 channel binding data for a server certificate (MD5/SHA-1 upgrade to SHA-256)."""
    name = signature_hash.lower() if signature_hash.lower() not in ("md5", "sha1") else "sha256"
    return b"tls-server-end-point:" + hashlib.new(name, cert_der).digest()


@dataclass(frozen=True)
class User:
    domain: str
    name: str
    role: str

    @property
    def principal(self) -> str:
        return f"{self.domain}\\{self.name}"

    @property
    def roles(self) -> tuple[str, ...]:
        """Dynamics Security roles: the user file may list several, separated by commas."""
        return tuple(r.strip() for r in self.role.split(",") if r.strip())


def read_user_file(path: Path) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """Lines `DOMAIN:user:password[:role]` -> ([(domain, user, password)], {DOMAIN\\USER: role})."""
    users, roles = [], {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) not in (3, 4):
            raise ValueError(f"{path}: expected DOMAIN:user:password[:role], "
                             f"got {len(parts)} fields")
        domain, user, password = parts[:3]
        users.append((domain, user, password))
        roles[f"{domain}\\{user}".upper()] = parts[3] if len(parts) == 4 else "admin"
    return users, roles


@dataclass
class _Conn:
    ctx: object | None = None
    user: User | None = None
    kerberos: bool = False  # ctx is a Kerberos acceptor context (else NTLM)


class NTLMAcceptor:
    """Runs the NTLM handshake for every connection of one stand-in."""

    def __init__(self, state_dir: Path, users: list[tuple[str, str, str]], roles: dict[str, str],
                 channel_bindings: bytes | None = None, require_channel_binding: bool = False,
                 max_connections: int = 4096, kerberos: KerberosAcceptor | None = None) -> None:
        _install_lookup()
        self.kerberos = kerberos
        # pyspnego reads the 3-field Heimdal format only, so the roles stay out of this file.
        self.user_file = state_dir / "ntlm-users"
        self.user_file.write_text("".join(f"{d}:{u}:{p}\n" for d, u, p in users))
        self.user_file.chmod(0o600)
        self.roles = roles
        self.require_channel_binding = require_channel_binding
        self._bindings = (GssChannelBindings(application_data=channel_bindings)
                          if channel_bindings and require_channel_binding else None)
        self._conns: OrderedDict[tuple[str, int], _Conn] = OrderedDict()
        self._max = max_connections
        self._lock = threading.Condition()

    def _conn(self, key: tuple[str, int]) -> _Conn:
        with self._lock:
            conn = self._conns.pop(key, None) or _Conn()
            self._conns[key] = conn
            while len(self._conns) > self._max:
                self._conns.popitem(last=False)
            return conn

    def forget(self, key: tuple[str, int]) -> None:
        """The TCP connection `key` opened or closed: whatever it had authenticated is gone."""
        with self._lock:
            self._conns.pop(key, None)
            self._lock.notify_all()

    def connections(self) -> int:
        with self._lock:
            return len(self._conns)

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        """Block until exactly `count` connections hold NTLM state (for tests: no sleeps)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._conns) == count, timeout)

    def authenticate(self, key: tuple[str, int], authorization: str | None
                     ) -> tuple[User | None, list[str]]:
        """-> (user, headers) when authenticated, headers being WWW-Authenticate values for the
        answer (the Kerberos server token); (None, headers) to answer 401 with them."""
        conn = self._conn(key)
        scheme, _, token = (authorization or "").partition(" ")
        scheme = scheme.lower()
        if scheme not in ("ntlm", "negotiate") or not token.strip():
            if conn.user is not None:
                return conn.user, []
            return None, list(OFFER)
        try:
            raw = base64.b64decode(token.strip())
        except ValueError:
            return None, list(OFFER)
        if scheme == "negotiate" and not is_ntlm(raw):
            return self._kerberos(conn, raw)
        reply = "Negotiate" if scheme == "negotiate" else "NTLM"
        path_token = _USER_FILE.set(str(self.user_file))
        try:
            if raw[8:12] == b"\x01\x00\x00\x00":  # NEGOTIATE_MESSAGE: a fresh handshake
                conn.user, conn.kerberos = None, False
                conn.ctx = spnego.server(service="HTTP", protocol="ntlm",
                                         options=spnego.NegotiateOptions.use_ntlm,
                                         channel_bindings=self._bindings)
                challenge = conn.ctx.step(raw)  # type: ignore[attr-defined]
                return None, [f"{reply} " + base64.b64encode(challenge or b"").decode()]
            if conn.ctx is None or conn.kerberos:
                return None, list(OFFER)
            if self.require_channel_binding and not _has_channel_binding(raw):
                conn.ctx = None
                return None, list(OFFER)
            conn.ctx.step(raw)  # type: ignore[attr-defined]
            if not conn.ctx.complete:  # type: ignore[attr-defined]
                return None, list(OFFER)
            principal = str(conn.ctx.client_principal or "")  # type: ignore[attr-defined]
        except (SpnegoError, ValueError, KeyError):
            conn.ctx = None
            return None, list(OFFER)
        finally:
            _USER_FILE.reset(path_token)
        domain, _, name = principal.rpartition("\\")
        conn.ctx = None
        conn.user = User(domain.upper(), name, self.roles.get(principal.upper(), "admin"))
        return conn.user, []

    def _kerberos(self, conn: _Conn, raw: bytes) -> tuple[User | None, list[str]]:
        """A SPNEGO / Kerberos leg. Without keys for HTTP/<host> IIS cannot decrypt the ticket
        and answers 401 again: the client then falls back to NTLM."""
        if self.kerberos is None:
            log.info("Negotiate (Kerberos) token refused: this stand-in has no keytab")
            return None, list(OFFER)
        fresh = raw[:1] == b"\x60"  # NegTokenInit / AP-REQ: a new handshake on this connection
        previous = conn.ctx if conn.kerberos and not fresh else None
        if fresh:
            conn.user = None
        try:
            step = self.kerberos.step(previous, raw)
        except ValueError as exc:
            log.info("%s", exc)
            conn.ctx, conn.kerberos = None, False
            return None, list(OFFER)
        answer = [f"Negotiate {base64.b64encode(step.token).decode()}"] if step.token else []
        if step.principal is None:
            conn.ctx, conn.kerberos = step.context, True
            return None, answer or list(OFFER)
        domain, name = windows_name(step.principal)
        conn.ctx, conn.kerberos = None, False
        conn.user = User(domain, name, self.roles.get(f"{domain}\\{name}".upper(), "admin"))
        return conn.user, answer


def _has_channel_binding(authenticate: bytes) -> bool:
    """Does the NTLMv2 response carry a non-zero MsvAvChannelBindings pair? (EPA 'Required')"""
    from spnego._ntlm_raw.messages import Authenticate, AvId, NTClientChallengeV2

    try:
        msg = Authenticate.unpack(authenticate)
        nt = msg.nt_challenge_response or b""
        if len(nt) <= 24:
            return False  # NTLMv1 carries no AV pairs: never acceptable with EPA
        pairs = NTClientChallengeV2.unpack(nt[16:]).av_pairs
    except Exception:  # a malformed token is simply not bound
        return False
    value = pairs.get(AvId.channel_bindings)
    return bool(value) and value != b"\x00" * 16
