"""Pure product-sync logic: value comparison (echo-proof) and the three-way decision with owners."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.config import ProductSettings
from core.products.compare import decide, decide_field, owners_from
from core.products.fields import (
    entry_from_woo,
    for_woo,
    same,
    variation_name,
)

# --- values -----------------------------------------------------------------------------------


def test_names_compare_as_wordpress_hands_them_back():
    assert same("name", "Salt & Pepper Mill", "Salt &amp; Pepper Mill")
    assert same("name", "  Wool   Throw ", "Wool Throw")
    assert not same("name", "Wool Throw", "Wool Throw, Grey")


def test_a_long_name_equals_what_gp_kept_of_it():
    long = "Organic " * 20
    assert same("name", long, long.strip()[:100])


def test_prices_compare_at_cents_and_quantities_as_units():
    assert same("price", D("24.00000"), D("24"))
    assert same("price", D("24.995"), D("25.00"))  # GP's 5 decimals vs the store's cents
    assert not same("price", D("24.00"), D("24.01"))
    assert same("quantity", D("10.00000"), D("10"))
    assert same("quantity", D("2.5"), D("2"))  # WooCommerce stock is whole units
    assert not same("quantity", D("9"), D("10"))
    assert same("price", None, None) and not same("price", None, D("1"))


def test_values_written_to_woocommerce_are_its_json_types():
    assert for_woo("price", D("24.5")) == "24.50"
    assert for_woo("quantity", D("7.00000")) == 7
    assert for_woo("name", "Mug") == "Mug"


def test_entry_from_a_simple_product():
    e = entry_from_woo({"id": 11, "type": "simple", "sku": "CL-TSHIRT-001",
                        "name": "Organic Cotton T-Shirt", "regular_price": "26.00",
                        "manage_stock": True, "stock_quantity": 46,
                        "date_modified_gmt": "2026-11-27T08:09:18"})
    assert e is not None
    assert (e.product_id, e.variation_id, e.price, e.quantity) == (11, None, D("26.00"), D("46"))
    assert e.modified_gmt is not None and e.modified_gmt.tzinfo is not None


def test_parents_skuless_and_unmanaged_stock():
    assert entry_from_woo({"id": 20, "type": "variable", "sku": "CL-HOODIE"}) is None
    assert entry_from_woo({"id": 5, "type": "simple", "sku": ""}) is None
    e = entry_from_woo({"id": 6, "type": "simple", "sku": "X", "name": "X", "regular_price": "",
                        "manage_stock": False, "stock_quantity": None})
    assert e is not None and e.price is None and e.quantity is None


def test_a_variation_has_the_same_name_from_a_poll_and_from_a_webhook():
    parent = {"id": 20, "name": "Classic Pullover Hoodie", "type": "variable"}
    polled = entry_from_woo({"id": 21, "sku": "CL-HOODIE-S", "name": "Small",
                             "attributes": [{"id": 1, "name": "Size", "option": "Small"}],
                             "regular_price": "55.00", "manage_stock": True,
                             "stock_quantity": 19}, parent=parent)
    hooked = entry_from_woo({"id": 21, "type": "variation", "parent_id": 20,
                             "sku": "CL-HOODIE-S", "name": "Classic Pullover Hoodie - Small",
                             "regular_price": "55.00", "manage_stock": True,
                             "stock_quantity": 19})
    assert polled == hooked
    assert polled is not None and (polled.product_id, polled.variation_id) == (20, 21)
    assert variation_name("Sweater", [{"option": "M"}, {"option": "NVY"}]) == "Sweater - M, NVY"


# --- decisions ---------------------------------------------------------------------------------


def test_default_owners_are_what_most_shops_want():
    assert owners_from(ProductSettings()) == {"name": "woocommerce", "price": "gp",
                                              "quantity": "gp"}


def test_gp_price_change_goes_to_woocommerce():
    d = decide_field("price", D("24"), D("24"), D("26"), "gp")
    assert (d.action, d.value, d.restore) == ("to_woo", D("26"), False)


def test_an_edit_on_the_non_owner_side_is_put_back():
    d = decide_field("price", D("24"), D("19.99"), D("24"), "gp")
    assert (d.action, d.value, d.restore) == ("to_woo", D("24"), True)
    d = decide_field("name", "Mug", "Mug", "MUG 12OZ STONE", "woocommerce")
    assert (d.action, d.value, d.restore) == ("to_gp", "Mug", True)


def test_last_writer_propagates_either_side_and_conflicts_when_both_changed():
    assert decide_field("price", D("24"), D("25"), D("24"), "last_writer").action == "to_gp"
    assert decide_field("price", D("24"), D("24"), D("23"), "last_writer").action == "to_woo"
    both = decide_field("price", D("24"), D("25"), D("23"), "last_writer")
    assert both.action == "conflict" and both.value is None


def test_our_own_write_read_back_is_not_a_change():
    # We wrote 26 to WooCommerce and set the base; the webhook shows "26.00": nothing to do.
    assert decide_field("price", D("26"), D("26.00"), D("26.00000"), "gp").action == "none"
    assert decide_field("name", "Salt & Pepper", "Salt &amp; Pepper", "Salt & Pepper",
                        "woocommerce").action == "none"


def test_converged_sides_adopt_a_new_base_and_missing_values_are_skipped():
    assert decide_field("quantity", D("10"), D("9"), D("9"), "gp").action == "adopt"
    assert decide_field("quantity", None, None, D("9"), "gp").action == "skip"


def test_first_link_follows_the_owner():
    assert decide_field("price", None, D("20"), D("24"), "gp").action == "to_woo"
    assert decide_field("price", None, D("20"), D("24"), "woocommerce").action == "to_gp"
    assert decide_field("price", None, D("20"), D("24"), "last_writer").action == "conflict"
    assert decide_field("price", None, D("24"), D("24"), "last_writer").action == "adopt"


def test_decide_covers_every_field():
    out = decide({"name": "A", "price": D("1"), "quantity": D("3")},
                 {"name": "A", "price": D("2"), "quantity": D("3")},
                 {"name": "B", "price": D("1"), "quantity": D("3")},
                 {"name": "woocommerce", "price": "woocommerce", "quantity": "gp"})
    assert {f: d.action for f, d in out.items()} == {"name": "to_gp", "price": "to_gp",
                                                     "quantity": "none"}


values = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@pytest.mark.parametrize("owner", ["gp", "woocommerce", "last_writer"])
@given(base=st.one_of(st.none(), values), woo=values, gp=values)
def test_applying_a_decision_leaves_the_sides_equal(owner, base, woo, gp):
    d = decide_field("price", base, woo, gp, owner)  # type: ignore[arg-type]
    if d.action == "to_woo":
        woo = d.value
    elif d.action == "to_gp":
        gp = d.value
    if d.action == "conflict":
        assert owner == "last_writer" and not same("price", woo, gp)
    else:
        assert same("price", woo, gp)
        # and a second pass with the new base finds nothing to do (no bounce)
        assert decide_field("price", woo, woo, gp, owner).action == "none"  # type: ignore[arg-type]
