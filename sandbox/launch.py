"""Start both stand-ins (WooCommerce and GP) on loopback, describe them, stop them cleanly.

Used by `ml-connector sandbox` and the demo. The GP stand-in is imported lazily so the
WooCommerce side works on its own when GP is not wanted (`with_gp=False`).
"""
from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from sandbox.woo import WooStandIn


@dataclass
class Sandbox:
    woo: WooStandIn
    gp: Any = None  # sandbox.gp.GPStandIn when started
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """URLs and credentials: the one JSON line `--print-json` prints."""
        w = self.woo
        out: dict[str, Any] = {"woocommerce": {
            "url": w.url, "https_url": w.https_url,
            "ca_file": str(w.ca_file) if w.ca_file else None,
            "consumer_key": w.consumer_key, "consumer_secret": w.consumer_secret,
            "readonly_key": w.readonly_key, "readonly_secret": w.readonly_secret}}
        g = self.gp
        out["gp"] = None if g is None else {
            "soap_url": g.soap_url, "sba_url": g.sba_url,
            "base_url": getattr(g, "base_url", None), "domain": g.domain, "user": g.user,
            "password": g.password, "company": g.company,
            "ca_file": str(g.ca_file) if getattr(g, "ca_file", None) else None}
        return out

    def stop(self) -> None:
        if self.gp is not None:
            self.gp.stop()
        self.woo.stop()


def launch(state_dir: Path, *, seed: int = 0, orders: int = 0, woo_port: int = 0,
           gp_port: int = 0, https: bool = False, host: str = "127.0.0.1",
           with_gp: bool = True, webhook_delay: float = 1.0, gp_profile: str = "configured",
           gp_capacity: dict[str, Any] | None = None) -> Sandbox:
    """Start the WooCommerce stand-in, then the GP one; both ready when this returns.
    gp_profile: "configured" (GP after the README's set-up) or "fresh" (GP's defaults);
    gp_capacity: latency and service processes (sandbox/gp/capacity.py)."""
    state_dir = Path(state_dir)
    woo = WooStandIn(state_dir / "woo", seed=seed, orders=orders, https=https,
                     webhook_delay=webhook_delay)
    # With --https the given port is the HTTPS one (plain HTTP then takes a free port).
    woo.start(host=host, port=0 if https else woo_port, https_port=woo_port if https else 0)
    box = Sandbox(woo)
    if with_gp:
        try:
            from sandbox.gp import GPStandIn  # type: ignore[attr-defined]
        except ImportError as e:
            box.notes.append(f"GP stand-in unavailable: {e}")
            return box
        try:
            gp = GPStandIn(state_dir / "gp", seed=seed, https=https, profile=gp_profile,
                           capacity=gp_capacity)
            gp.start(host=host, port=gp_port)
        except BaseException:
            woo.stop()
            raise
        box.gp = gp
    return box


def wait_for_signal(stop: threading.Event | None = None) -> None:
    """Block until Ctrl-C or SIGTERM (or `stop` is set from another thread)."""
    stop = stop or threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
