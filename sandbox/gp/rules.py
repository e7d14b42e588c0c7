"""GP's rules shared by the operations: field lengths, amounts, criteria matching, the call context.

Lengths are the keyable lengths Web Services enforces (gp.md §9), not the SQL column widths.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sandbox.gp import policy as policies
from sandbox.gp.faults import ValidationFault, ValidationItem

if TYPE_CHECKING:
    from sandbox.gp.ntlm import User
    from sandbox.gp.state import GPState

CENT = Decimal("0.01")

# (what, limit) by the property path GP reports; gp.md §9.
LIMITS = {
    "sop_number": 17, "rm_number": 15, "iv_number": 17, "doc_type_id": 15, "batch": 15,
    "customer": 15, "address_id": 15, "class": 15, "customer_name": 64, "shortname": 15,
    "address_line": 60, "contact": 60, "country": 60, "city": 35, "state": 29, "postal": 10,
    "phone": 21, "po": 20, "item": 30, "item_description": 100, "uofm": 8, "site": 10,
    "price_level": 10, "rm_description": 30, "gl_account": 75, "reference": 30, "note": 500,
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | None, currency: str = "USD") -> dict[str, Any] | None:
    if value is None:
        return None
    return {"Currency": currency, "Value": cents(value), "DecimalDigits": 2}


def qty(value: Decimal | None) -> dict[str, Any] | None:
    return None if value is None else {"Value": value, "DecimalDigits": 0}


def amount(obj: dict[str, Any] | None) -> Decimal | None:
    """The Value of a MoneyAmount / Quantity / Percent, or None when absent."""
    if not obj or obj.get("Value") is None:
        return None
    return Decimal(obj["Value"])


def key_id(obj: dict[str, Any] | None, name: str = "Id") -> str | None:
    if not obj:
        return None
    value = obj.get(name)
    return value if value not in (None, "") else None


@dataclass
class Errors:
    """Collects validation errors so one fault reports all of them, as GP's log does."""

    object_type: str
    items: list[ValidationItem] = field(default_factory=list)

    def add(self, message: str, *properties: str, code: str = "") -> None:
        self.items.append(ValidationItem(message, list(properties), self.object_type, code))

    def add_item(self, item: ValidationItem) -> None:
        item.object_type = item.object_type or self.object_type
        self.items.append(item)

    def length(self, value: str | None, what: str, prop: str) -> None:
        limit = LIMITS[what]
        if value is not None and len(value) > limit:
            # Stand-in wording: GP's text for an over-long value is unpublished (gp.md §21).
            self.add(f"The value '{value}' of {prop} is {len(value)} characters long; GP allows "
                     f"at most {limit}.", prop)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFault(self.items)


# ---- criteria --------------------------------------------------------------------------------

def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def _norm(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        # As SQL Server compares GP's char columns: trailing spaces never count, and GP's usual
        # collation ignores case (gp.md §22 "Keys").
        return value.rstrip(" ").upper()
    return value


def matches(restriction: dict[str, Any] | None, value: Any) -> bool:
    """Does `value` satisfy a GP Restriction / ListRestriction / BetweenRestriction / Like?"""
    if not restriction:
        return True
    v = _norm(value)

    def get(name: str) -> Any:
        x = restriction.get(name)
        return None if x is None else _norm(x)

    if get("EqualValue") is not None and v != get("EqualValue"):
        return False
    if get("NotEqualValue") is not None and v == get("NotEqualValue"):
        return False
    items = restriction.get("Items")
    if items:
        values = [_norm(x) for x in next(iter(items.values()), []) or [] if x is not None]
        if values and v not in values:
            return False
    if v is None:
        return all(get(n) is None for n in ("From", "To", "GreaterThan", "LessThan", "Like"))
    checks: list[tuple[str, Callable[[Any, Any], bool]]] = [
        ("From", lambda a, b: a >= b), ("To", lambda a, b: a <= b),
        ("GreaterThan", lambda a, b: a > b), ("LessThan", lambda a, b: a < b)]
    for name, ok in checks:
        bound = get(name)
        if bound is not None and not ok(v, bound):
            return False
    like = restriction.get("Like")
    return like is None or _like(like, str(value))


@dataclass
class Call:
    """One SOAP (or SBA) call: who, which operation, against which state, at what time, and the
    policy options in force for it (behaviour GUID -> option id; gp.md §3.3)."""

    operation: str
    user: User
    role: str
    state: GPState
    now: datetime
    policy: dict[str, int] = field(default_factory=dict)
    policy_role: str | None = None

    @property
    def store(self):  # noqa: ANN201 - sandbox.gp.store.Store, kept lazy to avoid a cycle
        return self.state.store

    def option(self, behaviour: policies.Behaviour) -> int:
        return self.policy.get(behaviour.guid, behaviour.default)

    @property
    def calculates_unit_price(self) -> bool:
        return self.option(policies.CALCULATE_UNIT_PRICE) == 1

    @property
    def calculates_total(self) -> bool:
        return self.option(policies.CALCULATE_TOTAL_AMOUNT) == 1

    @property
    def creates_distributions(self) -> bool:
        return self.option(policies.CREATE_DISTRIBUTIONS) == 1

    @property
    def calculates_taxes(self) -> bool:
        return self.option(policies.CREATE_TAXES) == 1

    @property
    def header_level_taxes(self) -> bool:
        return self.option(policies.HEADER_LEVEL_TAXES) == 1
