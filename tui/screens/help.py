"""Help: the screens, their keys, and where everything else is (the command palette)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# ml-connector console

WooCommerce orders become Dynamics GP invoices; this console is where you watch and fix them.

| Key | Screen | For |
|---|---|---|
| 1 | Dashboard | queues, the worker, what needs you first |
| 2 | Orders | every order: filter, open, replay |
| 3 | Flagged SKUs | map unknown SKUs to GP items; their orders replay by themselves |
| 4 | Held & failed | why, GP's message, what to do; replay one, marked, or all |
| 5 | GL mapping | accounts per company, class, customer, gateway; rounding |
| 6 | Reconciliation | WooCommerce vs GP per day and payment method; CSV |
| 7 | Audit | who did what; verify the chain |
| 8 | Products | product sync conflicts: choose a side |
| 9 | Connections | credentials (masked), test connections |
| 0 | Pairs | several shop → GP company pairs: each one's queues; Enter opens one |

**Ctrl+P** opens the command palette: every action is there. **F1** or **?** shows this page.
Keys can be changed with the `console.keymap` setting (binding id → key), for example
`{"orders.replay": "ctrl+r"}`.

Filtering orders: type `olivia`, `1042`, `sku:BLU-TEE`, `customer:hart`,
`from:2026-11-01 to:2026-11-30`, in any mix.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
