"""A GP gateway that asks a fence before every call that writes to GP.

GP has no fencing token of its own: the only place to stop a worker that lost its lease from
creating a document is this side of the wire, immediately before the call. The fence raises
(core.errors.LeaseLost) when this process may no longer write; reads pass straight through.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Every gateway method that changes something in GP (core.gp.gateway.GPGateway).
WRITES = frozenset({
    "create_customer", "update_customer", "create_inventory_adjustment", "update_item",
    "create_sales_invoice", "update_sales_invoice", "void_sales_invoice", "set_invoice_hold",
    "create_credit_memo", "create_sales_return",
})


class FencedGateway:
    """Wraps a GPGateway; `fence()` runs before every write in WRITES."""

    def __init__(self, inner: Any, fence: Callable[[], None]) -> None:
        self._inner = inner
        self._fence = fence

    @property
    def inner(self) -> Any:
        return self._inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in WRITES:
            return attr
        fence = self._fence

        def fenced(*args: Any, **kwargs: Any) -> Any:
            fence()
            return attr(*args, **kwargs)

        return fenced

    def __repr__(self) -> str:
        return f"FencedGateway({self._inner!r})"
