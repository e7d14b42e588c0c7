"""WooCommerce webhook deliveries: signature check and the ASGI receiver.

The receiver does as little as possible on the request path: read the raw body with a size cap,
verify `X-WC-Webhook-Signature` over those exact bytes with a constant-time compare, commit the
raw delivery (synchronous=FULL), answer 200. Parsing and upserting happen later in
`core.intake.inbox.process_deliveries`, so a slow or broken step never turns into a lost delivery:
WooCommerce never re-delivers and disables a webhook after 7 failures in a row.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from core.clock import SYSTEM_CLOCK, Clock
from core.intake.delivery_writer import DeliveryWriter, storable_id
from core.intake.known_webhooks import is_known

log = logging.getLogger(__name__)

PATH = "/webhooks/woocommerce"
# WooCommerce sends a body of a few KB at once; a body still arriving after this long is a stalled
# or hostile client holding a connection (and memory) open: answered 408 and closed.
BODY_TIMEOUT_S = 30.0
SIGNATURE_HEADER = "x-wc-webhook-signature"
_PING = re.compile(rb"^webhook_id=(\d{1,18})$")
PING_ANSWER = b'{"ok":true,"ping":true}'
_WP_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}
_WP_DECODE = re.compile(r"&(?:amp|lt|gt|quot);|&#(0*(?:38|60|62|34|39)|[xX]0*(?:26|22|27));")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def wp_specialchars_decode(secret: str) -> str:
    """WordPress decodes a few HTML entities in the secret before signing (single pass), so a
    secret created as `Amp&amp;Secret` signs as `Amp&Secret`."""
    def one(m: re.Match[str]) -> str:
        text = m.group(0)
        if text in _WP_ENTITIES:
            return _WP_ENTITIES[text]
        num = m.group(1)
        return chr(int(num[1:], 16) if num[0] in "xX" else int(num))
    return _WP_DECODE.sub(one, secret)


def sign(body: bytes, secret: str) -> str:
    """The header value WooCommerce sends: base64(HMAC-SHA256(decoded secret, raw body))."""
    mac = hmac.new(wp_specialchars_decode(secret).encode(), body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def signature_ok(body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time comparison over the raw bytes; SHA-256 pinned."""
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().encode())


def normalise_source(url: str) -> str:
    return url.strip().rstrip("/").lower()


class SecretSource(Protocol):
    def candidates(self, webhook_id: str | None) -> list[str]:
        """Secrets that may have signed a delivery from this webhook."""
        ...

    def refresh(self) -> None:
        ...

    def has_own(self, webhook_id: str) -> bool:
        """Whether this webhook has its own secret here (then it is one of ours)."""
        ...


class VaultSecrets:
    """Webhook secrets from the vault: `webhook.secret.<id>` when one webhook has its own, else the
    shared `webhook.secret` that `webhooks install` creates. Decrypted once and cached; when a
    signature fails the cache is checked against the vault's stamp (one small read), so a secret
    installed while the worker runs is seen at once without decrypting on every request."""

    PREFIX = "webhook.secret"

    def __init__(self, vault: Any) -> None:
        self._vault = vault
        self._lock = threading.Lock()
        self._cache: dict[str, str] = {}
        self._stamp = ""
        self.refresh()

    def __repr__(self) -> str:
        return f"VaultSecrets({len(self._cache)} secrets)"

    def refresh(self) -> None:
        with self._lock:
            stamp = self._vault.stamp(self.PREFIX)
            if stamp == self._stamp:
                return
            names = [n for n in self._vault.names() if n.startswith(self.PREFIX)]
            self._cache = {n: v for n in names if (v := self._vault.get(n))}
            self._stamp = stamp

    def has_own(self, webhook_id: str) -> bool:
        if f"webhook.secret.{webhook_id}" not in self._cache:
            self.refresh()
        return f"webhook.secret.{webhook_id}" in self._cache

    def candidates(self, webhook_id: str | None) -> list[str]:
        cache = self._cache
        found = []
        if webhook_id and (own := cache.get(f"webhook.secret.{webhook_id}")):
            found.append(own)
        if shared := cache.get("webhook.secret"):
            found.append(shared)
        return found


