"""`check` with tax_mode "gp": every GP tax schedule a WooCommerce rate is mapped to must exist
in GP (GetTaxScheduleList), or taxed invoices would be refused (7023)."""
from __future__ import annotations

from pathlib import Path

from core.check import check_gp
from core.check_setup import SetupRefs
from core.config_rules import CHECKS
from tests.core.gp_fixtures import control, settings_for, standin


def _tax_schedules(tmp_path: Path, schedules: dict[str, str]) -> tuple[str, str, str]:
    with standin(tmp_path / "gp") as gp:
        for operation in ("CreateSalesInvoice", "UpdateSalesInvoice"):
            control(gp, "POST", "policy", {"behavior": "Create Taxes", "option": 1,
                                           "operation": operation, "role": "ML Connector"})
        s = settings_for(gp)
        s.gp.role = "ML Connector"
        s.posting.tax_mode = "gp"
        s.posting.tax_schedules = schedules
        report = check_gp(s, gp.password, tmp_path / "ws", probe=False, refs=SetupRefs())
    found = [f for f in report.findings if f.subject == "Tax schedules"]
    assert len(found) == 1, report.render()
    return found[0].status, found[0].detail, found[0].fix


def test_check_proves_each_mapped_tax_schedule_exists_in_gp(tmp_path: Path) -> None:
    status, detail, _ = _tax_schedules(tmp_path, {"1": "web-ny", "2": "WEB-CA"})
    assert status == "ok" and "all 2 mapped tax schedule(s) exist" in detail


def test_check_fails_a_tax_schedule_gp_does_not_have(tmp_path: Path) -> None:
    status, detail, fix = _tax_schedules(tmp_path, {"1": "WEB-NY", "3": "TEXAS"})
    assert status == "fail"
    assert "TEXAS (WooCommerce rate 3)" in detail and "7023" in detail
    assert "Tax Schedules" in fix


def test_check_warns_when_no_rate_is_mapped_to_a_schedule(tmp_path: Path) -> None:
    status, detail, fix = _tax_schedules(tmp_path, {})
    assert status == "warn" and "every taxed order is held" in detail
    assert "tax_schedules" in fix


def test_tax_schedules_setting_takes_rate_ids_and_gp_ids() -> None:
    rule = CHECKS[("posting", "tax_schedules")]
    assert rule({"1": "WEB-NY", "12": "CA"}) is None
    assert "tax rate id" in (rule({"NY": "WEB-NY"}) or "")
    assert "1 to 15 characters" in (rule({"1": "A-SCHEDULE-TOO-LONG"}) or "")
    assert "1 to 15 characters" in (rule({"1": " "}) or "")
