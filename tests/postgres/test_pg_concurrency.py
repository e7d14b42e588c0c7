"""Many writers on PostgreSQL: job claims that skip, never share; an audit chain that stays one.

Each thread below has its own PostgreSQL connection (peewee keeps one per thread) and, unlike on
SQLite, no Python lock queues them: the server alone keeps them apart.
"""
from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from peewee import InterfaceError, OperationalError

from core.clock import ManualClock
from core.config import Settings, Workspace
from core.store import audit, queue
from core.store.db import close_db, database, init_db, thread_connection
from core.store.models import AuditEvent, Job
from core.store.postgres import DATABASE_URL_ENV
from tui.cli import main


def _run_together(n: int, work: object) -> list[BaseException]:
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with thread_connection():
                start.wait(timeout=30)
                work(i)  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return errors


def test_a_job_being_claimed_is_skipped_not_waited_for(pg_url):
    """SKIP LOCKED: while one worker's claim transaction holds job 1, another claims job 2 at
    once (a plain guarded UPDATE would wait on job 1's row lock: lock_timeout turns that wait
    into an error here)."""
    clock = ManualClock()
    init_db(pg_url)
    for key in ("A-1", "A-2"):
        queue.enqueue("order", key, clock=clock)
    holding, release = threading.Event(), threading.Event()
    got: dict[str, list[str]] = {}

    def first() -> None:
        with thread_connection(), database.atomic():
            got["first"] = [j.key for j in queue.claim("w1", limit=1, clock=clock)]
            holding.set()
            release.wait(timeout=30)

    t = threading.Thread(target=first)
    t.start()
    assert holding.wait(timeout=30)
    try:
        with thread_connection():
            database.execute_sql("SET lock_timeout = '2s'")
            got["second"] = [j.key for j in queue.claim("w2", limit=5, clock=clock)]
    finally:
        release.set()
        t.join(timeout=30)
    assert got == {"first": ["A-1"], "second": ["A-2"]}


def test_three_claimers_at_once_never_hold_the_same_job_nor_two_of_one_customer(pg_url):
    clock = ManualClock()
    init_db(pg_url)
    for i in range(60):
        queue.enqueue("order", f"solo-{i}", clock=clock)
    for g in range(10):
        for i in range(3):
            queue.enqueue("order", f"c{g}-{i}", clock=clock, group_key=f"customer:{g}")
    claims: dict[int, list[str]] = {}

    def claimer(i: int) -> None:
        mine = claims.setdefault(i, [])
        while True:
            batch = queue.claim(f"worker-{i}", limit=3, lease_s=600, clock=clock)
            if not batch:
                return
            mine.extend(j.key for j in batch)

    assert _run_together(3, claimer) == []
    every = [k for keys in claims.values() for k in keys]
    assert [k for k, n in Counter(every).items() if n > 1] == []
    assert {k for k in every if k.startswith("solo-")} == {f"solo-{i}" for i in range(60)}
    per_customer = Counter(k.split("-")[0] for k in every if k.startswith("c"))
    assert per_customer == {f"c{g}": 1 for g in range(10)}  # one in flight per customer
    assert Job.select().where(Job.status == "leased").count() == len(every) == 70


def test_four_writers_appending_at_once_leave_one_chain_audit_verify_accepts(
        pg_url, tmp_path, monkeypatch, capsys):
    init_db(pg_url)
    clock = ManualClock()

    def writer(i: int) -> None:
        for n in range(25):
            if n % 5 == 0:
                audit.record_many([("order", f"{i}-{n}-{k}", "received", "page", None)
                                   for k in range(3)], actor=f"writer-{i}", clock=clock)
            elif n % 2:
                with database.atomic():
                    audit.record("order", f"{i}-{n}", "posted", "posted", actor=f"writer-{i}",
                                 data={"n": n}, clock=clock)
            else:  # no transaction of the caller's: record() makes its own
                audit.record("order", f"{i}-{n}", "held", "held", actor=f"writer-{i}",
                             clock=clock)

    assert _run_together(4, writer) == []
    report = audit.verify_chain()
    assert report.ok, report.problem
    assert report.events == AuditEvent.select().count() == 4 * (20 + 5 * 3)
    prevs = [e.prev_hash for e in AuditEvent.select(AuditEvent.prev_hash)]
    assert len(prevs) == len(set(prevs))  # no event has two successors: the chain never forked
    # `ml-connector audit verify`, its state on PostgreSQL through ML_CONNECTOR_DATABASE_URL.
    ws = tmp_path / "ws"
    Workspace.at(ws).save(Settings())
    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    close_db()
    assert main(["audit", "verify", "--workspace", str(ws)]) == 0
    assert f"audit trail intact: {4 * 35} event(s)" in capsys.readouterr().out
    assert not (ws / "state.db").exists()
    AuditEvent.update(message="edited").where(AuditEvent.id == 70).execute()
    assert main(["audit", "verify", "--workspace", str(ws)]) == 1
    assert "BROKEN at event 70" in capsys.readouterr().out


def test_a_connection_the_server_dropped_is_replaced_at_its_next_use(pg_url, pg_server):
    """A PostgreSQL restart or failover drops every connection: the statement that meets the
    dropped one fails (it is not sent twice), the next one opens a new connection."""
    clock = ManualClock()
    init_db(pg_url)
    queue.enqueue("order", "A-1", clock=clock)
    name = urlsplit(pg_url).path.strip("/")
    admin = pg_server.admin()
    admin.cursor().execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    admin.close()
    with pytest.raises((OperationalError, InterfaceError)):
        Job.select().count()
    assert Job.select().count() == 1
    with database.atomic():
        queue.enqueue("order", "A-2", clock=clock)
    assert [j.key for j in queue.claim("w", limit=5, clock=clock)] == ["A-1", "A-2"]
