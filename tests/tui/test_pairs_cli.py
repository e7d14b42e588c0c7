"""Several shop -> GP company pairs in one workspace (issue 17): `init --pair NAME` adds one in
its own folder without touching another, `pairs` lists them, and every command takes `--pair`
(the only pair when there is one; with several and none named: the names, exit 2)."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import Workspace
from core.pairs import pair_workspace
from core.secrets.keys import ENV_VAR
from core.store.db import close_db, init_db
from core.store.models import Order
from core.store.postgres import DATABASE_URL_ENV
from core.store.states import DocState
from tui.cli import cli, main
from tui.commands.common import PAIR_ENV, WORKSPACE_ENV
from tui.commands.worker import pair_commands


@pytest.fixture
def ws_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    monkeypatch.delenv(PAIR_ENV, raising=False)
    yield tmp_path / "ws"
    close_db()


def _init(ws_dir: Path, *extra: str, shop: str = "https://shop.example.com") -> None:
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive", "--woo-url", shop,
                 *extra]) == 0
    close_db()


def _fingerprint(ws: Workspace) -> dict[str, str]:
    files = [ws.config_path, ws.db_path, *sorted(ws.key_dir.iterdir())]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_init_with_a_name_adds_a_pair_and_changes_nothing_in_the_existing_one(ws_dir, capsys):
    _init(ws_dir)
    default = Workspace.at(ws_dir)
    before = _fingerprint(default)
    _init(ws_dir, "--pair", "wholesale", shop="https://wholesale.example.com")
    out = capsys.readouterr().out
    pair = pair_workspace(default, "wholesale")
    assert pair.config_path == ws_dir.resolve() / "pairs" / "wholesale" / "config.toml"
    assert pair.db_path.exists() and pair.key_dir != default.key_dir
    assert "pair            wholesale" in out
    # a pair's own receiver port: both workers run side by side
    assert pair.load().worker.listen == "127.0.0.1:8788"
    assert pair.load().woocommerce.url == "https://wholesale.example.com"
    assert _fingerprint(default) == before
    assert default.load().woocommerce.url == "https://shop.example.com"


def test_pairs_lists_every_pair_with_its_shop_and_state(ws_dir, capsys):
    _init(ws_dir)
    _init(ws_dir, "--pair", "wholesale", shop="https://wholesale.example.com")
    capsys.readouterr()
    assert main(["pairs", "--workspace", str(ws_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["pair"], r["shop"], r["worker"]) for r in rows] == [
        ("default", "https://shop.example.com", "not running"),
        ("wholesale", "https://wholesale.example.com", "not running")]
    assert main(["pairs", "--workspace", str(ws_dir)]) == 0
    text = capsys.readouterr().out
    assert "wholesale        shop https://wholesale.example.com" in text


def test_a_workspace_of_one_pair_needs_no_pair_named(ws_dir, capsys):
    _init(ws_dir)
    capsys.readouterr()
    assert main(["status", "--workspace", str(ws_dir), "--json"]) == 0
    assert main(["status", "--workspace", str(ws_dir), "--pair", "default", "--json"]) == 0


@pytest.mark.parametrize("argv", [
    ["status"], ["check", "--no-probe"], ["replay", "--held"],
    ["reconcile", "--from", "2026-11-01", "--to", "2026-11-02", "--stored"],
    ["credentials", "show"]])
def test_with_several_pairs_a_command_without_pair_names_them_and_exits_2(ws_dir, capsys, argv):
    """(`console` opens on the pair picker instead: tests/tui/test_console_pairs.py.)"""
    _init(ws_dir)
    _init(ws_dir, "--pair", "wholesale", shop="https://wholesale.example.com")
    capsys.readouterr()
    assert main([*argv, "--workspace", str(ws_dir)]) == 2
    err = capsys.readouterr().err
    assert "this workspace holds 2 pairs: default, wholesale; say which with --pair NAME" in err


def test_pair_picks_that_pairs_state_for_status_replay_and_reconcile(ws_dir, capsys,
                                                                     monkeypatch):
    _init(ws_dir)
    _init(ws_dir, "--pair", "wholesale", shop="https://wholesale.example.com")
    capsys.readouterr()
    for pair in ("default", "wholesale"):
        assert main(["status", "--workspace", str(ws_dir), "--pair", pair, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["worker"] is None
        assert main(["replay", "--held", "--workspace", str(ws_dir), "--pair", pair]) == 0
        assert main(["reconcile", "--from", "2026-11-01", "--to", "2026-11-02", "--stored",
                     "--json", "--workspace", str(ws_dir), "--pair", pair]) == 0
        capsys.readouterr()
    monkeypatch.setenv(PAIR_ENV, "wholesale")  # the service's way of naming its pair
    assert main(["status", "--workspace", str(ws_dir), "--json"]) == 0


def test_an_unknown_pair_is_named_with_the_ones_there_are(ws_dir, capsys):
    _init(ws_dir)
    capsys.readouterr()
    assert main(["status", "--workspace", str(ws_dir), "--pair", "retail"]) == 2
    err = capsys.readouterr().err
    assert "there is no pair 'retail' in this workspace (pairs: default)" in err
    assert "ml-connector init --pair retail" in err
    assert main(["status", "--workspace", str(ws_dir), "--pair", "../x"]) == 2
    assert "must be 1 to 32 lower-case letters" in capsys.readouterr().err


def test_a_workspace_of_named_pairs_only(ws_dir, capsys):
    _init(ws_dir, "--pair", "retail")
    assert not (ws_dir / "config.toml").exists()
    capsys.readouterr()
    assert main(["status", "--workspace", str(ws_dir), "--json"]) == 0  # the only pair
    capsys.readouterr()
    assert main(["pairs", "--workspace", str(ws_dir), "--json"]) == 0
    assert [r["pair"] for r in json.loads(capsys.readouterr().out)] == ["retail"]


GP_URL = "https://127.0.0.1:9/DynamicsGPWebServices/DynamicsGPService.asmx"  # nothing listens


def _clash_findings(out: str) -> list[str]:
    return [f["detail"] for f in json.loads(out)["findings"]
            if f["subject"] == "Numbers shared with another pair"]


def test_check_refuses_two_pairs_on_one_company_with_the_same_prefixes(ws_dir, capsys):
    gp = ["--gp-url", GP_URL, "--gp-company", "TWO"]
    _init(ws_dir, *gp, shop="https://127.0.0.1:9")
    _init(ws_dir, "--pair", "wholesale", *gp, shop="https://127.0.0.1:9")
    # init already says so
    assert "warning: pairs 'wholesale' and 'default' both post to GP company TWO" in \
        capsys.readouterr().out
    assert main(["check", "--no-probe", "--json", "--workspace", str(ws_dir),
                 "--pair", "wholesale"]) == 1
    clashes = _clash_findings(capsys.readouterr().out)
    assert len(clashes) == 3 and "document numbers can be the same" in clashes[0]
    # the wholesale shop's own prefixes: nothing shared any more
    config = pair_workspace(Workspace.at(ws_dir), "wholesale").config_path
    text = config.read_text()
    for key, value in (("doc_number_template", "B{number}"),
                       ("refund_number_template", "BR{refund_id}"),
                       ("batch_template", "B{date:%Y%m%d}"), ("customer_id_prefix", "B")):
        text = text.replace(f'{key} = "', f'{key} = "{value}"  # was "', 1)
    text = text.replace('adjustment_batch_template = "', 'adjustment_batch_template = "BIV'
                        '{date:%Y%m%d}"  # was "', 1)
    config.write_text(text)
    main(["check", "--no-probe", "--json", "--workspace", str(ws_dir), "--pair", "wholesale"])
    assert _clash_findings(capsys.readouterr().out) == []
    main(["check", "--no-probe", "--json", "--workspace", str(ws_dir), "--pair", "default"])
    assert _clash_findings(capsys.readouterr().out) == []


def test_the_worker_of_a_newly_added_clashing_pair_does_not_start_the_working_one_does(
        ws_dir, capsys):
    gp = ["--gp-url", GP_URL, "--gp-company", "TWO"]
    _init(ws_dir, *gp, shop="https://127.0.0.1:9")
    _init(ws_dir, "--pair", "wholesale", *gp, shop="https://127.0.0.1:9")
    # the default pair has posted before the wholesale pair was added
    init_db(Workspace.at(ws_dir).db_path)
    now = datetime.now(UTC)
    Order.create(woo_id=1, number="1", status="processing", state=DocState.VERIFIED,
                 gp_doc_number="WC1", created_at=now, updated_at=now)
    close_db()
    capsys.readouterr()
    assert main(["worker", "--once", "--no-webhooks", "--no-products", "--workspace",
                 str(ws_dir), "--pair", "wholesale"]) == 2
    err = capsys.readouterr().err
    assert "pairs 'wholesale' and 'default' both post to GP company TWO" in err
    assert "this pair's worker does not start until they differ" in err
    main(["worker", "--once", "--no-webhooks", "--no-products", "--workspace", str(ws_dir),
          "--pair", "default"])
    assert "does not start until they differ" not in capsys.readouterr().err


def test_each_pair_gets_its_own_webhook_port_and_check_fails_on_a_shared_one(ws_dir, capsys):
    _init(ws_dir, "--pair", "retail")
    _init(ws_dir, "--pair", "wholesale")
    _init(ws_dir)  # the default pair, added last
    base = Workspace.at(ws_dir)
    ports = {name: pair_workspace(base, name).load().worker.listen
             for name in ("retail", "wholesale", "default")}
    assert sorted(ports.values()) == ["127.0.0.1:8787", "127.0.0.1:8788", "127.0.0.1:8789"]
    config = pair_workspace(base, "wholesale").config_path
    config.write_text(config.read_text().replace(ports["wholesale"], ports["retail"]))
    capsys.readouterr()
    main(["check", "--no-probe", "--json", "--workspace", str(ws_dir), "--pair", "wholesale"])
    shared = [f["detail"] for f in json.loads(capsys.readouterr().out)["findings"]
              if f["subject"] == "Port shared with another pair"]
    assert shared == ["pairs 'wholesale' and 'retail' both have [worker] listen = "
                      "'127.0.0.1:8787': give each pair its own port"]


def test_the_service_files_listen_stays_the_default_pairs_when_a_pair_is_added(ws_dir):
    argv = run_in_context(["--workspace", str(ws_dir)], lambda: pair_commands(
        ["default", "wholesale"], ["--once"], "0.0.0.0:8787"))
    assert argv["default"][-3:] == ["default", "--once", "--listen=0.0.0.0:8787"]
    assert argv["wholesale"][-2:] == ["wholesale", "--once"]
    assert argv["wholesale"][3:6] == ["worker", "--workspace", str(ws_dir)]


def run_in_context(args: list[str], call):  # noqa: ANN001, ANN201 - a test helper
    """`call` inside a click context that parsed `args` as ml-connector's global options."""
    with cli.make_context("ml-connector", [*args, "status"]) as ctx, ctx.scope():
        return call()


def test_no_pairs_worker_starts_on_the_state_the_database_url_variable_names_for_all(
        ws_dir, capsys, monkeypatch):
    """ML_CONNECTOR_DATABASE_URL names one database for every pair: the pairs would share one
    queue and lease, each worker taking the other shop's orders. Refused before anything opens
    (the URL points nowhere: a refusal that tried it would fail differently)."""
    _init(ws_dir, shop="https://127.0.0.1:9")
    _init(ws_dir, "--pair", "wholesale", "--gp-company", "FAB2", shop="https://127.0.0.1:9")
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://mlc@127.0.0.1:9/tenants")
    capsys.readouterr()
    for pair in ("default", "wholesale"):
        assert main(["worker", "--once", "--no-webhooks", "--no-products", "--workspace",
                     str(ws_dir), "--pair", pair]) == 2
        err = capsys.readouterr().err
        assert f"{DATABASE_URL_ENV} is set, and it names one database for every pair" in err
