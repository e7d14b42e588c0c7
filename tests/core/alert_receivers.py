"""Real receivers for the alert channels: an SMTP server with STARTTLS and AUTH (aiosmtpd) and
an HTTP server that records the signed JSON posts."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.alerts.channels import SIGNATURE_HEADER, sign


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through ca_bundle)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Mailbox:
    def __init__(self) -> None:
        self.mails: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.mails.append(message_from_bytes(envelope.original_content))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a free loopback port: STARTTLS required, AUTH LOGIN/PLAIN checked."""

    def __init__(self, folder: Path, user: str, password: str) -> None:
        self.cert, key = make_cert(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.box = _Mailbox()
        self.logins: list[str] = []

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                          auth_data: Any) -> AuthResult:
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            self.logins.append("ok" if ok else "refused")
            return AuthResult(success=ok, handled=False)

        with socket.socket() as probe:  # aiosmtpd needs a real port to check it started
            probe.bind(("127.0.0.1", 0))
            self._port = probe.getsockname()[1]
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self._port,
                                     tls_context=context, require_starttls=True,
                                     authenticator=authenticator, auth_require_tls=True)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self._port)

    @property
    def mails(self) -> list[Message]:
        with self.box.lock:
            return list(self.box.mails)

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class HookReceiver:
    secret: str
    status: int = 200
    got: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0

    def start(self) -> HookReceiver:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get(SIGNATURE_HEADER) != sign(outer.secret, body):
                    outer.bad_signatures += 1
                elif outer.status == 200:
                    outer.got.append(json.loads(body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/alerts"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