class StaticSecrets:
    """Fixed secrets (benchmarks, tests): {"": shared, "<webhook id>": own}."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self._secrets = dict(secrets)

    def __repr__(self) -> str:
        return "StaticSecrets(****)"

    def candidates(self, webhook_id: str | None) -> list[str]:
        own = self._secrets.get(webhook_id or "")
        shared = self._secrets.get("")
        return [s for s in (own, shared) if s]

    def refresh(self) -> None:
        return None

    def has_own(self, webhook_id: str) -> bool:
        return bool(webhook_id) and webhook_id in self._secrets


def _clip(value: str | None, n: int = 200) -> str | None:
    return None if value is None else value[:n]


class WebhookReceiver:
    """ASGI app: `POST /webhooks/woocommerce` (plus `GET /healthz`)."""

    def __init__(self, secrets: SecretSource, *, store_url: str = "", max_body: int = 2_000_000,
                 clock: Clock = SYSTEM_CLOCK,
                 on_accepted: Callable[[], None] | None = None,
                 spool_dir: str | None = None, busy_wait_ms: int | None = None,
                 body_timeout_s: float = BODY_TIMEOUT_S,
                 known_webhook: Callable[[int], bool] | None = None, db: Any = None) -> None:
        """`known_webhook(id)`: whether a creation ping's webhook id is ours (default: the ids
        `webhooks install` and the worker's webhook check recorded, core.intake.known_webhooks).
        `db`: the database deliveries are stored in (one pair's, with its `spool_dir`: the
        receiver of every pair, core.intake.router); default the process's state database."""
        self.secrets = secrets
        self.known_webhook = known_webhook or (lambda webhook_id: is_known(webhook_id, clock))
        self.store_source = normalise_source(store_url) if store_url else ""
        self.max_body = max_body
        self.body_timeout_s = body_timeout_s
        self.clock = clock
        self.on_accepted = on_accepted
        self.writer = DeliveryWriter(clock=clock, spool_dir=spool_dir, on_imported=on_accepted,
                                     busy_wait_ms=busy_wait_ms, db=db)

    def close(self) -> None:
        self.writer.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # uvicorn runs us with lifespan="off": nothing else comes
            return
        path, method = scope.get("path", ""), scope.get("method", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            # The truth: not ok while deliveries wait in the spool for a busy database.
            ok, detail = self.writer.health()
            await respond(send, 200 if ok else 503, json.dumps(detail).encode())
            return
        if await refused_route(path, method, send):
            return
        headers = request_headers(scope)
        body = await self.read_body(headers, receive, send)
        if body is not None:
            await self.answer(headers, body, send)

    async def read_body(self, headers: dict[str, str], receive: Receive, send: Send
                        ) -> bytes | None:
        """The whole body within the size cap and the time limit; None when the request was
        answered here (413, 408) or the sender gave up."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._record(self._rejection(headers, "body larger than the limit"))
            await respond(send, 413, b'{"error":"body too large"}')
            return None
        chunks: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout_s
        while True:
            try:
                msg = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                await respond(send, 408, b'{"error":"the body took too long to arrive"}',
                               extra=[(b"connection", b"close")])
                return None
            if msg["type"] == "http.disconnect":
                return None  # truncated: the sender gave up; nothing acknowledged, nothing stored
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._record(self._rejection(headers, "body larger than the limit"))
                await respond(send, 413, b'{"error":"body too large"}')
                return None
            chunks.append(chunk)
            if not msg.get("more_body", False):
                return b"".join(chunks)

    async def answer(self, headers: dict[str, str], body: bytes, send: Send) -> None:
        """Judge a complete delivery, store it (before the 200) or record the refusal, answer."""
        status, answer, row = self.decide(headers, body)
        if row is not None:
            if status == 200:
                try:
                    await self.writer.write(row)  # in the database or the spool before the 200
                except Exception:  # noqa: BLE001 - neither could take it: nothing was promised
                    await respond(send, 503, b'{"error":"cannot store the delivery now"}',
                                   extra=[(b"retry-after", b"60")])
                    return
                if self.on_accepted:
                    self.on_accepted()
            else:
                await self._record(row)
        await respond(send, status, answer)

    def ping_known(self, body: bytes) -> bool:
        """Whether `body` is WooCommerce's creation ping for a webhook of ours."""
        ping = _PING.match(body.strip())
        if ping is None:
            return False
        return self.secrets.has_own(ping.group(1).decode()) or self.known_webhook(
            int(ping.group(1)))

    def signed_here(self, headers: dict[str, str], body: bytes) -> bool:
        """Whether one of this receiver's secrets signed the delivery."""
        header_sig = headers.get(SIGNATURE_HEADER)
        return bool(header_sig) and self._verified(body, header_sig or "",
                                                   headers.get("x-wc-webhook-id"))

    def decide(self, headers: dict[str, str], body: bytes
               ) -> tuple[int, bytes, dict[str, Any] | None]:
        """Judge one complete delivery (lower-cased header names): (status, answer, row to
        store). No parsing before the signature is verified."""
        header_sig = headers.get(SIGNATURE_HEADER)
        if not header_sig:
            ping = _PING.match(body.strip())
            if ping and self.ping_known(body):
                return 200, PING_ANSWER, None  # the creation ping: change nothing
            if ping:
                return 401, b'{"error":"ping from a webhook this connector did not install"}', \
                    self._rejection(headers, "ping from an unknown webhook id")
            return 401, b'{"error":"unsigned delivery"}', self._rejection(headers, "unsigned")
        webhook_id = headers.get("x-wc-webhook-id")
        if not self._verified(body, header_sig, webhook_id):
            return 401, b'{"error":"signature does not match"}', self._rejection(
                headers, "bad signature")
        source = headers.get("x-wc-webhook-source", "")
        if self.store_source and normalise_source(source) != self.store_source:
            return 401, b'{"error":"unexpected source"}', self._rejection(
                headers, "unexpected source")
        return 200, b'{"ok":true}', self._accepted(headers, body)

    def _verified(self, body: bytes, header_sig: str, webhook_id: str | None) -> bool:
        for secret in self.secrets.candidates(webhook_id):
            if signature_ok(body, header_sig, secret):
                return True
        self.secrets.refresh()  # a secret installed since start-up?
        return any(signature_ok(body, header_sig, s) for s in self.secrets.candidates(webhook_id))

    def _row(self, headers: dict[str, str], verdict: str) -> dict[str, Any]:
        return {"received_at": self.clock.now(),
                "topic": _clip(headers.get("x-wc-webhook-topic")),
                "resource": _clip(headers.get("x-wc-webhook-resource")),
                "event": _clip(headers.get("x-wc-webhook-event")),
                "webhook_id": _clip(headers.get("x-wc-webhook-id")),
                "delivery_id": _clip(headers.get("x-wc-webhook-delivery-id")),
                "source": _clip(headers.get("x-wc-webhook-source")), "verdict": verdict,
                "reject_reason": None, "body": None, "resource_id": None}

    def _accepted(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        row = self._row(headers, "accepted")
        try:  # verified bytes only; a parse failure is dealt with (and shown) when processing
            doc = json.loads(body)
            if isinstance(doc, dict):
                row["resource_id"] = storable_id(doc.get("id"))
        except (ValueError, RecursionError, MemoryError):
            pass  # nested 50,000 deep, not UTF-8, not JSON: stored raw, flagged by intake
        row["body"] = body
        return row

    def _rejection(self, headers: dict[str, str], reason: str) -> dict[str, Any]:
        log.warning("webhook delivery refused: %s (topic %s)", reason,
                    _clip(headers.get("x-wc-webhook-topic"), 40))
        row = self._row(headers, "rejected")
        row["reject_reason"] = reason
        return row

    def refuse(self, headers: dict[str, str], reason: str) -> None:
        """Record a refusal decided elsewhere (the receiver of every pair), rolled up."""
        self.writer.refused(self._rejection(headers, reason))

    async def _record(self, row: dict[str, Any]) -> None:
        # Rolled up and written by the writer thread: a refusal costs no fsync of its own, and
        # recording it can never turn a 401 into a 500.
        self.writer.refused(row)


def request_headers(scope: Scope) -> dict[str, str]:
    """The request's headers, names lower-cased."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def refused_route(path: str, method: str, send: Send) -> bool:
    """Answer what is not a POST to the webhook path (404, or 405 naming POST); True if so."""
    if path.rstrip("/") != PATH:
        await respond(send, 404, b'{"error":"not found"}')
        return True
    if method != "POST":
        await respond(send, 405, b'{"error":"POST only"}', extra=[(b"allow", b"POST")])
        return True
    return False


async def respond(send: Send, status: int, body: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status,
                "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})
