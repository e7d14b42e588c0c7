"""`demo --headless --pairs N --workers W [--database postgresql]`: N shops, W worker supervisors
(`worker --share`) on one workspace and one `ml-connector receive` taking every shop's webhooks
(tui/demo/workers.py), one supervisor killed with -9 (its whole process group) every few seconds
and started again, while every shop sells; then, per pair, what reached GP
(tui/demo/pair_figures.py), how many webhook deliveries the receiver stored for it, who held the
pair at the end and how many holders it had.

A pair is idle when everything its shop did is in the pair's state and nothing is left to do
(tui.demo.harness.is_idle), and besides every order's status and every refund is taken in (the
pair's holder may just have been killed; a poll brings whatever a webhook did not).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import fn

from core.clock import SYSTEM_CLOCK
from core.config import Settings, Workspace
from core.intake.receiver import PATH as WEBHOOK_PATH
from core.store.db import close_db, init_db
from core.store.models import Order, Refund, WebhookDelivery
from core.worker.lease import read_lease
from tui.demo.harness import DemoError, headless_activity, is_idle, local_counts
from tui.demo.pair_figures import pair_lines, pair_ok
from tui.demo.pairs_run import summarize_pairs, wait_until_all_idle
from tui.demo.setup import SandboxControl, install_webhooks, state_of
from tui.demo.shops import ShopsAndCompanies, accepts, free_listen, prepare_pairs
from tui.demo.workers import Fleet

log = logging.getLogger("ml_connector.demo")


@dataclass
class FleetSession:
    base: Workspace
    pairs: dict[str, tuple[Workspace, Settings]]
    controls: dict[str, SandboxControl]
    companies: dict[str, int]
    fleet: Fleet
    holders: dict[str, list[int]] = field(default_factory=dict)  # pids seen holding, in turn
    stopped: threading.Event = field(default_factory=threading.Event)

    def check_running(self) -> None:
        self.fleet.keep_running()

    def wait(self, seconds: float) -> None:
        self.stopped.wait(seconds)

    def pair_idle(self, name: str) -> bool:
        ws, settings = self.pairs[name]
        woo = self.controls[name].woo_state()
        init_db(state_of(ws, settings))
        try:
            self._note_holder(name)
            return is_idle(woo, local_counts()) and caught_up(woo)
        finally:
            close_db()

    def _note_holder(self, name: str) -> None:
        info = read_lease()
        if info is None or not info.alive(SYSTEM_CLOCK.now()):
            return
        self.fleet.holder_pids[name] = info.pid
        seen = self.holders.setdefault(name, [])
        if not seen or seen[-1] != info.pid:
            seen.append(info.pid)

    def wait_for_holders(self) -> None:
        """Until every pair is held again (a killed holder's pairs are taken over at once on
        this host, or once its lease expires; with --share one start at a time), at most two
        lease lifetimes."""
        ttl = max(settings.worker.lease_ttl_s for _ws, settings in self.pairs.values())
        deadline = time.monotonic() + 2 * ttl
        while time.monotonic() < deadline and \
                any(self.holder_at_end(name) == "none" for name in self.pairs):
            self.wait(1.0)

    def install_webhooks(self, listen: str, timeout_s: float = 60.0) -> None:
        """Once the receiver of every pair answers, every shop's webhooks point at it."""
        host, _, port = listen.rpartition(":")
        deadline = time.monotonic() + timeout_s
        while not accepts(host, int(port)):
            self.check_running()
            if time.monotonic() > deadline:
                raise DemoError(f"`ml-connector receive` did not start on {listen} in "
                                f"{timeout_s:.0f} s; see its log in the workspace's logs/")
            self.wait(0.2)
        for ws, settings in self.pairs.values():
            init_db(state_of(ws, settings))
            try:
                install_webhooks(ws, settings, f"http://{listen}{WEBHOOK_PATH}")
            finally:
                close_db()

    def webhooks_stored(self, name: str) -> int:
        """Deliveries the receiver of every pair stored in this pair's state."""
        ws, settings = self.pairs[name]
        init_db(state_of(ws, settings))
        try:
            return int(WebhookDelivery.select().where(
                WebhookDelivery.verdict == "accepted").count())
        finally:
            close_db()

    def holder_at_end(self, name: str) -> str:
        ws, settings = self.pairs[name]
        init_db(state_of(ws, settings))
        try:
            info = read_lease()
        finally:
            close_db()
        if info is None or not info.alive(SYSTEM_CLOCK.now()):
            return "none"
        number = self.fleet.owner_of(info.pid)
        return f"worker {number} (pid {info.pid})" if number else f"pid {info.pid}"


