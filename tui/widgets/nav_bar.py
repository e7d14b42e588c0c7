"""The screens (1-9) always in view, the current one marked, and the store's time with its zone,
so nobody needs F1 to find their way."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

# Short names so all nine fit at 80 columns with the clock.
SHORT = {"dashboard": "Dashboard", "orders": "Orders", "skus": "SKUs", "problems": "Held",
         "gl": "GL", "reconcile": "Recon", "audit": "Audit", "products": "Products",
         "connections": "Connect"}


class NavBar(Static):
    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, screens: list[tuple[str, str, str, Any]], current: str) -> None:
        super().__init__(id="nav")
        self.screens, self.current = screens, current

    def on_mount(self) -> None:
        self.show()
        self.set_interval(30, self.show, name="nav-clock")

    def show(self) -> None:
        ctx: Any = getattr(self.app, "ctx", None)
        bar = Text(no_wrap=True, overflow="ellipsis")
        for mode, key, _title, _screen in self.screens:
            here = mode == self.current
            bar.append(f"{key}", style="bold reverse" if here else "bold")
            bar.append(f" {SHORT.get(mode, mode)} ", style="bold" if here else "")
        clock = ""
        if ctx is not None:
            clock = f"{ctx.local(ctx.clock.now(), '%H:%M')} {ctx.zone_name()}"
        # Several pairs in the workspace: key 0 (the pair picker), where it fits with the clock.
        if getattr(self.app, "pairs_base", None) is not None and \
                bar.cell_len + len("0 Pairs ") + len(clock) + 3 <= self.size.width:
            bar.append("0", style="bold")
            bar.append(" Pairs ")
        if ctx is not None:
            pad = max(1, self.size.width - 2 - bar.cell_len - len(clock))
            bar.append(" " * pad + clock, style="dim")
        self.update(bar)

    def on_resize(self) -> None:
        self.show()
