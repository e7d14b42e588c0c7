"""The live order list: rows keyed by order id, paged from SQLite, refreshed cell by cell."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from core.money import format_money
from core.queries import OrderRow
from core.text import plain_text

COLUMNS = (("number", "Order", 8), ("state", "State", 14), ("customer", "Customer", 18),
           ("total", "Total", 10), ("method", "Payment", 8), ("created", "Created (UTC)", 16),
           ("gp", "GP document", 12))


def cells(row: OrderRow) -> tuple[str, ...]:
    # Shop text is shown plain (core.text's rule): a checkout name with escape sequences or a
    # right-to-left override must not reach the accountant's terminal.
    return tuple(plain_text(c) for c in (
        row.number, row.state_label, row.customer_name or "",
        format_money(row.total) if row.total is not None else "",
        row.payment_method or "",
        row.date_created.strftime("%Y-%m-%d %H:%M") if row.date_created else "",
        row.gp_doc_number or ""))


class OrderTable(DataTable[Text]):
    """Shows pages as they arrive; never removes rows one by one."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_id: dict[int, OrderRow] = {}

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def replace_rows(self, rows: list[OrderRow]) -> None:
        """A new filter or a changed ordering: one clear, then the page."""
        self.clear()
        self.rows_by_id = {}
        self.append_rows(rows)

    def append_rows(self, rows: list[OrderRow]) -> None:
        for row in rows:
            if row.id in self.rows_by_id:
                continue
            self.rows_by_id[row.id] = row
            # Text, not str: a DataTable reads str as markup, and names come from the shop.
            self.add_row(*(Text(c) for c in cells(row)), key=str(row.id))

    def update_rows(self, fresh: dict[int, OrderRow]) -> int:
        """Update only the cells that changed; returns how many cells were touched."""
        touched = 0
        for oid, row in fresh.items():
            old = self.rows_by_id.get(oid)
            if old is None or old == row:
                continue
            self.rows_by_id[oid] = row
            for (key, _label, _w), before, after in zip(COLUMNS, cells(old), cells(row),
                                                        strict=True):
                if before != after:
                    self.update_cell(str(oid), key, Text(after))
                    touched += 1
        return touched

    def order_keys(self) -> list[int]:
        return [int(str(k.value)) for k in self.rows]

    @property
    def current(self) -> OrderRow | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.rows_by_id.get(int(str(key))) if key is not None else None
