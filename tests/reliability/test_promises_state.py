"""reliability.md §8 promises about the local state, each with a test that can fail:

10. Lost local state: restoring a backup taken before posting (what a NORMAL-mode rollback or a
    restored backup does) and running again produces zero duplicates: read-before-post is
    unconditional.
16. Two-process contention: a console process writing every 100 ms while a worker process posts
    sees no "database is locked"; every write path is BEGIN IMMEDIATE (static check);
    integrity_check is ok afterwards and the WAL stays under 64 MB.
17. Power-loss durability, the pragma half: synchronous=FULL (and WAL, and the busy timeout) on
    every connection, including ones opened later by other threads. The power cuts themselves
    (un-fsynced writes lost, through a test VFS) are in test_power_loss.py.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from pathlib import Path

from core.store.db import close_db, database, init_db, thread_connection
from core.store.models import AuditEvent, Job, Order
from tests.core.pipeline_env import (
    PASSWORD_ENV,
    WOO_KEY_ENV,
    WOO_SECRET_ENV,
    eligible_orders,
    invoices_by_po,
    start_env,
)

ROOT = Path(__file__).resolve().parents[2]


def _post_until_quiet(env) -> None:
    runner = env.runner()
    for _ in range(6):
        runner.run_until_idle()
        if not Job.select().where(Job.status == "queued").exists():
            return
        Job.update(run_at=Job.created_at).where(Job.status == "queued").execute()


def test_10_a_restored_backup_posts_nothing_twice(tmp_path):
    env = start_env(tmp_path, orders=16, seed=21)
    try:
        env.ingest()
        env.refresh_items()
        backup = tmp_path / "before-posting.db"
        database.execute_sql("VACUUM INTO ?", (str(backup),))
        _post_until_quiet(env)
        posted_first = len(invoices_by_po(env))
        assert posted_first >= 5
        # The posting rows are lost: the database goes back to the backup.
        close_db()
        for suffix in ("", "-wal", "-shm"):
            Path(str(env.ws.db_path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(backup, env.ws.db_path)
        init_db(env.ws.db_path)
        assert Order.select().where(Order.state.in_(("posted", "verified"))).count() == 0
        _post_until_quiet(env)
        by_po = invoices_by_po(env)
        assert {po: len(d) for po, d in by_po.items() if len(d) > 1} == {}
        assert set(by_po) == set(eligible_orders(env))
        found = AuditEvent.select().where((AuditEvent.kind == "dedupe")
                                          & AuditEvent.message.contains("already holds")).count()
        assert found >= posted_first  # each one was read back from GP, none created again
    finally:
        env.close()
        close_db()


WRITE_LOCKS = {"DEFERRED", "deferred"}


def test_16_every_write_transaction_is_immediate():
    """Static: no transaction opened DEFERRED or by a raw BEGIN; the one database object's
    atomic()/transaction() default to IMMEDIATE (core.store.db._Database)."""
    problems = []
    for path in sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "tui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("atomic", "transaction", "manual_commit"):
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                args += [k.value.value for k in node.keywords
                         if k.arg == "lock_type" and isinstance(k.value, ast.Constant)]
                if node.func.attr == "manual_commit" or set(map(str, args)) & WRITE_LOCKS \
                        or None in args:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    node.value.strip().upper().startswith("BEGIN") and \
                    "IMMEDIATE" not in node.value.upper():
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert problems == []
    init_flag = ast.parse((ROOT / "core/store/db.py").read_text())
    defaults = [n for n in ast.walk(init_flag) if isinstance(n, ast.FunctionDef)
                and n.name in ("atomic", "transaction")]
    assert len(defaults) == 2 and all(
        isinstance(d.args.defaults[0], ast.Constant) and d.args.defaults[0].value == "IMMEDIATE"
        for d in defaults)


CONSOLE = textwrap.dedent("""
    import sys, time
    from core.store.db import init_db
    from core import gl
    init_db(sys.argv[1])
    errors = writes = 0
    stop = sys.argv[2]
    import os
    while not os.path.exists(stop):
        try:
            gl.set_account("company", "", "rounding", "000-7900-00", actor="console:test")
            writes += 1
        except Exception as exc:
            errors += 1
            print(type(exc).__name__, exc, file=sys.stderr)
        time.sleep(0.1)  # the console's pace: one write every 100 ms (not a wait for a result)
    print(writes, errors)
""")


def test_16_console_and_worker_processes_never_see_a_locked_database(tmp_path):
    env = start_env(tmp_path, orders=20, seed=16)
    try:
        env.ingest()
        env.refresh_items()
        close_db()
        stop = tmp_path / "stop"
        console = subprocess.Popen([sys.executable, "-c", CONSOLE, str(env.ws.db_path),
                                    str(stop)], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        child = dict(os.environ)
        child.update({PASSWORD_ENV: env.gp.password, WOO_KEY_ENV: env.shop.consumer_key,
                      WOO_SECRET_ENV: env.shop.consumer_secret})
        worker = subprocess.run(
            [sys.executable, "-m", "core.pipeline.cli", "--workspace",
             str(env.ws.db_path.parent), "--gp-password-env", PASSWORD_ENV, "--woo-key-env",
             WOO_KEY_ENV, "--woo-secret-env", WOO_SECRET_ENV, "--concurrency", "4"],
            cwd=ROOT, env=child, capture_output=True, text=True, timeout=300)
        stop.touch()
        out, err = console.communicate(timeout=60)
        assert worker.returncode == 0, worker.stderr[-2000:]
        assert "locked" not in worker.stderr.lower() and "busy" not in worker.stderr.lower()
        writes, errors = map(int, out.split())
        assert errors == 0 and writes >= 5, err
        init_db(env.ws.db_path)
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        wal = Path(str(env.ws.db_path) + "-wal")
        assert not wal.exists() or wal.stat().st_size < 64 * 1024 * 1024
        by_po = Counter(d["po"] for d in env.gp.state()["invoices"])
        assert by_po and all(n == 1 for n in by_po.values())
    finally:
        env.close()
        close_db()


def test_17_every_connection_is_synchronous_full(tmp_path):
    init_db(tmp_path / "state.db")
    seen: list[tuple[int, str, int]] = []

    def look() -> None:
        with thread_connection():
            seen.append((database.execute_sql("PRAGMA synchronous").fetchone()[0],
                         database.execute_sql("PRAGMA journal_mode").fetchone()[0],
                         database.execute_sql("PRAGMA busy_timeout").fetchone()[0]))

    look()
    threads = [threading.Thread(target=look) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_db()
    assert seen == [(2, "wal", 10_000)] * 4
