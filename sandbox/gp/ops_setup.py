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


@operation("GetGLAccountList")
def get_gl_account_list(call: Call, p: dict[str, Any]) -> Any:
    """The chart of accounts (posting accounts; GL00100/GL00105), filtered as GP filters:
    account strings compared as SQL Server does (case-insensitive), inactive accounts listed
    with IsActive false, never left out."""
    crit = p.get("criteria") or {}
    seeded = _company(call)["CreatedDate"]
    out = []
    for number, data in call.store.reference("gl_account").items():
        active = bool(data.get("active", True))
        description = data.get("description") or ""
        if not (matches(crit.get("GLAccountId"), number)
                and matches(crit.get("Description"), description)
                and matches(crit.get("IsActive"), active)
                and matches(crit.get("CreatedDate"), seeded)
                and matches(crit.get("ModifiedDate"), seeded)
                and matches(crit.get("AccountType"), "Posting")):
            continue
        out.append({"Key": {"Id": number, "IsEncrypted": False}, "IsActive": active,
                    "Description": description or None, "CreatedDate": seeded,
                    "ModifiedDate": seeded, "AccountType": "Posting"})
    return {"GLAccountSummary": out[:1000]} if out else None  # GP caps lists at 1000
