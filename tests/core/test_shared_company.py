"""Two shops feeding one GP company never make the same document number, customer id or batch
(issue 17): each pair's prefixes, checked against the other pairs on the same GP company, and
each prefix within GP's key lengths (17 for a document number, 15 for a customer id)."""
from __future__ import annotations

import pytest

from core.config import Settings, load_settings
from core.errors import ConfigError
from core.mapping.customers import CUSTOMER_ID_MAX, guest_customer_id, registered_customer_id
from core.pairs import state_clashes
from core.shared_company import fixed_text, gp_company, key_clashes
from core.store.postgres import DATABASE_URL_ENV

GP = "https://gp01.example.local/DynamicsGPWebServices/DynamicsGPService.asmx"


def _pair(company: str = "TWO", url: str = GP, **posting: str) -> Settings:
    s = Settings()
    s.gp.soap_url, s.gp.company = url, company
    for key, value in posting.items():
        setattr(s.posting, key, value)
    return s


def test_two_pairs_with_the_default_keys_on_one_company_clash_on_every_kind():
    problems = key_clashes("retail", _pair(), {"wholesale": _pair()})
    assert len(problems) == 3
    assert "pairs 'retail' and 'wholesale' both post to GP company TWO" in problems[0]
    assert "document numbers can be the same" in problems[0]
    assert "batches can be the same" in problems[1]
    assert "same [posting] customer_id_prefix (none)" in problems[2]


def test_own_prefixes_for_every_key_keep_two_shops_apart():
    retail = _pair(doc_number_template="R{number}", refund_number_template="RR{refund_id}",
                   batch_template="R{date:%Y%m%d}", customer_id_prefix="R")
    retail.products.adjustment_batch_template = "RIV{date:%Y%m%d}"
    assert key_clashes("retail", retail, {"wholesale": _pair()}) == []
    assert key_clashes("wholesale", _pair(), {"retail": retail}) == []


def test_a_prefix_starting_with_the_others_clashes_as_order_numbers_may_hold_letters():
    # "WC" + order "B12" is "WCB12", which "WCB" + order "12" makes too
    wholesale = _pair(doc_number_template="WCB{number}", refund_number_template="XR{refund_id}",
                      batch_template="WB{date:%Y%m%d}", customer_id_prefix="B")
    wholesale.products.adjustment_batch_template = "WBIV{date:%Y%m%d}"
    problems = key_clashes("wholesale", wholesale, {"default": _pair()})
    assert len(problems) == 1
    assert "here [posting] doc_number_template starts 'WCB'" in problems[0]
    assert "in pair 'default' [posting] doc_number_template starts 'WC'" in problems[0]
    assert '(e.g. "WWCB" here)' in problems[0]


def test_keys_compare_as_gp_does_case_blind():
    assert fixed_text("wc{number}") == "WC"
    lower = _pair(doc_number_template="wc{number}", refund_number_template="x{refund_id}",
                  batch_template="B{date:%Y%m%d}", customer_id_prefix="B")
    lower.products.adjustment_batch_template = "BIV{date:%Y%m%d}"
    assert len(key_clashes("a", lower, {"b": _pair()})) == 1


def test_pairs_on_different_companies_or_gp_servers_may_share_prefixes():
    assert key_clashes("a", _pair("TWO"), {"b": _pair("FABRK")}) == []
    other_server = "https://gp02.example.local/DynamicsGPWebServices/DynamicsGPService.asmx"
    assert key_clashes("a", _pair(), {"b": _pair(url=other_server)}) == []
    assert gp_company(_pair(" two ")) == ("gp01.example.local:", "TWO")
    other_port = "https://gp01.example.local:8443/DynamicsGPWebServices/DynamicsGPService.asmx"
    assert key_clashes("a", _pair(), {"b": _pair(url=other_port)}) == []


def test_customer_ids_take_the_prefix_and_stay_within_gps_15_characters():
    assert registered_customer_id(12) == "WC000012"  # no prefix: unchanged
    assert registered_customer_id(12, "R") == "RWC000012"
    longest = registered_customer_id(9_999_999_999, "ABC")
    assert longest == "ABCWC9999999999" and len(longest) == CUSTOMER_ID_MAX
    plain = guest_customer_id("olivia.chen@example.com")
    assert plain.startswith("G-OLIVIA-")
    prefixed = guest_customer_id("olivia.chen@example.com", "ABC")
    assert prefixed.startswith("ABCG-OLI-") and len(prefixed) <= CUSTOMER_ID_MAX
    assert prefixed[-6:] == plain[-6:]  # the hash part is never cut
    assert guest_customer_id("john@a.com", "R") != guest_customer_id("john@b.com", "R")


@pytest.mark.parametrize("prefix", ["ABCD", "r", "R-"])
def test_a_customer_prefix_that_cannot_fit_or_is_not_a_key_is_refused(prefix):
    with pytest.raises(ConfigError, match=r"\[posting\] customer_id_prefix = .*up to 3 upper"):
        load_settings(f'[posting]\ncustomer_id_prefix = "{prefix}"\n', "config.toml")


def test_a_document_prefix_too_long_for_gp_is_refused_at_load():
    with pytest.raises(ConfigError, match="GP allows 17"):
        load_settings('[posting]\ndoc_number_template = "RETAILWC{number}"\n', "config.toml")


PG = "postgresql://mlc@db.example:5432/tenants"


def test_two_pairs_on_one_postgresql_state_are_refused_whatever_their_gp(monkeypatch):
    """One queue, lease and audit trail for two shops: each pair's worker would take the other
    shop's orders for its own. Refused even on different GP companies."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    retail, wholesale = _pair(company="TWO"), _pair(company="FAB2")
    retail.store.database_url = wholesale.store.database_url = PG
    (problem,) = state_clashes("retail", retail, {"wholesale": wholesale})
    assert f"pairs 'retail' and 'wholesale' both have [store] database_url = '{PG}'" in problem
    assert "csearch_path%3Dretail" in problem  # what to do: a schema of its own
    wholesale.store.database_url = PG + "?options=-csearch_path%3Dwholesale"
    assert state_clashes("retail", retail, {"wholesale": wholesale}) == []
    assert state_clashes("retail", _pair(), {"wholesale": _pair()}) == []  # SQLite files apart


def test_the_database_url_variable_with_several_pairs_is_refused(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, PG)
    (problem,) = state_clashes("retail", _pair(), {"wholesale": _pair()})
    assert f"{DATABASE_URL_ENV} is set" in problem and "'wholesale'" in problem
    assert state_clashes("default", _pair(), {}) == []  # one pair: the variable is its state
