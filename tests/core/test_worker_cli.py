"""`status`, `reconcile` and `worker` from the command line, in real subprocesses where the
process boundary matters (exit codes, a second worker refused)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from core.clock import SYSTEM_CLOCK
from core.config import Settings, Workspace, dump_settings
from core.store.db import init_db
from core.store.models import Order
from core.worker.lease import Lease
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.at(tmp_path / "ws")
    ws.config_path.parent.mkdir(parents=True, exist_ok=True)
    s = Settings()
    s.worker.schedule.timezone = "America/New_York"
    ws.config_path.write_text(dump_settings(s))
    init_db(ws.db_path)
    return ws


def _order(woo_id: int, *, state: str, total: str, gp_total: str | None = None,
           hold_reason: str | None = None, error: str | None = None,
           created: datetime = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)) -> None:
    Order.create(woo_id=woo_id, number=str(woo_id), status="processing", total=Decimal(total),
                 payment_method="stripe", date_created_gmt=created, state=state,
                 hold_reason=hold_reason, last_error=error,
                 gp_doc_number=f"WC{woo_id}" if gp_total else None,
                 gp_total=Decimal(gp_total) if gp_total else None,
                 posted_at=created if gp_total else None, created_at=created, updated_at=created)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_status_json_names_the_lease_holder_and_the_queues(tmp_path, capsys):
    ws = _workspace(tmp_path)
    _order(1, state="posted", total="20.00", gp_total="20.00")
    _order(2, state="held", total="31.00", hold_reason="sku")
    _order(3, state="failed", total="12.00", error="GP: item MUG-X does not exist")
    lease = Lease(mode="headless", ttl_s=60, clock=SYSTEM_CLOCK, host="gp-server", pid=4242)
    lease.acquire({"last_poll_at": "2026-11-27T15:00:00+00:00", "poll_reason": "business hours"})
    assert main(["--workspace", str(ws.config_path.parent), "status", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["worker"]["host"] == "gp-server" and report["worker"]["alive"] is True
    assert report["worker"]["poll_reason"] == "business hours"
    assert report["held"] == {"sku": 1} and report["failed"] == 1
    assert report["failures"][0]["gp_message"] == "GP: item MUG-X does not exist"
    assert report["orders"] == {"posted": 1, "held": 1, "failed": 1}
    assert "webhooks" in report and report["webhooks"]["accepted_24h"] == 0
    # Human form, and --check turns "needs attention" into exit 1.
    assert main(["--workspace", str(ws.config_path.parent), "status", "--check"]) == 1
    text = capsys.readouterr().out
    assert "gp-server" in text and "Needs attention" in text


def test_status_after_a_worker_stopped_names_it_and_its_last_poll(tmp_path, capsys):
    ws = _workspace(tmp_path)
    root = str(ws.config_path.parent)
    assert main(["--workspace", root, "status"]) == 0
    assert "none has run on this database" in capsys.readouterr().out
    lease = Lease(mode="headless", ttl_s=60, clock=SYSTEM_CLOCK, host="gp-server", pid=4242)
    lease.acquire({"last_poll_at": "2026-11-27T15:00:00+00:00", "last_poll_orders": 7})
    lease.release()  # what `worker --once` and a clean stop do
    assert main(["--workspace", root, "status"]) == 0
    text = capsys.readouterr().out
    assert "none has run" not in text
    assert "headless on gp-server, pid 4242" in text and "stopped cleanly" in text
    assert "Last poll: 2026-11-27T15:00:00+00:00 (7 orders)" in text
    assert main(["--workspace", root, "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["last_run"]["host"] == "gp-server"


def test_status_without_a_database_says_what_to_do(tmp_path, capsys):
    assert main(["--workspace", str(tmp_path / "nothing"), "status"]) == 2
    assert "ml-connector init" in capsys.readouterr().err


def test_reconcile_exit_code_json_and_csv(tmp_path, capsys):
    ws = _workspace(tmp_path)
    _order(1, state="posted", total="20.00", gp_total="20.00")
    _order(2, state="held", total="31.00", hold_reason="sku")
    root = str(ws.config_path.parent)
    csv_path = tmp_path / "nov.csv"
    code = main(["--workspace", root, "reconcile", "--from", "2026-11-27", "--to", "2026-11-27",
                 "--json", "--csv", str(csv_path)])
    assert code == 1  # order 2 is not in GP yet
    out = json.loads(capsys.readouterr().out)
    assert out["total"]["difference"] == "31.00"
    assert out["timezone"] == "America/New_York"
    assert [e["woo_id"] for e in out["explanations"]] == [2]
    assert csv_path.exists() and (tmp_path / "nov-details.csv").read_text().count("\n") == 2
    Order.update(state="posted", gp_doc_number="WC2", gp_total=Decimal("31.00"),
                 hold_reason=None).where(Order.woo_id == 2).execute()
    assert main(["--workspace", root, "reconcile", "--from", "2026-11-27",
                 "--to", "2026-11-27"]) == 0
    assert "51.00" in capsys.readouterr().out


def test_a_second_worker_process_is_refused_and_told_who_holds_the_lease(tmp_path):
    ws = _workspace(tmp_path)
    holder = Lease(mode="headless", ttl_s=60, clock=SYSTEM_CLOCK, host="gp-server", pid=4242)
    holder.acquire()
    result = _cli("--workspace", str(ws.config_path.parent), "worker", "--once")
    assert result.returncode == 3, result.stderr
    assert "gp-server" in result.stderr and "4242" in result.stderr
    holder.release()
    # With the lease free, a worker without a configured shop stops with exit 2 and says why.
    result = _cli("--workspace", str(ws.config_path.parent), "worker", "--once")
    assert result.returncode == 2, result.stderr
    assert "[woocommerce] url" in result.stderr


def test_worker_without_configuration_exits_2(tmp_path):
    result = _cli("--workspace", str(tmp_path / "empty"), "worker")
    assert result.returncode == 2
    assert "ml-connector init" in result.stderr
