"""An audit timeline: who did what, when, in order."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from core.store.models import AuditEvent
from tui.shown import shown


class Timeline(DataTable[Text]):
    def __init__(self, *, id: str | None = None, entity_column: bool = False) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.entity_column = entity_column

    @property
    def ctx(self) -> Any:
        return getattr(self.app, "ctx", None)

    def on_mount(self) -> None:
        zone = self.ctx.zone_name() if self.ctx is not None else "UTC"
        self.add_column("#", key="id", width=6)
        self.add_column(f"When ({zone})", key="at", width=19)  # the store's zone, named
        if self.entity_column:
            self.add_column("About", key="about", width=14)
        # Wide enough for every event kind (customer_created, conflict resolved, ...).
        self.add_column("What", key="kind", width=17)
        self.add_column("Who", key="actor", width=16)
        self.add_column("", key="message")

    def show(self, events: list[AuditEvent], *, append: bool = False) -> None:
        if not append:
            self.clear()
        for ev in events:
            # Text, not str: a DataTable reads str as markup, and audit messages quote GP's
            # and WooCommerce's own words.
            at = (self.ctx.local(ev.at, "%Y-%m-%d %H:%M:%S") if self.ctx is not None
                  else ev.at.strftime("%Y-%m-%d %H:%M:%S"))
            row = [str(ev.id), at]
            if self.entity_column:
                row.append(f"{ev.entity} {ev.entity_id or ''}".strip())
            row += [ev.kind, ev.actor, ev.message]
            self.add_row(*(shown(c) for c in row), key=str(ev.id))

    def last_id(self) -> int | None:
        return int(str(list(self.rows)[-1].value)) if self.row_count else None
