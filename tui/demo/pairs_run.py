"""`demo --pairs`: three shops and two GP companies (tui/demo/shops.py) as three pairs of one
workspace, run by one `ml-connector worker` supervising a worker process per pair — the same
supervisor (core.worker.AllPairs) and the same per-pair command line a service runs.

    session = PairsSession.start(root, started)   # pairs, the worker, the shops' webhooks
    ...console on the default pair, or run_headless_pairs...
    session.stop()

The headless run makes every shop sell at once (the single-pair demo's activity plan in each
shop), waits until every pair has taken in and posted all of it, and reports per pair
(tui/demo/pair_figures.py).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from core.config import Settings, Workspace
from core.shared_company import gp_company
from core.store.db import close_db, init_db
from core.worker.all_pairs import AllPairs, pair_command
from tui.demo.harness import DemoError, headless_activity, is_idle, local_counts
from tui.demo.pair_figures import pair_figures, pair_ok
from tui.demo.setup import SandboxControl, install_webhooks, state_of
from tui.demo.shops import ShopsAndCompanies, accepts, prepare_pairs

log = logging.getLogger("ml_connector.demo")


@dataclass
class PairsSession:
    base: Workspace
    pairs: dict[str, tuple[Workspace, Settings]]
    controls: dict[str, SandboxControl]  # the pair's shop and GP company
    companies: dict[str, int]  # pair -> GP company number
    supervisor: AllPairs
    thread: threading.Thread
    log_path: Path
    exit_codes: list[int] = field(default_factory=list)
    _log_file: IO[str] | None = None

    @classmethod
    def start(cls, root: Path, started: ShopsAndCompanies, *, webhooks: bool = True,
              startup_timeout_s: float = 90.0) -> PairsSession:
        """Make the pairs, start `ml-connector worker` for the whole workspace (a process per
        pair, their log in <workspace>/logs/worker.log), point each shop's webhooks at its own
        pair's receiver."""
        pairs = prepare_pairs(root, started, webhooks=webhooks)
        log_path = root / "logs" / "worker.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        out = log_path.open("a", encoding="utf-8")
        options = ["--drain-timeout=10"] + ([] if webhooks else ["--no-webhooks"])
        argv = {name: pair_command(["--workspace", str(root)], name, options) for name in pairs}
        supervisor = AllPairs(argv, drain_timeout_s=10.0, output=out)
        codes: list[int] = []
        thread = threading.Thread(target=lambda: codes.append(supervisor.run()),
                                  name="demo-pairs-worker", daemon=True)
        controls = {p.pair: SandboxControl(started.endpoints[p.pair]) for p in started.plans}
        session = cls(Workspace.at(root), pairs, controls,
                      {p.pair: p.company for p in started.plans}, supervisor, thread, log_path,
                      codes, out)
        thread.start()
        try:
            if webhooks:
                session._install_webhooks(startup_timeout_s)
        except BaseException:
            session.stop()
            raise
        return session

    def _install_webhooks(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for name, (ws, settings) in self.pairs.items():
            host, _, port = settings.worker.listen.rpartition(":")
            while not accepts(host, int(port)):
                self.check_running()
                if time.monotonic() > deadline:
                    raise DemoError(f"pair {name}'s worker did not start its webhook receiver "
                                    f"in {timeout_s:.0f} s; see {self.log_path}")
                self.supervisor.stop_requested.wait(0.2)
            init_db(state_of(ws, settings))
            try:
                install_webhooks(ws, settings,
                                 f"http://{settings.worker.listen}/webhooks/woocommerce")
            finally:
                close_db()

    def check_running(self) -> None:
        """DemoError when the supervisor ended or a pair's worker stopped on its own."""
        if not self.thread.is_alive():
            raise DemoError(f"the worker stopped (exit {self.exit_codes}); see {self.log_path}")
        for pair in self.supervisor.pairs:
            if pair.exit_codes:
                raise DemoError(f"pair {pair.name}'s worker stopped (exit "
                                f"{pair.exit_codes[-1]}); see {self.log_path}")

    def stop(self, timeout_s: float = 60.0) -> int | None:
        self.supervisor.request_stop("the demo ended")
        self.thread.join(timeout_s)
        for control in self.controls.values():
            control.close()
        if self._log_file is not None:
            self._log_file.close()
        return self.exit_codes[0] if self.exit_codes else None

    def wait(self, seconds: float) -> None:
        self.supervisor.stop_requested.wait(seconds)

    def pair_idle(self, name: str) -> bool:
        ws, settings = self.pairs[name]
        woo = self.controls[name].woo_state()
        init_db(state_of(ws, settings))
        try:
            return is_idle(woo, local_counts())
        finally:
            close_db()


class PairsRun(Protocol):
    """What the idle wait and the summary need of a run of several pairs: PairsSession (one
    supervisor in this process) or the W supervisors of tui/demo/fleet_run.py."""

    base: Workspace
    pairs: dict[str, tuple[Workspace, Settings]]
    controls: dict[str, SandboxControl]
    companies: dict[str, int]

    def check_running(self) -> None: ...

    def pair_idle(self, name: str) -> bool: ...

    def wait(self, seconds: float) -> None: ...


def wait_until_all_idle(session: PairsRun, *, timeout_s: float, settle_s: float) -> bool:
    """Every pair idle twice in a row, `settle_s` apart (a poll in between had its chance)."""
    deadline = time.monotonic() + timeout_s
    streak = 0
    while time.monotonic() < deadline:
        session.check_running()
        try:
            idle = all(session.pair_idle(name) for name in session.pairs)
        except DemoError:
            raise
        except Exception as exc:  # a busy database or a slow shop: look again
            log.debug("idle check: %s", exc)
            idle = False
        streak = streak + 1 if idle else 0
        if streak >= 2:
            return True
        session.wait(settle_s if idle else 1.0)
    return False


def summarize_pairs(session: PairsRun, *, elapsed_s: float, orders_asked: int,
                    idle: bool) -> dict[str, Any]:
    """Per pair: orders, posted, verified, duplicates, totals per currency (pair_figures)."""
    gp_states: dict[int, dict[str, Any]] = {}
    figures = {}
    for name, (ws, settings) in session.pairs.items():
        company = session.companies[name]
        if company not in gp_states:
            gp_states[company] = session.controls[name].gp_state()
        shown = pair_figures(name, ws, settings, session.controls[name].woo_state(),
                             gp_states[company])
        server = gp_company(settings)[0]
        shown["gp_company"] = f"company {company}: {shown['gp_company']} on {server}"
        figures[name] = shown
    return {
        "orders_requested_per_pair": orders_asked,
        "pairs": figures,
        "every_pair_ok": all(pair_ok(f) for f in figures.values()),
        "idle": idle,
        "elapsed_s": round(elapsed_s, 2),
        "workspace": str(session.base.config_path.parent),
    }


def run_headless_pairs(root: Path, started: ShopsAndCompanies, *, orders: int,
                       timeout_s: float = 900.0, settle_s: float = 6.0) -> dict[str, Any]:
    """`ml-connector demo --headless --pairs --orders N`: N orders in every shop, then status
    changes and refunds, all shops at once; the per-pair summary."""
    begun = time.monotonic()
    session = PairsSession.start(root, started)
    try:
        idle = True
        for phase in headless_activity(orders):
            for burst in phase:
                for control in session.controls.values():
                    control.activity(**burst)
            left = timeout_s - (time.monotonic() - begun)
            idle = wait_until_all_idle(session, timeout_s=max(10.0, left),
                                       settle_s=settle_s) and idle
        return summarize_pairs(session, elapsed_s=time.monotonic() - begun,
                               orders_asked=orders, idle=idle)
    finally:
        session.stop()


__all__ = ["PairsRun", "PairsSession", "run_headless_pairs", "summarize_pairs",
           "wait_until_all_idle"]
