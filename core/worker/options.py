"""The worker's options, the state it publishes in its lease row, and its exit codes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.exit_codes import ExitCode
from core.telemetry.calls import HEALTH

# The worker's exit codes, named as the worker uses them; the numbers are the CLI's one table.
EXIT_OK = ExitCode.OK  # stopped cleanly (signal, --once done, console closed)
EXIT_ERROR = ExitCode.ATTENTION  # an unexpected error; the log says what
EXIT_CONFIG = ExitCode.USAGE  # configuration or credentials are missing or wrong
EXIT_LEASE_HELD = ExitCode.LEASE_HELD  # another live worker holds the lease (host, pid named)
EXIT_STATE = ExitCode.STATE  # the state database cannot be used (version, permissions, ...)
EXIT_LEASE_LOST = ExitCode.LEASE_LOST  # the lease was taken over while running (frozen process)


@dataclass
class WorkerOptions:
    mode: str = "headless"  # headless | embedded
    dry_run: bool = False  # map and check against GP, create nothing
    once: bool = False  # one pass of everything, then exit
    listen: str | None = None  # HOST:PORT override for the webhook receiver
    receiver: bool = True  # start the webhook receiver (the poller always runs)
    # No receiver here: the receiver of every pair stores this pair's deliveries (`ml-connector
    # receive`, `worker --route-webhooks`); they are looked for every second.
    webhooks_elsewhere: bool = False
    products: bool = True  # run the product sync (also needs [products] enabled)
    wait_for_lease: bool = False  # wait for the holder to stop instead of exiting 3
    drain_timeout_s: float = 20.0  # bound on finishing the GP call in flight at shutdown
    watch_config: bool = True
    # The worker lease's fencing check (set by the Worker): runs in every claim's transaction and
    # before every GP write; raises core.errors.LeaseLost once another worker took over.
    fence: Callable[[], None] | None = None


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
    last_poll_ok_at: datetime | None = None  # the last poll that read WooCommerce without error
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
        # Since when GP / WooCommerce stopped answering (alerts and `status` read it here).
        out: dict[str, Any] = HEALTH.status()
        for key, value in self.__dict__.items():
            if key == "extra":
                out.update(value)
            elif isinstance(value, datetime):
                out[key] = value.isoformat(timespec="seconds")
            elif value not in (None, ""):
                out[key] = value
        return out


