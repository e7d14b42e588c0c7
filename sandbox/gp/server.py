"""GPStandIn: the Dynamics GP stand-in served by uvicorn in a background thread.

    gp = GPStandIn(tmp_path / "gp")
    gp.start()                      # returns once the socket accepts connections
    GPStandIn(dir, keytab=path).start(host="localhost")  # also Kerberos for HTTP/localhost
    gp.soap_url, gp.sba_url, gp.domain, gp.user, gp.password, gp.company, gp.ca_file
    gp.state()                      # the /_sandbox/state snapshot, without HTTP
    gp.stop()
"""
from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from uvicorn.protocols.http.h11_impl import H11Protocol

from sandbox.gp import control, profiles, sba_routes, schema
from sandbox.gp.app import GPApp
from sandbox.gp.capacity import Capacity
from sandbox.gp.faultplan import FaultPlan
from sandbox.gp.negotiate import KerberosAcceptor
from sandbox.gp.ntlm import NTLMAcceptor, read_user_file, tls_server_end_point
from sandbox.gp.posting import post_batch
from sandbox.gp.seed import seed as seed_company
from sandbox.gp.state import GPState, system_clock
from sandbox.gp.store import Store
from sandbox.tls import self_signed_cert

DOMAIN = "FABRIKAM"
SERVICE_USER = "svc-mlconnector"
READONLY_USER = "readonly"
UserSpec = tuple[str, str, str] | tuple[str, str, str, str]


def _password() -> str:
    # No ':' (the user file's separator); letters and digits satisfy any complexity rule.
    return "Gp-" + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a background thread must not own signals
        pass


