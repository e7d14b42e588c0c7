"""`status`, `replay`, `reconcile` and `check` work on the pair `--pair` names and on no other
(issue 17): two pairs with different orders and settings, each command's answer is that pair's."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.config import Workspace
from core.pairs import pair_workspace
from core.secrets.keys import ENV_VAR
from core.store.db import close_db, init_db
from core.store.models import Order
from tests.tui.seed import START, add_order
from tui.cli import main
from tui.commands.common import PAIR_ENV, WORKSPACE_ENV

GP_URL = "https://127.0.0.1:9/DynamicsGPWebServices/DynamicsGPService.asmx"  # nothing listens
DAY = ["--from", "2026-11-27", "--to", "2026-11-27"]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """default: one posted order of 24.00 and one failed, GP address set; wholesale: one posted
    order of 37.00 and two held, no GP address."""
    for name in (ENV_VAR, WORKSPACE_ENV, PAIR_ENV):
        monkeypatch.delenv(name, raising=False)
    ws_dir = tmp_path / "ws"
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive", "--woo-url",
                 "https://shop-a.example.com", "--gp-url", GP_URL, "--gp-company", "AAA"]) == 0
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive", "--woo-url",
                 "https://shop-b.example.com", "--gp-company", "BBB", "--pair",
                 "wholesale"]) == 0
    clock = ManualClock(START)
    base = Workspace.at(ws_dir)
    init_db(base.db_path)
    add_order(clock, 1001, state="posted", skus=["BLU-TEE-M"], total="24.00")
    add_order(clock, 1002, state="failed", skus=["MUG-ENAMEL"], total="17.50",
              last_error="GP refused it")
    close_db()
    init_db(pair_workspace(base, "wholesale").db_path)
    add_order(clock, 2001, state="posted", skus=["APRON-LIN"], total="37.00")
    for woo_id in (2002, 2003):
        add_order(clock, woo_id, state="held", skus=["SOCK-B"], total="16.00",
                  hold_reason="sku", hold_detail="SKU SOCK-B is not a GP item")
    close_db()
    yield ws_dir
    close_db()


def run(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    close_db()
    return code, capsys.readouterr().out


def states(folder: Path, pair: str) -> dict[int, str]:
    init_db(pair_workspace(Workspace.at(folder), pair).db_path)
    try:
        return {o.woo_id: str(o.state) for o in Order.select()}
    finally:
        close_db()


def test_status_reads_the_named_pairs_queues(folder, capsys):
    where = ["--workspace", str(folder)]
    code, out = run(capsys, "status", "--json", *where, "--pair", "wholesale")
    report = json.loads(out)
    assert code == 0 and report["held"] == {"sku": 2} and report["failed"] == 0
    code, out = run(capsys, "status", "--json", *where, "--pair", "default")
    report = json.loads(out)
    assert report["held"] == {} and report["failed"] == 1


def test_replay_moves_the_named_pairs_orders_only(folder, capsys):
    code, out = run(capsys, "replay", "--held", "--workspace", str(folder), "--pair",
                    "wholesale")
    assert code == 0 and "2" in out
    assert states(folder, "wholesale") == {2001: "posted", 2002: "new", 2003: "new"}
    assert states(folder, "default") == {1001: "posted", 1002: "failed"}
    code, out = run(capsys, "replay", "--held", "--workspace", str(folder), "--pair", "default")
    assert "nothing to replay" in out
    assert states(folder, "default") == {1001: "posted", 1002: "failed"}


def test_reconcile_totals_the_named_pairs_orders(folder, capsys):
    totals = {}
    for pair in ("default", "wholesale"):
        code, out = run(capsys, "reconcile", *DAY, "--stored", "--json", "--workspace",
                        str(folder), "--pair", pair)
        assert code in (0, 1), out
        total = json.loads(out[:out.rindex("}") + 1])["total"]
        totals[pair] = (total["woo_orders"]["count"], total["woo_orders"]["total"])
    # every order the pair took in that day: posted, failed or held, and the other pair's none
    assert totals == {"default": (2, "41.50"), "wholesale": (3, "69.00")}


def test_check_judges_the_named_pairs_configuration(folder, capsys):
    def subjects(pair: str) -> dict[str, str]:
        _code, out = run(capsys, "check", "--no-probe", "--json", "--workspace", str(folder),
                         "--pair", pair)
        return {f["subject"]: f["detail"] for f in json.loads(out)["findings"]}

    assert subjects("wholesale")["Address"] == "no GP address is configured"
    assert "Address" not in subjects("default")  # its GP address is set
