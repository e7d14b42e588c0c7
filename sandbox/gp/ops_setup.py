"""Company list, policies and the validation log."""
from __future__ import annotations

from typing import Any

from sandbox.gp.faults import SystemFault
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
    from sandbox.gp.schema import load

    if name not in load().operations:
        raise SystemFault(f"No policy exists for the operation '{name}'.")
    return call.state.policy(name, call.role)


@operation("GetLoggedValidationResultByKey")
def get_logged_validation_result(call: Call, p: dict[str, Any]) -> Any:
    entry = call.store.logged(p.get("logId") or "")
    if entry is None or entry["kind"] != "validation":
        raise SystemFault("No validation result is logged under that id.")
    return {"Errors": {"ValidationError": entry["errors"]}, "Warnings": None}
