"""The receiver of every pair: one address takes the webhooks of every shop of the workspace.

Started by `ml-connector receive` (a process of its own, on any host, several behind a load
balancer) or by `ml-connector worker --route-webhooks` (the pairs' supervisor serves it). Each
delivery goes to the pair whose shop sent it:

1. the pair is found from `X-WC-Webhook-Source` (WordPress's home URL) matched against each
   pair's `[woocommerce] home_url` (else `url`), normalised (case, trailing slash);
2. the signature is verified with THAT pair's webhook secrets only, decrypted with that pair's
   own key: a delivery signed with one shop's secret but claiming another's source is refused
   401 (two pairs on one shop: the one whose secret signed it);
3. it is stored in that pair's state by that pair's own writer (core.intake.delivery_writer,
   given the pair's database object): committed before the 200, one bad delivery alone, a busy
   or unreachable database -> the pair's spool beside its state.db on this host, imported when
   it frees. The pair's worker (`--webhooks-elsewhere`) picks stored deliveries up within a
   second.

A pair whose state, key or secrets cannot be read at start is left out (the log and /healthz
say why; its shop's deliveries are answered 503) and the others are served. A delivery from a
shop without a route makes the receiver look again for such pairs and for pairs added since it
started (at most every LOOK_FOR_PAIRS_S); a shop no pair has is refused 403 saying so, recorded
(rolled up, one row a minute per reason) with the workspace's first pair's refusals, where
`status` shows them. The creation ping (no source, no signature) is answered 200 when any pair
knows the webhook id.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConfigError, ConnectorError
from core.intake.known_webhooks import is_known
from core.intake.receiver import (
    PING_ANSWER,
    SIGNATURE_HEADER,
    Receive,
    Scope,
    Send,
    VaultSecrets,
    WebhookReceiver,
    normalise_source,
    refused_route,
    request_headers,
    respond,
)
from core.intake.spool import spool_dir_for
from core.pairs import list_pairs, pair_workspace
from core.secrets.vault import VaultError, open_pair_vault
from core.store.pair_state import open_state_at
from core.store.postgres import describe_location, state_location

log = logging.getLogger("core.intake.receiver")

UNKNOWN_SOURCE = "unknown source: no pair of this workspace has this shop"
NO_SOURCE = "signed delivery without X-WC-Webhook-Source"
LOOK_FOR_PAIRS_S = 10.0  # a shop no pair has: look for pairs added since at most this often


class PairSecrets(VaultSecrets):
    """One pair's webhook secrets: VaultSecrets on that pair's database, decrypted with that
    pair's key. As there, a failed signature costs one small read (the secrets' stamp) and a
    decryption only when they changed. Here besides: secrets re-encrypted under a rotated key
    make the key be read again, and a database that cannot be read keeps the cached secrets
    (a delivery signed with one of them is still taken, to the spool; the others get a 401,
    not a 500)."""

    def __init__(self, vault: Any) -> None:
        self._loaded = False
        super().__init__(vault)  # the first read raises: no pair is served without its secrets
        self._loaded = True

    def refresh(self) -> None:
        if not self._loaded:
            super().refresh()
            return
        try:
            try:
                super().refresh()
            except VaultError:  # re-encrypted under a new key since: read the key again
                self._vault.reload_keys()
                super().refresh()
        except Exception as exc:  # noqa: BLE001 - the cached secrets still verify
            log.warning("a pair's webhook secrets could not be re-read (%s): the ones read "
                        "before are used", type(exc).__name__)


@dataclass
class PairRoute:
    """Where one pair's deliveries go: its shop's source, its receiver (secrets, writer)."""

    name: str
    source: str  # normalised
    receiver: WebhookReceiver
    db: Any


@dataclass
class Unavailable:
    """A pair that cannot receive now: its shop's source, and why."""

    source: str  # normalised ("" when its configuration cannot be read)
    reason: str
    error: ConnectorError


Found = tuple[list[PairRoute], dict[str, Unavailable]]


