"""The REST poller: the backstop that makes lost and disabled webhooks harmless.

`GET /orders?modified_after=<cursor - overlap>&dates_are_gmt=true&orderby=modified&order=asc
&per_page=100`. The bound is exclusive and WooCommerce's clock is second-granular, so the walk
overlaps and de-duplicates on (id, date_modified_gmt). Instead of trusting page numbers (a row
modified during the walk moves to the end and shifts the rest forward), each next page is asked
for as "modified after the newest row seen, minus a second" from page 1 (keyset paging); only a
full page of rows inside one second steps to page 2. The cursor is durable (PollCursor, UTC) and
advanced after each page, so a crash costs at most one page of re-reading.

Cheap by default: each page is first read with `_fields=id,date_modified_gmt,status,total,
date_paid_gmt,refunds` (≈4× faster); only orders newer than what is stored are fetched in full (one
by one when few, else the full page). The stamp is second-granular, so a second change made in the
same second as the stored snapshot keeps the stored stamp; if its webhook was lost, "newer" alone
would never see it. So an order whose stamp *equals* the stored one is also re-read when one of
those cheap fields differs from the stored snapshot's (what posting depends on: status, total,
payment, refunds). That costs one SQLite query per page and no request in the steady state.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.clock import FUTURE_SKEW, SYSTEM_CLOCK, Clock
from core.errors import WooError
from core.intake.inbox import accept_order_snapshot, is_newer, stored_versions
from core.intake.page import accept_new_orders
from core.store import audit
from core.store.db import database, json_value
from core.store.models import Order, PollCursor, Setting
from core.woo.client import Page, WooClient, gmt

log = logging.getLogger(__name__)

ORDERS_CURSOR = "orders"
# Besides id and stamp: the fields compared for a same-second change (see SAME_SECOND_FIELDS).
CHEAP_FIELDS = "id,date_modified_gmt,status,total,date_paid_gmt,refunds"
SAME_SECOND_FIELDS = ("status", "total", "date_paid_gmt", "refunds")
FULL_PAGE_THRESHOLD = 10  # more changed orders than this on a page: re-read the page in full
INITIAL_LOOKBACK = timedelta(hours=24)  # first poll of a new install; older history = backfill
ONE_SECOND = timedelta(seconds=1)
WEBHOOK_HEALTH_KEY = "intake.webhooks"


@dataclass
class PollResult:
    seen: int = 0  # distinct order snapshots read
    changed: int = 0  # new or newer snapshots accepted into the inbox
    pages: int = 0
    cursor: datetime | None = None
    complete: bool = True  # False when max_pages stopped the walk early


def read_cursor(name: str) -> datetime | None:
    row = PollCursor.get_or_none(PollCursor.name == name)
    return row.cursor if row else None


def save_cursor(name: str, when: datetime, clock: Clock) -> datetime:
    """Move the cursor forward (never back) in its own transaction; returns the stored value.

    Never past now + FUTURE_SKEW: one order dated in the far future would otherwise make every
    later poll ask for changes after that date and miss everything real. A cursor an older
    version left beyond that bound is pulled back to it."""
    limit = clock.now() + FUTURE_SKEW
    when = min(when, limit)
    with database.atomic("IMMEDIATE"):
        row = PollCursor.get_or_none(PollCursor.name == name)
        if row is None:
            PollCursor.create(name=name, cursor=when, updated_at=clock.now())
            return when
        if row.cursor is not None and when <= row.cursor <= limit:
            return row.cursor
        PollCursor.update(cursor=when, updated_at=clock.now()).where(
            PollCursor.name == name).execute()
        return when


def _modified(item: dict[str, Any]) -> datetime | None:
    return gmt(item.get("date_modified_gmt"))


def _stored_cheap_fields(woo_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """woo_id -> the stored snapshot's SAME_SECOND_FIELDS, read inside SQLite (json_extract) so
    the whole payloads are not loaded for every order in the overlap."""
    found: dict[int, tuple[Any, ...]] = {}
    # coerce(False): the raw SQLite values, not run through JSONField.python_value.
    extracts = [json_value(Order.payload, name) for name in SAME_SECOND_FIELDS]
    for start in range(0, len(woo_ids), 500):
        chunk = woo_ids[start:start + 500]
        rows: Any = Order.select(Order.woo_id, *extracts).where(Order.woo_id.in_(chunk)).tuples()
        for woo_id, *values in rows:
            found[int(woo_id)] = tuple(values)
    return found


def _normalized(name: str, value: Any) -> Any:
    if name == "refunds":  # json_extract hands arrays back as JSON text
        if isinstance(value, str):
            value = json.loads(value)
        return value or []
    return value


def _same_second_changed(item: dict[str, Any], stored: tuple[Any, ...] | None) -> bool:
    """Does a snapshot with the stored stamp differ from the stored one in a cheap field?"""
    if stored is None:
        return False  # no stored payload to compare with: intake decides on the full one
    return any(_normalized(name, item.get(name)) != _normalized(name, value)
               for name, value in zip(SAME_SECOND_FIELDS, stored, strict=True))


class OrderWalk:
    """One keyset walk over orders modified after a bound, with a durable cursor."""

    def __init__(self, client: WooClient, *, cursor_name: str, clock: Clock, source: str,
                 per_page: int = 100, cheap: bool = True, max_pages: int | None = None,
                 status: str | None = None,
                 on_page: Callable[[PollResult, Page], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> None:
        self.client = client
        self.cursor_name = cursor_name
        self.clock = clock
        self.source = source
        self.per_page = per_page
        self.cheap = cheap
        self.max_pages = max_pages
        self.status = status
        self.on_page = on_page
        self.should_stop = should_stop or (lambda: False)
        self.seen_keys: set[tuple[int, datetime | None]] = set()
        self.result = PollResult()

    def _accept_all(self, items: list[dict[str, Any]]) -> None:
        # One transaction per page: one fsync per 100 orders, each order still all-or-nothing.
        # Orders new to the inbox go in with a few multi-row INSERTs (a backfill's pages are
        # all new); the rest through the one-order door, which owns the update rules.
        with database.atomic("IMMEDIATE"):
            stored, rest = accept_new_orders(items, source=self.source, clock=self.clock)
            self.result.changed += stored
            for item in rest:
                if accept_order_snapshot(item, source=self.source, clock=self.clock):
                    self.result.changed += 1

    def _fetch(self, bound: datetime | None, page_no: int) -> Page:
        fields = CHEAP_FIELDS if self.cheap else None
        return self.client.list_orders(bound, page=page_no, per_page=self.per_page,
                                       status=self.status, fields=fields)

    def _process(self, bound: datetime | None, page_no: int,
                 fetched: Page | None = None) -> Page:
        page = fetched if fetched is not None else self._fetch(bound, page_no)
        fresh = []
        same_second = []
        versions = stored_versions([int(item["id"]) for item in page.items])
        for item in page.items:
            key = (int(item["id"]), _modified(item))
            if key in self.seen_keys:
                continue
            self.seen_keys.add(key)
            self.result.seen += 1
            known = key[0] in versions
            if is_newer(key[1], versions.get(key[0]), known, self.clock.now()):
                fresh.append(item)
            elif known and key[1] is not None and key[1] == versions.get(key[0]):
                same_second.append(item)
        if same_second:
            stored = _stored_cheap_fields([int(item["id"]) for item in same_second])
            fresh += [item for item in same_second
                      if _same_second_changed(item, stored.get(int(item["id"])))]
        if not fresh:
            return page
        if not self.cheap:
            self._accept_all(fresh)
            return page
        if len(fresh) > FULL_PAGE_THRESHOLD:
            full = self.client.list_orders(bound, page=page_no, per_page=self.per_page,
                                           status=self.status)
            self._accept_all(full.items)
            for item in full.items:
                self.seen_keys.add((int(item["id"]), _modified(item)))
            return full if full.items else page
        snapshots = []
        for item in fresh:
            try:
                snapshots.append(self.client.get_order(int(item["id"])))
            except WooError as exc:
                if exc.status != 404:  # purged since the list: nothing left to take in
                    raise
        self._accept_all(snapshots)
        return page

    def run(self, since: datetime | None) -> PollResult:
        # Full-body walks (backfill) fetch the next page while this one is stored: the next
        # page's bound follows from this page alone. The cheap walk may re-read a page in full,
        # so it keeps one step at a time.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="next-page") as pool:
            return self._run(since, pool if not self.cheap else None)

    def _run(self, since: datetime | None, pool: ThreadPoolExecutor | None) -> PollResult:
        bound = since
        page_no = 1
        ahead: Future[Page] | None = None
        while True:
            if self.should_stop():
                self.result.complete = False
                break
            if self.max_pages is not None and self.result.pages >= self.max_pages:
                self.result.complete = False
                break
            listed = ahead.result() if ahead is not None else None
            ahead = None
            if pool is not None:
                listed = listed if listed is not None else self._fetch(bound, page_no)
                nxt = _next_position(listed, bound, page_no)
                if nxt is not None and (self.max_pages is None
                                        or self.result.pages + 1 < self.max_pages):
                    ahead = pool.submit(self._fetch, *nxt)
            page = self._process(bound, page_no, listed)
            if not page.items:
                break
            self.result.pages += 1
            stamps = [m for m in (_modified(i) for i in page.items) if m is not None]
            if stamps:
                self.result.cursor = save_cursor(self.cursor_name, max(stamps), self.clock)
            if self.on_page:
                self.on_page(self.result, page)
            nxt = _next_position(page, bound, page_no)
            if nxt is None:
                break
            bound, page_no = nxt
        if ahead is not None:
            ahead.cancel()
        return self.result


def _next_position(page: Page, bound: datetime | None, page_no: int
                   ) -> tuple[datetime | None, int] | None:
    """(bound, page number) of the page after `page`; None when the walk ends with it."""
    stamps = [m for m in (_modified(i) for i in page.items) if m is not None]
    if not page.items or not page.has_next or not stamps:
        return None
    restart = max(stamps) - ONE_SECOND
    if bound is None or restart > bound:
        return restart, 1
    return bound, page_no + 1  # a full page inside one second: only page numbers move us on


def poll_once(client: WooClient, *, clock: Clock = SYSTEM_CLOCK, overlap_s: float = 300,
              cursor_name: str = ORDERS_CURSOR, per_page: int = 100, max_pages: int | None = 50,
              initial_lookback: timedelta = INITIAL_LOOKBACK, cheap: bool = True) -> PollResult:
    """One poll: orders modified since (cursor - overlap) go through accept_order_snapshot.
    `result.changed` is what the worker's schedule uses to tell "orders are flowing"."""
    cursor = read_cursor(cursor_name)
    since = (cursor - timedelta(seconds=overlap_s)) if cursor else clock.now() - initial_lookback
    walk = OrderWalk(client, cursor_name=cursor_name, clock=clock, source="poll",
                     per_page=per_page, cheap=cheap, max_pages=max_pages)
    result = walk.run(since)
    if result.cursor is None:
        result.cursor = cursor
    if result.changed:
        log.info("poll: %d order(s) seen, %d new or changed", result.seen, result.changed)
    return result


