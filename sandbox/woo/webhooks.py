"""Webhook deliveries as WooCommerce 10 sends them.

- An event only queues a job; a background thread delivers it after `delay` seconds (the Action
  Scheduler run). A job for the same (webhook, resource) already pending absorbs the new event:
  bursts coalesce into one delivery carrying the state *at delivery time*.
- Body = `GET /wc/v3/{resource}s/{id}` bytes (or `{"id":N}` for deleted); signature =
  base64(HMAC-SHA256(wp_specialchars_decode(secret), raw body)); headers in the real order.
- Success is HTTP 200–302. Failures are never re-delivered; the 7th consecutive failure disables
  the webhook (`failures > 5`), a success resets the count.
- The creation ping is synchronous, unsigned, form-encoded `webhook_id=N`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from sandbox.woo.store import Store

USER_AGENT = "WooCommerce/10.0.2 Hookshot (WordPress/6.8.3)"
MAX_FAILURES = 5  # woocommerce_max_webhook_delivery_failures
_WP_ENT = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}
_WP_RE = re.compile(r"&(?:amp|lt|gt|quot);|&#(0*(?:38|60|62|34|39)|[xX]0*(?:26|22|27));")


def wp_specialchars_decode(s: str) -> str:
    """`wp_specialchars_decode($s, ENT_QUOTES)`: single pass, only & < > " ' forms."""
    def one(m: re.Match[str]) -> str:
        t = m.group(0)
        if t in _WP_ENT:
            return _WP_ENT[t]
        n = m.group(1)
        return chr(int(n[1:], 16) if n[0] in "xX" else int(n))
    return _WP_RE.sub(one, s)


def signature(secret: str, body: bytes) -> str:
    key = wp_specialchars_decode(secret).encode()
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


@dataclass
class _Job:
    due: float
    webhook_id: int
    resource: str
    event: str
    resource_id: int
    body: bytes | None


