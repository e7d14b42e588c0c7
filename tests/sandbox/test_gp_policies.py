"""GP's policies in the stand-in (gp.md §3.3-§3.4, §22 "Policies"): GP's defaults per operation
on a fresh install, the connector role's instance on the configured one, the role rule for a
user in several roles, the administrator's changes (control plane, CreatePolicy/UpdatePolicy),
and the options acted upon."""
from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import zeep

from sandbox.gp import GPStandIn
from sandbox.gp import policy as policies
from tests.sandbox.gp_support import GPClient, log_id

SALES_OPS = ("CreateSalesInvoice", "UpdateSalesInvoice", "CreateSalesReturn")


def _start(tmp_path, **kw):
    return GPStandIn(tmp_path / "gp", **kw).start()


def _client(gp, user=None, password=None):
    return GPClient(gp.wsdl_url, gp.soap_url, user or f"{gp.domain}\\{gp.user}",
                    password or gp.password)


def selected(policy) -> dict[str, str]:
    return {b.Name: b.SelectedOption.Name for b in policy.Behaviors.Behavior}


@pytest.fixture
def fresh(tmp_path):
    gp = _start(tmp_path, profile="fresh")
    yield gp
    gp.stop()


def test_fresh_install_has_gps_defaults_for_every_document_operation(fresh):
    c = _client(fresh)
    try:
        for op in SALES_OPS:
            got = selected(c.policy(op))
            assert got["Calculate Unit Price"] == "Calculate", op
            assert got["Calculate Total Amount"] == "Calculate", op
            assert got["Create GL Account Distributions"] == "Automatically Create Distributions"
            assert got["Default Warehouse"] == "Use Setup Value"
            assert got["Bin Quantity Shortage"] == "Override Bin"
        calc = next(b for b in c.policy("CreateSalesInvoice").Behaviors.Behavior
                    if b.Key.Id == "2e873316-fee1-460e-8da1-12167013401b")
        assert calc.Internal is True and calc.SelectedOption.Key.Id == 1
        assert selected(c.policy("CreateCustomer")) == {
            "Customer Class Defaulting": "Do Not Use Customer Class"}
        assert "Create GL Account Distributions" in selected(
            c.policy("CreateReceivablesCreditMemo"))
        assert c.policy("CreateInventoryAdjustment").Behaviors is not None
        assert c.policy("VoidSalesInvoice").Behaviors is None  # passed, though it has none
    finally:
        c.close()


def test_configured_gp_gives_the_connector_role_its_instance(tmp_path):
    gp = _start(tmp_path)  # configured is the default profile
    c = _client(gp)
    try:
        got = selected(c.policy("CreateSalesInvoice"))
        assert got["Calculate Unit Price"] == "Do Not Calculate"
        assert got["Calculate Total Amount"] == "Do Not Calculate"
        assert got["Create GL Account Distributions"] == "Distributions Will Be Provided"
        assert got["Create Taxes"] == "Taxes Will Be Provided"
        # The default policy is untouched: another role still gets GP's defaults.
        default = gp.gp_state.policy("CreateSalesInvoice", None)
        assert default["Key"]["Id"] != c.policy("CreateSalesInvoice").Key.Id
    finally:
        c.close()
        gp.stop()


def test_user_in_several_roles_gets_the_default_policy_without_a_role_key(tmp_path):
    users = [("FABRIKAM", "svc", "Pw-1", "ML Connector,admin")]
    gp = _start(tmp_path, users=users)
    c = _client(gp, "FABRIKAM\\svc", "Pw-1")
    try:
        assert selected(c.policy("CreateSalesInvoice"))["Calculate Unit Price"] == "Calculate"
        ctx = c.context()
        ctx.RoleKey = c.client.get_type(
            "{http://schemas.microsoft.com/dynamics/security/2006/01}RoleKey")(Id="ML Connector")
        chosen = c.service.GetPolicyByOperation("CreateSalesInvoice", ctx)
        assert selected(chosen)["Calculate Unit Price"] == "Do Not Calculate"
        # Acted upon: without the RoleKey, GP re-prices the cap from its list (18.00).
        inv = c.invoice("WC9100", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "10.00")])
        c.service.CreateSalesInvoice(inv, c.context(), c.policy("CreateSalesInvoice"))
        assert gp.documents()[0]["lines"][0]["unit_price"] == "18.00"
    finally:
        c.close()
        gp.stop()


