"""Both stand-ins for the worker and demo tests, started the way `ml-connector demo` does."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def stand_ins(tmp_path: Path, *, seed: int = 0, webhook_delay: float = 0.2) -> Iterator[tuple]:
    """(sandbox box, DemoEndpoints) for the life of the block."""
    from sandbox.launch import launch
    from tui.demo.setup import DemoEndpoints

    box = launch(tmp_path / "stand-ins", seed=seed, webhook_delay=webhook_delay)
    try:
        gp, shop = box.gp, box.woo
        ep = DemoEndpoints(
            woo_url=shop.url, woo_key=shop.consumer_key, woo_secret=shop.consumer_secret,
            gp_soap_url=gp.soap_url, gp_sba_url=gp.sba_url, gp_base_url=gp.base_url,
            gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password, gp_company=gp.company)
        yield box, ep
    finally:
        box.stop()


def wait_for(predicate: Callable[[], bool], timeout_s: float = 60.0, every_s: float = 0.05
             ) -> bool:
    """Wait for a condition another process makes true (no cross-process event exists for
    "the worker committed SENDING"); a deadline, not a guess at how long it takes."""
    tick = threading.Event()
    deadline = timeout_s / every_s
    n = 0
    while n < deadline:
        if predicate():
            return True
        tick.wait(every_s)
        n += 1
    return predicate()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`ml-connector ARGS` as its own process."""
    return subprocess.Popen([sys.executable, "-m", "tui.cli", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
