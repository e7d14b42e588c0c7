"""Orders in other currencies, end to end over real loopback HTTP: a WooCommerce stand-in shop
selling in EUR (or JPY, or a currency GP lacks) and the GP stand-in's "configured" company (USD
functional, EUR and GBP with exchange tables). The invoice carries the order's currency; the rate
is GP's table's for the document date unless the accountant chose the shop's rate; totals are
verified in the document's currency; a currency GP lacks holds the order with what to do."""
from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from core.check import check_gp
from core.check_currency import check_shop_currency
from core.check_setup import refs_from_database
from core.config import load_settings
from core.errors import ConfigError
from core.gp.gateway import GPDocument
from core.money import currency_decimals, format_in
from core.pipeline.gpdoc import verify
from core.queries.orders import orders_by_id
from core.reconcile import export_csv, reconcile
from core.reconcile_live import live_reconcile
from core.replay import replay_orders
from core.store.db import close_db
from core.store.models import Order, Refund
from core.store.sent import sent_invoice
from tests.core.pipeline_env import eligible_orders, invoices_by_po, start_env
from tui.widgets.order_table import cells

JP = {"first_name": "Aiko", "last_name": "Sato", "address_1": "1-1 Chiyoda", "city": "Tokyo",
      "postcode": "100-0001", "country": "JP", "email": "aiko@example.jp"}


def _sell_in(env, code: str) -> None:
    env.woo_control("POST", "currency", {"currency": code})


def _gp_currency(env, **body) -> None:
    httpx.post(f"{env.gp.base_url}/_sandbox/currencies", json=body,
               timeout=10).raise_for_status()


def _orders(env, n: int) -> None:
    env.woo_control("POST", "activity", {"orders": n})


def test_a_eur_shop_posts_eur_invoices_at_gp_table_rate_and_verifies_in_eur(tmp_path):
    env = start_env(tmp_path, seed=4)
    try:
        _sell_in(env, "EUR")
        _orders(env, 12)
        env.ingest()
        expected = eligible_orders(env)
        assert expected and all(o["currency"] == "EUR" for o in expected.values())
        env.runner().run_until_idle()
        by_po = invoices_by_po(env)
        assert {po: len(d) for po, d in by_po.items() if len(d) > 1} == {}  # 0 duplicates
        rows = {o.number: o for o in Order.select()}
        for number, woo in expected.items():
            assert rows[number].state == "verified", (rows[number].state,
                                                      rows[number].hold_detail)
            assert rows[number].currency == "EUR"
            [doc] = by_po[number]
            assert doc["currency"] == "EUR"
            assert Decimal(doc["total"]) == Decimal(woo["total"])  # compared in EUR
            # No rate sent: GP took its EUR table's rate for the document date (2026: 1.1700).
            year = doc["date"][:4]
            table = {"2024": "1.0850", "2025": "1.0350", "2026": "1.1700"}
            assert doc["exchange_rate"] == table.get(year, "1.1700")
            assert Decimal(doc["functional"]["total"]) == (
                Decimal(doc["total"]) * Decimal(doc["exchange_rate"])).quantize(Decimal("0.01"))
        # Refunds of EUR orders are credited in EUR.
        env.woo_control("POST", "activity", {"refunds": 3})
        env.ingest()
        env.runner().run_until_idle()
        memos = env.gp.state()["credit_memos"] + env.gp.state()["returns"]
        assert memos and {m["currency"] for m in memos} == {"EUR"}
        assert all(r.state == "verified" for r in Refund.select()), [
            (r.state, r.hold_detail) for r in Refund.select()]
    finally:
        env.close()
        close_db()


