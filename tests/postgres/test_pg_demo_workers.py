"""`demo --headless --pairs N --workers W --database postgresql` small (issue 18): four shops,
two `ml-connector worker` supervisors on one workspace, each pair's state in a schema of its own
on the session's real PostgreSQL (--database-url), one supervisor's whole process group killed
with -9 every few seconds (real processes) while the shops sell; every pair's postable orders
verified in GP once, no duplicate, totals matched per currency, and the kills counted."""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from core.store.postgres import open_postgres
from tests.sandbox.demo_support import cli
from tui.cli import main
from tui.demo import database
from tui.demo.database import DemoDatabase
from tui.demo.more_shops import shop_plans

ORDERS = 8


def test_four_pairs_two_workers_killed_and_restarted_post_every_order_once(pg_url):
    """The command as a process, on an existing server (--database-url: the session's)."""
    proc = cli("demo", "--headless", "--pairs", "4", "--workers", "2", "--orders", str(ORDERS),
               "--database-url", pg_url, "--kill-every", "3", "--seed", "3", "--settle", "2",
               "--timeout", "150")
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-3000:]
    summary = json.loads(out)
    pairs = summary["pairs"]
    assert list(pairs) == [p.pair for p in shop_plans(4)]
    assert summary["idle"] is True
    assert summary["every_pair_ok"] is True, json.dumps(pairs, indent=1)
    for name, figures in pairs.items():
        assert figures["orders"] == ORDERS
        assert figures["duplicates"] == 0, figures["duplicate_documents"]
        assert figures["posted"] == figures["verified"] == figures["postable"] > 0, name
        assert figures["gp_documents"]["invoices"] == figures["posted"], name
        assert figures["totals_matched"] is True, figures["total_mismatches"]
        assert figures["held_by_at_end"].startswith("worker "), figures["held_by_at_end"]
        # Webhooks entered at the one `ml-connector receive`, whoever held the pair.
        assert figures["webhooks_stored"] > 0, name
    assert set(pairs["europe"]["totals_by_currency"]) == {"EUR"}
    workers = summary["workers"]
    assert workers["workers"] == 2 and summary["database"] == "postgresql"
    assert workers["receiver"]["ended_on_its_own"] == []
    assert workers["kills"] >= 2 and workers["restarts"] >= workers["kills"]
    # A killed holder's pairs went to the other supervisor (or back): some pair changed hands.
    assert max(f["holders_seen"] for f in pairs.values()) >= 2
    assert "kill -9 of a worker's process group" in err  # the table on stderr
    # Each pair had a schema of its own on the server, dropped at the end.
    assert "schemas demo_" in err and _schemas(pg_url, "demo_") == []


def _schemas(url: str, prefix: str) -> list[str]:
    pg = open_postgres(url)
    try:
        rows = pg.execute_sql("SELECT schema_name FROM information_schema.schemata "
                              "WHERE starts_with(schema_name, %s)", (prefix,)).fetchall()
        return [r[0] for r in rows]
    finally:
        pg.close()


def test_the_command_refuses_workers_without_pairs_headless():
    proc = cli("demo", "--workers", "2")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "--workers and --database postgresql go with --pairs --headless" in err


def test_without_pgserver_the_demo_exits_2_with_the_pip_command(monkeypatch, capsys):
    """No package of that name: as on a machine without the `test` extra."""
    monkeypatch.setattr(database, "SERVER", "pgserver_not_installed_here")
    assert "pip install 'pgserver>=0.1.4,<0.2'" in (database.missing(local=True) or "")
    assert database.missing(local=False) is None  # --database-url needs only the driver
    code = main(["demo", "--headless", "--pairs", "2", "--database", "postgresql"])
    assert code == 2
    assert "pip install 'pgserver>=0.1.4,<0.2'" in capsys.readouterr().err
    # Its log file went with its folder, and so did the handler writing to it: a later
    # warning in this process must not fail on a file that is gone.
    files = [h.baseFilename for h in logging.getLogger().handlers
             if isinstance(h, logging.FileHandler)]
    assert [f for f in files if not Path(f).parent.exists()] == []


def test_the_demos_own_postgresql_takes_many_connections_and_gives_each_pair_a_schema():
    folder = Path(tempfile.mkdtemp(prefix="ml-demo-pg-"))  # short: a Unix socket's path
    try:
        db = DemoDatabase.local(folder / "postgresql")
        try:
            url = db.pair_url("books")
            assert url.endswith("&options=-csearch_path%3Dbooks") and ":@" not in url
            pg = open_postgres(url)
            try:
                assert pg.execute_sql("SHOW max_connections").fetchone()[0] == str(
                    database.MAX_CONNECTIONS)
                assert pg.execute_sql("SELECT current_schema()").fetchone()[0] == "books"
            finally:
                pg.close()
        finally:
            db.stop(keep=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
