"""The order list: filters, keyset pages on (updated_at, id), fresh rows for the cells on screen."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from peewee import Tuple, Value

from core.store.db import like_ci, tuples
from core.store.models import GpItem, Order, OrderSku, Refund, utc_text
from core.store.states import DocState

PAGE_SIZE = 50

# --- the order list -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilter:
    """What the accountant typed in the filter bar; empty fields do not filter."""

    state: str | None = None  # an order state, or "held:<reason>"
    date_from: date | None = None  # order created on or after (UTC day)
    date_to: date | None = None  # order created on or before
    customer: str | None = None
    sku: str | None = None  # SKU prefix (case as in WooCommerce)
    text: str | None = None  # order number, GP document, customer name or e-mail


@dataclass(frozen=True)
class OrderRow:
    id: int
    woo_id: int
    number: str
    state: str
    hold_reason: str | None
    customer_name: str | None
    total: Decimal | None
    currency: str
    payment_method: str | None
    date_created: datetime | None
    updated_at: datetime
    gp_doc_number: str | None
    last_error: str | None

    @property
    def state_label(self) -> str:
        if self.state == DocState.HELD and self.hold_reason:
            return f"held: {self.hold_reason}"
        return self.state


Cursor = tuple[str, int]  # (updated_at as stored, id): the keyset position


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    next_cursor: Cursor | None  # None: this was the last page


_ROW_FIELDS = (Order.id, Order.woo_id, Order.number, Order.state, Order.hold_reason,
               Order.customer_name, Order.total, Order.currency, Order.payment_method,
               Order.date_created_gmt, Order.updated_at, Order.gp_doc_number, Order.last_error)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    return "%" + _escape(text) + "%"


def _matches(column: Any, pattern: str) -> Any:
    """column LIKE pattern ESCAPE '\\' (case-insensitive for ASCII, as SQLite's LIKE is), so a
    typed % or _ is taken literally."""
    return like_ci(column, pattern)


def _filtered(flt: OrderFilter, *fields: Any) -> Any:
    query = Order.select(*(fields or _ROW_FIELDS))
    if flt.state:
        state, _, reason = flt.state.partition(":")
        query = query.where(Order.state == state)
        if reason:
            query = query.where(Order.hold_reason == reason)
    if flt.date_from:
        query = query.where(Order.date_created_gmt >= datetime.combine(flt.date_from, time(0),
                                                                       tzinfo=UTC))
    if flt.date_to:
        query = query.where(Order.date_created_gmt < datetime.combine(
            flt.date_to + timedelta(days=1), time(0), tzinfo=UTC))
    if flt.customer and flt.customer.strip():
        pattern = _like(flt.customer.strip())
        query = query.where(_matches(Order.customer_name, pattern)
                            | _matches(Order.customer_key, pattern))
    if flt.sku and flt.sku.strip():
        sku = flt.sku.strip()
        # A prefix range the sku index can walk (LIKE would be case-folded and scan). `id + 0`
        # keeps SQLite from fetching each matching order by rowid (wide rows, overflow pages:
        # seconds on a cold 100k-order file); instead it walks the narrow (updated_at, id) index
        # in page order and tests membership, stopping after one page of matches.
        query = query.where((Order.id + 0).in_(OrderSku.select(OrderSku.order).where(
            (OrderSku.sku >= sku) & (OrderSku.sku < sku + "\U0010ffff"))))
    if flt.text and flt.text.strip():
        text = flt.text.strip()
        pattern = _like(text)
        number, doc = text.lstrip("#"), text.upper()
        # Order and GP document numbers match by prefix: plain comparisons, cheaper than LIKE
        # on a 100,000-row scan (GP document numbers are upper case).
        cond = (((Order.number >= number) & (Order.number < number + "\U0010ffff"))
                | ((Order.gp_doc_number >= doc) & (Order.gp_doc_number < doc + "\U0010ffff"))
                | _matches(Order.customer_name, pattern) | _matches(Order.customer_key, pattern))
        if text.lstrip("#").isdigit():
            cond = cond | (Order.woo_id == int(text.lstrip("#")))
        query = query.where(cond)
    return query


def _row(values: tuple[Any, ...]) -> OrderRow:
    (oid, woo_id, number, state, reason, name, total, currency, method, created, updated, doc,
     error) = values
    return OrderRow(oid, woo_id, number, state, reason, name, total, currency, method, created,
                    updated, doc, error)


def order_page(flt: OrderFilter = OrderFilter(), *, after: Cursor | None = None,
               limit: int = PAGE_SIZE) -> OrderPage:
    """One page of orders, most recently changed first, keyset-paged on (updated_at, id).

    Two steps: the ids come from the narrow order_search index (every filtered column is in
    it, so a search that matches nothing never reads a wide row), then the page's rows by id."""
    exact = _exact_ids(flt)
    query = _filtered(flt, Order.id, Order.updated_at)
    if exact:  # shown first on the first page, never again further down
        query = query.where(Order.id.not_in(exact))
    if after is not None:
        stamp = Value(after[0], converter=False)  # already the stored text
        query = query.where(Tuple(Order.updated_at, Order.id) < Tuple(stamp, after[1]))
    query = query.order_by(Order.updated_at.desc(), Order.id.desc()).limit(limit + 1)
    keys = list(tuples(query))
    more = len(keys) > limit
    keys = keys[:limit]
    first = exact if after is None else []
    found = orders_by_id(first + [oid for oid, _ in keys])
    rows = [found[oid] for oid in first + [oid for oid, _ in keys] if oid in found]
    cursor = (utc_text(keys[-1][1]), keys[-1][0]) if more and keys else None
    return OrderPage(rows, cursor)


def _exact_ids(flt: OrderFilter) -> list[int]:
    """Orders whose number, WooCommerce id or GP document is exactly what was typed: someone
    typing 137 wants order 137 at the top, not after every e-mail containing 137."""
    if not flt.text or not flt.text.strip() or len(flt.text.split()) != 1:
        return []
    text = flt.text.strip().lstrip("#")
    cond = (Order.number == text) | (Order.gp_doc_number == text.upper())
    if text.isdigit():
        cond = cond | (Order.woo_id == int(text))
    query = _filtered(OrderFilter(state=flt.state, date_from=flt.date_from, date_to=flt.date_to,
                                  customer=flt.customer, sku=flt.sku), Order.id).where(cond)
    return [oid for (oid,) in tuples(query.order_by(Order.id).limit(5))]


def orders_by_id(ids: list[int]) -> dict[int, OrderRow]:
    """Fresh rows for the orders on screen: the table updates changed cells, not whole pages."""
    if not ids:
        return {}
    return {r.id: r for r in (_row(v) for v in tuples(Order.select(*_ROW_FIELDS)
                                                       .where(Order.id.in_(ids))))}


def order_by_woo_id(woo_id: int) -> Order | None:
    return Order.get_or_none(Order.woo_id == woo_id)


def order_refunds(order_id: int) -> list[Refund]:
    return list(Refund.select().where(Refund.order == order_id).order_by(Refund.id))


def order_skus(order_id: int) -> list[str]:
    return [s for (s,) in tuples(OrderSku.select(OrderSku.sku).where(OrderSku.order == order_id)
                                 .order_by(OrderSku.sku))]


def search_items(text: str, *, limit: int = 100) -> list[GpItem]:
    """GP items from the local cache whose number or description contains `text`."""
    query = GpItem.select()
    if text.strip():
        pattern = _like(text.strip())
        query = query.where(_matches(GpItem.item_number, pattern)
                            | _matches(GpItem.description, pattern))
    return list(query.order_by(GpItem.item_number).limit(limit))
