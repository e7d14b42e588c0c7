"""Company list, policies and the validation log."""
from __future__ import annotations

from typing import Any

from sandbox.gp import policy as policies
from sandbox.gp import schema
from sandbox.gp.faults import SystemFault, ValidationFault, ValidationItem
from sandbox.gp.rules import Call, matches
from sandbox.gp.soap import operation


def _company(call: Call) -> dict[str, Any]:
    created = call.state.clock().replace(year=2020, month=1, day=1, hour=0, minute=0, second=0,
                                         microsecond=0)
    return {"Key": {"Id": call.state.company_id}, "Name": call.state.company_name,
            "ModifiedDate": created, "CreatedDate": created, "AccountSegmentSeparator": "-",
            "IsWorkflowEnabled": False}


@operation("GetCompanyList")
def get_company_list(call: Call, p: dict[str, Any]) -> Any:
    criteria = p.get("criteria") or {}
    company = _company(call)
    if not matches(criteria.get("Id"), call.state.company_id):
        return None
    if not matches(criteria.get("Name"), company["Name"]):
        return None
    return {"Company": [company]}


@operation("GetCompanyByKey")
def get_company_by_key(call: Call, p: dict[str, Any]) -> Any:
    if (p.get("key") or {}).get("Id") != call.state.company_id:
        raise SystemFault("The company does not exist.")
    return _company(call)


@operation("GetPolicyByOperation")
def get_policy_by_operation(call: Call, p: dict[str, Any]) -> Any:
    name = p.get("operation") or ""
    if name not in schema.load().operations:
        raise SystemFault(f"No policy exists for the operation '{name}'.")
    return call.state.policy(name, call.policy_role)


def _policy_operation(call: Call, passed: dict[str, Any]) -> str:
    """Which operation a passed Policy belongs to: by its key (the default policy's or an
    instance's id, as GetPolicyByOperation returned it)."""
    pid = str(((passed.get("Key") or {}).get("Id")) or "")
    company = call.state.company_id
    for op in policies.OPERATIONS:
        if pid == policies.policy_id(op, company, None):
            return op
    for (c, role, op) in call.state.policies.instances:
        if c == company and pid == policies.policy_id(op, company, role):
            return op
    raise ValidationFault([ValidationItem(f"The policy '{pid}' does not exist.", ["Key.Id"],
                                          "Policy")])


def _store_policy(call: Call, p: dict[str, Any], *, creating: bool) -> None:
    passed = p.get("policy") or {}
    role = ((p.get("roleKey") or {}).get("Id") or "").strip()
    if not role:
        raise ValidationFault([ValidationItem("A role is required (roleKey).", ["roleKey.Id"],
                                              "Policy")])
    op = _policy_operation(call, passed)
    company = call.state.company_id
    exists = call.state.policies.has_instance(company, role, op)
    if creating and exists:
        raise ValidationFault([ValidationItem(
            f"A policy instance for role '{role}' already exists for {op}.", ["roleKey.Id"],
            "Policy")])
    if not creating and not exists:
        raise ValidationFault([ValidationItem(
            f"No policy instance for role '{role}' exists for {op}.", ["roleKey.Id"], "Policy")])
    selected = policies.passed_selections(passed)
    known = {b.guid for b in policies.OPERATIONS[op]}
    base = call.state.policies.selections(company, op, role if exists else None)
    for guid in known:
        try:
            call.state.policies.set(company, op, role, guid, selected.get(guid, base[guid]))
        except ValueError as exc:
            raise ValidationFault([ValidationItem(str(exc), ["Behaviors"], "Policy")]) from exc


@operation("CreatePolicy")
def create_policy(call: Call, p: dict[str, Any]) -> None:
    _store_policy(call, p, creating=True)


@operation("UpdatePolicy")
def update_policy(call: Call, p: dict[str, Any]) -> None:
    _store_policy(call, p, creating=False)


@operation("GetLoggedValidationResultByKey")
def get_logged_validation_result(call: Call, p: dict[str, Any]) -> Any:
    entry = call.store.logged(p.get("logId") or "")
    if entry is None or entry["kind"] != "validation":
        raise SystemFault("No validation result is logged under that id.")
    return {"Errors": {"ValidationError": entry["errors"]}, "Warnings": None}
