"""Edit one GL account (or the rounding tolerance): validated before it is saved."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from core.gl import GLMappingError, check_account_format
from core.store.models import GL_ACCOUNT_KINDS

SCOPES = [("company default", "company"), ("customer class", "customer_class"),
          ("customer", "customer"), ("payment gateway", "gateway"),
          ("WooCommerce tax rate", "tax_rate")]


@dataclass(frozen=True)
class GlEdit:
    scope: str
    scope_key: str
    kind: str
    account: str


class GlEditScreen(ModalScreen[GlEdit | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="gl_edit.cancel")]

    def __init__(self, edit: GlEdit | None = None) -> None:
        super().__init__()
        self.edit = edit or GlEdit("company", "", "sales", "")

    def compose(self) -> ComposeResult:
        e = self.edit
        with Vertical(id="gl-edit", classes="dialog"):
            yield Label("GL account", classes="section")
            yield Select(SCOPES, value=e.scope, allow_blank=False, id="scope")
            yield Input(e.scope_key, placeholder="class id / customer id / gateway / rate id",
                        id="scope-key")
            yield Select([(k, k) for k in GL_ACCOUNT_KINDS], value=e.kind, allow_blank=False,
                         id="kind")
            yield Input(e.account, placeholder="e.g. 000-4100-00", id="account")
            yield Label("", id="gl-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#account", Input).focus()

    def result(self) -> GlEdit | str:
        scope = str(self.query_one("#scope", Select).value)
        key = self.query_one("#scope-key", Input).value.strip()
        kind = str(self.query_one("#kind", Select).value)
        account = self.query_one("#account", Input).value
        if scope != "company" and not key:
            return f"a {scope.replace('_', ' ')} needs its id"
        if scope == "gateway" and kind != "cash":
            return "a payment gateway maps to a cash account (kind: cash)"
        if scope == "tax_rate":
            value = account.strip().upper()
            if not value:
                return "a GP tax detail id is required"
        else:
            try:
                value = check_account_format(account)
            except GLMappingError as exc:
                return str(exc)
        return GlEdit(scope, "" if scope == "company" else key, kind, value)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        outcome = self.result()
        if isinstance(outcome, str):
            self.query_one("#gl-error", Label).update(Text(outcome))
            return
        self.dismiss(outcome)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ToleranceScreen(ModalScreen[str | None]):
    """The rounding tolerance: a difference up to it goes to the rounding account."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="tolerance.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="tolerance", classes="dialog"):
            yield Label("Rounding tolerance (e.g. 0.02)", classes="section")
            yield Input(self.current, id="tolerance-value")
            yield Label("", id="tolerance-error", classes="error")

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        try:
            value = Decimal(event.value.strip())
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value > 1:
            self.query_one("#tolerance-error", Label).update(
                "a decimal amount between 0 and 1, like 0.02")
            return
        self.dismiss(str(value))

    def action_cancel(self) -> None:
        self.dismiss(None)
