"""The console's pair picker over pairs whose state is on PostgreSQL (a schema each): every
pair's queues are read through a read-only connection of its own, whichever pair this process
has open, and reading takes no lease and writes nothing."""
from __future__ import annotations

from core.clock import ManualClock
from core.config import Workspace
from core.pairs import pair_workspace
from core.queries.pair_queues import all_pairs
from core.secrets.keys import ENV_VAR
from core.store.db import close_db, database, init_db
from core.store.models import WorkerLease
from tests.tui.seed import START, add_order
from tui.cli import main
from tui.commands.common import PAIR_ENV, WORKSPACE_ENV


def _schema_url(pg_url: str, schema: str) -> str:
    return f"{pg_url}&options=-csearch_path%3D{schema}"


def test_the_picker_reads_every_postgresql_pairs_queues_read_only(tmp_path, pg_url, monkeypatch):
    for name in (ENV_VAR, WORKSPACE_ENV, PAIR_ENV):
        monkeypatch.delenv(name, raising=False)
    clock = ManualClock(START)
    init_db(pg_url, migrate=False)
    for schema in ("retail", "wholesale"):
        database.execute_sql(f'CREATE SCHEMA "{schema}"')
    close_db()
    ws_dir = tmp_path / "ws"
    for pair, schema, shop in (("default", "retail", "https://shop-a.example.com"),
                               ("wholesale", "wholesale", "https://shop-b.example.com")):
        named = [] if pair == "default" else ["--pair", pair]
        assert main(["init", "--workspace", str(ws_dir), "--non-interactive", "--woo-url", shop,
                     "--gp-company", schema[:3].upper(), "--database-url",
                     _schema_url(pg_url, schema), *named]) == 0
        close_db()
    init_db(_schema_url(pg_url, "retail"))
    add_order(clock, 1001, state="new", skus=["BLU-TEE-M"], total="24.00")
    add_order(clock, 1002, state="held", skus=["NO-SUCH"], total="9.50", hold_reason="sku",
              hold_detail="NO-SUCH is not a GP item")
    close_db()
    # The console has the wholesale pair open while the picker reads both.
    init_db(_schema_url(pg_url, "wholesale"))
    try:
        rows = {row.name: row for row in all_pairs(Workspace.at(ws_dir), clock)}
        assert database.execute_sql("SELECT current_schema()").fetchone()[0] == "wholesale"
    finally:
        close_db()
    assert sorted(rows) == ["default", "wholesale"]
    for row in rows.values():
        assert row.problem is None, row.problem
    retail, wholesale = rows["default"].queues, rows["wholesale"].queues
    assert retail is not None and wholesale is not None
    assert (retail.incoming, retail.held, retail.failed) == (1, 1, 0)
    assert (wholesale.incoming, wholesale.held, wholesale.failed) == (0, 0, 0)
    for schema in ("retail", "wholesale"):
        init_db(_schema_url(pg_url, schema))
        assert WorkerLease.select().count() == 0
        close_db()
    assert pair_workspace(Workspace.at(ws_dir), "wholesale").db_path.exists() is False


def test_a_pair_on_a_postgresql_from_an_older_version_asks_to_be_opened_once(tmp_path, pg_url,
                                                                             monkeypatch):
    for name in (ENV_VAR, WORKSPACE_ENV, PAIR_ENV):
        monkeypatch.delenv(name, raising=False)
    ws_dir = tmp_path / "ws"
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive", "--woo-url",
                 "https://shop-a.example.com", "--database-url", pg_url]) == 0
    close_db()
    init_db(pg_url, migrate=False)
    database.execute_sql('UPDATE "ml_schema_version" SET "version" = 1')
    close_db()
    row = all_pairs(Workspace.at(ws_dir), ManualClock(START))[0]
    assert row.queues is None
    assert row.problem is not None and "older version" in row.problem, row.problem

