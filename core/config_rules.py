"""The allowed range of every setting, checked when config.toml is loaded or saved.

A value outside its range is refused with the file, the section, the key, the value and what is
allowed ("config.toml: [worker] lease_ttl_s = 1: must be a whole number from 3 to 3600"), so
a typo never runs as a surprising default nor turns into a traceback at the first use. The
ranges are what the connector can honour: a lease under 3 s cannot be renewed, a document
number template must fit GP's keys, a rounding tolerance is cents, not billions.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import ConfigError

WOO_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded",
                "failed", "checkout-draft", "trash")
STATUS_ACTIONS = ("hold", "void", "credit_memo", "none")
PAYMENT_TYPES = ("credit_card", "cash", "check", "none")  # core.mapping.payments' kinds
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_TOLERANCE = Decimal("5.00")
# Numbers as long as WooCommerce ever makes them (ids are 64-bit; ten digits covers every shop
# for decades): a template must render within GP's key length for these.
LONGEST_ORDER = {"number": "9999999999", "id": 9999999999}
LONGEST_REFUND = {"refund_id": 9999999999, "number": "9999999999", "order_id": 9999999999,
                  "id": 9999999999}


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    whole: bool = True

    def check(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        if self.whole and value != int(value):
            return "must be a whole number"
        if not self.low <= value <= self.high:
            kind = "a whole number" if self.whole else "a number"
            return f"must be {kind} from {_n(self.low)} to {_n(self.high)}"
        return None


def _n(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


RANGES: dict[tuple[str, str], Range] = {
    ("woocommerce", "timeout_s"): Range(1, 600, whole=False),
    ("gp", "timeout_s"): Range(1, 600, whole=False),
    ("posting", "concurrency"): Range(1, 32),
    ("products", "scan_interval_s"): Range(60, 86_400),
    ("products", "max_changes_per_pass"): Range(0, 1_000_000),  # 0 = no limit
    ("worker", "poll_overlap_s"): Range(0, 86_400),
    ("worker", "max_body_bytes"): Range(1_024, 50_000_000),
    ("worker", "lease_ttl_s"): Range(3, 3_600),
    ("worker", "delivery_retention_days"): Range(1, 3_650),
    ("worker.schedule", "business_interval_s"): Range(5, 86_400),
    ("worker.schedule", "off_hours_interval_s"): Range(5, 86_400),
    ("worker.schedule", "busy_interval_s"): Range(5, 86_400),
    ("worker.schedule", "busy_threshold"): Range(1, 100_000),
}


def _template(template: Any, values: dict[str, Any], limit: int, what: str) -> str | None:
    if not isinstance(template, str) or not template:
        return "must be a non-empty template"
    try:
        text = template.format(**values)
    except KeyError as exc:
        return f"names an unknown field {exc}; known: {', '.join(sorted(values))}"
    except (IndexError, ValueError, AttributeError, TypeError) as exc:
        return f"cannot be filled ({type(exc).__name__})"
    if len(text) > limit:
        return (f"renders as {text!r} ({len(text)} characters) for a long {what}; GP allows "
                f"{limit}")
    return None


def _customer_prefix(value: Any) -> str | None:
    """Up to 3 upper-case letters or digits: "WC" and ten digits (the longest WooCommerce
    customer id) after it fill GP's 15-character customer id."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]{0,3}", value):
        return ("must be up to 3 upper-case letters or digits (GP customer ids are 15 characters:"
                " the prefix, WC and up to ten digits of the WooCommerce customer id)")
    return None


def _tolerance(value: Any) -> str | None:
    if not isinstance(value, str):
        return 'must be a decimal in quotes, like "0.02"'
    try:
        tol = Decimal(value)
    except InvalidOperation:
        return 'must be a decimal like "0.02"'
    if not tol.is_finite() or tol < 0 or tol > MAX_TOLERANCE:
        return f'must be a decimal from "0" to "{MAX_TOLERANCE}"'
    return None


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"
    return check


def _statuses(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of WooCommerce statuses"
    bad = [v for v in value if v not in WOO_STATUSES]
    if bad:
        return f"has {bad[0]!r}; WooCommerce statuses are {', '.join(WOO_STATUSES)}"
    return None


def _status_map(value: Any) -> str | None:
    for status, action in value.items():
        if status not in WOO_STATUSES:
            return f"has the status {status!r}; WooCommerce statuses are {', '.join(WOO_STATUSES)}"
        if action not in STATUS_ACTIONS:
            return f"maps {status!r} to {action!r}; actions are {', '.join(STATUS_ACTIONS)}"
    return None


def _gateways(value: Any) -> str | None:
    """Each gateway's table as core.mapping.payments reads it."""
    for gateway, conf in value.items():
        if not isinstance(conf, dict):
            return f"{gateway!r} must be a table like {{ payment_type = \"check\", ... }}"
        unknown = set(conf) - {"paid", "payment_type", "checkbook", "card_type"}
        if unknown:
            return f"{gateway!r} has unknown key(s) {', '.join(sorted(map(str, unknown)))}"
        if "paid" in conf and not isinstance(conf["paid"], bool):
            return f"{gateway!r} paid must be true or false"
        if "payment_type" in conf and conf["payment_type"] not in PAYMENT_TYPES:
            return f"{gateway!r} payment_type must be one of {', '.join(PAYMENT_TYPES)}"
        for key in ("checkbook", "card_type"):
            if key in conf and not isinstance(conf[key], str):
                return f"{gateway!r} {key} must be a GP id in quotes"
    return None


def _tax_schedules(value: Any) -> str | None:
    for rate, schedule in value.items():
        if not str(rate).isdigit():
            return f"key {rate!r} must be a WooCommerce tax rate id (a number in quotes)"
        if not isinstance(schedule, str) or not schedule.strip() or len(schedule.strip()) > 15:
            return f"rate {rate}: the GP tax schedule id must be 1 to 15 characters in quotes"
    return None


def _iso_code(value: Any) -> str | None:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha()
            and value == value.upper()):
        return "must be an ISO 4217 currency code (three capital letters, e.g. USD)"
    return None


