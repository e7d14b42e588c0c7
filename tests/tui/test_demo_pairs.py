"""`demo --pairs` (issue 17): a US shop (USD) and a European shop (EUR) into GP company 1, a
second brand's shop (USD) into GP company 2, three pairs of one workspace under one worker.
The headless run reports per pair: orders, posted, verified, duplicates counted in GP, totals per
currency (GP's invoice totals against the shop's order totals); the EUR pair's invoices are EUR
in GP and compare in EUR. Real stand-ins over loopback HTTPS, the worker's processes real."""
from __future__ import annotations

import json
from decimal import Decimal

from core.config import Settings, Workspace
from core.pairs import list_pairs
from tests.sandbox.demo_support import cli
from tui.cli import main
from tui.demo.pair_figures import duplicates, pair_documents, pair_ok, totals_by_currency
from tui.demo.pairs_run import run_headless_pairs
from tui.demo.setup import SandboxControl
from tui.demo.shops import SHOPS, start_shops_and_companies

ORDERS = 6
EUR_TABLE = {"2024": "1.0850", "2025": "1.0350", "2026": "1.1700"}  # the configured GP's rates


def test_three_shops_two_companies_each_pair_verified_once_with_eur_totals_in_eur(tmp_path):
    started = start_shops_and_companies(tmp_path / "stand-ins", seed=5, webhook_delay=0.2)
    try:
        root = tmp_path / "workspace"
        summary = run_headless_pairs(root, started, orders=ORDERS, timeout_s=150, settle_s=1.5)
        pairs = summary["pairs"]
        assert list(pairs) == ["default", "europe", "company2"]
        assert list_pairs(Workspace.at(root)) == ["default", "company2", "europe"]
        assert summary["idle"] is True
        assert summary["every_pair_ok"] is True, json.dumps(pairs, indent=1)
        for name, figures in pairs.items():
            assert figures["orders"] == ORDERS
            assert figures["duplicates"] == 0, figures["duplicate_documents"]
            assert figures["postable"] > 0
            assert figures["posted"] == figures["verified"] == figures["postable"], figures
            assert figures["gp_documents"]["invoices"] == figures["posted"], name
            # the order for a product GP lacks is held, unless its status is not invoiced
            assert figures["flagged_sku_orders"] <= 1
            assert figures["totals_matched"] is True, figures["total_mismatches"]
        assert sum(f["flagged_sku_orders"] for f in pairs.values()) >= 1
        assert pairs["default"]["gp_company"].startswith("company 1")
        assert pairs["europe"]["gp_company"].startswith("company 1")
        assert pairs["company2"]["gp_company"].startswith("company 2")
        assert "Contoso Outdoor, Ltd." in pairs["company2"]["gp_company"]  # its own name
        assert "Fabrikam, Inc." in pairs["europe"]["gp_company"]
        # Each pair's totals are in its own currency, as many invoices as it posted.
        assert set(pairs["default"]["totals_by_currency"]) == {"USD"}
        assert set(pairs["company2"]["totals_by_currency"]) == {"USD"}
        eur = pairs["europe"]["totals_by_currency"]
        assert set(eur) == {"EUR"}
        assert eur["EUR"]["invoices"] == pairs["europe"]["posted"]
        assert eur["EUR"]["gp_total"] == eur["EUR"]["shop_total"]
        assert Decimal(eur["EUR"]["gp_functional_total"]) > Decimal(eur["EUR"]["gp_total"])
        eur_credits = pairs["europe"]["refund_totals_by_currency"]
        assert set(eur_credits) == {"EUR"} and eur_credits["EUR"]["matched"] is True
        assert eur_credits["EUR"]["credit_documents"] == pairs["europe"]["refunds_by_state"].get(
            "verified", 0) > 0

        # Read GP company 1 directly: the European shop's invoices are EUR at GP's table rate,
        # each equal, in EUR, to its EUR order; the US shop's beside them are USD.
        company1 = started.companies[1].state()
        control = SandboxControl(started.endpoints["europe"])
        try:
            shop_eu = {str(o["number"]): o for o in control.woo_state()["orders"]}
        finally:
            control.close()
        eu_invoices = [d for d in company1["invoices"] if d["number"].startswith("EU")]
        us_invoices = [d for d in company1["invoices"] if d["number"].startswith("WC")]
        assert len(eu_invoices) == pairs["europe"]["posted"]
        assert len(us_invoices) == pairs["default"]["posted"]
        assert {d["currency"] for d in eu_invoices} == {"EUR"}
        assert {d["currency"] for d in us_invoices} == {"USD"}
        for doc in eu_invoices:
            assert doc["exchange_rate"] == EUR_TABLE.get(doc["date"][:4], "1.1700")
            order = shop_eu[doc["po"]]
            assert order["currency"] == "EUR"
            assert Decimal(doc["total"]) == Decimal(order["total"])  # compared in EUR
        assert all(d["customer"].startswith("EU") for d in eu_invoices)
        assert not any(d["customer"].startswith("EU") for d in us_invoices)
        assert started.companies[2].state()["invoices"]
        assert all(d["number"].startswith("WC") for d in started.companies[2].state()["invoices"])

        # `check` passes for every pair: the two shops in company 1 cannot make the same key.
        for plan in SHOPS:
            code = main(["check", "--no-probe", "--json", "--workspace", str(root),
                         "--pair", plan.pair])
            assert code == 0, plan.pair
    finally:
        started.stop()