class WebhookRouter:
    """ASGI app: `POST /webhooks/woocommerce` for every pair, `GET /healthz` for all of them
    (503 while any pair's deliveries wait in its spool), `GET /livez` (the process takes
    deliveries: a load balancer's check)."""

    def __init__(self, routes: list[PairRoute], *,
                 unavailable: dict[str, Unavailable] | None = None,
                 discover: Callable[[set[str]], Found] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        """`unavailable`: the pairs that cannot receive now (their state, key or secrets
        cannot be read) and why. `discover(names served)`: the pairs added since, or that can
        receive again, looked for when a shop without a route sends (at most once a
        LOOK_FOR_PAIRS_S)."""
        if not routes:
            raise ConfigError("no pair to receive webhooks for")
        self.routes = routes
        self.unavailable = dict(unavailable or {})
        self.refusals = routes[0].receiver  # where refusals no pair owns are recorded
        self._discover = discover
        self._monotonic = monotonic
        self._next_look = 0.0

    def by_source(self, source: str) -> list[PairRoute]:
        wanted = normalise_source(source)
        found = [r for r in self.routes if r.source == wanted]
        if found or self._discover is None or self._monotonic() < self._next_look:
            return found
        self._next_look = self._monotonic() + LOOK_FOR_PAIRS_S
        added, self.unavailable = self._discover({r.name for r in self.routes})
        for route in added:  # added with `init --pair`, or its state or key readable again
            route.receiver.writer.start()
            log.info("pair %s: its webhooks are received here now", route.name)
        self.routes = self.routes + added
        return [r for r in added if r.source == wanted]

    def unavailable_for(self, source: str) -> str | None:
        """The pair whose shop this is, when it cannot receive now."""
        wanted = normalise_source(source)
        return next((name for name, why in self.unavailable.items() if why.source == wanted),
                    None)

    def start(self) -> None:
        """Start every pair's writer: deliveries a crash or a busy database left in a pair's
        spool are imported at once."""
        for route in self.routes:
            route.receiver.writer.start()

    def close(self) -> None:
        for route in self.routes:
            route.receiver.close()
            if not route.db.is_closed():
                route.db.close()

    def health(self) -> tuple[bool, dict[str, Any]]:
        pairs: dict[str, Any] = {}
        for route in self.routes:
            ok, detail = route.receiver.writer.health()
            pairs[route.name] = detail
        for name, why in self.unavailable.items():
            pairs[name] = {"ok": False, "cannot_receive": why.reason}
        every = all(d["ok"] for d in pairs.values())
        return every, {"ok": every, "pairs": pairs}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path, method = scope.get("path", ""), scope.get("method", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok, detail = self.health()
            await respond(send, 200 if ok else 503, json.dumps(detail).encode())
            return
        if path == "/livez" and method in ("GET", "HEAD"):
            # For a load balancer: this process takes deliveries (into a spool, too). /healthz
            # is 503 while any pair's deliveries wait in a spool; taking every receiver out of
            # rotation then would turn a busy database into refused deliveries.
            await respond(send, 200, json.dumps({"ok": True, "pairs": len(self.routes)}).encode())
            return
        if await refused_route(path, method, send):
            return
        headers = request_headers(scope)
        source = headers.get("x-wc-webhook-source", "")
        if not source.strip():
            await self._without_source(headers, receive, send)
            return
        routes = self.by_source(source)
        pair = None if routes else self.unavailable_for(source)
        if pair is not None:  # one of ours, whose state or key cannot be read now
            self._refuse(headers, f"pair {pair} cannot receive now")
            await respond(send, 503, json.dumps({
                "error": "this shop's pair cannot store deliveries now", "pair": pair}).encode(),
                extra=[(b"retry-after", b"60")])
            return
        if not routes:
            self._refuse(headers, UNKNOWN_SOURCE)
            log.warning("webhook delivery refused: no pair has the shop %s (its [woocommerce] "
                        "url or home_url)", source[:200])
            await respond(send, 403, json.dumps({
                "error": "no pair of this workspace takes deliveries from this shop",
                "source": source[:200]}).encode())
            return
        body = await routes[0].receiver.read_body(headers, receive, send)
        if body is None:
            return
        chosen = routes[0]
        if len(routes) > 1:  # one shop, several pairs: the pair whose secret signed it
            chosen = next((r for r in routes if r.receiver.signed_here(headers, body)), chosen)
        await chosen.receiver.answer(headers, body, send)

    async def _without_source(self, headers: dict[str, str], receive: Receive,
                              send: Send) -> None:
        """WooCommerce's creation ping carries no X-WC-* header: 200 when any pair knows the
        webhook id (or awaits its ping), else 401, as each pair's receiver answers it."""
        if headers.get(SIGNATURE_HEADER):
            self._refuse(headers, NO_SOURCE)
            await respond(send, 403, b'{"error":"no X-WC-Webhook-Source: which shop sent this?"}')
            return
        body = await self.refusals.read_body(headers, receive, send)
        if body is None:
            return
        if not any(route.receiver.ping_known(body) for route in self.routes):
            await self.refusals.answer(headers, body, send)  # 401, recorded once
            return
        await respond(send, 200, PING_ANSWER)

    def _refuse(self, headers: dict[str, str], reason: str) -> None:
        self.refusals.refuse(headers, reason)


def pair_route(base: Workspace, name: str, settings: Settings, *, clock: Clock = SYSTEM_CLOCK,
               busy_wait_ms: int | None = None) -> PairRoute:
    """Pair `name`'s route: its state database (an object of its own), its vault read with its
    own key, a receiver writing there with the pair's spool folder on this host."""
    ws = pair_workspace(base, name)
    woo = settings.woocommerce
    source = woo.home_url or woo.url
    where = state_location(ws.db_path, settings.store.database_url)
    db = open_state_at(where)
    try:
        secrets = PairSecrets(open_pair_vault(ws, db, clock=clock))
    except ConnectorError as exc:
        db.close()
        raise ConfigError(f"pair {name!r}: {exc}") from None
    receiver = WebhookReceiver(
        secrets, store_url=source if woo.verify_source else "",
        max_body=settings.worker.max_body_bytes, clock=clock,
        spool_dir=str(spool_dir_for(ws.db_path)), busy_wait_ms=busy_wait_ms,
        known_webhook=lambda webhook_id: is_known(webhook_id, clock, db), db=db)
    log.info("pair %s: webhooks from %s are stored in %s", name, source,
             describe_location(where))
    return PairRoute(name, normalise_source(source), receiver, db)


def open_routes(base: Workspace, names: list[str], *, clock: Clock = SYSTEM_CLOCK,
                busy_wait_ms: int | None = None) -> Found:
    """The routes of pairs `names` that can receive, and why the others cannot. A pair without
    a shop URL is neither (said in the log)."""
    routes: list[PairRoute] = []
    failing: dict[str, Unavailable] = {}
    for name in names:
        source = ""
        try:
            settings = pair_workspace(base, name).load()
            source = settings.woocommerce.home_url or settings.woocommerce.url
            if not source:
                log.warning("pair %s has no [woocommerce] url: no webhook is routed to it", name)
                continue
            routes.append(pair_route(base, name, settings, clock=clock,
                                     busy_wait_ms=busy_wait_ms))
        except ConnectorError as exc:
            failing[name] = Unavailable(normalise_source(source), str(exc), exc)
            log.error("pair %s: its webhooks cannot be received now (its shop's deliveries are "
                      "answered 503 until they can): %s", name, exc)
    return routes, failing


def open_router(base: Workspace, *, clock: Clock = SYSTEM_CLOCK,
                busy_wait_ms: int | None = None,
                names: list[str] | None = None) -> WebhookRouter:
    """The receiver of every pair of workspace `base` (or of the pairs `names`). A pair whose
    state, key or secrets cannot be read now is left out, said in the log and in /healthz, and
    tried again when its shop sends; two pairs keeping their state in one place stop the start
    (ConfigError), and so does no pair able to receive (the first pair's error)."""
    wanted = list_pairs(base) if names is None else names
    places: dict[str, str] = {}
    for name in wanted:
        ws = pair_workspace(base, name)
        try:
            where = str(state_location(ws.db_path, ws.load().store.database_url))
        except ConnectorError:
            continue  # open_routes says why this pair cannot receive
        if where in places:
            raise ConfigError(f"pairs {places[where]!r} and {name!r} keep their state in the "
                              f"same place ({describe_location(where)}): give each its own "
                              "database or schema")
        places[where] = name
    routes, failing = open_routes(base, wanted, clock=clock, busy_wait_ms=busy_wait_ms)
    if not routes:
        first = next(iter(failing.values()), None)
        if first is not None:
            raise first.error
        raise ConfigError("no pair of this workspace has a shop to receive webhooks from: run "
                          "`ml-connector init` (or `init --pair NAME`) first")

    def discover(served: set[str]) -> Found:
        names_now = list_pairs(base) if names is None else names
        return open_routes(base, [n for n in names_now if n not in served], clock=clock,
                           busy_wait_ms=busy_wait_ms)

    return WebhookRouter(routes, unavailable=failing, discover=discover)
