"""`demo --pairs N` (issue 18): N shops from a small table, USD mostly and some EUR, into two GP
companies, each with GP key prefixes that core.shared_company accepts and that fit GP's lengths
(checked by core.config.validate, as `config.toml` is on load). Fast: no stand-in, no process."""
from __future__ import annotations

import os
from collections import Counter

import pytest

from core.config import Settings, validate
from core.shared_company import key_clashes
from tui.demo.database import missing, with_schema
from tui.demo.more_shops import MOST, coded, shop_plans
from tui.demo.setup import DemoEndpoints, demo_settings
from tui.demo.shops import SHOPS, ShopPlan, apply_plan
from tui.demo.workers import Fleet, parent_pid


def _endpoints(company: int) -> DemoEndpoints:
    """Two GP companies on two servers, as the demo starts them (ports only tell them apart)."""
    return DemoEndpoints(
        woo_url="https://127.0.0.1:1/", woo_key="ck", woo_secret="cs",
        gp_soap_url=f"https://127.0.0.1:{9000 + company}/DynamicsGPWebServices/Service",
        gp_user="D\\u", gp_password="p", gp_company="Fabrikam, Inc.",
        gp_base_url=f"https://127.0.0.1:{9000 + company}")


def _settings(plans: tuple[ShopPlan, ...]) -> dict[str, Settings]:
    made = {}
    for plan in plans:
        settings = demo_settings(_endpoints(plan.company))
        apply_plan(settings, plan)
        made[plan.pair] = settings
    return made


@pytest.mark.parametrize("count", range(2, MOST + 1))
def test_n_shops_have_distinct_names_and_prefixes_that_every_pair_accepts(count):
    plans = shop_plans(count)
    assert len(plans) == count
    assert len({p.pair for p in plans}) == count
    settings = _settings(plans)
    for name, mine in settings.items():
        validate(mine, f"pair {name}")  # GP's lengths: 17 for a document number, 15 a batch
        others = {other: theirs for other, theirs in settings.items() if other != name}
        assert key_clashes(name, mine, others) == [], name


@pytest.mark.parametrize("count", range(2, MOST + 1))
def test_n_shops_use_both_companies_mostly_usd_some_eur(count):
    plans = shop_plans(count)
    assert {p.company for p in plans} == {1, 2}
    currencies = Counter(p.currency for p in plans)
    assert set(currencies) <= {"USD", "EUR"}
    assert currencies["USD"] > currencies["EUR"]
    if count >= 3:
        assert currencies["EUR"] >= 1


def test_ten_shops_split_five_and_five_with_eur_in_both_companies():
    plans = shop_plans(10)
    assert Counter(p.company for p in plans) == {1: 5, 2: 5}
    assert {p.company for p in plans if p.currency == "EUR"} == {1, 2}
    assert Counter(p.currency for p in plans) == {"USD": 7, "EUR": 3}


def test_the_first_three_are_the_bare_pairs_demos_shops():
    assert {p.pair: p for p in shop_plans(3)} == {p.pair: p for p in SHOPS}
    europe = next(p for p in SHOPS if p.pair == "europe")
    assert (europe.posting, europe.products) == coded("EU")


def test_a_code_that_starts_like_another_pairs_prefix_is_refused():
    """The check the table passes could fail: a shop coded "WCX" beside the default "WC"."""
    clash = ShopPlan("clash", "USD", 1, "a clashing shop", *coded("WCX"))
    settings = _settings((SHOPS[0], clash))
    assert key_clashes("clash", settings["clash"], {"default": settings["default"]})


@pytest.mark.parametrize("count", [1, MOST + 1])
def test_outside_the_table_is_refused(count):
    with pytest.raises(ValueError, match="--pairs takes 2 to"):
        shop_plans(count)


def test_a_pairs_url_picks_its_schema_by_search_path():
    assert with_schema("postgresql://postgres@/postgres?host=/tmp/x", "books") == \
        "postgresql://postgres@/postgres?host=/tmp/x&options=-csearch_path%3Dbooks"
    assert with_schema("postgresql://u@db:5432/shop", "toys") == \
        "postgresql://u@db:5432/shop?options=-csearch_path%3Dtoys"


def test_the_test_environment_has_what_the_postgresql_demo_needs():
    assert missing(local=True) is None


def test_the_supervisors_share_the_pairs_and_webhooks_enter_at_one_receiver(tmp_path):
    fleet = Fleet(tmp_path, 3, receiver_listen="127.0.0.1:8799")
    for sup in fleet.supervisors:
        assert sup.argv[3:] == ["worker", "--workspace", str(tmp_path), "--share",
                                "--webhooks-elsewhere", "--drain-timeout=10"]
    assert fleet.receiver is not None
    assert fleet.receiver.argv[3:] == ["receive", "--workspace", str(tmp_path), "--listen",
                                       "127.0.0.1:8799"]
    polling = Fleet(tmp_path, 1)
    assert polling.receiver is None and "--no-webhooks" in polling.supervisors[0].argv


def test_parent_pid_reads_this_process_parent():
    assert parent_pid(os.getpid()) == os.getppid()
    assert parent_pid(2**22 + 12345) is None
