"""What every screen needs to know: where the database is, who is acting, what time it is."""
from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace


def console_actor() -> str:
    """The audit trail's "who": console:<os user>."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (some containers): still say it was the console
        user = "unknown"
    return f"console:{user}"


@dataclass
class ConsoleContext:
    db_path: Path
    workspace: Workspace | None = None
    settings: Settings = field(default_factory=Settings)
    clock: Clock = SYSTEM_CLOCK
    actor: str = field(default_factory=console_actor)

    @property
    def export_dir(self) -> Path:
        root = self.workspace.db_path.parent if self.workspace else self.db_path.parent
        return root / "exports"