def _shop_rates(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a table of ISO currency code = \"rate\""
    for code, rate in value.items():
        if not (isinstance(code, str) and len(code) == 3 and code.isalpha()
                and code == code.upper()):
            return f"{code!r} is not an ISO 4217 currency code (three capital letters)"
        if not isinstance(rate, str):
            return f"the rate for {code} must be a string such as \"1.0850\", not a number"
        try:
            parsed = Decimal(rate)
        except InvalidOperation:
            return f"the rate for {code} ({rate!r}) is not a number"
        if not parsed.is_finite() or parsed <= 0:
            return f"the rate for {code} must be greater than zero"
    return None


# Credential cache types a service can share with whoever renews it (not MEMORY: that lives
# in one process). FILE/DIR take a path; KEYRING/KCM a name; API and MSLSA are Windows'.
CCACHE_TYPES = ("FILE", "DIR", "KEYRING", "KCM", "API", "MSLSA")


def _absolute(path: str) -> bool:
    return path.startswith("/") or (len(path) > 2 and path[1] == ":" and path[2] in "\\/")


def _keytab(value: Any) -> str | None:
    """A keytab file: the path only (its content is a secret and never read here)."""
    if not isinstance(value, str):
        return "must be the path of a keytab file in quotes"
    if not value:
        return None
    kind, colon, rest = value.partition(":")
    if colon and len(kind) > 1:  # a residual type, not a Windows drive letter
        if kind.upper() not in ("FILE", "WRFILE"):
            return f"has the keytab type {kind!r}; only a keytab file (FILE:) can be used"
        value = rest
    if not _absolute(value):
        return ("must be an absolute path (a service's working folder is not yours), like "
                "/etc/ml-connector/svc-gp.keytab")
    return None


def _ccache(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a credential cache name in quotes, like \"FILE:/path/krb5cc\""
    if not value:
        return None
    kind, colon, rest = value.partition(":")
    if not colon or len(kind) < 2:
        return (f"must be TYPE:NAME with TYPE one of {', '.join(CCACHE_TYPES)}, like "
                "\"FILE:/var/lib/ml-connector/krb5cc\"")
    if kind.upper() == "MEMORY":
        return ("MEMORY caches live inside one process; use FILE:, DIR:, KEYRING: or KCM:, or "
                "set kerberos_keytab and let the connector keep its own ticket")
    if kind.upper() not in CCACHE_TYPES:
        return f"has the cache type {kind!r}; known: {', '.join(CCACHE_TYPES)}"
    if kind.upper() in ("FILE", "DIR") and not _absolute(rest):
        return f"{kind}: needs an absolute path"
    return None


def _url(value: Any) -> str | None:
    if value and not str(value).startswith(("https://", "http://")):
        return "must start with https:// (or http:// where allowed)"
    return None


CHECKS: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("woocommerce", "url"): _url,
    ("gp", "soap_url"): _url,
    ("gp", "sba_url"): _url,
    ("gp", "kerberos_keytab"): _keytab,
    ("gp", "kerberos_ccache"): _ccache,
    ("posting", "rounding_tolerance"): _tolerance,
    ("posting", "eligible_statuses"): _statuses,
    ("posting", "status_map"): _status_map,
    ("posting", "gateways"): _gateways,
    ("posting", "tax_schedules"): _tax_schedules,
    ("posting", "doc_number_template"): lambda v: _template(v, LONGEST_ORDER, 17, "order"),
    ("posting", "refund_number_template"): lambda v: _template(v, LONGEST_REFUND, 15,
                                                               "refund"),
    ("posting", "batch_template"): lambda v: _template(v, {"date": date(2026, 12, 31)}, 15,
                                                       "date"),
    ("posting", "customer_id_prefix"): _customer_prefix,
    ("posting", "guest_policy"): _one_of(("per_email", "shared", "match")),
    ("posting", "tax_mode"): _one_of(("woo", "gp")),
    ("gp", "functional_currency"): _iso_code,
    ("posting", "exchange_rate"): _one_of(("gp", "shop")),
    ("posting", "shop_rates"): _shop_rates,
    ("posting", "refund_document"): _one_of(("credit_memo", "return_when_restocked")),
    ("products", "owner_name"): _one_of(("woocommerce", "gp", "last_writer")),
    ("products", "owner_price"): _one_of(("woocommerce", "gp", "last_writer")),
    ("products", "owner_quantity"): _one_of(("woocommerce", "gp", "last_writer")),
    ("products", "first_run"): _one_of(("plan", "approved")),
    ("logging", "format"): _one_of(("text", "json")),
    ("logging", "level"): _one_of(LOG_LEVELS),
}


def check_ranges(settings: Any, source: str = "configuration") -> None:
    """Raise ConfigError for the first setting outside its allowed range."""
    rules: list[tuple[tuple[str, str], Callable[[Any], str | None]]] = [
        *((where, r.check) for where, r in RANGES.items()), *CHECKS.items()]
    for (section, key), rule in rules:
        obj = settings
        for part in section.split("."):
            obj = getattr(obj, part)
        value = getattr(obj, key)
        problem = rule(value)
        if problem:
            raise ConfigError(f"{source}: [{section}] {key} = {value!r}: {problem}")
