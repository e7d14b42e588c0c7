"""Reading a whole GP list through `Get…List`'s 1,000-row cap (gp.md §20.1).

GP returns "the first 1000 matches" in its own order, which need not be key order, so "ask again
after the largest key seen" can skip rows: a full page says nothing about the keys it left out
below its largest one. Instead, a full page splits its key range in two at the page's median key
(as GP's collation compares them, core/gp/keys.py) and each half is asked again: the halves
partition the range exactly on the server's side, and each half excludes keys the page proved
exist, so the walk ends. Ranges go to GP as Between restrictions (From / To / GreaterThan).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.errors import GPError
from core.gp.keys import CASE_INSENSITIVE, key_form

PAGE = 1000  # Get…List answers at most 1000 rows
MAX_DEPTH = 48  # 2**48 rows: deeper means GP does not honour the range (a loop, not data)

# (restriction for the key field, or None for "everything") -> rows
Fetch = Callable[[dict[str, Any] | None], list[Any]]


def walk(fetch: Fetch, key_of: Callable[[Any], str], *,
         collation: str = CASE_INSENSITIVE) -> list[Any]:
    """Every row of the list, once, whatever order GP answers in."""
    out: dict[str, Any] = {}

    def visit(restriction: dict[str, Any] | None, depth: int) -> None:
        rows = fetch(restriction)
        for r in rows:
            out.setdefault(key_form(key_of(r), collation), r)
        if len(rows) < PAGE:
            return
        if depth >= MAX_DEPTH:
            raise GPError("GP keeps answering full pages for narrower key ranges: its list "
                          "cannot be read completely")
        keys = sorted({key_of(r) for r in rows}, key=lambda k: key_form(k, collation))
        middle = keys[len(keys) // 2 - 1]
        # low keeps the parent's lower bound and ends at the median (inclusive); high starts
        # after it and keeps the parent's upper bound.
        low = {**(restriction or {}), "To": middle}
        high = {k: v for k, v in (restriction or {}).items() if k != "From"}
        high["GreaterThan"] = middle
        visit(low, depth + 1)
        visit(high, depth + 1)

    visit(None, 0)
    return list(out.values())