class WebhookEngine:
    def __init__(self, store: Store, render: Callable[[str, int], bytes], *, delay: float,
                 source: Callable[[], str], timeout: float = 10.0,
                 drop_rate: Callable[[], float] = lambda: 0.0, seed: int = 0) -> None:
        self.store, self.render, self.delay = store, render, delay
        self.source, self.timeout, self.drop_rate = source, timeout, drop_rate
        self.secrets: dict[int, str] = {}
        self.failures: dict[int, int] = {}
        self.log: dict[int, list[dict[str, Any]]] = {}
        self.coalesced = 0
        self._rng = random.Random(f"webhooks:{seed}")
        self._salt = hashlib.sha256(f"wp-salt:{seed}".encode()).digest()
        self._queue: OrderedDict[tuple[int, str, int], _Job] = OrderedDict()
        self._cv = threading.Condition()
        self._inflight = 0
        self._stop = False
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        self._thread = threading.Thread(target=self._run, name="woo-webhooks", daemon=True)
        store.sinks.append(self._on_event)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=self.timeout + 2)
        self._client.close()

    # -- queueing ------------------------------------------------------------------------------
    def _on_event(self, resource: str, event: str, rid: int, body: bytes | None) -> None:
        topic = f"{resource}.{event}"
        hooks = [w["id"] for w in self.store.webhooks.values()
                 if w["status"] == "active" and w["topic"] == topic]
        if not hooks:
            return
        with self._cv:
            for wid in hooks:
                key = (wid, topic, rid)
                if key in self._queue:
                    self.coalesced += 1  # a pending job will carry the latest state
                    continue
                self._queue[key] = _Job(time.monotonic() + self.delay, wid, resource, event, rid,
                                        body)
            self._cv.notify_all()

    def pending(self) -> int:
        with self._cv:
            return len(self._queue) + self._inflight

    def flush(self, timeout: float = 15.0) -> bool:
        """Make every queued job due now and wait until all were attempted."""
        with self._cv:
            for job in self._queue.values():
                job.due = 0.0
            self._cv.notify_all()
            return self._cv.wait_for(lambda: not self._queue and not self._inflight, timeout)

    def _run(self) -> None:
        while True:
            with self._cv:
                while True:
                    if self._stop:
                        return
                    if self._queue:
                        key, job = next(iter(self._queue.items()))
                        wait = job.due - time.monotonic()
                        if wait <= 0:
                            del self._queue[key]
                            self._inflight += 1
                            break
                        self._cv.wait(wait)
                    else:
                        self._cv.wait()
            try:
                self._deliver(job)
            finally:
                with self._cv:
                    self._inflight -= 1
                    self._cv.notify_all()

    # -- sending -------------------------------------------------------------------------------
    def delivery_id(self, wid: int) -> str:
        """`wp_hash(webhook_id . time())`: the same for one webhook within one second (real)."""
        return hmac.new(self._salt, f"{wid}{int(time.time())}".encode(), "md5").hexdigest()

    def _deliver(self, job: _Job) -> None:
        with self.store.lock:
            hook = self.store.webhooks.get(job.webhook_id)
            if hook is None or hook["status"] != "active":
                return
            body = job.body if job.body is not None else self.render(job.resource,
                                                                     job.resource_id)
            secret = self.secrets.get(job.webhook_id, "")
            url, topic = hook["delivery_url"], hook["topic"]
        entry: dict[str, Any] = {"topic": topic, "resource_id": job.resource_id,
                                 "at": time.time(), "delivery_id": self.delivery_id(job.webhook_id)}
        if self._rng.random() < self.drop_rate():
            entry.update(outcome="dropped", status=None, success=None)
            self._record(job.webhook_id, entry, None)
            return
        host = urlsplit(url).netloc
        headers = [("Host", host), ("User-Agent", USER_AGENT), ("Accept", "*/*"),
                   ("Accept-Encoding", "deflate, gzip, br, zstd"),
                   ("Content-Type", "application/json"),
                   ("X-WC-Webhook-Source", self.source()),
                   ("X-WC-Webhook-Topic", topic),
                   ("X-WC-Webhook-Resource", job.resource),
                   ("X-WC-Webhook-Event", job.event),
                   ("X-WC-Webhook-Signature", signature(secret, body)),
                   ("X-WC-Webhook-ID", str(job.webhook_id)),
                   ("X-WC-Webhook-Delivery-ID", entry["delivery_id"]),
                   ("Connection", "close"), ("Content-Length", str(len(body)))]
        status = self._post(url, headers, body, entry)
        ok = status is not None and 200 <= status < 303
        entry.update(status=status, success=ok, outcome="delivered" if ok else "failed",
                     body_bytes=len(body))
        self._record(job.webhook_id, entry, ok)

    def _post(self, url: str, headers: list[tuple[str, str]], body: bytes,
              entry: dict[str, Any]) -> int | None:
        start = time.monotonic()
        try:
            resp = self._client.send(httpx.Request("POST", url, headers=headers, content=body))
            resp.read()
            return resp.status_code
        except httpx.HTTPError as e:
            entry["error"] = type(e).__name__
            return None
        finally:
            entry["duration_s"] = round(time.monotonic() - start, 4)

    def _record(self, wid: int, entry: dict[str, Any], ok: bool | None) -> None:
        with self.store.lock:
            self.log.setdefault(wid, []).append(entry)
            hook = self.store.webhooks.get(wid)
            if ok is None or hook is None:
                return
            if ok:
                self.failures[wid] = 0
            elif self.failures.get(wid, 0) > MAX_FAILURES:
                hook["status"] = "disabled"  # no re-delivery, ever; an admin re-activates
                hook["date_modified"], hook["date_modified_gmt"] = self.store.now()
            else:
                self.failures[wid] = self.failures.get(wid, 0) + 1

    def ping(self, wid: int, url: str) -> int | None:
        """The creation ping: unsigned form body, sent before the 201 goes back."""
        body = f"webhook_id={wid}".encode()
        headers = [("Host", urlsplit(url).netloc), ("User-Agent", USER_AGENT), ("Accept", "*/*"),
                   ("Accept-Encoding", "deflate, gzip, br, zstd"), ("Connection", "close"),
                   ("Content-Length", str(len(body))),
                   ("Content-Type", "application/x-www-form-urlencoded")]
        entry: dict[str, Any] = {"topic": "ping", "resource_id": wid, "at": time.time()}
        status = self._post(url, headers, body, entry)
        entry.update(status=status, success=status == 200, outcome="ping")
        with self.store.lock:
            self.log.setdefault(wid, []).append(entry)
        return status
