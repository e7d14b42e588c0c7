"""Issue 13 item 6: `worker --once --dry-run` writes nothing (the state database file is
byte-identical) and shows exactly what the real pass then writes, product sync included."""
from __future__ import annotations

import re

from core.store.db import close_db, init_db
from core.store.models import AuditEvent, Job, Order, PollCursor
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, db_digest
from tui.demo.setup import SandboxControl, prepare_workspace


def test_dry_run_writes_nothing_and_foretells_the_real_pass(tmp_path):
    with stand_ins(tmp_path, seed=3, webhook_delay=0) as (box, ep):
        root = tmp_path / "ws"
        ws, _settings = prepare_workspace(root, ep)
        control = SandboxControl(ep)
        try:
            made = control.activity(orders=6, price_changes=2)["orders"]
        finally:
            control.close()
        before = db_digest(ws.db_path)
        dry = cli("--workspace", str(root), "worker", "--once", "--dry-run", "--no-webhooks")
        assert dry.returncode == 0, dry.stderr
        assert db_digest(ws.db_path) == before, "the dry run changed the state database"
        init_db(ws.db_path)
        try:
            assert Order.select().count() == 0 and Job.select().count() == 0
            assert PollCursor.select().count() == 0
            assert not AuditEvent.select().where(AuditEvent.entity.in_(("order", "worker"))
                                                 ).exists()
        finally:
            close_db()
        out = dry.stdout
        assert "DRY RUN: nothing was written" in out
        assert f"intake: {len(made)} new and 0 changed order(s)" in out
        foretold = set(re.findall(r"would post invoice (\S+)", out))
        products = re.search(r"would write (\d+) to WooCommerce and (\d+) to GP .*?"
                             r"(\d+) task\(s\) for the accountant", out)
        assert products, out

        real = cli("--workspace", str(root), "worker", "--once", "--no-webhooks")
        assert real.returncode == 0, real.stderr
        posted = {inv["number"] for inv in box.gp.state()["invoices"]}
        assert foretold and foretold == posted, (foretold, posted)
        # The real pass wrote to as many products, each way, as the dry run said it would.
        synced = re.search(r"product sync: .*?(\d+) to WooCommerce .*?(\d+) to GP .*?"
                           r"(\d+) manual tasks", real.stderr)
        assert synced, real.stderr
        assert synced.groups() == products.groups(), (synced.groups(), products.groups())
