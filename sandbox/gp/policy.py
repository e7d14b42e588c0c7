"""GP's policies: behaviours per operation, GP's defaults, instances per company and role.

gp.md §3.3-§3.4 and §22. GetPolicyByOperation returns the instance for the caller's company and
role, else the operation's default policy. The role is Context.RoleKey when given and the user
holds it; without it, the user's only role; a user in several roles (or none) gets the default
policy [cc508761]. Internal behaviours are set only by the Web Services administrator (here: the
control plane, or CreatePolicy/UpdatePolicy by an administrator role); an external behaviour the
caller changes on the policy it passes in is honoured for that call.

Behaviour ids, options and defaults are GP's where gp.md names them. Where GP's own id or option
list is unpublished (Create Taxes, Use Header Level Taxes, Customer Class Defaulting), the GUID is
ours (uuid5) and the option names are inferred; /help lists them as inferred.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

_OURS = uuid.UUID("5b0f1d43-57a9-4a3c-9d0e-6f2f1c8f3a10")  # namespace for ids GP does not publish


@dataclass(frozen=True)
class Behaviour:
    guid: str
    name: str
    description: str
    internal: bool
    options: tuple[tuple[int, str], ...]  # (option id, name) in GP's order
    default: int  # option id
    inferred: bool = False

    def option_name(self, option: int) -> str:
        return dict(self.options)[option]


def _ours(name: str) -> str:
    return str(uuid.uuid5(_OURS, "behaviour:" + name))


CALCULATE_UNIT_PRICE = Behaviour(
    "2e873316-fee1-460e-8da1-12167013401b", "Calculate Unit Price",
    "Calculates the unit price and line total amount from the item's price list.", True,
    ((0, "Do Not Calculate"), (1, "Calculate")), 1)
CALCULATE_TOTAL_AMOUNT = Behaviour(
    "41233b06-db1a-4050-b4af-207eb2c908b3", "Calculate Total Amount",
    "Calculates the document total amount.", True,
    ((0, "Do Not Calculate"), (1, "Calculate")), 1)
CREATE_DISTRIBUTIONS = Behaviour(
    "e476a157-ecf0-4dae-8cef-317dd2cfbe41", "Create GL Account Distributions",
    "Creates the GL distributions from the posting accounts; supplied ones are ignored.", True,
    ((0, "Distributions Will Be Provided"), (1, "Automatically Create Distributions")), 1)
DEFAULT_WAREHOUSE = Behaviour(
    "758c758e-13fc-42cc-a508-57a8abe04dcd", "Default Warehouse",
    "Where a line's site comes from when none is given.", True,
    ((0, "Use Setup Value"), (1, "Specify Default")), 0)
BIN_QUANTITY_SHORTAGE = Behaviour(
    "67e5073d-b69e-4526-8079-1a691d475c48", "Bin Quantity Shortage",
    "What to do when a bin holds less than the line needs.", False,
    ((0, "Do Not Override"), (1, "Override Bin")), 1)
ASSIGN_BATCH_PREFIX = Behaviour(
    "dc788b46-e2ae-4b7a-80c2-00cb40dcf76f", "Assign Batch Prefix",
    "Prefix for the batch id.", True, ((1, "No Prefix"), (2, "Specify Prefix")), 1)
CREATE_TAXES = Behaviour(
    _ours("Create Taxes"), "Create Taxes",
    "Calculates the document's taxes from its tax schedules, or takes the tax details provided.",
    True, ((0, "Taxes Will Be Provided"), (1, "Calculate Taxes")), 1, inferred=True)
HEADER_LEVEL_TAXES = Behaviour(
    _ours("Use Header Level Taxes"), "Use Header Level Taxes",
    "Tax details are given for the whole document rather than per line.", True,
    ((0, "Do Not Use Header Level Taxes"), (1, "Use Header Level Taxes")), 0, inferred=True)
CUSTOMER_CLASS_DEFAULTING = Behaviour(
    _ours("Customer Class Defaulting"), "Customer Class Defaulting",
    "Fills a new customer's empty fields from its customer class.", True,
    ((0, "Do Not Use Customer Class"), (1, "Use Customer Class")), 0, inferred=True)

_SOP = (CALCULATE_UNIT_PRICE, CALCULATE_TOTAL_AMOUNT, CREATE_DISTRIBUTIONS, DEFAULT_WAREHOUSE,
        BIN_QUANTITY_SHORTAGE, ASSIGN_BATCH_PREFIX, CREATE_TAXES, HEADER_LEVEL_TAXES)
# The operations served and their behaviours. Create Sales Return's list is GP's [cc534176]; the
# invoice's is unpublished and taken to be the same (inferred); void/delete carry none [cc508417].
OPERATIONS: dict[str, tuple[Behaviour, ...]] = {
    "CreateSalesInvoice": _SOP, "UpdateSalesInvoice": _SOP,
    "CreateSalesReturn": _SOP, "UpdateSalesReturn": _SOP,
    "CreateReceivablesCreditMemo": (CREATE_DISTRIBUTIONS, CREATE_TAXES),
    "CreateCustomer": (CUSTOMER_CLASS_DEFAULTING,), "UpdateCustomer": (),
    "CreateCustomerAddress": (), "UpdateCustomerAddress": (),
    "CreateInventoryAdjustment": (ASSIGN_BATCH_PREFIX,),
}
ALL = {b.guid: b for bs in OPERATIONS.values() for b in bs}
BY_NAME = {b.name.lower(): b for b in ALL.values()}


def behaviour(name_or_guid: str) -> Behaviour:
    found = ALL.get(name_or_guid) or BY_NAME.get(name_or_guid.lower())
    if found is None:
        raise KeyError(f"no behaviour {name_or_guid!r}; known: {sorted(BY_NAME)}")
    return found


def policy_id(operation: str, company: int, role: str | None) -> str:
    return str(uuid.uuid5(_OURS, f"policy:{company}:{role or ''}:{operation}"))


class Policies:
    """Default policies per company, and instances per (company, role), for each operation."""

    def __init__(self) -> None:
        self.defaults: dict[tuple[int, str], dict[str, int]] = {}
        self.instances: dict[tuple[int, str, str], dict[str, int]] = {}

    def selections(self, company: int, operation: str, role: str | None) -> dict[str, int]:
        chosen = self.defaults.get((company, operation), {})
        if role is not None:
            chosen = self.instances.get((company, role, operation), chosen)
        return {b.guid: chosen.get(b.guid, b.default) for b in OPERATIONS.get(operation, ())}

    def has_instance(self, company: int, role: str, operation: str) -> bool:
        return (company, role, operation) in self.instances

    def set(self, company: int, operation: str, role: str | None, guid: str, option: int) -> None:
        b = ALL[guid]
        if option not in dict(b.options):
            raise ValueError(f"{b.name} has no option {option}; options: {dict(b.options)}")
        if role is None:
            self.defaults.setdefault((company, operation), {})[guid] = option
        else:
            current = self.selections(company, operation, role)
            self.instances[(company, role, operation)] = {**current, guid: option}

    def set_everywhere(self, company: int, guid: str, option: int) -> None:
        """The test knob: the same option in the default policy and in every instance."""
        for operation, bs in OPERATIONS.items():
            if any(b.guid == guid for b in bs):
                self.set(company, operation, None, guid, option)
        for (c, role, operation) in list(self.instances):
            if c == company and any(b.guid == guid for b in OPERATIONS[operation]):
                self.set(company, operation, role, guid, option)

    def set_pricing(self, company: int, calculate: bool) -> None:
        """GP re-prices and re-totals (its defaults) or takes the caller's figures and checks
        them: Calculate Unit Price and Calculate Total Amount together, in every policy. One
        without the other makes GP refuse every re-priced document with error 235."""
        for b in (CALCULATE_UNIT_PRICE, CALCULATE_TOTAL_AMOUNT):
            self.set_everywhere(company, b.guid, int(calculate))

    def to_gp(self, company: int, operation: str, role: str | None) -> dict[str, Any]:
        """The Policy object (gp.md §3.3) as GetPolicyByOperation returns it."""
        has = role is not None and self.has_instance(company, role, operation)
        pid = policy_id(operation, company, role if has else None)
        chosen = self.selections(company, operation, role if has else None)
        behaviours = [_behaviour_to_gp(b, pid, chosen[b.guid])
                      for b in OPERATIONS.get(operation, ())]
        return {"Key": {"Id": pid},
                "Behaviors": {"Behavior": behaviours} if behaviours else None,
                "Name": _spaced(operation), "RootBusinessObjectName": _root(operation)}


def _behaviour_to_gp(b: Behaviour, pid: str, selected: int) -> dict[str, Any]:
    opts = [{"Key": {"BehaviorKey": {"PolicyKey": {"Id": pid}, "Id": b.guid}, "Id": i},
             "Name": n} for i, n in b.options]
    return {"Key": {"PolicyKey": {"Id": pid}, "Id": b.guid}, "Name": b.name,
            "Description": b.description, "Internal": b.internal,
            "Options": {"BehaviorOption": opts},
            "SelectedOption": next(o for o, (i, _) in zip(opts, b.options, strict=True)
                                   if i == selected)}


def _spaced(operation: str) -> str:
    return "".join(" " + c if c.isupper() and i else c for i, c in enumerate(operation))


def _root(operation: str) -> str:
    for verb in ("Create", "Update", "Delete", "Void"):
        if operation.startswith(verb):
            return operation[len(verb):]
    return operation


def passed_selections(policy: dict[str, Any] | None) -> dict[str, int]:
    """The options a caller's Policy object selects, by behaviour GUID."""
    out: dict[str, int] = {}
    for b in ((policy or {}).get("Behaviors") or {}).get("Behavior") or []:
        guid = ((b or {}).get("Key") or {}).get("Id")
        option = (((b or {}).get("SelectedOption") or {}).get("Key") or {}).get("Id")
        if guid and option is not None:
            out[str(guid)] = int(option)
    return out
