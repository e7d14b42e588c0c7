"""What every console screen shares: its context, a refresh on database change, one way to
run database work off the UI thread, and the console's replay."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input

from core.replay import replay_orders
from core.store.db import thread_connection
from tui.context import ConsoleContext
from tui.messages import DatabaseChanged, OrdersReplayed
from tui.widgets.nav_bar import NavBar

T = TypeVar("T")


def in_db_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn` on this worker thread's own database connection (opened and closed here)."""
    with thread_connection():
        return fn(*args, **kwargs)


class ConsoleHost(Protocol):
    """What a screen needs from the console app (tui.app.ConnectorApp), named here so screens
    do not import the app that imports them."""

    ctx: ConsoleContext

    def check_database(self) -> bool: ...

    def wake_worker(self) -> None: ...

    def action_go(self, mode: str) -> None: ...


class ConsoleScreen(Screen[None]):
    """A top-level console screen. Subclasses implement `refresh_data()`, which starts a
    thread worker that reads the database and hands the result back with call_from_thread."""

    # Escape leaves a search box for the screen's table, so the screen keys (1-9, r, ...) work.
    BINDINGS = [Binding("escape", "leave_input", "Leave field", show=False, id="screen.leave")]

    @property
    def connector(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    @property
    def ctx(self) -> ConsoleContext:
        return self.connector.ctx

    def refresh_data(self) -> None:
        """Reload what this screen shows."""

    def on_mount(self) -> None:
        """Every screen shows the nine screens under its header, and which shop and GP
        company it is about in the header."""
        screens = getattr(self.app, "SCREEN_LIST", [])
        mode = next((m for m, _k, _t, cls in screens if isinstance(self, cls)), "")
        headers = self.query(Header)
        if headers and screens:
            self.mount(NavBar(screens, mode), after=headers.first())
        if not self.sub_title:
            self.sub_title = self.ctx.where()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_database_changed(self, message: DatabaseChanged) -> None:
        message.stop()
        self.refresh_data()

    def action_leave_input(self) -> None:
        if isinstance(self.focused, Input) and self.AUTO_FOCUS:
            self.query_one(self.AUTO_FOCUS).focus()

    def deliver(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Hand a worker thread's result to the UI, unless the app is closing or this screen
        has gone (the console switched to another pair while the thread was reading)."""
        if self.app.is_running:
            self.app.call_from_thread(self._delivered, callback, *args, **kwargs)

    def _delivered(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.is_attached:
            callback(*args, **kwargs)

    def replay_and_report(self, what: str, woo_ids: list[int] | None = None, *,
                          why: str = "console", **selection: Any) -> None:
        """The worker-thread half of a console replay: put the orders back in the posting
        queue on this thread's connection, then post OrdersReplayed to the screen."""
        moved = in_db_thread(replay_orders, woo_ids, actor=self.ctx.actor, clock=self.ctx.clock,
                             why=why, **selection)
        self.deliver(self.post_message, OrdersReplayed(moved, what))

    def notify_replayed(self, message: OrdersReplayed) -> None:
        """Say how many went back, and let every screen see the change."""
        self.notify(f"{message.what}: {message.count} replayed, back in the posting queue.")
        self.connector.check_database()
