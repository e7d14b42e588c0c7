"""A workspace set up against both stand-ins, the way the README's set-up order leaves it."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from core.config import Workspace
from core.store.db import close_db
from tui.demo.setup import SandboxControl, prepare_workspace

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


def shop_workspace(tmp_path: Path, ep, *, store_time_zone: bool = True,
                   **posting) -> tuple[Workspace, str]:
    """A workspace on both stand-ins (`ep`: their endpoints) as the README's set-up leaves it,
    with the product sync off (these tests are about orders), the schedule in the stand-in
    store's time zone unless `store_time_zone` is False, and any `[posting]` settings given;
    saved. The workspace, and its path for `--workspace`."""
    ws, settings = prepare_workspace(tmp_path / "ws", ep)
    settings.products.enabled = False
    if store_time_zone:
        settings.worker.schedule.timezone = "America/New_York"
    for key, value in posting.items():
        setattr(settings.posting, key, value)
    ws.save(settings)
    return ws, str(tmp_path / "ws")


def sell_and_sync(ep, root: str, orders: int) -> None:
    """The shop takes `orders` orders, then one worker pass (polling, no webhooks) posts them."""
    control = SandboxControl(ep)
    try:
        control.activity(orders=orders)
    finally:
        control.close()
    run = cli("--workspace", root, "worker", "--once", "--no-webhooks")
    assert run.returncode == 0, run.stderr
