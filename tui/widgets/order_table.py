"""The live order list: rows keyed by order id, paged from SQLite, refreshed cell by cell."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from core.money import currency_decimals, format_money
from core.queries import OrderRow
from core.text import plain_text

COLUMNS = (("number", "Order", 6), ("state", "State", 13), ("customer", "Customer", 18),
           ("total", "Total", 9), ("method", "Payment", 7), ("created", "Created", 16),
           ("gp", "GP document", 11))
FIXED = sum(w for key, _l, w in COLUMNS if key != "customer") + 2 * len(COLUMNS) + 2
DATE_FORMAT, SHORT_DATE = "%Y-%m-%d %H:%M", "%m-%d %H:%M"  # the year goes below 100 columns
NARROW = 100


def cells(row: OrderRow, ctx: Any = None, fmt: str = DATE_FORMAT) -> tuple[str, ...]:
    created = (ctx.local(row.date_created, fmt) if ctx is not None
               else row.date_created.strftime(fmt) if row.date_created else "")
    # Shop text is shown plain (core.text's rule): a checkout name with escape sequences or a
    # right-to-left override must not reach the accountant's terminal.
    return tuple(plain_text(c) for c in (
        row.number, row.state_label, row.customer_name or "",
        format_money(row.total, currency_decimals(row.currency)) if row.total is not None
        else "",
        row.payment_method or "", created, row.gp_doc_number or ""))


RIGHT = {"number", "total"}  # numbers right-aligned: accountants read down the digits
STATE_STYLES = {"held": "bold yellow", "failed": "bold red", "verified": "green",
                "posted": "cyan", "skipped": "dim", "void": "dim"}


def _text(key: str, value: str, row: OrderRow) -> Text:
    """Text, not str: a DataTable reads str as markup, and names come from the shop."""
    style = STATE_STYLES.get(row.state, "") if key == "state" else ""
    return Text(value, style=style, justify="right" if key in RIGHT else "left")


def _texts(row: OrderRow, ctx: Any = None, fmt: str = DATE_FORMAT) -> list[Text]:
    return [_text(key, value, row) for (key, _l, _w), value in zip(
        COLUMNS, cells(row, ctx, fmt), strict=True)]


class OrderTable(DataTable[Text]):
    """Shows pages as they arrive; never removes rows one by one."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_id: dict[int, OrderRow] = {}
        self.date_format = DATE_FORMAT

    @property
    def ctx(self) -> Any:
        return getattr(self.app, "ctx", None)

    def on_mount(self) -> None:
        zone = self.ctx.zone_name() if self.ctx is not None else "UTC"
        for key, label, width in COLUMNS:
            # Times in the store's zone, named in the header.
            self.add_column(f"{label} ({zone})" if key == "created" else label, key=key,
                            width=width)

    def on_resize(self) -> None:
        """The customer column takes what the others leave, so the GP document stays in view
        at 80 columns."""
        narrow = self.size.width < NARROW
        fmt = SHORT_DATE if narrow else DATE_FORMAT
        created = self.columns.get("created")  # type: ignore[call-overload]
        if created is not None:
            created.width = 11 if narrow else 16
            zone = self.ctx.zone_name() if self.ctx is not None else "UTC"
            created.label = Text(f"{zone} time" if narrow else f"Created ({zone})")
        customer = max(8, self.size.width - FIXED + (5 if narrow else 0) - 1)
        column = self.columns.get("customer")  # type: ignore[call-overload]
        if column is not None:
            column.width = customer
        if fmt != self.date_format:
            self.date_format = fmt
            for oid, row in self.rows_by_id.items():
                self.update_cell(str(oid), "created",
                                 _text("created", cells(row, self.ctx, fmt)[5], row))
        self._require_update_dimensions = True
        self.refresh()

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
            self.add_row(*_texts(row, self.ctx, self.date_format), key=str(row.id))

    def update_rows(self, fresh: dict[int, OrderRow]) -> int:
        """Update only the cells that changed; returns how many cells were touched."""
        touched = 0
        for oid, row in fresh.items():
            old = self.rows_by_id.get(oid)
            if old is None or old == row:
                continue
            self.rows_by_id[oid] = row
            fmt = self.date_format
            for (key, _label, _w), before, after in zip(COLUMNS, cells(old, self.ctx, fmt),
                                                        cells(row, self.ctx, fmt), strict=True):
                if before != after:
                    self.update_cell(str(oid), key, _text(key, after, row))
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
