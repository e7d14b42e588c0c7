"""Messages the console's screens and widgets send each other, named for what happened."""
from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from core.queries import OrderFilter


@dataclass
class DatabaseChanged(Message):
    """Someone (this console, a headless worker) wrote to the state database: redraw.
    A newer one makes an unhandled older one pointless."""

    marker: tuple[object, ...] = ()

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DatabaseChanged)


@dataclass
class FilterChanged(Message):
    """The accountant edited the order filter."""

    filter: OrderFilter

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FilterChanged)


@dataclass
class SkuMapped(Message):
    sku: str
    gp_item: str
    replayed: int


@dataclass
class OrdersReplayed(Message):
    count: int
    what: str


@dataclass
class GlAccountSaved(Message):
    scope: str
    scope_key: str
    kind: str
    account: str


@dataclass
class ChainVerified(Message):
    ok: bool
    events: int
    problem: str | None


@dataclass
class ConflictResolved(Message):
    task_id: int
    side: str
    manual: bool = False  # a manual task marked done ("woo") or dropped for GP's value ("gp")
