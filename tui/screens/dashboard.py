"""Dashboard: the queues at a glance (each card opens its screen), who runs the sync,
throughput, what to fix first (with the key that gets you there) and the latest activity."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Footer, Header, Label, Sparkline, Static

from core import queries
from core.store.models import AuditEvent
from core.text import plain_text
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.widgets.stat_card import StatCard

RECENT = 8
# Where each card leads (Enter or a click on it).
CARD_SCREENS = {"incoming": "orders", "held": "problems", "failed": "problems",
                "posted": "orders", "credit": "reconcile", "skus": "skus"}
# Screens named in the "needs attention" sentences, and the key that opens each.
SCREEN_KEYS = (("Flagged SKUs", "3"), ("Held & failed", "4"), ("GL mapping", "5"),
               ("product conflict", "8"))


def with_key(sentence: str) -> str:
    """A "needs attention" line ends with the key that opens the screen it names."""
    for words, key in SCREEN_KEYS:
        if words in sentence:
            return f"{sentence} [key {key}]"
    return sentence


def describe_worker(w: queries.WorkerStatus | None, ctx: Any) -> str:
    if w is None:
        return ("[b]No worker is running[/b] on this database. Start `ml-connector worker` "
                "(or the console runs one when it may).")
    state = "[green]running[/]" if w.alive else "[red]stopped[/] (lease expired)"
    lines = [f"[b]{escape(w.mode)} worker[/b] on {escape(w.host)} (pid {w.pid}): {state}",
             f"heartbeat {w.heartbeat_age_s:.0f} s ago"]
    if w.last_poll_at is not None:
        lines.append(f"last poll {ctx.local(w.last_poll_at, '%Y-%m-%d %H:%M:%S')} "
                     f"{ctx.zone_name()}")
    if w.webhook_health:
        lines.append(f"webhooks: {escape(w.webhook_health)}")
    return "\n".join(lines)


@dataclass
class DashboardView:
    board: queries.Dashboard
    recent: list[AuditEvent]


def read_dashboard(clock: Any) -> DashboardView:
    return DashboardView(queries.dashboard(clock), queries.recent_audit(limit=RECENT))


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
        yield Label("Latest activity", classes="section", id="recent-title")
        yield Static(id="recent")
        yield Footer()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading the dashboard")
    def load(self) -> None:
        view = in_db_thread(read_dashboard, self.ctx.clock)
        self.deliver(self.show, view)

    def show(self, view: DashboardView) -> None:
        board = view.board

        def card(name: str) -> StatCard:
            return self.query_one(f"#card-{name}", StatCard)

        card("incoming").show(board.incoming, f"{board.jobs.get('queued', 0)} job(s) queued")
        held_note = ", ".join(f"{r} {n}" for r, n in board.held.items()) or "none"
        card("held").show(board.held_total, held_note, alert=bool(board.held_total))
        card("failed").show(board.failed, "GP refused" if board.failed else "none",
                            alert=bool(board.failed))
        card("posted").show(board.posted_today, "invoices")
        card("credit").show(board.credit_memos_today,
                            f"{board.refunds_waiting} refund(s) waiting")
        card("skus").show(board.flagged_skus, "unmapped", alert=bool(board.flagged_skus))
        attention = [with_key(a) for a in board.attention] or [
            "Nothing waits on you. Everything is flowing."]
        self.query_one("#attention", Static).update(
            Text("\n".join(f"{i}. {plain_text(text)}" for i, text in enumerate(attention, 1))))
        self.query_one("#throughput", Sparkline).data = [float(n) for n in board.throughput]
        self.query_one("#throughput-note", Static).update(
            f"{sum(board.throughput)} posted, peak {max(board.throughput, default=0)} an hour")
        self.query_one("#worker", Static).update(describe_worker(board.worker, self.ctx))
        recent = Text(no_wrap=True, overflow="ellipsis")
        for ev in view.recent:
            recent.append(f"{self.ctx.local(ev.at, '%H:%M:%S')}  ", style="dim")
            recent.append(f"{plain_text(ev.kind):<12} ", style="bold")
            # Audit messages quote the shop (customer names): inert, as every remote text.
            recent.append(f"{plain_text(ev.message)}\n")
        self.query_one("#recent", Static).update(recent if view.recent else "No activity yet.")
        self.query_one("#recent-title", Label).update(
            f"Latest activity ({self.ctx.zone_name()}) — 7 Audit has all of it")

    @on(StatCard.Chosen)
    def open_card(self, message: StatCard.Chosen) -> None:
        name = (message.card.id or "").removeprefix("card-")
        mode = CARD_SCREENS.get(name)
        if mode:
            self.connector.action_go(mode)
