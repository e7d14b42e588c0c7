"""The SBA flavour (HTTPS-only, /help, PATCH for items and prices) and TLS with channel binding."""
from __future__ import annotations

import ssl
from xml.etree import ElementTree as ET

import httpx
import pytest
from httpx_ntlm import HttpNtlmAuth

from sandbox.gp import GPStandIn
from sandbox.gp.ntlm import tls_server_end_point
from tests.sandbox.gp_support import GPClient, SpnegoAuth

TENANT = "/GPService/Tenants(DefaultTenant)"


@pytest.fixture
def gps(tmp_path):
    standin = GPStandIn(tmp_path / "gp", https=True).start()
    yield standin
    standin.stop()


def ntlm(gp: GPStandIn, user: str | None = None, password: str | None = None) -> httpx.Client:
    return httpx.Client(auth=HttpNtlmAuth(f"{gp.domain}\\{user or gp.user}",
                                          password or gp.password),
                        verify=tls(gp))


def tls(gp: GPStandIn) -> ssl.SSLContext | bool:
    return ssl.create_default_context(cafile=str(gp.ca_file)) if gp.ca_file else True


def test_help_lists_the_routes(gps):
    with ntlm(gps) as http:
        r = http.get(gps.base_url + TENANT + "/help")  # XML: the URL does not end in .json
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(r.content)
    routes = {(x.findtext("Method"), x.findtext("Route").split("(<company name>)/", 1)[1])
              for x in root.find("Routes")}
    assert ("PATCH", "Inventory/Items(<item>)") in routes
    assert ("PATCH", "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)") in routes
    assert ("POST", "PostingServices/System/Batches(<batch source>;<batch number>)") in routes


def test_patch_item_and_price_is_seen_over_soap(gps):
    with ntlm(gps) as http:
        item = http.get(f"{gps.sba_url}/Inventory/Items(MUG-STONE-12OZ).json").json()["Payload"]
        assert item["Sites"][0] == {"SiteId": "MAIN", "QuantityOnHand": "120",
                                    "QuantityAllocated": "0", "QuantityAvailable": "120"}
        assert (item["ItemNumber"], item["UOfMSchedule"]) == ("MUG-STONE-12OZ", "EACH")
        r = http.patch(f"{gps.sba_url}/Inventory/Items(MUG-STONE-12OZ).json",
                       json={"Payload": {"ItemDescription": "Stoneware Mug, 12 oz",
                                         "ItemShortName": "MUG12"}})
        assert r.status_code == 200 and r.json()["Payload"]["ItemShortName"] == "MUG12"
        r = http.patch(f"{gps.sba_url}/Inventory/ItemPriceLists(MUG-STONE-12OZ;USD;RETAIL;Each)"
                       ".json", json={"Payload": {"Price": "17.50"}})
        assert r.json()["Payload"]["Price"] == "17.50"
        assert http.patch(f"{gps.sba_url}/Inventory/Items(MUG-STONE-12OZ).json",
                          json={"Payload": {"Price": "1"}}).status_code == 400
    soap = GPClient(gps.wsdl_url, gps.soap_url, f"{gps.domain}\\{gps.user}", gps.password,
                    verify=tls(gps))
    try:
        item = soap.service.GetItemByKey(soap.gp.ItemKey(Id="MUG-STONE-12OZ"), soap.context())
        assert item.Description == "Stoneware Mug, 12 oz"
        changed = soap.service.GetChangedItemKeyList(soap.gp.ItemChangedKeyCriteria(),
                                                     soap.context())
        assert [k.Id for k in changed] == ["MUG-STONE-12OZ"]
    finally:
        soap.close()
    assert next(i for i in gps.state()["items"]
                if i["item_number"] == "MUG-STONE-12OZ")["price"] == "17.50"


def test_inferred_sba_customers_and_refusals(gps):
    """Customer routes and their fields are the stand-in's own (INFERRED in /help)."""
    with ntlm(gps) as http:
        r = http.post(f"{gps.sba_url}/Sales/Customers.json",
                      json={"Payload": {"CustomerId": "SBA1", "Name": "Via SBA"}})
        assert r.status_code == 201
        assert http.post(f"{gps.sba_url}/Sales/Customers.json", json={
            "Payload": {"CustomerId": "SBA1", "Name": "Again"}}).status_code == 409
        assert http.get(gps.base_url + TENANT + "/Companies(Contoso)/Inventory/Items"
                        ).status_code == 404
    with ntlm(gps, gps.readonly_user, gps.readonly_password) as http:
        assert http.get(f"{gps.sba_url}/Sales/Customers(SBA1)").status_code == 200
        assert http.patch(f"{gps.sba_url}/Sales/Customers(SBA1)",
                          json={"Payload": {"Name": "Nope"}}).status_code == 403


def test_sba_is_https_only_unless_allowed(tmp_path):
    plain = GPStandIn(tmp_path / "plain").start()
    allowed = GPStandIn(tmp_path / "allowed", sba_allow_http=True).start()
    try:
        with ntlm(plain) as http:
            assert http.get(plain.sba_url + "/Inventory/Items").status_code == 403
        with ntlm(allowed) as http:
            assert http.get(allowed.sba_url + "/Inventory/Items").status_code == 200
    finally:
        plain.stop()
        allowed.stop()


def test_https_soap_with_a_ca_bundle(gps):
    assert gps.soap_url.startswith("https://") and gps.ca_file is not None
    with ntlm(gps) as http:
        assert http.get(gps.wsdl_url).status_code == 200
    with pytest.raises(httpx.ConnectError):  # the self-signed certificate is not trusted by default
        httpx.get(gps.wsdl_url)


def test_channel_binding_required(tmp_path):
    gp = GPStandIn(tmp_path / "gp", https=True, require_channel_binding=True).start()
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        cert = x509.load_pem_x509_certificate(gp.ca_file.read_bytes())
        good = tls_server_end_point(cert.public_bytes(Encoding.DER),
                                    cert.signature_hash_algorithm.name)
        user = f"{gp.domain}\\{gp.user}"
        with ntlm(gp) as http:  # httpx-ntlm never sends channel bindings
            assert http.get(gp.wsdl_url).status_code == 401
        for cbt, expected in ((good, 200), (b"tls-server-end-point:" + b"\x00" * 32, 401)):
            with httpx.Client(auth=SpnegoAuth(user, gp.password, cbt),
                              verify=tls(gp)) as http:
                assert http.get(gp.wsdl_url).status_code == expected
    finally:
        gp.stop()


def test_ntlm_state_ends_with_its_connection(tmp_path):
    gp = GPStandIn(tmp_path / "gp").start()
    try:
        acceptor = gp._app.acceptor
        with ntlm(gp) as http:
            assert http.get(gp.wsdl_url).status_code == 200
            assert acceptor.connections() == 1
        # Closed: a later connection reusing the port must not inherit the login.
        assert acceptor.wait_for_connections(0, timeout=5)
        r = httpx.get(gp.wsdl_url)
        assert r.status_code == 401
    finally:
        gp.stop()
