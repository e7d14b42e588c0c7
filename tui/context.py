"""What every screen needs to know: where the database is, who is acting, what time it is."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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

    @property
    def export_dir(self) -> Path:
        root = self.workspace.db_path.parent if self.workspace else self.db_path.parent
        return root / "exports"
