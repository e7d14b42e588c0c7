"""Connections: WooCommerce and GP settings, masked credentials, replace them, test them."""
from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label, Static

from core.alerts.channels import ALERTS_SMTP_PASSWORD, ALERTS_WEBHOOK_SECRET
from core.alerts.service import build_alert_service
from tui.remote import _vault, test_gp, test_woo
from tui.screens.base import ConsoleScreen, in_db_thread

SECRETS = {"k": "woocommerce.consumer_key", "s": "woocommerce.consumer_secret",
           "p": "gp.password", "m": ALERTS_SMTP_PASSWORD, "w": ALERTS_WEBHOOK_SECRET}


class SecretScreen(ModalScreen[str | None]):
    """Type a credential; it is stored encrypted and never shown again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="secret.cancel")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.secret_name = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"New value for {self.secret_name}", classes="section")
            yield Input(password=True, id="secret-value")
            yield Label("Stored encrypted; the screen only ever shows it masked.",
                        classes="hint")

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def read_masked(ctx: Any) -> dict[str, str]:
    try:
        return dict(_vault(ctx).masked())
    except Exception as exc:  # no key yet, no workspace: say so instead of failing
        return {"(vault)": f"unavailable: {exc}"}


class ConnectionsScreen(ConsoleScreen):
    TITLE = "Connections"
    BINDINGS = [
        Binding("t", "test", "Test both", id="connections.test"),
        Binding("k", "set_secret('k')", "Woo key", id="connections.woo_key"),
        Binding("s", "set_secret('s')", "Woo secret", id="connections.woo_secret"),
        Binding("p", "set_secret('p')", "GP password", id="connections.gp_password"),
        Binding("a", "test_alerts", "Test alerts", id="connections.test_alerts"),
        Binding("m", "set_secret('m')", "Mail password", id="connections.smtp_password",
                show=False),
        Binding("w", "set_secret('w')", "Alert webhook secret",
                id="connections.alert_webhook_secret", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="connection-settings")
        yield Label("Tests run in the background; the console keeps working.", classes="hint")
        yield Static("WooCommerce: not tested yet", id="woo-test")
        yield Static("Dynamics GP: not tested yet", id="gp-test")
        yield Static("Alerts: a sends a test through each channel", id="alerts-test")
        yield Footer()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading connection settings")
    def load(self) -> None:
        self.deliver(self.show, in_db_thread(read_masked, self.ctx))

    def show(self, masked: dict[str, str]) -> None:
        s = self.ctx.settings
        table = Table.grid(padding=(0, 2))
        rows = [("WooCommerce store", s.woocommerce.url or "(not set)"),
                ("GP Web Services (SOAP)", s.gp.soap_url or "(not set)"),
                ("GP Service Based Architecture", s.gp.sba_url or "(not set)"),
                ("GP user", s.gp.user or "(not set)"), ("GP company", s.gp.company or "(not set)")]
        rows += alert_rows(s)
        rows += [(name, value) for name, value in sorted(masked.items())]
        for label, value in rows:
            table.add_row(Text(label, style="bold"), Text(value))
        self.query_one("#connection-settings", Static).update(table)

    def action_set_secret(self, which: str) -> None:
        name = SECRETS[which]

        def done(value: str | None) -> None:
            if value:
                self.store(name, value)

        self.app.push_screen(SecretScreen(name), done)

    @work(thread=True, exit_on_error=False, group="write", description="Storing the credential")
    def store(self, name: str, value: str) -> None:
        in_db_thread(lambda: _vault(self.ctx).set(name, value, self.ctx.actor))
        self.deliver(self.notify, f"{name} stored (encrypted).")
        self.deliver(self.load)

    def action_test(self) -> None:
        self.query_one("#woo-test", Static).update("WooCommerce: testing…")
        self.query_one("#gp-test", Static).update("Dynamics GP: testing…")
        self.run_test_woo()
        self.run_test_gp()

    @work(thread=True, exclusive=True, exit_on_error=False, group="test-woo",
          description="Testing WooCommerce")
    def run_test_woo(self) -> None:
        self.deliver(self.tested, "#woo-test", "WooCommerce", self._attempt(test_woo))

    @work(thread=True, exclusive=True, exit_on_error=False, group="test-gp",
          description="Testing GP")
    def run_test_gp(self) -> None:
        self.deliver(self.tested, "#gp-test", "Dynamics GP", self._attempt(test_gp))

    def action_test_alerts(self) -> None:
        self.query_one("#alerts-test", Static).update("Alerts: sending a test…")
        self.run_test_alerts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="test-alerts",
          description="Sending a test alert")
    def run_test_alerts(self) -> None:
        def send() -> list[tuple[str, str]]:
            return build_alert_service(self.ctx.settings, _vault(self.ctx)).send_test()

        outcomes = in_db_thread(send)
        text = ("no channel configured: set [alerts.email] or [alerts.webhook] in config.toml"
                if not outcomes else "; ".join(f"{n}: {o}" for n, o in outcomes))
        ok = bool(outcomes) and all(o == "sent" for _, o in outcomes)
        self.deliver(self.tested, "#alerts-test", "Alerts", (ok, text))

    def _attempt(self, test: Any) -> tuple[bool, str]:
        try:
            return True, test(self.ctx)
        except Exception as exc:  # the reason is the result here, shown to the accountant
            return False, f"{exc.__class__.__name__}: {exc}"

    def tested(self, where: str, what: str, outcome: tuple[bool, str]) -> None:
        ok, text = outcome
        mark = "[green]ok[/]" if ok else "[red]failed[/]"
        # Remote text (a server's error) is escaped before it meets markup.
        self.query_one(where, Static).update(f"{what}: {mark} — {escape(text)}")


def alert_rows(s: Any) -> list[tuple[str, str]]:
    """The alert channels as configured (the webhook's path may hold a token: host only)."""
    e, w = s.alerts.email, s.alerts.webhook
    email = (f"{e.host}:{e.port} → {', '.join(e.to)}" + (" (STARTTLS)" if e.starttls else "")
             if e.host else "(not set: [alerts.email] host, sender, to)")
    hook = (w.url.split("/")[2] if "://" in w.url else w.url) if w.url else \
        "(not set: [alerts.webhook] url)"
    return [("Alerts by e-mail", email), ("Alerts by webhook", hook)]
