"""The worker's posting loop: post while something is due, otherwise rest cheaply.

Posting threads start only when a job is due or someone woke the loop (a webhook, a replay): an
idle worker then costs one indexed MIN(run_at) read every IDLE_WAIT_S, not four threads, four
connections and four claims (bench/idle_worker.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from core.clock import Clock
from core.store import queue
from core.store.db import thread_connection

IDLE_WAIT_S = 5.0  # how often an idle posting loop looks for due jobs (one indexed read)


def _next_due(clock: Clock) -> datetime | None:
    try:
        return queue.next_due(clock)
    except Exception:  # a busy database: treat as due, the runner looks again
        return clock.now()


def run_posting_loop(post_until_idle: Callable[[], int], *, stop: threading.Event,
                     wake: threading.Event, clock: Clock) -> None:
    """Until `stop`: post when due or woken, then sleep until the next due job (at most
    IDLE_WAIT_S) or a wake-up."""
    with thread_connection():
        woken = True  # the first pass looks for work
        while not stop.is_set():
            wake.clear()
            due = _next_due(clock)
            now = clock.now()
            if woken or (due is not None and due <= now):
                done = post_until_idle()
                due = _next_due(clock)
                now = clock.now()
                if due is not None and due <= now and not done:
                    due = None  # due but nothing postable (e.g. product hints): rest
            if stop.is_set():
                break
            wait = IDLE_WAIT_S
            if due is not None:
                wait = min(wait, max(0.05, (due - now).total_seconds()))
            woken = wake.wait(wait)
