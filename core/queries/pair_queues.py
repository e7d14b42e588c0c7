"""Every pair's queues at a glance, for the console's pair picker: each pair's shop, GP company,
what waits (incoming, held, failed) and when its worker last polled.

Read from each pair's own state database through a read-only connection of its own
(core.store.private_read.private_readonly): the pair the console has open, if any, stays open,
no other pair's lease is taken and nothing is migrated or written. A pair whose configuration
or database cannot be read is still listed, with what is wrong in words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from peewee import Database, fn

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConnectorError
from core.pairs import list_pairs, pair_workspace
from core.queries.dashboard import INCOMING_STATES, WorkerStatus, parse_time, worker_status
from core.store.db import tuples
from core.store.models import Order, Setting
from core.store.private_read import private_readonly
from core.store.states import DocState
from core.worker.lease import LAST_RUN_KEY


@dataclass(frozen=True)
class PairQueues:
    incoming: int
    held: int
    failed: int
    worker: WorkerStatus | None  # the lease, live or expired (None once released)
    stopped_at: datetime | None = None  # when the last worker released it (cleanly stopped)
    last_run_poll_at: datetime | None = None  # that worker's last poll

    @property
    def last_poll_at(self) -> datetime | None:
        if self.worker is not None and self.worker.last_poll_at is not None:
            return self.worker.last_poll_at
        return self.last_run_poll_at


@dataclass(frozen=True)
class PairOverview:
    """One row of the picker: `queues` is None when `problem` says why it could not be read."""

    name: str
    workspace: Workspace
    shop: str
    company: str
    queues: PairQueues | None = None
    problem: str | None = None


def pair_queues(db: Database, clock: Clock = SYSTEM_CLOCK) -> PairQueues:
    """The queue counts of the database `db` (a connection of its own)."""
    by_state: dict[str, int] = dict(tuples(
        Order.select(Order.state, fn.COUNT(Order.id)).group_by(Order.state).bind(db)))
    row = Setting.select().where(Setting.key == LAST_RUN_KEY).first(db)
    last = row.value if row is not None and isinstance(row.value, dict) else {}
    return PairQueues(incoming=sum(by_state.get(s, 0) for s in INCOMING_STATES),
                      held=by_state.get(DocState.HELD, 0),
                      failed=by_state.get(DocState.FAILED, 0),
                      worker=worker_status(clock, db),
                      stopped_at=parse_time(last.get("stopped_at")),
                      last_run_poll_at=parse_time(last.get("last_poll_at")
                                                  or last.get("last_poll")))


def _host(url: str) -> str:
    return urlsplit(url).netloc or url or "(no shop set)"


def pair_overview(base: Workspace, name: str, clock: Clock = SYSTEM_CLOCK) -> PairOverview:
    ws = pair_workspace(base, name)
    try:
        settings = ws.load() if ws.config_path.exists() else Settings()
    except ConnectorError as exc:
        return PairOverview(name, ws, "?", "?", problem=f"configuration: {exc}")
    shop, company = _host(settings.woocommerce.url), settings.gp.company or "(not set)"
    where = settings.store.database_url or ws.db_path
    if not settings.store.database_url and not ws.db_path.exists():
        return PairOverview(name, ws, shop, company,
                            problem="no state database yet: run `ml-connector init --pair "
                                    f"{name}` again")
    try:
        with private_readonly(where) as db:
            queues = pair_queues(db, clock)
    except ConnectorError as exc:
        return PairOverview(name, ws, shop, company, problem=str(exc))
    return PairOverview(name, ws, shop, company, queues=queues)


def all_pairs(base: Workspace, clock: Clock = SYSTEM_CLOCK) -> list[PairOverview]:
    """Every pair of the workspace folder, the default pair first."""
    return [pair_overview(base, name, clock) for name in list_pairs(base)]


__all__ = ["PairOverview", "PairQueues", "all_pairs", "pair_overview", "pair_queues"]
