"""Windows authentication and TLS for GP: one pooled httpx client per gateway.

NTLM authenticates a TCP connection, not a request: the three legs of a handshake must travel on
one keep-alive connection, so every gateway owns exactly one `httpx.Client` and serialises its
exchanges (see `GPHttp`). httpx-ntlm is the normal path; it never sends channel bindings
(`send_cbt` is stored and ignored), so when the server enforces Extended Protection we use our own
pyspnego-based `httpx.Auth` that binds the handshake to the server certificate
(RFC 5929 `tls-server-end-point`).
"""
from __future__ import annotations

import base64
import logging
import ssl
import threading
from collections.abc import Generator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import spnego
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from httpx_ntlm import HttpNtlmAuth
from spnego.channel_bindings import GssChannelBindings

from core.config import GPSettings
from core.errors import ConfigError
from core.gp.negotiate import INSTALL, MISSING, NegotiateAuth
from core.telemetry.calls import InstrumentedTransport
from core.tls import trust_context
from core.version import USER_AGENT

log = logging.getLogger(__name__)

_warned_http: set[str] = set()
_warn_lock = threading.Lock()


def check_gp_url(url: str, *, allow_http: bool, what: str = "GP URL") -> str:
    """Refuse anything but https:// unless plain HTTP is explicitly allowed (then warn once)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"[gp] {what} {url!r} is not an http(s) URL")
    if parts.scheme == "http":
        if not allow_http:
            raise ConfigError(
                f"[gp] {what} {url} uses plain http://: SOAP bodies (customers, invoices) would "
                "travel unencrypted and the NTLM exchange could be relayed. Use https://, or set "
                "allow_http = true in [gp] if this network is trusted.")
        with _warn_lock:
            if url not in _warned_http:
                _warned_http.add(url)
                log.warning("plain http:// allowed for %s by [gp] allow_http: traffic is "
                            "not encrypted", url)
    return url


def certificate_hash(der: bytes) -> bytes:
    """RFC 5929 tls-server-end-point: the certificate hashed with its signature's hash
    (MD5 and SHA-1 are replaced by SHA-256)."""
    cert = x509.load_der_x509_certificate(der)
    algo = cert.signature_hash_algorithm
    if algo is None or isinstance(algo, (hashes.MD5, hashes.SHA1)):
        algo = hashes.SHA256()
    digest = hashes.Hash(algo)
    digest.update(der)
    return digest.finalize()


def peer_certificate(response: httpx.Response) -> bytes | None:
    """DER certificate of the TLS connection that carried `response` (None over plain HTTP)."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der: bytes | None = ssl_object.getpeercert(True)  # the C object: positional only
    return der


def _scheme(header: str) -> str | None:
    low = header.lower()
    if "ntlm" in low:
        return "NTLM"
    if "negotiate" in low:
        return "Negotiate"
    return None


def _token(header: str, scheme: str) -> bytes | None:
    for part in header.split(","):
        part = part.strip()
        if part.lower().startswith(scheme.lower() + " "):
            return base64.b64decode(part[len(scheme) + 1:].strip())
    return None


class ChannelBindingNtlmAuth(httpx.Auth):
    """NTLM with channel bindings over HTTPS (Extended Protection "Required").

    The bindings hash the certificate of the connection that answered the first 401; the later
    legs travel on that same connection (the caller serialises exchanges on one client).
    NTLMv1 is never offered: pyspnego's NTLM client speaks NTLMv2 only.
    """

    requires_request_body = True  # each leg re-sends the body: it must be replayable

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password

    def __repr__(self) -> str:  # never show the password
        return f"ChannelBindingNtlmAuth({self._username!r})"

    def bindings_for(self, der: bytes) -> GssChannelBindings:
        """RFC 5929 tls-server-end-point bindings of the server certificate `der`."""
        return GssChannelBindings(
            application_data=b"tls-server-end-point:" + certificate_hash(der))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Connection"] = "Keep-Alive"
        response = yield request
        if response.status_code != 401 or "Authorization" in request.headers:
            return
        scheme = _scheme(response.headers.get("www-authenticate", ""))
        if scheme is None:
            return
        der = peer_certificate(response)
        if der is None:
            # Bindings need a TLS channel; without one they cannot be computed. Let the 401 stand.
            return
        ctx = spnego.client(self._username, self._password, protocol="ntlm",
                            channel_bindings=self.bindings_for(der))
        first = ctx.step() or b""
        request.headers["Authorization"] = f"{scheme} {base64.b64encode(first).decode()}"
        response = yield request
        challenge = _token(response.headers.get("www-authenticate", ""), scheme)
        if response.status_code != 401 or challenge is None:
            return
        reply = ctx.step(challenge)
        request.headers["Authorization"] = f"{scheme} {base64.b64encode(reply or b'').decode()}"
        yield request


def make_auth(user: str, password: str, *, channel_binding: bool, mode: str = "ntlm",
              realm: str = "", spn: str = "", keytab: str = "",
              ccache: str = "") -> httpx.Auth:
    """The Windows sign-in `[gp] auth` chose: NTLM, or Kerberos with (negotiate) or without
    (kerberos) NTLM as the fallback (core/gp/negotiate.py)."""
    if not user:
        raise ConfigError("[gp] user is empty: set it to the Windows account, DOMAIN\\user")
    if mode in ("negotiate", "kerberos"):
        if mode == "kerberos" and MISSING:
            raise ConfigError(f"[gp] auth = kerberos, but {MISSING}: {INSTALL}")
        return NegotiateAuth(user, password, mode=mode, realm=realm, spn=spn,
                             bindings=_bindings if channel_binding else None, keytab=keytab,
                             ccache=ccache)
    if channel_binding:
        return ChannelBindingNtlmAuth(user, password)
    return HttpNtlmAuth(user, password)


def _bindings(response: httpx.Response) -> GssChannelBindings | None:
    der = peer_certificate(response)
    if der is None:
        return None
    return GssChannelBindings(application_data=b"tls-server-end-point:" + certificate_hash(der))


def ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """Trust the given CA bundle (e.g. the GP server's internal CA), else the default store.
    Never an unverified context; shared between connections (core/tls.py)."""
    if not ca_bundle:
        return trust_context(None)
    path = Path(ca_bundle).expanduser()
    if not path.is_file():
        raise ConfigError(f"[gp] ca_bundle {path} does not exist or is not a file")
    return trust_context(str(path))


def make_client(gp: GPSettings, password: str, *, urls: list[str]) -> httpx.Client:
    """One pooled keep-alive client for every GP URL in `urls` (SOAP, SBA, WSDL)."""
    for url in urls:
        check_gp_url(url, allow_http=gp.allow_http)
        if gp.channel_binding and urlsplit(url).scheme != "https":
            raise ConfigError(f"[gp] channel_binding needs https://, not {url}")
    timeout = httpx.Timeout(gp.timeout_s, connect=min(gp.timeout_s, 15.0))
    # A few idle connections at most: every one of them costs a fresh handshake.
    transport = httpx.HTTPTransport(
        verify=ssl_context(gp.ca_bundle),
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2,
                            keepalive_expiry=60.0))
    return httpx.Client(
        auth=make_auth(gp.user, password, channel_binding=gp.channel_binding, mode=gp.auth,
                       realm=gp.kerberos_realm, spn=gp.spn, keytab=gp.kerberos_keytab,
                       ccache=gp.kerberos_ccache),
        # Timed and watched for outages (metrics, the "GP unreachable" alert).
        transport=InstrumentedTransport(transport, "gp"),
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )
