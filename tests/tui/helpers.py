"""Driving the console in tests: wait for its workers, never for wall-clock time."""
from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from core.clock import ManualClock
from core.store import audit
from core.store.db import database
from core.store.models import Order


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and its result reach the screen (no sleeps)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def settle_until(pilot: Pilot, shown: Callable[[], bool], rounds: int = 20) -> bool:
    """Settle until `shown()` holds (a chain of workers, each starting the next, can outlast
    one settle on a busy machine); False if it still does not after `rounds` settles."""
    for _ in range(rounds):
        if shown():
            return True
        await settle(pilot)
    return shown()


def post_like_the_worker(woo_id: int, clock: ManualClock) -> None:
    """What the pipeline does when GP accepts the invoice, through the same tables and audit
    trail (used until the pipeline's run_until_idle can be driven from here)."""
    now = clock.now()
    with database.atomic():
        order = Order.get(Order.woo_id == woo_id)
        Order.update(state="posted", gp_doc_number=f"WC{order.number}", gp_batch="WC20261127",
                     gp_total=order.total, posted_at=now, updated_at=now).where(
            Order.id == order.id).execute()
        audit.record("order", woo_id, "posted", f"invoice WC{order.number} created",
                     actor="worker@office", clock=clock)


def text_of(widget: object) -> str:
    """What a Static or Label shows, as plain text (Rich renderables rendered at 120 columns)."""
    from rich.console import Console

    content = getattr(widget, "content", widget)
    if isinstance(content, str):
        return content
    console = Console(width=120, record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(content)
    return console.export_text()
