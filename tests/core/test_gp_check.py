"""`ml-connector check` against the stand-ins: all green, and each thing that blocks the sync."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.check import FAIL, OK, CheckReport, check_gp, run_check
from core.config import Settings
from core.secrets.keys import ENV_VAR
from core.secrets.vault import GP_PASSWORD, WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET
from core.store.db import close_db
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn
from tests.core.gp_fixtures import control, settings_for, standin


@pytest.fixture(scope="module")
def gps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GPStandIn]:
    with standin(tmp_path_factory.mktemp("gp-check"), https=True) as g:
        yield g


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WooStandIn]:
    s = WooStandIn(tmp_path_factory.mktemp("woo-check"), https=True)
    s.start()
    try:
        yield s
    finally:
        s.stop()


def _settings(gp: GPStandIn, shop: WooStandIn | None = None, **gp_over: object) -> Settings:
    s = settings_for(gp, **gp_over)
    if shop is not None:
        s.woocommerce.url = shop.https_url
        s.woocommerce.ca_bundle = str(shop.ca_file)
        s.worker.schedule.timezone = "America/New_York"  # the shop's, as `init` reads it
    s.worker.public_url = "https://connector.example.com/webhooks"
    # The stand-in is GP as the README's set-up configures it: the connector's role has its
    # policy instances (WooCommerce's prices and taxes kept), card types and a process hold.
    s.gp.role = "ML Connector"
    s.posting.gateways = {"stripe": {"payment_type": "credit_card", "card_type": "STRIPE"},
                          "bacs": {"payment_type": "none"}}
    return s


def _by_subject(report: CheckReport) -> dict[str, str]:
    return {f.subject: f.status for f in report.findings}


def test_all_green_against_the_stand_ins(gps: GPStandIn, shop: WooStandIn,
                                         tmp_path: Path) -> None:
    secrets = {GP_PASSWORD: gps.password, WOO_CONSUMER_KEY: shop.consumer_key,
               WOO_CONSUMER_SECRET: shop.consumer_secret}
    report = run_check(_settings(gps, shop), secrets, tmp_path / "ws")
    status = _by_subject(report)
    assert report.ok and report.exit_code() == 0, report.render()
    for subject in ("REST API", "Webhooks", "Transport", "Windows account", "Company",
                    "Role: read documents", "Role: create customers", "Role: create invoices",
                    "Role: create credit memos", "Policy: Create Sales Invoice", "Role",
                    "Payment: stripe", "Process hold", "Site", "SBA"):
        assert status[subject] == OK, (subject, report.render())
    assert status["Route: sales_invoice"] == "info" and status["Route: item_update"] == "info"
    text = report.render()
    assert "Fabrikam, Inc. (id -1)" in text and "create, find, update, void and hold invoices " \
        "over Web Services (SOAP): Web Services (SOAP) has operations for it" in text
    # one line per capability: which route serves it, and why (what SBA's /help lists)
    assert ("read items, prices and stock over SBA: SBA /help lists GET Inventory/Items, "
            "GET Inventory/Items(<item>), GET Inventory/ItemPriceLists(") in text
    assert "GetCompanyList" in report.timings_ms and "Everything needed" in text
    assert gps.password not in text and shop.consumer_secret not in text
    state = gps.state()  # the probes were refused: nothing was created in GP
    assert all(d["number"] != "MLCPROBE" for kind in ("invoices", "credit_memos")
               for d in state[kind])
    print(text)


def test_readonly_role_blocks_with_plain_words(gps: GPStandIn, tmp_path: Path) -> None:
    settings = _settings(gps, user=gps.readonly_user)
    report = check_gp(settings, gps.readonly_password, tmp_path / "ws")
    status = _by_subject(report)
    assert status["Windows account"] == OK and status["Role: read documents"] == OK
    for label in ("create customers", "create invoices", "create credit memos"):
        assert status[f"Role: {label}"] == FAIL, report.render()
    assert report.exit_code() == 1
    text = report.render()
    assert "most likely may not run it" in text and "Dynamics Security Console" in text
    assert "block the sync" in text


def test_wrong_password_blocks(gps: GPStandIn, tmp_path: Path) -> None:
    report = check_gp(_settings(gps), "wrong-" + gps.password, tmp_path / "ws")
    assert _by_subject(report)["Windows account"] == FAIL and report.exit_code() == 1
    assert "GP refused the Windows account" in report.render()


def test_missing_settings_say_what_to_do(gps: GPStandIn, tmp_path: Path) -> None:
    report = check_gp(_settings(gps), None, tmp_path / "ws")
    assert "ml-connector credentials set gp.password" in report.render()
    report = check_gp(_settings(gps, company="Contoso"), gps.password, tmp_path / "ws")
    assert _by_subject(report)["Company"] == FAIL and "Fabrikam, Inc." in report.render()
    report = check_gp(_settings(gps, ca_bundle=""), gps.password, tmp_path / "ws")
    assert report.exit_code() == 1 and "ca_bundle" in report.render()


def test_repricing_policy_is_reported(gps: GPStandIn, tmp_path: Path) -> None:
    control(gps, "POST", "policy", {"calculate_unit_price": True})
    try:
        report = check_gp(_settings(gps), gps.password, tmp_path / "ws", probe=False)
    finally:
        control(gps, "POST", "policy", {"calculate_unit_price": False})
    unit = next(f for f in report.findings if f.subject == "Policy: Create Sales Invoice")
    assert unit.status == FAIL and "Calculate Unit Price = Calculate" in unit.detail
    assert unit.fix == ("in the Dynamics Security Console, create a policy instance of Create "
                        "Sales Invoice for role ML Connector with Calculate Unit Price = Do Not "
                        "Calculate")
    assert report.exit_code() == 1  # posting would post different amounts
    assert _by_subject(report)["Role: create invoices"] == "info"  # --no-probe


def test_woo_bad_keys_block(gps: GPStandIn, shop: WooStandIn, tmp_path: Path) -> None:
    secrets = {GP_PASSWORD: gps.password, WOO_CONSUMER_KEY: shop.consumer_key,
               WOO_CONSUMER_SECRET: "cs_wrong"}
    report = run_check(_settings(gps, shop), secrets, tmp_path / "ws", probe=False)
    woo = [f for f in report.findings if f.system == "WooCommerce"]
    assert woo[0].subject == "REST API" and woo[0].status == FAIL
    assert "consumer key" in woo[0].fix and report.exit_code() == 1


def test_cli_runs_with_the_workspace_vault(gps: GPStandIn, shop: WooStandIn, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from core.secrets.vault import open_vault
    from tests.core.intake_helpers import make_workspace
    from tui.cli import main

    monkeypatch.delenv(ENV_VAR, raising=False)
    ws = make_workspace(tmp_path / "ws")
    ws.save(_settings(gps, shop))
    vault = open_vault(ws)
    vault.set(GP_PASSWORD, gps.password, "test")
    vault.set(WOO_CONSUMER_KEY, shop.consumer_key, "test")
    vault.set(WOO_CONSUMER_SECRET, shop.consumer_secret, "test")
    from core import gl

    for kind, account in (("sales", "000-4100-00"), ("receivables", "000-1200-00")):
        gl.set_account("company", "", kind, account, actor="test")  # the set-up's GL step
    close_db()
    try:
        code = main(["--workspace", str(tmp_path / "ws"), "check", "--no-probe"])
    finally:
        close_db()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Fabrikam, Inc." in out and gps.password not in out
    assert (tmp_path / "ws" / "cache" / "gp-wsdl").is_dir()  # WSDL cached in the workspace


def test_a_woocommerce_title_as_card_type_blocks_with_gps_list(gps: GPStandIn,
                                                               tmp_path: Path) -> None:
    settings = _settings(gps)
    settings.posting.gateways["stripe"] = {"payment_type": "credit_card",
                                           "card_type": "Credit Card (St"}
    settings.posting.hold_id = "NOSUCHHOLD"
    report = check_gp(settings, gps.password, tmp_path / "ws", probe=False)
    status = _by_subject(report)
    assert status["Payment: stripe"] == FAIL and status["Process hold"] == FAIL
    text = report.render()
    assert "GP has no payment card type 'Credit Card (St' (GP lists: PAYPAL, STRIPE)" in text
    assert "create process hold NOSUCHHOLD in Sales Process Holds Setup" in text
    assert report.exit_code() == 1