# --- webhook health ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookState:
    id: int
    name: str
    topic: str
    status: str
    delivery_url: str


def check_webhook_health(client: WooClient, *, clock: Clock = SYSTEM_CLOCK,
                         delivery_url: str | None = None) -> list[WebhookState]:
    """Read WooCommerce's webhook statuses, remember them (Setting `intake.webhooks`) for
    `status` and the console, and audit each webhook that went from active to anything else:
    WooCommerce disables a webhook after 7 failed deliveries and never re-delivers."""
    hooks = [WebhookState(int(h.get("id", 0)), str(h.get("name", "")), str(h.get("topic", "")),
                          str(h.get("status", "")), str(h.get("delivery_url", "")))
             for h in client.list_webhooks("all")]
    if delivery_url:
        hooks = [h for h in hooks if h.delivery_url == delivery_url]
    now = clock.now()
    with database.atomic("IMMEDIATE"):
        row = Setting.get_or_none(Setting.key == WEBHOOK_HEALTH_KEY)
        before = {int(h["id"]): h["status"] for h in (row.value or {}).get("webhooks", [])} if row \
            else {}
        for h in hooks:
            if h.status != "active" and before.get(h.id, "active") == "active":
                audit.record("webhook", h.id, "disabled" if h.status == "disabled" else h.status,
                             f"WooCommerce webhook {h.name or h.id} ({h.topic}) is {h.status}: "
                             "orders keep arriving by polling; fix the receiver, then run "
                             "`ml-connector webhooks install` to re-activate it",
                             actor="worker", clock=clock)
        value = {"checked_at": now.isoformat(),
                 "webhooks": [h.__dict__ for h in hooks]}
        if row is None:
            Setting.create(key=WEBHOOK_HEALTH_KEY, value=value, updated_by="worker", updated_at=now)
        else:
            Setting.update(value=value, updated_by="worker", updated_at=now).where(
                Setting.key == WEBHOOK_HEALTH_KEY).execute()
    for h in hooks:
        if h.status != "active":
            log.warning("WooCommerce webhook %s (%s) is %s; polling keeps orders flowing",
                        h.id, h.topic, h.status)
    return hooks