def _doc(number: str, po: str, total: str, currency: str, **extra: str) -> dict[str, object]:
    return {"number": number, "po": po, "total": total, "currency": currency, "state": "work",
            **extra}


def test_an_invoice_in_gp_twice_or_off_by_a_cent_fails_the_pair():
    """What makes `demo --headless --pairs` exit 1, judged from GP's documents."""
    shop = {"1001": {"number": "1001", "total": "10.00", "currency": "EUR"},
            "1002": {"number": "1002", "total": "20.00", "currency": "EUR"}}
    good = [_doc("EU1001", "1001", "10.00", "EUR"), _doc("EU1002", "1002", "20.00", "EUR")]
    totals, problems = totals_by_currency(good, shop)
    assert problems == [] and totals["EUR"]["matched"] is True
    assert totals["EUR"]["gp_total"] == totals["EUR"]["shop_total"] == "30.00"
    # GP's total one cent off, and an invoice in USD for an EUR order: both said with figures.
    _, problems = totals_by_currency([_doc("EU1001", "1001", "10.01", "EUR"),
                                      _doc("EU1002", "1002", "20.00", "USD")], shop)
    assert problems == ["EU1001: GP EUR 10.01, shop order 1001 EUR 10.00",
                        "EU1002: GP USD 20.00, shop order 1002 EUR 20.00"]


def test_a_shared_company_splits_by_each_pairs_prefix_and_counts_duplicates_per_pair():
    """Company 1 holds both shops' documents, and both shops have an order 1001: each pair
    counts its own (by number prefix), so the other shop's 1001 is no duplicate."""
    us, eu = Settings(), Settings()
    eu.posting.doc_number_template = "EU{number}"
    eu.posting.refund_number_template = "EUR{refund_id}"
    gp = {"invoices": [_doc("WC1001", "1001", "5.00", "USD"),
                       _doc("EU1001", "1001", "5.00", "EUR"),
                       _doc("EU1002", "1002", "7.00", "EUR")],
          "credit_memos": [_doc("WCR7", "1001", "1.00", "USD"),
                           _doc("EUR8", "1001", "1.00", "EUR")],
          "returns": []}
    mine_us, mine_eu = pair_documents(us, gp), pair_documents(eu, gp)
    assert [d["number"] for d in mine_us["invoices"]] == ["WC1001"]
    assert [d["number"] for d in mine_eu["invoices"]] == ["EU1001", "EU1002"]
    assert [d["number"] for d in mine_us["credit_memos"]] == ["WCR7"]
    assert [d["number"] for d in mine_eu["credit_memos"]] == ["EUR8"]
    assert duplicates(mine_us) == duplicates(mine_eu) == []
    # The European shop's order 1002 invoiced twice (a second number): a duplicate by PO.
    gp["invoices"].append(_doc("EU1002-2", "1002", "7.00", "EUR"))
    assert duplicates(pair_documents(eu, gp)) == ["PO 1002"]
    # ... and unless void.
    gp["invoices"][-1]["state"] = "void"
    assert duplicates(pair_documents(eu, gp)) == []


def test_pair_ok_needs_no_duplicate_every_postable_verified_and_totals_matched():
    ok = {"duplicates": 0, "every_postable_order_verified": True, "totals_matched": True,
          "postable": 3}
    assert pair_ok(ok)
    assert not pair_ok({**ok, "duplicates": 1})
    assert not pair_ok({**ok, "every_postable_order_verified": False})
    assert not pair_ok({**ok, "totals_matched": False})
    assert not pair_ok({**ok, "postable": 0})  # nothing posted proves nothing


def test_headless_pairs_command_prints_per_pair_figures_and_exits_0():
    """The README's command as a process: `ml-connector demo --headless --pairs --orders 4`."""
    proc = cli("demo", "--headless", "--pairs", "--orders", "4", "--settle", "1.5",
               "--timeout", "150")
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-3000:] + out[-3000:]
    summary = json.loads(out)
    assert set(summary["pairs"]) == {"default", "europe", "company2"}
    for figures in summary["pairs"].values():
        assert figures["duplicates"] == 0
        assert figures["verified"] == figures["postable"] > 0
    assert set(summary["pairs"]["europe"]["totals_by_currency"]) == {"EUR"}
    table = [line for line in err.splitlines() if line.startswith(("pair ", "europe "))]
    assert table[0].split()[:3] == ["pair", "GP", "company"]
    assert "EUR" in table[1] and " = " in table[1] and "NOT OK" not in table[1]

