"""Everything one running stand-in knows: its store, clock, company, roles and policies."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.gp import policy as policies
from sandbox.gp.store import Store

COMPANY_ID = -1  # Microsoft's samples use -1 for the sample company Fabrikam (gp.md §3.1)
COMPANY_NAME = "Fabrikam, Inc."
ADMINISTRATOR_OPERATIONS = ("CreatePolicy", "UpdatePolicy")  # the Web Services administrator's

WRITE_PREFIXES = ("Create", "Update", "Delete", "Void")


def _can_read(operation: str) -> bool:
    return operation.startswith("Get")


def _can_do_all(operation: str) -> bool:
    return True


def _can_do_business(operation: str) -> bool:
    """A connector's role: every business operation, not the administrator's policy edits."""
    return operation not in ADMINISTRATOR_OPERATIONS


# Dynamics Security roles (ours): what each may call. Unknown roles may do nothing.
ROLE_PERMISSIONS: dict[str, Callable[[str], bool]] = {
    "admin": _can_do_all,
    "superuser": _can_do_all,
    "readonly": _can_read,
    "ML Connector": _can_do_business,
}


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class GPState:
    store: Store
    clock: Callable[[], datetime] = system_clock
    company_id: int = COMPANY_ID
    company_name: str = COMPANY_NAME
    policies: policies.Policies = field(default_factory=policies.Policies)
    # What GP users have open ("in use"): batches.lock_key(...) -> the user holding it.
    locks: dict[str, str] = field(default_factory=dict)
    role_permissions: dict[str, Callable[[str], bool]] = field(
        default_factory=lambda: dict(ROLE_PERMISSIONS))

    def now(self) -> datetime:
        return self.clock()

    def allowed(self, role: str, operation: str) -> bool:
        check = self.role_permissions.get(role)
        return bool(check and check(operation))

    def allowed_any(self, roles: tuple[str, ...], operation: str) -> bool:
        return any(self.allowed(r, operation) for r in roles)

    def policy_role(self, roles: tuple[str, ...], context: dict[str, Any] | None) -> str | None:
        """Whose policy instance applies: Context.RoleKey when the user holds that role, else
        the user's only role; several roles (or none) and no RoleKey -> the default policy."""
        asked = (((context or {}).get("RoleKey") or {}).get("Id") or "").strip()
        if asked:
            match = [r for r in roles if r.upper() == asked.upper()]
            return match[0] if match else None
        return roles[0] if len(roles) == 1 else None

    def policy(self, operation: str, role: str | None) -> dict[str, Any]:
        """The Policy object GetPolicyByOperation returns for this role."""
        return self.policies.to_gp(self.company_id, operation, role)

    def effective_policy(self, operation: str, role: str | None,
                         passed: dict[str, Any] | None) -> dict[str, int]:
        """Options in force for one call: internal ones from GP's instance, external ones as the
        caller's policy selects them (gp.md §3.3)."""
        chosen = self.policies.selections(self.company_id, operation, role)
        for guid, option in policies.passed_selections(passed).items():
            b = policies.ALL.get(guid)
            if b is not None and not b.internal and guid in chosen and option in dict(b.options):
                chosen[guid] = option
        return chosen
