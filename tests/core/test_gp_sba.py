"""The SBA route against the stand-in (HTTPS, NTLM with channel binding off): discovery from the
XML /help, reads and the item updates Web Services cannot do in the shapes gp.md §22 shows
(Payload-wrapped bodies, `.json` answers, ItemNumber/ItemDescription/…), and routing between the
two: a server whose /help lacks a route makes that capability fall back to Web Services, or be
unavailable, and `check` says which route was missing."""
from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from core.check import INFO, WARN, check_gp
from core.errors import GPError
from core.gp import sba_codec
from core.gp.factory import open_gateway
from core.gp.gateway import GPUnsupported
from core.gp.router import RoutedGateway
from core.gp.sba import NEEDS
from core.telemetry.calls import gp_operation
from sandbox.gp import GPStandIn
from sandbox.gp.sba_routes import ROUTES, signature
from tests.core.gp_fixtures import ITEM, settings_for, standin

PRICE_LIST = "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)"


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


def test_help_is_read_as_xml_and_an_xml_answer_reads_like_the_json_one(gw: RoutedGateway,
                                                                         gps: GPStandIn) -> None:
    sba = gw.sba
    assert sba is not None and sba.problem == ""
    help_answer = sba.http.send("GET", sba.help_url).response  # its documented address
    assert help_answer.headers["content-type"].startswith("application/xml")
    assert ("PATCH", "Inventory/Items(1)") in sba.routes  # ... which the client read
    xml = sba.http.send("GET", f"{gps.sba_url}/Inventory/Items({ITEM})").response
    assert xml.headers["content-type"].startswith("application/xml")
    parsed = sba_codec.payload(sba_codec.parse(xml.content, xml.headers["content-type"]))
    item = gw.get_item(ITEM)
    assert item is not None
    assert (parsed["ItemNumber"], parsed["ItemDescription"]) == (item.item_number,
                                                                 item.description)
    assert parsed["UOfMSchedule"] == "EACH"
    assert [s["SiteId"] for s in sba_codec.entries(parsed["Sites"])] == ["MAIN", "WEST"]
    listing = sba.http.send("GET", f"{gps.sba_url}/Inventory/Items").response
    items = sba_codec.entries(sba_codec.payload(sba_codec.parse(
        listing.content, listing.headers["content-type"])))
    assert len(items) == len(gw.list_items(price_level="RETAIL", uofm="Each", site="all"))


def test_a_body_without_payload_is_refused(gw: RoutedGateway, gps: GPStandIn) -> None:
    assert gw.sba is not None
    r = gw.sba.http.send("PATCH", f"{gps.sba_url}/Inventory/Items({ITEM}).json",
                         content=json.dumps({"ItemDescription": "Unwrapped"}).encode(),
                         headers={"Content-Type": "application/json"}).response
    assert r.status_code == 400
    assert "Payload" in sba_codec.error_message(r.content, r.headers["content-type"])
    assert _state_item(gps, ITEM)["description"] != "Unwrapped"


def test_every_route_the_client_needs_is_one_the_stand_in_serves() -> None:
    served = {r.signature for r in ROUTES}
    for capability, needs in NEEDS.items():
        for method, route in needs:
            assert (method, signature(route)) in served, (capability, method, route)


def test_help_without_the_item_patch_makes_item_updates_unavailable_and_check_says_so(
        tmp_path: Path) -> None:
    with standin(tmp_path / "gp", https=True,
                 sba_missing=["PATCH Inventory/Items(<item>)"]) as gp:
        g = open_gateway(settings_for(gp), gp.password, tmp_path / "ws")
        try:
            caps = g.capabilities()
            assert caps["item_update"] == "none" and caps["items"] == "sba"
            with pytest.raises(GPUnsupported):
                g.update_item(ITEM, description="Not sent")
            assert g.explain("item_update") == (
                "not available: SBA /help does not list PATCH Inventory/Items(<item>); "
                "Web Services (SOAP) has no operation for it")
            summary = g.summary()  # what the console's connection test shows
            assert "SBA serves items" in summary
            assert ("change an item's name or price in GP: not available: SBA /help does not "
                    "list PATCH Inventory/Items(<item>)") in summary
            assert "item_update" not in summary.split("SBA serves")[1].split(";")[0]
        finally:
            g.close()
        report = check_gp(settings_for(gp), gp.password, tmp_path / "ws", probe=False)
        line = next(f for f in report.findings if f.subject == "Route: item_update")
        assert line.status == WARN
        assert "SBA /help does not list PATCH Inventory/Items(<item>)" in line.detail
        assert "tasks for the accountant" in line.detail
        items = next(f for f in report.findings if f.subject == "Route: items")
        assert items.status == INFO and items.detail.startswith(
            "read items, prices and stock over SBA: SBA /help lists GET Inventory/Items")
        assert _state_item(gp, ITEM)["description"] != "Not sent"


def test_help_without_price_reads_moves_item_reads_to_web_services(tmp_path: Path) -> None:
    with standin(tmp_path / "gp", https=True, sba_missing=[f"GET {PRICE_LIST}"]) as gp:
        g = open_gateway(settings_for(gp), gp.password, tmp_path / "ws")
        try:
            assert g.capabilities()["items"] == "soap"
            assert g.capabilities()["item_update"] == "sba"  # its routes are all listed
            assert g.explain("items") == (
                f"over Web Services (SOAP): SBA /help does not list GET {PRICE_LIST}; "
                "Web Services (SOAP) has operations for it")
            snap = g.item_snapshot(ITEM, price_level="RETAIL", uofm="Each", site="MAIN")
            assert snap is not None and snap.price == Decimal("32.00")  # read over SOAP
        finally:
            g.close()
        report = check_gp(settings_for(gp), gp.password, tmp_path / "ws", probe=False)
        text = report.render()
        assert f"over Web Services (SOAP): SBA /help does not list GET {PRICE_LIST}" in text


def test_call_telemetry_names_an_sba_route_without_keys_or_the_json_suffix(
        gps: GPStandIn) -> None:
    """Items(A).json and Items(B) are one operation in the latency histogram."""
    for url in (f"{gps.sba_url}/Inventory/Items({ITEM}).json", f"{gps.sba_url}/Inventory/Items"):
        assert gp_operation(httpx.Request("GET", url)) == "Inventory/Items"
