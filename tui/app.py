"""The accountant's console: `make_app()` builds it for the CLI and the tests alike."""
from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from core import queries
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.console_settings import KEYMAP, get_setting
from core.errors import ConfigError, ConnectorError
from core.pairs import other_pairs, pair_workspace, state_clashes
from core.store.db import close_db, init_db
from core.store.postgres import state_location
from core.text import plain_text
from core.worker import embedded
from tui.context import ConsoleContext, console_actor
from tui.messages import DatabaseChanged
from tui.screens.audit import AuditScreen
from tui.screens.connections import ConnectionsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.gl import GlScreen
from tui.screens.help import HelpScreen
from tui.screens.orders import OrdersScreen
from tui.screens.pair_picker import PairPickerScreen
from tui.screens.problems import ProblemsScreen
from tui.screens.products import ProductsScreen
from tui.screens.reconcile import ReconcileScreen
from tui.screens.skus import SkusScreen

SCREENS: list[tuple[str, str, str, type[Screen[Any]]]] = [
    # mode, key, title, screen
    ("dashboard", "1", "Dashboard", DashboardScreen),
    ("orders", "2", "Orders", OrdersScreen),
    ("skus", "3", "Flagged SKUs", SkusScreen),
    ("problems", "4", "Held & failed", ProblemsScreen),
    ("gl", "5", "GL mapping", GlScreen),
    ("reconcile", "6", "Reconciliation", ReconcileScreen),
    ("audit", "7", "Audit", AuditScreen),
    ("products", "8", "Products", ProductsScreen),
    ("connections", "9", "Connections", ConnectionsScreen),
]



class ConnectorApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "ml-connector"
    MODES = {mode: screen for mode, _key, _title, screen in SCREENS}
    SCREEN_LIST = SCREENS  # the navigation bar every screen shows
    DEFAULT_MODE = "dashboard"
    BINDINGS = [
        *(Binding(key, f"app.go('{mode}')", title, show=False, id=f"go.{mode}")
          for mode, key, title, _screen in SCREENS),
        Binding("f1,question_mark", "app.help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.commands"),
        # Shown only when the workspace holds several pairs (check_action). Not `p`: the GL and
        # Connections screens use it for the GP payment and the GP password.
        Binding("0", "app.pairs", "Pairs", id="app.pairs"),
    ]

    def __init__(self, ctx: ConsoleContext, *, poll_interval: float | None = 1.0,
                 start_worker: bool | str = False, keymap: dict[str, str] | None = None,
                 pairs_base: Workspace | None = None, pair_open: bool = True) -> None:
        """pairs_base: the workspace folder when it holds several pairs (key 0 opens the pair
        picker); pair_open=False: no pair is open yet, the console opens on the picker."""
        super().__init__()
        self.ctx = ctx
        self.poll_interval = poll_interval
        self.start_worker = start_worker
        self.embedded: Any = None
        self._marker: tuple[object, ...] | None = None
        self._keymap_override = keymap
        self.pairs_base = pairs_base
        self.pair_open = pair_open
        self._switching = asyncio.Lock()
        self._stopping: Any = None  # the closed pair's embedded worker, until it has ended
        if pairs_base is not None:
            self.add_mode("pairs", PairPickerScreen)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification passes core.text's rule: messages quote SKUs, product names and
        GP's words, and an escape sequence in one must not reach the terminal."""
        super().notify(plain_text(message), title=plain_text(title), severity=severity,
                       timeout=timeout, markup=markup)

    # --- start and stop --------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.poll_interval:
            self.set_interval(self.poll_interval, self.check_database, name="db-poll")
        if self.pair_open:
            self._pair_opened()

    def _pair_opened(self) -> None:
        """The pair's database is open: its key map, its change marker, its worker."""
        stored = get_setting(KEYMAP)
        keymap = {**(stored if isinstance(stored, dict) else {}), **(self._keymap_override or {})}
        if keymap or self.pairs_base is not None:  # a pair's key map replaces the last one's
            self.set_keymap(keymap)
        self._marker = queries.change_marker()
        if self.start_worker:
            self.start_embedded_worker()

    # --- several pairs: the picker, and switching without a restart --------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pairs":
            # hidden (and off) with one pair, and on the picker itself
            return self.pairs_base is not None and self.current_mode != "pairs"
        if action == "go":
            return self.pair_open  # no pair open (the picker): its keys pass through
        return True

    async def action_pairs(self) -> None:
        """Back to the pair picker; the open pair is closed (its worker stopped, its screens
        dropped, its database closed) so the next one opens on a clean console."""
        if self.pairs_base is None or self.current_mode == "pairs":
            return
        await self.switch_mode("pairs")
        await self.close_pair()

    async def close_pair(self) -> None:
        async with self._switching:
            if not self.pair_open:
                return
            self.pair_open = False
            worker, self.embedded = self.embedded, None
            if worker is not None and hasattr(worker, "stop"):
                await asyncio.to_thread(worker.stop)  # the same graceful path as SIGTERM
                self._stopping = worker
            # Screen workers still reading this pair finish before its screens and database go
            # (the picker's own reads use connections of their own and are not waited for).
            await asyncio.gather(*(w.wait() for w in self.workers if w.group != "pairs"),
                                 return_exceptions=True)
            for mode, _key, _title, screen in SCREENS:
                if mode in self._screen_stacks:
                    await self.remove_mode(mode)
                    self.add_mode(mode, screen)
            close_db()
            self._marker = None
        if isinstance(self.screen, PairPickerScreen):
            self.screen.load()  # its first read may have seen the worker still stopping

    async def open_pair(self, name: str) -> None:
        """Open pair `name` (closing the one open, if any) on its dashboard."""
        if self.pairs_base is None:
            return
        await self.close_pair()
        async with self._switching:
            if self._stopping is not None and getattr(self._stopping, "running", False):
                # Its threads would open their connections on the next pair's database.
                self.notify("The previous pair's worker is still finishing its GP call: "
                            "choose again in a moment.", severity="warning")
                return
            self._stopping = None
            ws = pair_workspace(self.pairs_base, name)
            try:
                settings = ws.load() if ws.config_path.exists() else Settings()
            except ConfigError:
                settings = Settings()  # the console still opens; `check --pair` explains
            shared = state_clashes(name, settings, other_pairs(self.pairs_base, name))
            if shared:  # its screens would show (and its worker post) another pair's state
                self.notify(escape(f"Pair {name} is not opened: {shared[0]}"), severity="error")
                return
            try:  # the pair's own state: its PostgreSQL when its configuration says so
                init_db(state_location(ws.db_path, settings.store.database_url),
                        home=ws.db_path)
            except ConnectorError as exc:
                close_db()
                self.notify(escape(f"Pair {name} cannot be opened: {exc}"), severity="error")
                return
            self.ctx = ConsoleContext(db_path=ws.db_path, workspace=ws, settings=settings,
                                      clock=self.ctx.clock, actor=self.ctx.actor, pair=name)
            self.pair_open = True
            self._pair_opened()
        await self.switch_mode("dashboard")

    def start_embedded_worker(self) -> None:
        """Run the sync inside the console, but only when no other worker holds the lease;
        otherwise say who runs it (the dashboard keeps showing that worker's heartbeat)."""
        try:
            self.embedded = embedded.start_if_free(self.ctx.workspace, clock=self.ctx.clock,
                                                   settings=self.ctx.settings)
        except Exception as exc:  # a worker that cannot start must not stop the console
            self.notify(escape(f"The embedded worker did not start: {exc}"), severity="error")
            return
        if self.embedded is None:
            holder = embedded.current_holder(self.ctx.clock)
            self.notify(escape(f"The sync runs in the {holder.describe()}; this console watches."
                               if holder else "No workspace configuration: this console only "
                               "watches (run `ml-connector worker` to post)."))

    def wake_worker(self) -> None:
        """A fix in the console (SKU mapped, replay): ask the embedded worker to post now."""
        if self.embedded is not None and hasattr(self.embedded, "wake"):
            self.embedded.wake()

    def on_unmount(self) -> None:
        if self.embedded is not None and hasattr(self.embedded, "stop"):
            self.embedded.stop()

    def on_orders_replayed(self) -> None:
        self.wake_worker()

    def on_sku_mapped(self) -> None:
        self.wake_worker()

    # --- keeping the screen in step with the database --------------------------------------

    def check_database(self) -> bool:
        """Cheap change detection (a few index maxima); redraw the screen when anything moved,
        whoever wrote it. Returns whether something changed."""
        if not self.pair_open:
            return False  # the pair picker reads every pair on its own
        marker = queries.change_marker()
        if marker == self._marker:
            return False
        self._marker = marker
        self.screen.post_message(DatabaseChanged(marker))
        return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure is reported here, once, in words, with remote text escaped."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            what = event.worker.description or event.worker.name or "background task"
            self.notify(escape(f"{what}: {event.worker.error}"), title="Failed",
                        severity="error", timeout=10)

    # --- actions ---------------------------------------------------------------------------

    def action_go(self, mode: str) -> None:
        if not self.pair_open:
            self.notify("Choose a pair first (Enter on its row).")
            return
        if self.current_mode != mode:
            self.switch_mode(mode)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Screenshots go into the workspace's exports folder (made when missing) and the
        console says where; Textual's default, ~/Downloads, does not exist on a server."""
        folder = Path(path) if path else self.ctx.export_dir / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as exc:
            self.notify(escape(f"The screenshot could not be saved in {folder}: {exc}"),
                        severity="error")
            return None
        self.notify(escape(f"Screenshot saved: {saved}"), title="Screenshot", timeout=10)
        return saved

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.pairs_base is not None:
            yield SystemCommand("Pairs", "Choose another shop -> GP company pair (key 0)",
                                self.action_pairs)
        for mode, key, title, _screen in SCREENS:
            yield SystemCommand(f"Go to {title}", f"Open the {title} screen (key {key})",
                                lambda m=mode: self.action_go(m))
        yield SystemCommand("Help", "Keys and what each screen is for", self.action_help)
        commands = getattr(screen, "palette_commands", None)
        if callable(commands):
            yield from commands()


