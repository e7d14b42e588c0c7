"""GP's policies read as the connector depends on them; keys compared as SQL Server does; whole
lists read through the 1,000-row cap whatever GP's order (pure parts)."""
from __future__ import annotations

import random
from typing import Any

import pytest

from core.errors import GPError
from core.gp.keys import BINARY, same_key
from core.gp.paging import PAGE, walk
from core.gp.policy import Behaviour, posting_policy, review

UNIT = "2e873316-fee1-460e-8da1-12167013401b"
DIST = "e476a157-ecf0-4dae-8cef-317dd2cfbe41"


def _b(name: str, option: str, guid: str = "") -> Behaviour:
    return Behaviour(guid, name, option, True)


GP_DEFAULTS = [_b("Calculate Unit Price Behavior", "Calculate", UNIT),
               _b("Calculate Total Amount Behavior", "Calculate"),
               _b("Create GL Account Distributions Behavior",
                  "Automatically Create Distributions", DIST)]
CONFIGURED = [_b("Calculate Unit Price", "Do Not Calculate", UNIT),
              _b("Create GL Account Distributions", "Distributions Will Be Provided", DIST),
              _b("Create Taxes Behavior", "Taxes Will Be Provided")]


def test_fresh_gp_defaults_fail_with_the_administrators_task_in_gps_words() -> None:
    findings = review("CreateSalesInvoice", GP_DEFAULTS, role="WEBSALES", tax_mode="woo")
    fails = [f for f in findings if f.status == "fail"]
    assert [f.detail.split(":")[0] for f in fails] == [
        "Calculate Unit Price = Calculate", "no Create Taxes behaviour"]
    assert fails[0].fix == ("in the Dynamics Security Console, create a policy instance of "
                            "Create Sales Invoice for role WEBSALES with Calculate Unit Price = "
                            "Do Not Calculate")
    assert "Create Taxes = Taxes Will Be Provided" in fails[1].fix
    assert 'tax_mode = "gp"' in fails[1].fix
    policy = posting_policy({"CreateSalesInvoice": GP_DEFAULTS})
    assert policy.keeps_unit_prices is False and not policy.supply_distributions


def test_configured_role_passes_and_says_distributions_are_supplied() -> None:
    findings = review("CreateSalesInvoice", CONFIGURED, role="WEBSALES", tax_mode="woo")
    assert [f.status for f in findings] == ["ok", "info", "ok"]
    assert "the connector sends its GL mapping's distributions" in findings[1].detail
    policy = posting_policy({"CreateSalesInvoice": CONFIGURED})
    assert policy.keeps_unit_prices and policy.supply_distributions and policy.taxes_provided


def test_gp_tax_mode_refuses_a_policy_that_expects_supplied_taxes() -> None:
    findings = review("CreateSalesInvoice", CONFIGURED, role="", tax_mode="gp")
    tax = findings[-1]
    assert tax.status == "fail" and "would post without tax" in tax.detail
    assert "for the connector's role (then set [gp] role to it)" in tax.fix


def test_update_policy_repricing_fails_too_and_unknown_options_are_not_guessed() -> None:
    [upd] = review("UpdateSalesInvoice", [_b("Calculate Unit Price", "Calculate", UNIT)],
                   role="R", tax_mode="gp")
    assert upd.status == "fail" and "Update Sales Invoice" in upd.fix
    [odd] = review("UpdateSalesInvoice", [_b("Calculate Unit Price", "Sometimes")], role="R",
                   tax_mode="gp")
    assert odd.status == "warn"
    assert review("VoidSalesInvoice", [], role="R", tax_mode="gp") == []


def test_keys_compare_as_sql_server_does() -> None:
    assert same_key("WC5001", "WC5001  ") and same_key("wc5001", "WC5001")
    assert not same_key("wc5001", "WC5001", BINARY) and same_key("WC5001 ", "WC5001", BINARY)
    assert not same_key(" WC5001", "WC5001")  # leading spaces count in SQL Server


class ShuffledList:
    """GP's `Get…List` as §20.1 describes it: the first 1000 matches, in GP's own order (here
    random, not key order), honouring Between restrictions on the key."""

    def __init__(self, keys: list[str], seed: int) -> None:
        self.keys = keys
        self.rng = random.Random(seed)
        self.calls = 0

    def fetch(self, r: dict[str, Any] | None) -> list[dict[str, str]]:
        self.calls += 1
        r = r or {}

        def ok(k: str) -> bool:
            u = k.upper()
            return (("From" not in r or u >= r["From"].upper())
                    and ("To" not in r or u <= r["To"].upper())
                    and ("GreaterThan" not in r or u > r["GreaterThan"].upper()))
        hits = [k for k in self.keys if ok(k)]
        self.rng.shuffle(hits)
        return [{"id": k} for k in hits[:PAGE]]


@pytest.mark.parametrize("count", [0, 999, 1000, 1001, 4321])
def test_whole_list_read_through_the_cap_when_gp_order_is_not_key_order(count: int) -> None:
    keys = [f"{'ab'[i % 2]}ITEM-{i:05d}" for i in range(count)]  # mixed case prefixes
    server = ShuffledList(keys, seed=count)
    rows = walk(server.fetch, lambda r: r["id"])
    assert sorted(r["id"] for r in rows) == sorted(keys)
    # a naive "after the largest key seen" walk would have lost rows here:
    if count > PAGE:
        first = server.fetch(None)
        last = max(r["id"].upper() for r in first)
        naive = {r["id"] for r in first} | {k for k in keys if k.upper() > last}
        assert len(naive) < count


def test_a_server_that_ignores_ranges_is_an_error_not_a_loop() -> None:
    keys = [f"K{i:05d}" for i in range(2 * PAGE)]
    with pytest.raises(GPError, match="cannot be read completely"):
        walk(lambda _r: [{"id": k} for k in keys[:PAGE]], lambda r: r["id"])


def test_credit_memo_policy_must_take_the_refund_as_given() -> None:
    [memo] = review("CreateReceivablesCreditMemo", [_b("Create Taxes", "Calculate Taxes")],
                    role="R", tax_mode="woo")
    assert memo.status == "fail" and "Create Receivables Credit Memo for role R" in memo.fix
    assert review("CreateReceivablesCreditMemo", [_b("Create Taxes", "Taxes Will Be Provided")],
                  role="R", tax_mode="gp") == []
