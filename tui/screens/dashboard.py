"""Dashboard: the queues at a glance, who runs the sync, throughput, and what to fix first."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Footer, Header, Label, Sparkline, Static

from core import queries
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.widgets.stat_card import StatCard


def describe_worker(w: queries.WorkerStatus | None) -> str:
    if w is None:
        return "[b]No worker has run[/b] on this database yet. Start `ml-connector worker`."
    state = "[green]running[/]" if w.alive else "[red]stopped[/] (lease expired)"
    lines = [f"[b]{escape(w.mode)} worker[/b] on {escape(w.host)} (pid {w.pid}): {state}",
             f"heartbeat {w.heartbeat_age_s:.0f} s ago"]
    if w.last_poll_at is not None:
        lines.append(f"last poll {w.last_poll_at:%Y-%m-%d %H:%M:%S} UTC")
    if w.webhook_health:
        lines.append(f"webhooks: {escape(w.webhook_health)}")
    return "\n".join(lines)


class DashboardScreen(ConsoleScreen):
    TITLE = "Dashboard"

    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="cards"):
            yield StatCard("Incoming", id="card-incoming")
            yield StatCard("Held", id="card-held")
            yield StatCard("Failed", id="card-failed")
            yield StatCard("Posted today", id="card-posted")
            yield StatCard("Credit memos today", id="card-credit")
            yield StatCard("Flagged SKUs", id="card-skus")
        with Horizontal(id="dash-lower"):
            with Vertical(id="dash-left"):
                yield Label("Needs attention first", classes="section")
                yield Static(id="attention")
                yield Label("Posted per hour (last 12 h)", classes="section")
                yield Sparkline([], id="throughput")
                yield Static(id="throughput-note")
            with Vertical(id="dash-right"):
                yield Label("Worker", classes="section")
                yield Static(id="worker")
        yield Footer()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading the dashboard")
    def load(self) -> None:
        board = in_db_thread(queries.dashboard, self.ctx.clock)
        self.deliver(self.show, board)

    def show(self, board: queries.Dashboard) -> None:
        def card(name: str) -> StatCard:
            return self.query_one(f"#card-{name}", StatCard)

        card("incoming").show(board.incoming, f"{board.jobs.get('queued', 0)} job(s) queued")
        held_note = ", ".join(f"{r} {n}" for r, n in board.held.items()) or "none"
        card("held").show(board.held_total, held_note, alert=bool(board.held_total))
        card("failed").show(board.failed, "GP refused" if board.failed else "",
                            alert=bool(board.failed))
        card("posted").show(board.posted_today, "invoices")
        card("credit").show(board.credit_memos_today,
                            f"{board.refunds_waiting} refund(s) waiting")
        card("skus").show(board.flagged_skus, "unmapped", alert=bool(board.flagged_skus))
        attention = board.attention or ["Nothing waits on you. Everything is flowing."]
        self.query_one("#attention", Static).update(
            "\n".join(f"{i}. {escape(text)}" for i, text in enumerate(attention, 1)))
        self.query_one("#throughput", Sparkline).data = [float(n) for n in board.throughput]
        self.query_one("#throughput-note", Static).update(
            f"{sum(board.throughput)} posted, peak {max(board.throughput, default=0)} an hour")
        self.query_one("#worker", Static).update(describe_worker(board.worker))
