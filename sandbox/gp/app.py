"""The stand-in's ASGI application: control plane, faults, NTLM, then SOAP or SBA.

A plain ASGI callable rather than a framework router, because two things need the raw protocol:
the NTLM handshake is keyed by the TCP connection (the scope's client address), and "commit then
drop the response" must be able to close the connection without answering.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any
from urllib.parse import parse_qs

from sandbox.gp import control, faults, sba
from sandbox.gp.capacity import Capacity
from sandbox.gp.faultplan import FaultPlan
from sandbox.gp.ntlm import NTLMAcceptor
from sandbox.gp.soap import SoapService
from sandbox.gp.state import GPState

log = logging.getLogger(__name__)
SOAP_PATH = "/dynamicsgpwebservices/dynamicsgpservice.asmx"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class GPApp:
    def __init__(self, state: GPState, acceptor: NTLMAcceptor, plan: FaultPlan, *, https: bool,
                 sba_allow_http: bool, wsdl: bytes, capacity: Capacity | None = None,
                 sba_missing: tuple[str, ...] = ()) -> None:
        self.state = state
        self.soap = SoapService(state)
        self.acceptor = acceptor
        self.faults = plan
        self.capacity = capacity or Capacity()
        self.https = https
        self.sba_allow_http = sba_allow_http
        self.sba_missing = sba_missing  # SBA routes this server lacks (sandbox/gp/sba_routes.py)
        self.wsdl = wsdl
        self.stopping = threading.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        # Read the whole body: NTLM's legs re-send it, and the connection must stay usable.
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path, method = scope["path"], scope["method"]
        client = tuple(scope.get("client") or ("", 0))
        if path.startswith("/_sandbox/"):
            if client[0] not in LOOPBACK:
                await _send(send, 403, b'{"error": "loopback only"}', "application/json")
                return
            if path == "/_sandbox/capacity":
                status, payload = _capacity(self.capacity, method, bytes(body))
            else:
                status, payload = control.handle(self.state, self.faults, method, path,
                                                 bytes(body))
            await _send(send, status, json.dumps(payload, default=str).encode(),
                        "application/json")
            return
        await self._gp(scope, send, headers, path, method, client, bytes(body))

    async def _gp(self, scope: dict[str, Any], send: Any, headers: dict[str, str], path: str,
                  method: str, client: tuple[Any, ...], body: bytes) -> None:
        is_soap = path.lower() == SOAP_PATH
        is_sba = path.startswith(sba.TENANT)
        if not (is_soap or is_sba):
            await _send(send, 404, b"Not Found", "text/plain")
            return
        op = (headers.get("soapaction", "").strip('"').rsplit("/", 1)[-1] if is_soap
              else f"SBA {method} {path.removesuffix('.json').rsplit('/', 1)[-1]}")
        if self.faults.outage:
            await _send(send, 503, b"Service Unavailable", "text/plain")
            return
        user, answer = self.acceptor.authenticate((str(client[0]), int(client[1])),
                                                  headers.get("authorization"))
        if user is None:
            # NTLM handshake legs are IIS/WCF work, not a business call: no delay, no process.
            await _send(send, 401, b"401 - Unauthorized: Access is denied due to invalid "
                        b"credentials.", "text/html", [("www-authenticate", a) for a in answer])
            return
        if answer:  # Kerberos: the server's token rides on the answer (mutual authentication)
            send = _with_headers(send, [("www-authenticate", a) for a in answer])
        async with self.capacity.service_process(op):
            await self._business(scope, send, headers, path, method, body, user, op, is_sba)

    async def _business(self, scope: dict[str, Any], send: Any, headers: dict[str, str],
                        path: str, method: str, body: bytes, user: Any, op: str,
                        is_sba: bool) -> None:
        latency = self.faults.latency_s()
        if latency:
            await asyncio.sleep(latency)
        if is_sba and not self.https and not self.sba_allow_http:
            await _send(send, 403, b"403.4 - SSL required.", "text/html")
            return
        error = self.faults.pick_error(op)
        if error == "timeout":
            await self._hold_then_drop(send)
            return
        if error == "5xx":
            await _send(send, 503, b"Service Unavailable", "text/plain", [("retry-after", "1")])
            return
        if error == "fault":
            await _send(send, 500, faults.system_fault(), "text/xml; charset=utf-8")
            return
        if is_sba:
            status, answer, content_type = sba.respond(self.state, user, method, path, body,
                                                       headers, self.sba_missing)
            if status < 300 and method != "GET" and self.faults.drop_after_commit(op):
                await self._drop(send)
                return
            await _send(send, status, answer, content_type)
            return
        if method == "GET" and "wsdl" in {k.lower() for k in parse_qs(
                scope.get("query_string", b"").decode(), keep_blank_values=True)}:
            await _send(send, 200, self.wsdl, "text/xml; charset=utf-8")
            return
        if method != "POST":
            await _send(send, 405, b"Method Not Allowed", "text/plain")
            return
        result = self.soap.handle(body, headers.get("content-type", ""), headers.get("soapaction"),
                                  user)
        if result.committed and self.faults.drop_after_commit(result.operation):
            await self._drop(send)
            return
        await _send(send, result.status, result.body, result.content_type)

    async def _drop(self, send: Any) -> None:
        """Lose the response of a committed write: reset the connection, or a bare 500."""
        if self.faults.drop_mode == "500" or not _abort_connection(send):
            await _send(send, 500, b"Internal Server Error", "text/plain")

    async def _hold_then_drop(self, send: Any) -> None:
        waited = 0.0
        while waited < self.faults.timeout_s and not self.stopping.is_set():
            await asyncio.sleep(0.05)
            waited += 0.05
        if not _abort_connection(send):
            await _send(send, 504, b"Gateway Timeout", "text/plain")


def _capacity(capacity: Capacity, method: str, body: bytes) -> tuple[int, dict[str, Any]]:
    if method == "GET":
        return 200, capacity.as_dict()
    try:
        capacity.configure(json.loads(body) if body.strip() else {})
    except (ValueError, TypeError, AttributeError) as exc:
        return 400, {"error": str(exc)}
    return 200, capacity.as_dict()


def _abort_connection(send: Any) -> bool:
    """Close the TCP connection without a response (uvicorn's h11 cycle holds the transport)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        return False
    transport.abort()
    cycle.disconnected = True  # type: ignore[union-attr]  # cycle has a transport: not None
  # tells uvicorn the peer is gone: no "returned without response"
    return True


def _with_headers(send: Any, extra: list[tuple[str, str]]) -> Any:
    """`send` adding `extra` headers to the response start (keeps `__self__` for aborts)."""
    class _Send:
        __self__ = getattr(send, "__self__", None)

        async def __call__(self, message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) +
                           [(k.encode(), v.encode()) for k, v in extra]}
            await send(message)

    return _Send()


async def _send(send: Any, status: int, body: bytes, content_type: str,
                extra: list[tuple[str, str]] | None = None) -> None:
    headers = [(b"content-type", content_type.encode()),
               (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra or []]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