class PickerApp(ConnectorApp):
    """The console that opens on the pair picker (several pairs, none named)."""

    DEFAULT_MODE = "pairs"


def make_app(workspace_or_db_path: Workspace | str | os.PathLike[str], *,
             clock: Clock | None = None, start_worker: bool | str = False,
             actor: str | None = None, poll_interval: float | None = 1.0,
             keymap: dict[str, str] | None = None, settings: Settings | None = None,
             pairs_base: Workspace | None = None, pair: str | None = None) -> ConnectorApp:
    """The console over a workspace (folder or Workspace) or a bare state database file.

    start_worker: run an embedded worker when no headless worker holds the lease.
    poll_interval: seconds between database change checks (None: tests drive it by hand).
    pairs_base, pair: the workspace folder holding several pairs and the one opened (key 0
    goes to the pair picker).
    """
    workspace: Workspace | None
    if isinstance(workspace_or_db_path, Workspace):
        workspace = workspace_or_db_path
        db_path = workspace.db_path
    else:
        path = Path(workspace_or_db_path)
        workspace = None if path.suffix in (".db", ".sqlite", ".sqlite3") else Workspace.at(path)
        db_path = workspace.db_path if workspace else path
    if settings is None:
        settings = Settings()
        if workspace is not None and workspace.config_path.exists():
            try:
                settings = workspace.load()
            except ConfigError:
                settings = Settings()  # the console still opens; `check` explains the file
    where: str | Path = db_path
    if workspace is not None:  # its PostgreSQL, when its configuration or environment says so
        where = state_location(db_path, settings.store.database_url)
    init_db(where, home=db_path)
    ctx = ConsoleContext(db_path=db_path, workspace=workspace, settings=settings,
                         clock=clock or SYSTEM_CLOCK, actor=actor or console_actor(),
                         pair=pair if pairs_base is not None else None)
    return ConnectorApp(ctx, poll_interval=poll_interval, start_worker=start_worker,
                        keymap=keymap, pairs_base=pairs_base)


def make_picker_app(base: Workspace, *, clock: Clock | None = None,
                    start_worker: bool | str = False, actor: str | None = None,
                    poll_interval: float | None = 1.0, keymap: dict[str, str] | None = None
                    ) -> ConnectorApp:
    """The console over a workspace folder of several pairs: it opens on the pair picker and
    no pair's database is open until one is chosen."""
    close_db()
    ctx = ConsoleContext(db_path=base.db_path, clock=clock or SYSTEM_CLOCK,
                         actor=actor or console_actor())
    return PickerApp(ctx, poll_interval=poll_interval, start_worker=start_worker,
                     keymap=keymap, pairs_base=base, pair_open=False)
