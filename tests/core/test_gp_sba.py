"""The SBA route against the stand-in (HTTPS, NTLM with channel binding off): discovery, reads,
the item updates Web Services cannot do, and routing between the two."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from core.errors import GPError
from core.gp.factory import open_gateway
from core.gp.router import RoutedGateway
from sandbox.gp import GPStandIn
from tests.core.gp_fixtures import ITEM, settings_for, standin


@pytest.fixture(scope="module")
def gps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GPStandIn]:
    with standin(tmp_path_factory.mktemp("gp-sba"), https=True) as g:
        yield g


@pytest.fixture
def gw(gps: GPStandIn, tmp_path: Path) -> Iterator[RoutedGateway]:
    g = open_gateway(settings_for(gps), gps.password, tmp_path / "ws")
    yield g
    g.close()


def _state_item(gp: GPStandIn, item: str) -> dict:
    return next(i for i in gp.state()["items"] if i["item_number"] == item)


def test_capabilities_come_from_the_servers_help(gw: RoutedGateway) -> None:
    caps = gw.capabilities()
    assert caps["items"] == "sba" and caps["item_update"] == "sba"
    assert caps["sales_invoice"] == "soap" and caps["customers"] == "soap"
    assert gw.sba is not None and gw.sba.status().startswith("serves")


def test_sba_and_soap_read_the_same_item(gw: RoutedGateway) -> None:
    via_sba = gw.item_snapshot(ITEM, price_level="RETAIL", uofm="Each", site="MAIN")
    via_soap = gw.soap.item_snapshot(ITEM, price_level="RETAIL", uofm="Each", site="MAIN")
    assert via_sba is not None and via_soap is not None
    assert (via_sba.description, via_sba.price, via_sba.quantity_available) == (
        via_soap.description, via_soap.price, via_soap.quantity_available)
    assert gw.get_item("NO-SUCH-ITEM") is None
    # 54 shop SKUs and GIFT-WRAP (GP only)
    assert len(gw.list_items(price_level="RETAIL", uofm="Each", site="all")) == 55


def test_item_name_and_price_update_over_sba(gw: RoutedGateway, gps: GPStandIn) -> None:
    item = "BASKET-SEAGRASS-M"
    gw.update_item(item, description="Seagrass Basket, M", price=Decimal("39.50"),
                   price_level="RETAIL", uofm="Each")
    state = _state_item(gps, item)
    assert state["description"] == "Seagrass Basket, M" and state["price"] == "39.50"
    snap = gw.item_snapshot(item, price_level="RETAIL", uofm="Each", site="MAIN")
    assert snap is not None and snap.price == Decimal("39.50")
    with pytest.raises(GPError) as err:
        gw.update_item(item, description="x" * 101)
    assert err.value.validation and "100" in str(err.value)


def test_pinned_route_wins_over_auto(gps: GPStandIn, tmp_path: Path) -> None:
    g = open_gateway(settings_for(gps, routes={"items": "soap"}), gps.password, tmp_path / "ws")
    try:
        assert g.capabilities()["items"] == "soap"
        assert g.capabilities()["item_update"] == "sba"
    finally:
        g.close()


def test_readonly_role_cannot_patch(gps: GPStandIn, tmp_path: Path) -> None:
    g = open_gateway(settings_for(gps, user=gps.readonly_user), gps.readonly_password,
                     tmp_path / "ws")
    try:
        with pytest.raises(GPError) as err:
            g.update_item(ITEM, description="Nope")
        assert not err.value.validation or "may not" in str(err.value)
    finally:
        g.close()
    assert _state_item(gps, ITEM)["description"] != "Nope"
