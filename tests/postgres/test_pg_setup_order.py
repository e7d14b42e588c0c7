"""The README's set-up order with the state on PostgreSQL (`init --database-url`), every step
through the CLI as an operator runs it: init -> check (fails on what is missing) -> GL and
gateways -> check passes -> dry run (writes nothing to PostgreSQL) -> worker pass posts what
the dry run foretold -> status and reconcile read it back. Nothing lands in a SQLite file."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

from core.store.db import close_db, init_db
from core.store.models import ALL_MODELS
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, readme_setup
from tui.demo.setup import SandboxControl


def _state_digest(url: str) -> dict[str, str]:
    """Every row of every table of the state, in key order, per table: what "wrote nothing"
    compares (a difference names the table)."""
    init_db(url)
    try:
        out = {}
        for model in ALL_MODELS:
            digest = hashlib.sha256()
            for row in model.select().order_by(*model._meta.sorted_fields[:1]).tuples():
                # BYTEA reads back as memoryview, whose repr is its address: compare bytes
                digest.update(repr([bytes(v) if isinstance(v, memoryview) else v
                                    for v in row]).encode())
            out[model.__name__] = digest.hexdigest()[:12]
        return out
    finally:
        close_db()


def test_the_readme_setup_order_with_the_state_on_postgresql(tmp_path, pg_url, monkeypatch):
    with stand_ins(tmp_path, seed=4, webhook_delay=0) as (box, ep):
        control = SandboxControl(ep)
        try:
            control.activity(orders=6)
        finally:
            control.close()
        root = str(tmp_path / "ws")
        ws = readme_setup(tmp_path / "ws", ep, monkeypatch, "--database-url", pg_url)
        check = cli("--workspace", root, "check", "--no-probe")
        assert "postgresql://postgres@" in check.stdout, check.stdout
        before = _state_digest(pg_url)
        dry = cli("--workspace", root, "worker", "--once", "--dry-run", "--no-webhooks")
        assert dry.returncode == 0, dry.stderr
        after = _state_digest(pg_url)
        assert {t: d for t, d in after.items() if before[t] != d} == {}
        foretold = set(re.findall(r"would post invoice (\S+)", dry.stdout))
        assert foretold
        work = cli("--workspace", root, "worker", "--once", "--no-webhooks")
        assert work.returncode == 0, work.stderr
        in_gp = {inv["number"] for inv in box.gp.state()["invoices"]}
        assert in_gp == foretold
        status = json.loads(cli("--workspace", root, "status", "--json").stdout)
        assert status["in_gp"]["invoices"] == len(in_gp)
        today = datetime.now(timezone.utc).date()  # the shop sold just now
        recon = cli("--workspace", root, "reconcile", "--from", str(today - timedelta(days=2)),
                    "--to", str(today + timedelta(days=1)), "--json")
        # Live (before the vault fix it fell back to the stored copy: the vault was looked
        # for in a state.db that does not exist), and WooCommerce matches GP.
        assert recon.returncode == 0, recon.stdout + recon.stderr
        report = json.loads(recon.stdout)
        assert report["source"].startswith("live"), report["source"]
        assert sum(row["gp_invoices"]["count"] for row in report["rows"]) == len(in_gp)
        assert all(row["matches"] for row in report["rows"]), report["rows"]
        assert not ws.db_path.exists()