def test_the_shops_rate_is_sent_when_the_accountant_chooses_it_and_held_without_one(tmp_path):
    env = start_env(tmp_path, seed=5)
    try:
        env.settings.posting.exchange_rate = "shop"
        env.settings.posting.shop_rates = {"EUR": "1.2500"}
        _sell_in(env, "EUR")
        _orders(env, 4)
        _sell_in(env, "GBP")
        _orders(env, 4)
        env.ingest()
        expected = eligible_orders(env)
        env.runner().run_until_idle()
        by_po = invoices_by_po(env)
        rows = {o.number: o for o in Order.select()}
        seen = set()
        for number, woo in expected.items():
            row = rows[number]
            seen.add(woo["currency"])
            if woo["currency"] == "EUR":
                assert row.state == "verified", row.hold_detail
                assert by_po[number][0]["exchange_rate"] == "1.2500"
                sent = sent_invoice(by_po[number][0]["number"])
                assert sent is not None and sent[0].exchange_rate == Decimal("1.2500")
            else:  # GBP: no shop rate configured, so never a silent fall-back to GP's table
                assert row.state == "held" and row.hold_reason == "currency"
                assert "shop_rates has no rate for GBP" in row.hold_detail
                assert number not in by_po
        assert seen == {"EUR", "GBP"}
        # `check`, shop side: the shop's currencies, and the one without a shop rate.
        found: list[tuple[str, str, str]] = []
        check_shop_currency(env.settings, env.woo(), lambda subject, status, detail, fix="":
                            found.append((subject, status, detail)), env.woo_orders())
        [(subject, status, detail)] = found
        assert (subject, status) == ("Shop currency", "fail"), detail
        assert "the shop sells in GBP" in detail and "no rate for GBP" in detail
    finally:
        env.close()
        close_db()


def test_a_currency_gp_lacks_holds_the_order_then_posts_once_gp_has_it(tmp_path):
    env = start_env(tmp_path, seed=6)
    try:
        _sell_in(env, "CHF")
        _orders(env, 5)
        env.ingest()
        expected = eligible_orders(env)
        env.runner().run_until_idle()
        rows = {o.number: o for o in Order.select() if o.number in expected}
        assert rows and all(r.state == "held" and r.hold_reason == "currency"
                            for r in rows.values())
        detail = next(iter(rows.values())).hold_detail
        assert "has no currency CHF" in detail and "Currency Setup" in detail
        assert invoices_by_po(env) == {}  # nothing sent, no number spent on a refusal
        # `check` names the shop currency GP lacks, with what to do in GP.
        report = check_gp(env.settings, env.gp.password, env.ws.db_path.parent, probe=False,
                          refs=refs_from_database())
        found = {f.subject: f for f in report.findings}
        assert found["Currency CHF"].status == "fail", report.render()
        assert "GP has no currency CHF" in found["Currency CHF"].detail
        assert "Multicurrency Access" in found["Currency CHF"].fix
        _gp_currency(env, iso="CHF", id="Z-CHF", decimals=2, rates=[["2024-01-01", "1.1100"]])
        assert replay_orders(held_reason="currency", actor="test", clock=env.clock) == len(rows)
        env.runner().run_until_idle()
        assert all(Order.get_by_id(r.id).state == "verified" for r in rows.values())
        assert all(d[0]["currency"] == "CHF" for d in invoices_by_po(env).values())
        report = check_gp(env.settings, env.gp.password, env.ws.db_path.parent, probe=False,
                          refs=refs_from_database())
        assert {f.subject: f.status for f in report.findings}["Currency CHF"] == "ok"
    finally:
        env.close()
        close_db()


def test_a_jpy_order_posts_with_zero_decimals(tmp_path):
    env = start_env(tmp_path, seed=7)
    try:
        _gp_currency(env, iso="JPY", id="Z-JPY", decimals=0, rates=[["2024-01-01", "0.0067"]])
        _sell_in(env, "JPY")
        order = env.woo()._json("POST", "orders", json={
            "billing": JP, "shipping": JP, "set_paid": True, "payment_method": "stripe",
            "line_items": [{"sku": "CAP-CANVAS-NVY", "quantity": 3, "subtotal": "4500",
                            "total": "4500"}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate",
                                "total": "800"}]})
        assert (order["currency"], order["total"]) == ("JPY", "5300")
        env.ingest()
        env.runner().run_until_idle()
        row = Order.get(Order.woo_id == order["id"])
        assert row.state == "verified", row.hold_detail
        [doc] = invoices_by_po(env)[str(order["number"])]
        assert (doc["currency"], doc["total"]) == ("JPY", "5300")
        assert [ln["unit_price"] for ln in doc["lines"]] == ["1500"]
        assert doc["functional"]["total"] == "35.51"  # 5300 x 0.0067
        # The console shows whole yen.
        row_cells = cells(orders_by_id([row.id])[row.id])
        assert "5,300" in row_cells and "5,300.00" not in row_cells
    finally:
        env.close()
        close_db()


