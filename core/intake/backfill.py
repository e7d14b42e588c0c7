"""Import order history: every order modified since a date, resumable after Ctrl-C or a crash.

The same keyset walk as the poller (poller.OrderWalk), with full bodies (every order is new
here, so the cheap `_fields` pass would only add requests) and its own durable cursor per start
date: running `backfill --since D` again continues where the last run for D stopped, while another
--since starts its own walk.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.clock import SYSTEM_CLOCK, Clock, as_utc
from core.intake.poller import ONE_SECOND, OrderWalk, PollResult, read_cursor
from core.woo.client import Page, WooClient


@dataclass(frozen=True)
class BackfillProgress:
    seen: int
    changed: int
    remaining: int  # WooCommerce's count of orders still after the walk's position (estimate)


def cursor_name_for(since: datetime) -> str:
    return "backfill:" + as_utc(since).strftime("%Y-%m-%dT%H:%M:%SZ")


def resume_point(since: datetime) -> datetime:
    """Where a backfill from `since` continues: its cursor less a second, or `since` itself."""
    cursor = read_cursor(cursor_name_for(since))
    start = as_utc(since) - ONE_SECOND  # modified_after is exclusive: include `since` itself
    return max(start, cursor - ONE_SECOND) if cursor else start


def backfill(client: WooClient, since: datetime, *, clock: Clock = SYSTEM_CLOCK,
             per_page: int = 100, progress: Callable[[BackfillProgress], None] | None = None,
             should_stop: Callable[[], bool] | None = None, max_pages: int | None = None
             ) -> PollResult:
    """Walk every order modified after `since` into the inbox; returns what was seen/changed.
    `should_stop` is checked between pages (the cursor is saved after each page)."""
    def on_page(result: PollResult, page: Page) -> None:
        if progress:
            remaining = max(0, page.total - len(page.items)) if page.page == 1 else 0
            progress(BackfillProgress(result.seen, result.changed, remaining))

    walk = OrderWalk(client, cursor_name=cursor_name_for(since), clock=clock, source="backfill",
                     per_page=per_page, cheap=False, max_pages=max_pages, on_page=on_page,
                     should_stop=should_stop)
    return walk.run(resume_point(since))


def parse_since(text: str) -> datetime:
    """`2026-11-01` (midnight UTC) or a full ISO time; naive times are UTC."""
    value = text.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"--since {text!r}: use a date like 2026-11-01 or 2026-11-01T08:00") \
            from exc
    return as_utc(when)

