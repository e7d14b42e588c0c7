"""Edit one GL account (or the rounding tolerance): validated before it is saved."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from core.gl import GLMappingError
from core.gl_setup import AccountCheck, normalise
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
    check: AccountCheck | None = None  # what GP said about the account, once asked


class GlEditScreen(ModalScreen[GlEdit | None]):
    """Every field labelled; the account is looked up in GP before the dialog closes: one GP
    lacks is refused here in GP's words, and one GP cannot be asked about is saved only with
    "Save unchecked"."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="gl_edit.cancel")]

    def __init__(self, edit: GlEdit | None = None,
                 check: Callable[[str], AccountCheck] | None = None, *, new: bool = False
                 ) -> None:
        super().__init__()
        self.edit = edit or GlEdit("company", "", "sales", "")
        self.existing = edit is not None and not new  # editing a row: only its account changes
        self.check = check or (lambda account: AccountCheck(account, None, "GP not connected"))
        self.pending: GlEdit | None = None

    def compose(self) -> ComposeResult:
        e = self.edit
        with Vertical(id="gl-edit", classes="dialog"):
            yield Label("GL account", classes="section")
            if self.existing:
                where = e.scope.replace("_", " ") + (f" {e.scope_key}" if e.scope_key else "")
                yield Label(Text(f"{e.kind} account for {where}"), id="gl-what")
            yield Label("Applies to", classes="field-label", id="scope-label")
            yield Select(SCOPES, value=e.scope, allow_blank=False, id="scope",
                         disabled=self.existing)
            yield Label("For (class id / customer id / gateway / tax rate id)",
                        classes="field-label", id="scope-key-label")
            yield Input(e.scope_key, placeholder="empty for the company default",
                        id="scope-key", disabled=self.existing)
            yield Label("Account kind", classes="field-label", id="kind-label")
            yield Select([(k, k) for k in GL_ACCOUNT_KINDS], value=e.kind, allow_blank=False,
                         id="kind", disabled=self.existing)
            yield Label("GP account (a tax detail id for a tax rate)", classes="field-label",
                        id="account-label")
            yield Input(e.account, placeholder="e.g. 000-4100-00", id="account")
            yield Label("", id="gl-error", classes="error wrap")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Save unchecked", variant="warning", id="unchecked")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#unchecked", Button).display = False
        # The first field that can change has the focus.
        first = "#account" if self.existing else "#scope"
        self.query_one(first).focus()

    def result(self) -> GlEdit | str:
        scope = str(self.query_one("#scope", Select).value)
        key = self.query_one("#scope-key", Input).value.strip()
        kind = str(self.query_one("#kind", Select).value)
        account = self.query_one("#account", Input).value
        try:
            scope, key, kind, value = normalise(scope, key, kind, account)
        except GLMappingError as exc:
            return str(exc)
        return GlEdit(scope, key, kind, value)

    def say(self, text: str) -> None:
        self.query_one("#gl-error", Label).update(Text(text))

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        outcome = self.result()
        self.query_one("#unchecked", Button).display = False
        if isinstance(outcome, str):
            self.say(outcome)
            return
        if outcome.scope == "tax_rate":  # a tax detail id: GP checks it when posting
            self.dismiss(outcome)
            return
        self.say(f"Asking GP whether {outcome.account} exists…")
        self.ask_gp(outcome)

    @work(thread=True, exclusive=True, exit_on_error=False, group="gl-check",
          description="Looking the account up in GP")
    def ask_gp(self, edit: GlEdit) -> None:
        result = self.check(edit.account)
        if self.app.is_running:
            self.app.call_from_thread(self.answered, replace(edit, check=result))

    def answered(self, edit: GlEdit) -> None:
        result = edit.check
        assert result is not None
        if result.exists:
            self.dismiss(edit)
        elif result.exists is False:
            self.say(f"Not saved: {result.why}.")
        else:
            self.pending = edit
            self.say(f"{result.why}. Save it unchecked only if you are sure GP has it.")
            self.query_one("#unchecked", Button).display = True

    @on(Button.Pressed, "#unchecked")
    def save_unchecked(self) -> None:
        if self.pending is not None:
            self.dismiss(self.pending)

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