def test_the_administrator_changes_a_policy_through_the_control_plane(fresh):
    c = _client(fresh)
    try:
        r = httpx.post(f"{fresh.control_url}/policy", json={
            "behavior": "Create GL Account Distributions", "option": 0,
            "operation": "CreateSalesInvoice"})
        assert r.status_code == 200, r.text
        assert selected(c.policy("CreateSalesInvoice"))["Create GL Account Distributions"] == (
            "Distributions Will Be Provided")
        assert selected(c.policy("CreateSalesReturn"))["Create GL Account Distributions"] == (
            "Automatically Create Distributions")
        bad = httpx.post(f"{fresh.control_url}/policy", json={"behavior": "No such", "option": 0})
        assert bad.status_code == 400
    finally:
        c.close()


def test_internal_behaviour_changed_by_the_caller_is_ignored(fresh):
    """Calculate Unit Price is internal: editing the fetched policy changes nothing."""
    c = _client(fresh)
    try:
        policy = c.policy("CreateSalesInvoice")
        calc = next(b for b in policy.Behaviors.Behavior
                    if b.Key.Id == policies.CALCULATE_UNIT_PRICE.guid)
        calc.SelectedOption = calc.Options.BehaviorOption[0]  # "Do Not Calculate"
        inv = c.invoice("WC9200", "ADAMPARK0001", [("CAP-CANVAS-NVY", "2", "10.00")])
        c.service.CreateSalesInvoice(inv, c.context(), policy)
        doc = fresh.documents()[0]
        assert doc["lines"][0]["unit_price"] == "18.00" and Decimal(doc["total"]) >= 36
    finally:
        c.close()


def test_create_and_update_policy_for_a_role_by_an_administrator(tmp_path):
    users = [("FABRIKAM", "gpadmin", "Pw-1", "admin"), ("FABRIKAM", "svc", "Pw-2", "Web")]
    gp = _start(tmp_path, users=users, profile="fresh")
    admin, svc = _client(gp, "FABRIKAM\\gpadmin", "Pw-1"), _client(gp, "FABRIKAM\\svc", "Pw-2")
    gp.gp_state.role_permissions["Web"] = gp.gp_state.role_permissions["ML Connector"]
    try:
        role = svc.client.get_type(
            "{http://schemas.microsoft.com/dynamics/security/2006/01}RoleKey")(Id="Web")
        policy = admin.policy("CreateSalesInvoice")
        for b in policy.Behaviors.Behavior:
            if b.Name == "Calculate Unit Price":
                b.SelectedOption = b.Options.BehaviorOption[0]
        admin.service.CreatePolicy(policy, role, admin.context())
        assert selected(svc.policy("CreateSalesInvoice"))["Calculate Unit Price"] == (
            "Do Not Calculate")
        with pytest.raises(zeep.exceptions.Fault) as exc:  # exists already
            admin.service.CreatePolicy(policy, role, admin.context())
        assert log_id(exc.value)
        mine = svc.policy("CreateSalesInvoice")
        for b in mine.Behaviors.Behavior:
            if b.Name == "Calculate Unit Price":
                b.SelectedOption = b.Options.BehaviorOption[1]
        admin.service.UpdatePolicy(mine, role, admin.context())
        assert selected(svc.policy("CreateSalesInvoice"))["Calculate Unit Price"] == "Calculate"
        with pytest.raises(zeep.exceptions.Fault) as denied:  # not the administrator
            svc.service.UpdatePolicy(mine, role, svc.context())
        assert "Access denied" not in (denied.value.message or "")  # GP's generic system text
    finally:
        admin.close()
        svc.close()
        gp.stop()


def test_sandbox_launch_chooses_the_gp_profile(tmp_path):
    """`ml-connector sandbox --gp-profile` and the demo reach GP through sandbox.launch."""
    from sandbox.launch import launch

    box = launch(tmp_path / "box", gp_profile="fresh", gp_capacity={"processes": 3},
                 webhook_delay=0)
    try:
        assert box.gp.profile == "fresh" and box.gp.capacity.processes == 3
        c = _client(box.gp)
        try:
            assert selected(c.policy("CreateSalesInvoice"))["Calculate Unit Price"] == "Calculate"
        finally:
            c.close()
    finally:
        box.stop()
    with pytest.raises(ValueError):
        GPStandIn(tmp_path / "bad", profile="lenient")
