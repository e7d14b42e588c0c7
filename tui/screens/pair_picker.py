"""Pairs: every shop -> GP company pair of this workspace with what waits in it (incoming,
held, failed) and when its worker last polled; Enter opens that pair's dashboard, key 0 comes
back here from any screen.

Each pair's figures come from its own state database through a read-only connection of its own
(core.queries.pair_queues): reading them takes no pair's lease and leaves the open pair alone.
"""
from __future__ import annotations

from typing import Any, Protocol, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from core.clock import Clock
from core.config import Workspace
from core.queries.pair_queues import PairOverview, all_pairs
from core.text import plain_text
from tui.context import ConsoleContext

REFRESH_S = 5.0


class PairHost(Protocol):
    """What the picker needs from the console app (tui.app.ConnectorApp)."""

    ctx: ConsoleContext
    pairs_base: Workspace | None
    poll_interval: float | None

    async def open_pair(self, name: str) -> None: ...


def _count(n: int, alert: bool = False) -> Text:
    return Text(str(n), style="bold red" if alert and n else "")


class PairPickerScreen(Screen[None]):
    TITLE = "Pairs"
    AUTO_FOCUS = "#pairs"
    BINDINGS = [Binding("r", "reload", "Refresh", id="pairs.refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, PairOverview] = {}

    @property
    def host(self) -> PairHost:
        return cast(PairHost, self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Enter opens a pair; key 0 comes back here from any screen.",
                    classes="hint")
        yield DataTable(id="pairs", cursor_type="row", zebra_stripes=True)
        yield Static(id="pair-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "several shops and GP companies in this workspace"
        table = self.query_one("#pairs", DataTable)
        poll = f"Last poll ({self.host.ctx.zone_name()})"
        # 119 columns with the cell padding: fits a 120-column terminal
        for key, label, width in (("pair", "Pair", 12), ("shop", "Shop", 24),
                                  ("company", "GP company", 16), ("incoming", "Incoming", 8),
                                  ("held", "Held", 5), ("failed", "Failed", 6),
                                  ("poll", poll, 16), ("worker", "Worker", 16)):
            table.add_column(label, key=key, width=width)
        if self.host.poll_interval:
            self.set_interval(REFRESH_S, self.tick, name="pairs-refresh")

    def tick(self) -> None:
        if self.is_current:  # not while a pair's screens are in front
            self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="pairs",
          description="Reading every pair's queues")
    def load(self) -> None:
        base = self.host.pairs_base
        if base is None:
            return
        rows = all_pairs(base, self.host.ctx.clock)
        if self.app.is_running:
            self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[PairOverview]) -> None:
        table = self.query_one("#pairs", DataTable)
        at = table.cursor_row
        table.clear()
        self.rows = {row.name: row for row in rows}
        ctx, clock = self.host.ctx, self.host.ctx.clock
        for row in rows:
            table.add_row(*self._cells(row, ctx, clock), key=row.name)
        if rows:
            table.move_cursor(row=min(max(at, 0), len(rows) - 1))
        problems = [f"{row.name}: {row.problem}" for row in rows if row.problem]
        self.query_one("#pair-note", Static).update(
            Text(plain_text("\n".join(problems)), style="red") if problems else
            f"{len(rows)} pairs. Held and failed orders of a pair wait on you in that pair's "
            "Held & failed screen (4).")

    @staticmethod
    def _cells(row: PairOverview, ctx: ConsoleContext, clock: Clock) -> list[Any]:
        names = [Text(row.name, style="bold"), plain_text(row.shop), plain_text(row.company)]
        q = row.queues
        if q is None:
            return [*names, "?", "?", "?", "", Text("cannot read (below)", style="red")]
        w = q.worker
        if w is None and q.stopped_at is not None:
            today = ctx.local(q.stopped_at, "%Y-%m-%d") == ctx.local(clock.now(), "%Y-%m-%d")
            worker = Text(f"stopped {ctx.local(q.stopped_at, '%H:%M' if today else '%m-%d')}")
        elif w is None:
            worker = Text("never ran", style="dim")
        elif w.alive:
            worker = Text(f"{w.mode} running", style="green")
        else:
            worker = Text("stopped", style="red")
        poll = ctx.local(q.last_poll_at, "%Y-%m-%d %H:%M") if q.last_poll_at else "never"
        return [*names, _count(q.incoming), _count(q.held, True), _count(q.failed, True), poll,
                worker]

    @on(DataTable.RowSelected, "#pairs")
    async def choose(self, event: DataTable.RowSelected) -> None:
        name = str(event.row_key.value)
        if name in self.rows:
            await self.host.open_pair(name)