def test_a_gp_document_in_another_currency_is_never_verified_against_the_order():
    doc = GPDocument("WC1001", "invoice", "C1", Decimal("40.99"), "work", currency="USD")
    v = verify(doc, label="invoice WC1001", customer_id="C1", expected_total=Decimal("40.99"),
               expected_currency="EUR")
    assert (v.ok, v.reason) == (False, "currency") and "GP holds invoice WC1001 in USD" in v.detail
    same = verify(doc, label="invoice WC1001", customer_id="C1",
                  expected_total=Decimal("40.99"), expected_currency="usd")
    assert same.ok


@pytest.mark.parametrize("toml, problem", [
    ('[posting]\nexchange_rate = "bank"\n', "exchange_rate"),
    ('[posting]\nshop_rates = { EUR = 1.08 }\n', "must be a string"),
    ('[posting]\nshop_rates = { EUR = "-1" }\n', "greater than zero"),
    ('[posting]\nshop_rates = { eur = "1.08" }\n', "ISO 4217"),
    ('[posting]\nshop_rates = { EUR = "abc" }\n', "is not a number"),
    ('[gp]\nfunctional_currency = "dollars"\n', "ISO 4217"),
])
def test_currency_settings_are_validated(toml, problem):
    with pytest.raises(ConfigError) as exc:
        load_settings(toml)
    assert problem in str(exc.value)


def test_valid_currency_settings_load():
    s = load_settings('[gp]\nfunctional_currency = "EUR"\n[posting]\nexchange_rate = "shop"\n'
                      'shop_rates = { USD = "0.9200", JPY = "0.0061" }\n')
    assert (s.gp.functional_currency, s.posting.shop_rates["JPY"]) == ("EUR", "0.0061")


def test_money_keeps_each_currencys_decimals():
    assert (currency_decimals("JPY"), currency_decimals("eur"), currency_decimals("KWD")) == (
        0, 2, 3)
    assert format_in(Decimal("1500"), "JPY") == "1,500 JPY"
    assert format_in(Decimal("40.985"), "EUR") == "40.99 EUR"


def test_reconciliation_adds_up_money_per_currency_never_across(tmp_path):
    env = start_env(tmp_path, seed=8)
    try:
        _orders(env, 6)  # USD
        _sell_in(env, "EUR")
        _orders(env, 6)
        env.ingest()
        expected = eligible_orders(env)
        env.runner().run_until_idle()
        today = env.clock.now().date()
        start, end = today - timedelta(days=3), today + timedelta(days=1)
        by_cur: dict[str, Decimal] = {}
        for o in expected.values():
            by_cur[o["currency"]] = by_cur.get(o["currency"], Decimal(0)) + Decimal(o["total"])
        assert set(by_cur) == {"USD", "EUR"}
        for report in (reconcile(start, end),
                       live_reconcile(env.woo(), env.gateway(), start, end,
                                      posting=env.settings.posting)):
            totals = {t.currency: t for t in report.totals()}
            assert set(totals) == {"USD", "EUR"}
            for code, t in totals.items():
                assert t.woo_orders.total == by_cur[code] and t.matches, (code, t)
            total = report.total()
            assert total.currency == "mixed" and total.matches and total.difference == 0
            assert {r.currency for r in report.days()} == {"USD", "EUR"}
        summary, _ = export_csv(reconcile(start, end), tmp_path / "recon.csv")
        rows = list(csv.DictReader(summary.open()))
        assert {(r["day"], r["currency"]) for r in rows if r["day"] == "total"} == {
            ("total", "USD"), ("total", "EUR")}
        # A missing EUR invoice shows as a EUR difference, never netted against USD.
        eur = next(o for o in Order.select() if o.currency == "EUR" and o.state == "verified")
        Order.update(gp_total=eur.total - Decimal("5")).where(Order.id == eur.id).execute()
        report = reconcile(start, end)
        totals = {t.currency: t for t in report.totals()}
        assert totals["EUR"].difference == Decimal("5") and totals["USD"].matches
        assert not report.total().matches
        assert [e.currency for e in report.explain(currency="EUR")] == ["EUR"]
    finally:
        env.close()
        close_db()
