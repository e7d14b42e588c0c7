"""Reconciliation: WooCommerce vs GP per day and payment method, the difference, the documents
that explain it, and a CSV export."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import DataTable, Footer, Header, Input, Label, Switch

from core.money import currency_decimals, format_money
from core.reconcile import ReconReport, ReconRow, export_csv
from core.reconcile_live import reconcile_for
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.shown import shown
from tui.widgets.search_input import SearchInput


def _count(n: int) -> Text:
    return Text(str(n), justify="right")


def _money(amount: Any, style: str = "", d: int = 2) -> Text:
    """Money right-aligned, in its own column at its currency's decimals (`d`): accountants
    read down the decimal points."""
    return Text(format_money(amount, d), justify="right", style=style)


class ReconcileScreen(ConsoleScreen):
    TITLE = "Reconciliation"
    AUTO_FOCUS = "#recon"
    BINDINGS = [
        Binding("ctrl+r", "run", "Compare", id="recon.run"),
        Binding("x", "export", "Export CSV", id="recon.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: ReconReport | None = None
        self.rows: dict[str, ReconRow] = {}
        self.exported: tuple[Path, Path] | None = None

    def compose(self) -> ComposeResult:
        today = self.ctx.clock.now().date()
        yield Header()
        with Horizontal(id="recon-range"):
            yield Label("From", classes="field-label")
            yield SearchInput((today - timedelta(days=6)).isoformat(), id="recon-from",
                              restrict=r"[0-9-]*")
            yield Label("To", classes="field-label")
            yield SearchInput(today.isoformat(), id="recon-to", restrict=r"[0-9-]*")
            yield Label("per payment method", classes="field-label")
            yield Switch(True, id="recon-methods")
        yield Label("", id="recon-source")
        yield DataTable(id="recon", cursor_type="row", zebra_stripes=True)
        yield Label("", id="recon-explain-title", classes="section")
        yield DataTable(id="recon-explain", cursor_type="row", zebra_stripes=True)
        yield Label("", id="recon-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#recon", DataTable)
        # Counts and amounts in columns of their own, every number right-aligned.
        for key, label, width in (("day", "Day", 10), ("method", "Method", 8),
                                  ("woo_n", "#", 4), ("woo", "Woo orders", 11),
                                  ("woo_rn", "#", 3), ("woo_r", "Woo refunds", 11),
                                  ("gp_n", "#", 4), ("gp", "GP invoices", 11),
                                  ("gp_rn", "#", 3), ("gp_r", "GP credits", 10),
                                  ("diff", "Difference", 10)):
            table.add_column(label, key=key, width=width)
        explain = self.query_one("#recon-explain", DataTable)
        for key, label, width in (("what", "Document", 12), ("woo", "Woo", 10), ("gp", "GP", 10),
                                  ("diff", "Diff", 10), ("reason", "Why", 60)):
            explain.add_column(label, key=key, width=width)

    def range(self) -> tuple[date, date] | None:
        try:
            start = date.fromisoformat(self.query_one("#recon-from", Input).value.strip())
            end = date.fromisoformat(self.query_one("#recon-to", Input).value.strip())
        except ValueError:
            return None
        return (start, end) if start <= end else None

    def refresh_data(self) -> None:
        # A live comparison reads every document of the period from the shop and GP: done when
        # asked (ctrl+r, a new range), not on every console refresh.
        if self.report is None:
            self.action_run()

    @on(Input.Submitted)
    @on(Switch.Changed)
    def action_run(self) -> None:
        span = self.range()
        if span is None:
            self.query_one("#recon-status", Label).update(
                "Dates as YYYY-MM-DD, the first not after the second.")
            return
        self.compute(*span)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reconciling")
    def compute(self, start: date, end: date) -> None:
        # Live: the shop and GP as they are now (a refund deleted in the shop sends no webhook),
        # or the stored copy, said so on screen, when they cannot be read.
        report, source = in_db_thread(reconcile_for, self.ctx.workspace, self.ctx.settings,
                                      start, end)
        self.deliver(self.show, report)
        self.deliver(self.query_one("#recon-source", Label).update, escape(source))

    def show(self, report: ReconReport) -> None:
        self.report = report
        per_method = self.query_one("#recon-methods", Switch).value
        rows = report.rows if per_method else report.days()
        table = self.query_one("#recon", DataTable)
        at = table.cursor_row
        table.clear()
        self.rows = {}
        # One total per currency: money never adds up across currencies. With several, each
        # row names its currency beside the method.
        several = len(report.currencies()) > 1
        for row in [*rows, *report.totals()]:
            key = f"{row.day.isoformat()}|{row.payment_method}" + (
                f"|{row.currency}" if several else "")
            self.rows[key] = row
            d = currency_decimals(row.currency)
            diff = format_money(row.difference, d)
            style = "" if row.matches else "bold red"
            method = "" if row.payment_method == "total" else row.payment_method
            table.add_row("total" if row.payment_method == "total" else row.day.isoformat(),
                          Text(f"{method} {row.currency}".strip() if several else method),
                          _count(row.woo_orders.count), _money(row.woo_orders.total, d=d),
                          _count(row.woo_refunds.count), _money(row.woo_refunds.total, d=d),
                          _count(row.gp_invoices.count), _money(row.gp_invoices.total, d=d),
                          _count(row.gp_credit_memos.count),
                          _money(row.gp_credit_memos.total, d=d),
                          Text(diff, style=style, justify="right"), key=key)
        table.move_cursor(row=min(at, table.row_count - 1))
        total = report.total()
        self.query_one("#recon-status", Label).update(
            f"{report.date_from} to {report.date_to} ({escape(report.timezone)}): "
            + ("everything matches." if total.matches else
               (f"differences in {sum(not t.matches for t in report.totals())} currency(ies)"
                if total.parts else f"difference {format_money(total.difference)}")
               + f" in {len(report.explanations)} document(s).")
            + " x exports CSV.")
        self.explain()

    @on(DataTable.RowHighlighted, "#recon")
    def explain(self) -> None:
        if self.report is None:
            return
        table = self.query_one("#recon", DataTable)
        if not table.row_count:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        row = self.rows.get(key)
        if row is None:
            return
        day = None if row.payment_method == "total" else row.day
        found = self.report.explain(day, row.payment_method, row.currency or None)
        explain = self.query_one("#recon-explain", DataTable)
        explain.clear()
        for e in found:
            explain.add_row(shown(e.number), _money(e.woo_amount), _money(e.gp_amount),
                            _money(e.difference), shown(e.reason),
                            key=f"{e.kind}:{e.woo_id}")
        where = "the whole range" if day is None else f"{day} {row.payment_method}"
        self.query_one("#recon-explain-title", Label).update(
            shown(f"What explains {where}: {len(found)} document(s)"))

    def action_export(self) -> None:
        if self.report is None:
            self.notify("Compare first.", severity="warning")
            return
        r = self.report
        self.export(r, self.ctx.export_dir / f"reconciliation-{r.date_from}-{r.date_to}.csv")

    @work(thread=True, exclusive=True, exit_on_error=False, group="export",
          description="Exporting the reconciliation")
    def export(self, report: ReconReport, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        written = export_csv(report, path)
        self.deliver(self.exported_to, written)

    def exported_to(self, paths: tuple[Path, Path]) -> None:
        self.exported = paths
        self.notify(escape(f"Exported {paths[0]} and {paths[1].name}"))

    def palette_commands(self) -> Any:
        yield SystemCommand("Export the reconciliation to CSV", "Summary and details",
                            self.action_export)
