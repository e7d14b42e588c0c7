"""The worker's options, the state it publishes in its lease row, and its exit codes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

EXIT_OK = 0  # stopped cleanly (signal, --once done, console closed)
EXIT_ERROR = 1  # an unexpected error; the log says what
EXIT_CONFIG = 2  # configuration or credentials are missing or wrong
EXIT_LEASE_HELD = 3  # another live worker holds the lease (the message names its host and pid)
EXIT_STATE = 4  # the state database cannot be used (version, permissions, corruption)
EXIT_LEASE_LOST = 5  # the lease was taken over while running (process frozen past the TTL)


@dataclass
class WorkerOptions:
    mode: str = "headless"  # headless | embedded
    dry_run: bool = False  # map and check against GP, create nothing
    once: bool = False  # one pass of everything, then exit
    listen: str | None = None  # HOST:PORT override for the webhook receiver
    receiver: bool = True  # start the webhook receiver (the poller always runs)
    products: bool = True  # run the product sync (also needs [products] enabled)
    wait_for_lease: bool = False  # wait for the holder to stop instead of exiting 3
    drain_timeout_s: float = 20.0  # bound on finishing the GP call in flight at shutdown
    watch_config: bool = True


@dataclass
class WorkerState:
    """What the heartbeat publishes in the lease row (status reads it from any process)."""

    dry_run: bool = False
    listen: str | None = None
    last_poll_at: datetime | None = None
    last_poll_orders: int = 0
    next_poll_at: datetime | None = None
    poll_reason: str = ""
    last_poll_error: str | None = None
    # Posting jobs this worker finished since it started, whatever their outcome (an invoice
    # or credit memo created, held, skipped as not invoiceable, or found already in GP): NOT a
    # count of GP documents (status counts those from the orders' states).
    jobs_done: int = 0
    last_post_error: str | None = None
    last_product_sync_at: datetime | None = None
    last_product_sync_error: str | None = None
    last_verify_at: datetime | None = None
    webhooks: Any = None
    webhooks_down: bool = False  # polling at the business interval until they are back
    config_error: str | None = None
    stopping: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_status(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if key == "extra":
                out.update(value)
            elif isinstance(value, datetime):
                out[key] = value.isoformat(timespec="seconds")
            elif value not in (None, ""):
                out[key] = value
        return out


