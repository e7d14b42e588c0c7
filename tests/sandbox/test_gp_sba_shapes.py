"""The stand-in's SBA speaks the shapes gp.md §22 shows ("SBA in practice"), over HTTPS with NTLM:
Payload-wrapped bodies, XML unless the URL ends in .json, the public item field names, batch
posting with GP-Custom-Action; /help marks every route public or INFERRED, and a stand-in started
without some routes neither lists nor serves them. Tests resting on the stand-in's own guesses
say `inferred` in their names."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx
import pytest

from sandbox.gp import GPStandIn
from tests.sandbox.gp_support import GPClient
from tests.sandbox.test_gp_sba_tls import TENANT, ntlm, tls

ITEM = "MUG-STONE-12OZ"
PUBLIC_ITEM_FIELDS = ("ItemNumber", "ItemDescription", "ItemShortName", "UOfMSchedule")


@pytest.fixture(scope="module")
def gps(tmp_path_factory):
    standin = GPStandIn(tmp_path_factory.mktemp("gp-sba-shapes"), https=True).start()
    yield standin
    standin.stop()


def _description(gp: GPStandIn, item: str) -> str:
    return next(i for i in gp.state()["items"] if i["item_number"] == item)["description"]


def test_answers_are_xml_unless_the_url_ends_in_json(gps):
    with ntlm(gps) as http:
        xml = http.get(f"{gps.sba_url}/Inventory/Items({ITEM})")
        js = http.get(f"{gps.sba_url}/Inventory/Items({ITEM}).json")
    assert xml.status_code == js.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert js.headers["content-type"].startswith("application/json")
    payload = ET.fromstring(xml.content).find("Payload")
    assert payload is not None
    as_json = js.json()["Payload"]
    for name in PUBLIC_ITEM_FIELDS:  # the public example's names, the same in both formats
        assert payload.findtext(name) == as_json[name], name
    assert as_json["ItemNumber"] == ITEM and as_json["UOfMSchedule"] == "EACH"
    assert "Description" not in as_json  # the invented names are gone


def test_a_body_without_payload_is_refused_with_400(gps):
    before = _description(gps, ITEM)
    url = f"{gps.sba_url}/Inventory/Items({ITEM}).json"
    with ntlm(gps) as http:
        bare = http.patch(url, json={"ItemDescription": "Unwrapped"})
        not_json = http.patch(url, content=b"<Payload/>",
                              headers={"Content-Type": "application/json"})
        empty = http.patch(url)
        customer = http.post(f"{gps.sba_url}/Sales/Customers.json",
                             json={"CustomerId": "BARE1", "Name": "No Payload"})
        wrapped_wrong = http.patch(url, json={"Payload": {"ItemDescription": "x"}, "Other": 1})
        xml_error = http.patch(url.removesuffix(".json"), json={"ItemDescription": "x"})
    for r in (bare, not_json, empty, customer, wrapped_wrong, xml_error):
        assert r.status_code == 400, r.text
    assert "Payload" in bare.json()["Error"]["Message"]
    assert ET.fromstring(xml_error.content).findtext("Error/Code") == "BadRequest"
    assert _description(gps, ITEM) == before  # nothing changed
    assert all(c["id"] != "BARE1" for c in gps.state()["customers"])


def test_item_fields_are_patched_by_their_public_names(gps):
    with ntlm(gps) as http:
        r = http.patch(f"{gps.sba_url}/Inventory/Items(APRON-DENIM).json",
                       json={"Payload": {"ItemDescription": "Denim Apron, navy"}})
        assert r.status_code == 200 and r.json()["Payload"]["ItemDescription"] == \
            "Denim Apron, navy"
        too_long = http.patch(f"{gps.sba_url}/Inventory/Items(APRON-DENIM).json",
                              json={"Payload": {"ItemDescription": "x" * 101}})
        old_name = http.patch(f"{gps.sba_url}/Inventory/Items(APRON-DENIM).json",
                              json={"Payload": {"Description": "old name"}})
    assert too_long.status_code == 400 and "100" in too_long.json()["Error"]["Message"]
    assert old_name.status_code == 400
    assert _description(gps, "APRON-DENIM") == "Denim Apron, navy"


def test_help_marks_every_route_public_or_inferred(gps):
    with ntlm(gps) as http:
        body = http.get(gps.base_url + TENANT + "/help.json").json()
    sources = {(r["Method"], r["Route"].split("(<company name>)/", 1)[1]):
               (r["RouteSource"], r["ShapeSource"]) for r in body["Routes"]}
    assert sources[("POST", "PostingServices/System/Batches(<batch source>;<batch number>)")] \
        == ("public ISV code", "public ISV code")
    assert sources[("GET", "Inventory/Items(<item>)")] == ("INFERRED", "public example")
    assert sources[("POST", "Sales/Customers")] == ("INFERRED", "INFERRED")
    assert all(s in ("INFERRED", "public example", "public ISV code")
               for pair in sources.values() for s in pair)
    assert any("Payload" in c and "400" in c for c in body["Conventions"])
    assert any(".json" in c for c in body["Conventions"])
    assert any("INFERRED" in i for i in body["Inferred"])


def test_batch_posting_needs_the_gp_custom_action_header(gps):
    c = GPClient(gps.wsdl_url, gps.soap_url, f"{gps.domain}\\{gps.user}", gps.password,
                 verify=tls(gps))
    try:
        c.service.CreateSalesInvoice(
            c.invoice("WC8101", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                      batch="SBA2"), c.context(), c.policy("CreateSalesInvoice"))
    finally:
        c.close()
    url = f"{gps.sba_url}/PostingServices/System/Batches(Sales%20Entry;SBA2)"

    def state() -> str:
        return next(i for i in gps.state()["invoices"] if i["number"] == "WC8101")["state"]

    with ntlm(gps, gps.readonly_user, gps.readonly_password) as http:
        assert http.post(url, headers={"GP-Custom-Action": "POST"}).status_code == 403
    with ntlm(gps) as http:
        assert http.post(url).status_code == 405  # no GP-Custom-Action: refused
        assert http.get(url).status_code == 405
        assert state() == "work"
        r = http.post(url, headers={"GP-Custom-Action": "POST"})
        assert 200 <= r.status_code < 300, r.text
        assert state() == "history"
        again = http.post(url, headers={"GP-Custom-Action": "POST"})
    assert again.status_code == 404  # a posted batch no longer exists (gp.md §22)


def test_inferred_routes_missing_from_a_server_are_neither_listed_nor_served(tmp_path):
    gp = GPStandIn(tmp_path / "gp", https=True,
                   sba_missing=["PATCH Inventory/Items(<item>)", "GET Inventory/PriceLevels"]
                   ).start()
    try:
        with ntlm(gp) as http:
            listed = {(r["Method"], r["Route"].split("(<company name>)/", 1)[1]) for r in
                      http.get(gp.base_url + TENANT + "/help.json").json()["Routes"]}
            patch = http.patch(f"{gp.sba_url}/Inventory/Items({ITEM}).json",
                               json={"Payload": {"ItemDescription": "Nope"}})
            levels = http.get(f"{gp.sba_url}/Inventory/PriceLevels.json")
            read = http.get(f"{gp.sba_url}/Inventory/Items({ITEM}).json")
        assert ("PATCH", "Inventory/Items(<item>)") not in listed
        assert ("GET", "Inventory/Items(<item>)") in listed
        assert patch.status_code == 405 and levels.status_code == 404
        assert read.status_code == 200
        assert _description(gp, ITEM) != "Nope"
    finally:
        gp.stop()
    with pytest.raises(ValueError):
        GPStandIn(tmp_path / "bad", sba_missing=["PATCH Inventory/Nothing(<x>)"])


def test_sba_stays_https_only_and_needs_windows_auth(gps):
    with httpx.Client(verify=tls(gps)) as anonymous:
        assert anonymous.get(f"{gps.sba_url}/Inventory/Items.json").status_code == 401
