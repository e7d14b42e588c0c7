"""Everything one running stand-in knows: its store, clock, company, roles and policies."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.gp.store import Store

COMPANY_ID = -1  # Microsoft's samples use -1 for the sample company Fabrikam
COMPANY_NAME = "Fabrikam, Inc."
CALCULATE_UNIT_PRICE = "2e873316-fee1-460e-8da1-12167013401b"  # GP's behaviour GUID for it
CALCULATE_TOTAL_AMOUNT = "41233b06-db1a-4050-b4af-207eb2c908b3"
_POLICY_NS = uuid.UUID("5b0f1d43-57a9-4a3c-9d0e-6f2f1c8f3a10")  # ours: stable policy ids per op

WRITE_PREFIXES = ("Create", "Update", "Delete", "Void")


def _can_read(operation: str) -> bool:
    return operation.startswith("Get")


def _can_do_all(operation: str) -> bool:
    return True


# Dynamics Security roles (ours): what each may call. Unknown roles may do nothing.
ROLE_PERMISSIONS: dict[str, Callable[[str], bool]] = {
    "admin": _can_do_all,
    "superuser": _can_do_all,
    "readonly": _can_read,
}


def system_clock() -> datetime:
    return datetime.now(UTC)


def policy_id(operation: str) -> str:
    return str(uuid.uuid5(_POLICY_NS, operation))


@dataclass
class GPState:
    store: Store
    clock: Callable[[], datetime] = system_clock
    company_id: int = COMPANY_ID
    company_name: str = COMPANY_NAME
    # "Calculate Unit Price" is internal: set per role by the administrator, never by the caller.
    calculate_unit_price_default: bool = False
    calculate_unit_price: dict[str, bool] = field(default_factory=dict)
    role_permissions: dict[str, Callable[[str], bool]] = field(
        default_factory=lambda: dict(ROLE_PERMISSIONS))

    def now(self) -> datetime:
        return self.clock()

    def allowed(self, role: str, operation: str) -> bool:
        check = self.role_permissions.get(role)
        return bool(check and check(operation))

    def policy(self, operation: str, role: str) -> dict[str, Any]:
        """The policy instance GetPolicyByOperation returns for this role (a Policy object)."""
        behaviors = []
        if operation in ("CreateSalesInvoice", "UpdateSalesInvoice", "CreateSalesReturn",
                         "UpdateSalesReturn"):
            calc = self.calculate_unit_price.get(role, self.calculate_unit_price_default)
            behaviors.append(_behavior(CALCULATE_UNIT_PRICE, "Calculate Unit Price",
                                       "Whether the unit price is calculated from the price list.",
                                       ["Do Not Calculate", "Calculate"], 1 if calc else 0))
            behaviors.append(_behavior(CALCULATE_TOTAL_AMOUNT, "Calculate Total Amount",
                                       "Whether the document total is calculated.",
                                       ["Do Not Calculate", "Calculate"], 1))
        return {"Key": {"Id": policy_id(operation)},
                "Behaviors": {"Behavior": behaviors} if behaviors else None,
                "Name": operation.replace("Create", "Create ").replace("Update", "Update ")
                .replace("Void", "Void ").replace("Delete", "Delete ").strip(),
                "RootBusinessObjectName": operation}


def _behavior(guid: str, name: str, description: str, options: list[str],
              selected: int) -> dict[str, Any]:
    opts = [{"Key": {"BehaviorKey": {"Id": guid}, "Id": i}, "Name": n}
            for i, n in enumerate(options)]
    return {"Key": {"Id": guid}, "Name": name, "Description": description, "Internal": True,
            "Options": {"BehaviorOption": opts}, "SelectedOption": opts[selected]}
