"""A table of SOAP operation handlers, one per ops_*.py module.

Each module fills its own table with `@operations.handler("CreateCustomer")`; the SOAP layer
(sandbox/gp/soap.py) imports the modules and merges their tables explicitly, so no handler is
registered by the side effect of an import and no ops module needs the SOAP layer.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sandbox.gp import schema
from sandbox.gp.rules import Call

Handler = Callable[[Call, dict[str, Any]], Any]


class Operations:
    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def handler(self, name: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if name not in schema.load().operations:
                raise ValueError(f"{name} is not in the stand-in's WSDL")
            if name in self.handlers:
                raise ValueError(f"{name} has two handlers")
            self.handlers[name] = fn
            return fn
        return register


def merged(tables: Iterable[Operations]) -> dict[str, Handler]:
    """Every table's handlers in one dict; an operation handled twice is a mistake."""
    out: dict[str, Handler] = {}
    for table in tables:
        twice = out.keys() & table.handlers.keys()
        if twice:
            raise ValueError(f"operations with two handlers: {sorted(twice)}")
        out.update(table.handlers)
    return out
