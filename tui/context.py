"""What every screen needs to know: where the database is, who is acting, what time it is."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.store.audit import actor


def console_actor() -> str:
    """The audit trail's "who": console:<os user>."""
    return actor("console")


@dataclass
class ConsoleContext:
    db_path: Path
    workspace: Workspace | None = None
    settings: Settings = field(default_factory=Settings)
    clock: Clock = SYSTEM_CLOCK
    actor: str = field(default_factory=console_actor)
    pair: str | None = None  # named only when the workspace holds several pairs

    @property
    def export_dir(self) -> Path:
        root = self.workspace.db_path.parent if self.workspace else self.db_path.parent
        return root / "exports"

    @property
    def zone(self) -> ZoneInfo:
        """The store's time zone ([worker.schedule] timezone): every time on screen is in it."""
        try:
            return ZoneInfo(self.settings.worker.schedule.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def local(self, when: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """`when` (UTC inside) in the store's time zone, for a cell whose header names it."""
        return when.astimezone(self.zone).strftime(fmt) if when else ""

    def zone_name(self) -> str:
        """The zone's short name now (CST, CET, UTC), for column headers."""
        return self.clock.now().astimezone(self.zone).tzname() or str(self.zone)

    def where(self) -> str:
        """Which shop and which GP company this console shows."""
        shop = urlsplit(self.settings.woocommerce.url).hostname or "no shop configured"
        company = self.settings.gp.company or "no GP company configured"
        pair = f"pair {self.pair}: " if self.pair else ""
        return f"{pair}{shop} → GP {company}"
