"""A workspace set up against both stand-ins, the way the README's set-up order leaves it."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from core.store.db import close_db

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`ml-connector ARGS` in its own process (exit codes and stdout as a person sees them)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def db_digest(db_path: Path) -> str:
    """The state database file's bytes, after every connection of this process is closed (so
    the WAL is folded in and nothing is pending)."""
    close_db()
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
    return hashlib.sha256(db_path.read_bytes()).hexdigest()