class GPStandIn:
    def __init__(self, state_dir: Path, *, seed: int = 0, https: bool = False,
                 users: Path | Iterable[UserSpec] | None = None,
                 require_channel_binding: bool = False, calculate_unit_price: bool | None = None,
                 sba_allow_http: bool = False, profile: str = profiles.CONFIGURED,
                 capacity: dict[str, Any] | None = None, keytab: Path | None = None,
                 clock: Callable[[], datetime] | None = None,
                 sba_missing: Iterable[str] = (),
                 company: tuple[int, str] | None = None) -> None:
        """profile: "configured" (GP after the README's set-up; the default) or "fresh" (a new
        install's defaults). calculate_unit_price: the administrator sets GP's pricing the same
        way in every policy before start: True = GP's defaults (Calculate Unit Price and
        Calculate Total Amount both "Calculate": GP re-prices and re-totals), False = both "Do
        Not Calculate"; None keeps the profile's. capacity: latency and service processes
        (sandbox/gp/capacity.py), e.g. {"median_ms": 300, "sigma": 0.4, "processes": 4}.
        sba_missing: SBA routes this server lacks, neither listed by /help nor served, as
        "METHOD Area/Resource(<key>)", e.g. "PATCH Inventory/Items(<item>)" (a GP version or
        set-up without them; sandbox/gp/sba_routes.py). company: (id, name) of the company
        this server holds, for a second GP installation beside the first (default: Microsoft's
        sample, Fabrikam, Inc., id -1); the sample data is the same, the name tells them apart."""
        self.sba_missing = tuple(sba_missing)
        sba_routes.check_missing(self.sba_missing)  # before anything is opened
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.https = https
        self.require_channel_binding = require_channel_binding
        # The keys of HTTP/<host> (IIS: the machine account's). Without them a Negotiate
        # (Kerberos) token is refused and clients fall back to NTLM.
        self.keytab = Path(keytab) if keytab else None
        self.domain, self.user = DOMAIN, SERVICE_USER
        self.readonly_user = READONLY_USER
        if users is None:
            self.password, self.readonly_password = _password(), _password()
            specs: list[UserSpec] = [(DOMAIN, SERVICE_USER, self.password,
                                      profiles.role_of_service_account(profile)),
                                     (DOMAIN, READONLY_USER, self.readonly_password, "readonly")]
            self._users = [s[:3] for s in specs]
            self._roles = {f"{d}\\{u}".upper(): r for d, u, _, r in specs}  # type: ignore[misc]
        else:
            if isinstance(users, Path):
                self._users, self._roles = read_user_file(users)
            else:
                listed = list(users)
                self._users = [(u[0], u[1], u[2]) for u in listed]
                self._roles = {f"{u[0]}\\{u[1]}".upper(): (u[3] if len(u) == 4 else "admin")
                               for u in listed}
            self.domain, self.user, self.password = self._users[0]
            self.readonly_password = ""
        self.store = Store(self.state_dir / "gp.sqlite3")
        seed_company(self.store)
        self._sba_allow_http = sba_allow_http
        self.profile = profile
        self.gp_state = GPState(self.store, clock=clock or system_clock)
        if company is not None:
            self.gp_state.company_id, self.gp_state.company_name = company
        profiles.apply(profile, self.store, self.gp_state.policies, self.gp_state.company_id)
        if calculate_unit_price is not None:
            self.gp_state.policies.set_pricing(self.gp_state.company_id, calculate_unit_price)
        self.faults = FaultPlan(seed=seed)
        self.capacity = Capacity(seed=seed)
        if capacity:
            self.capacity.configure(capacity)
        self.company = self.gp_state.company_name
        self.company_id = self.gp_state.company_id
        self.ca_file: Path | None = None
        self._cert: tuple[Path, Path] | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._app: GPApp | None = None
        self.host, self.port = "127.0.0.1", 0

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> GPStandIn:
        bindings = None
        if self.https:
            self._cert = _certificate(self.state_dir / "tls")
            self.ca_file = self._cert[0]
            bindings = _cert_bindings(self._cert[0])
        kerberos = (KerberosAcceptor(self.keytab, self.state_dir, channel_bindings=bindings,
                                     require_channel_binding=self.require_channel_binding)
                    if self.keytab else None)
        acceptor = NTLMAcceptor(self.state_dir, self._users, self._roles, bindings,
                                self.require_channel_binding, kerberos=kerberos)
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only for
        # such sockets, and without it each response (headers, then body) waits ~40 ms for the
        # client's delayed ACK.
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                             socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)  # listening now: clients connect even before uvicorn's loop runs
        self.host, self.port = host, sock.getsockname()[1]
        self._app = GPApp(self.gp_state, acceptor, self.faults, https=self.https,
                          sba_allow_http=self._sba_allow_http, wsdl=b"",
                          capacity=self.capacity, sba_missing=self.sba_missing)
        self._app.wsdl = schema.render_wsdl(self.soap_url).encode()
        config = uvicorn.Config(self._app, log_level="warning", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=2, http=_protocol(acceptor),
                                proxy_headers=False,  # the client address keys NTLM state
                                ssl_certfile=str(self._cert[0]) if self._cert else None,
                                ssl_keyfile=str(self._cert[1]) if self._cert else None)
        self._server = _Server(config)
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve(sock, ready))
            except BaseException as exc:  # surfaced to start()'s caller below
                failure.append(exc)
                ready.set()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name=f"gp-standin:{self.port}", daemon=True)
        self._thread.start()
        ready.wait(timeout=30)
        if failure or not self._server.started:
            raise RuntimeError(f"GP stand-in did not start: {failure!r}")
        return self

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        assert self._server is not None
        config = self._server.config
        if not config.loaded:
            config.load()
        self._server.lifespan = config.lifespan_class(config)
        await self._server.startup(sockets=[sock])
        ready.set()
        if self._server.should_exit:
            return
        await self._server.main_loop()
        await self._server.shutdown(sockets=[sock])

    def stop(self) -> None:
        if self._app is not None:
            self._app.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.store.close()

    def __enter__(self) -> GPStandIn:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- addresses and helpers for tests ----------------------------------------------------

    @property
    def base_url(self) -> str:
        scheme = "https" if self.https else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def soap_url(self) -> str:
        return self.base_url + "/DynamicsGPWebServices/DynamicsGPService.asmx"

    @property
    def wsdl_url(self) -> str:
        return self.soap_url + "?wsdl"

    @property
    def sba_url(self) -> str:
        return (f"{self.base_url}/GPService/Tenants(DefaultTenant)/Companies("
                f"{quote(self.company, safe='')})")

    @property
    def control_url(self) -> str:
        return self.base_url + "/_sandbox"

    def state(self) -> dict[str, Any]:
        return control.snapshot(self.gp_state)

    def documents(self, kind: str = "invoice") -> list[dict[str, Any]]:
        return self.store.documents(kind)

    def count_invoices(self, *, po: str | None = None, customer: str | None = None) -> int:
        return self.store.count_documents("invoice", po=po, customer=customer)

    def post_batch(self, batch: str) -> list[dict[str, str]]:
        return post_batch(self.store, batch, self.gp_state.now())


def _protocol(acceptor: NTLMAcceptor) -> type[H11Protocol]:
    """uvicorn's h11 protocol, telling the acceptor when a TCP connection starts and ends.

    NTLM state is keyed by the client's (host, port); a new connection that reuses a closed
    one's port must start unauthenticated, so the state goes when its connection goes.
    """
    class NTLMConnectionProtocol(H11Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            if self.client:
                acceptor.forget((str(self.client[0]), int(self.client[1])))

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client:
                acceptor.forget((str(self.client[0]), int(self.client[1])))
            super().connection_lost(exc)

    return NTLMConnectionProtocol


def _certificate(directory: Path) -> tuple[Path, Path]:
    return self_signed_cert(directory)


def _cert_bindings(cert_path: Path) -> bytes:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    algorithm = cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else "sha256"
    return tls_server_end_point(cert.public_bytes(Encoding.DER), algorithm)