def caught_up(woo: dict[str, Any]) -> bool:
    """Every shop order's status and every refund are in the pair's state."""
    rows: list[Any] = list(Order.select(Order.woo_id, Order.status).tuples())
    ours = {int(woo_id): str(status) for woo_id, status in rows}
    for order in woo.get("orders", []):
        status = str(order.get("status", ""))
        if not status.endswith("draft") and ours.get(int(order["id"])) != status:
            return False
    refunds = Refund.select(fn.COUNT(Refund.id)).scalar() or 0
    return int(refunds) >= len(woo.get("refunds", []))


def run_headless_fleet(root: Path, started: ShopsAndCompanies, *, orders: int, workers: int,
                       database_urls: dict[str, str] | None = None, seed: int = 0,
                       kill_every_s: float = 8.0, timeout_s: float = 900.0,
                       settle_s: float = 6.0) -> dict[str, Any]:
    """The shops sell (N orders each, then status changes and refunds) while the W supervisors
    run the pairs and get killed; the chaos stops once all is posted, the pairs settle again,
    and the summary is per pair plus the kills."""
    begun = time.monotonic()
    pairs = prepare_pairs(root, started, webhooks=False, database_urls=database_urls)
    listen = free_listen()
    fleet = Fleet(root, workers, seed=seed, kill_every_s=kill_every_s, receiver_listen=listen)
    session = FleetSession(Workspace.at(root), pairs,
                           {p.pair: SandboxControl(started.endpoints[p.pair])
                            for p in started.plans},
                           {p.pair: p.company for p in started.plans}, fleet)
    fleet.start()
    phases: dict[str, float] = {}
    try:
        session.install_webhooks(listen)
        idle = True
        labels = ("orders", "changes_and_refunds")
        for label, phase in zip(labels, headless_activity(orders), strict=True):
            for burst in phase:
                for control in session.controls.values():
                    control.activity(**burst)
            idle = wait_until_all_idle(session, timeout_s=_left(begun, timeout_s),
                                       settle_s=settle_s) and idle
            phases[label] = round(time.monotonic() - begun, 1)
        fleet.stop_chaos()
        # After the last kill: whatever a killed holder left half done is finished by now.
        idle = wait_until_all_idle(session, timeout_s=_left(begun, timeout_s),
                                   settle_s=settle_s) and idle
        phases["settled_after_the_last_kill"] = round(time.monotonic() - begun, 1)
        session.wait_for_holders()
        summary = summarize_pairs(session, elapsed_s=time.monotonic() - begun,
                                  orders_asked=orders, idle=idle)
        summary["done_at_s"] = phases
        for name, figures in summary["pairs"].items():
            figures["held_by_at_end"] = session.holder_at_end(name)
            figures["holders_seen"] = len(session.holders.get(name, []))
            figures["webhooks_stored"] = session.webhooks_stored(name)
        summary["workers"] = fleet.figures()
        summary["database"] = "postgresql" if database_urls else "sqlite"
        return summary
    finally:
        session.stopped.set()
        fleet.stop()
        for control in session.controls.values():
            control.close()


def _left(begun: float, timeout_s: float) -> float:
    return max(10.0, timeout_s - (time.monotonic() - begun))


def fleet_lines(summary: dict[str, Any]) -> list[str]:
    """The per-pair table, who held each pair at the end, and the kills."""
    lines = pair_lines(summary)
    for name, f in summary["pairs"].items():
        lines.append(f"{name:<10} held at the end by {f['held_by_at_end']}; "
                     f"{f['holders_seen']} holder(s) seen; {f['webhooks_stored']} webhook "
                     f"deliveries stored{'' if pair_ok(f) else '  <- NOT OK'}")
    w = summary["workers"]
    every = f"about every {w['kill_every_s']:g} s" if w["kill_every_s"] else "none asked"
    lines.append(f"{w['workers']} workers, {w['kills']} kill -9 of a worker's process group "
                 f"({every}), {w['restarts']} restarts; {summary['database']}; "
                 f"{summary['elapsed_s']} s")
    if w.get("receiver"):
        lines.append(f"webhooks entered at `{w['receiver']['command']}` for every pair")
    return lines


__all__ = ["FleetSession", "caught_up", "fleet_lines", "run_headless_fleet"]
