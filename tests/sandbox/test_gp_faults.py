"""Faults on demand: commit-then-drop really commits, outages, error kinds, latency, bad config;
and the SOAP layer's own refusals (schema, action, content type) against raw requests."""
from __future__ import annotations

import time

import httpx
import pytest
import zeep
from httpx_ntlm import HttpNtlmAuth
from lxml import etree

from sandbox.gp import GPStandIn
from tests.sandbox.gp_support import GPClient

GP_NS = "http://schemas.microsoft.com/dynamics/gp/2006/01"
DYN_NS = "http://schemas.microsoft.com/dynamics/2006/01"


@pytest.fixture
def gp(tmp_path):
    standin = GPStandIn(tmp_path / "gp", seed=7).start()
    yield standin
    standin.stop()


@pytest.fixture
def client(gp):
    c = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password, timeout=5)
    yield c
    c.close()


def faults(gp: GPStandIn, **settings) -> httpx.Response:
    return httpx.post(f"{gp.control_url}/faults", json=settings)


def _invoice_call(client: GPClient, number: str):
    inv = client.invoice(number, "AARONFIT0001", [("CAP-CANVAS-NVY", "1", "18.00")])
    policy = client.policy("CreateSalesInvoice")
    return lambda: client.service.CreateSalesInvoice(inv, client.context(), policy)


def test_drop_after_commit_resets_the_connection_but_the_invoice_exists(client, gp):
    create = _invoice_call(client, "WC100")
    r = faults(gp, drop_after_commit_rate=1.0, operations=["CreateSalesInvoice"])
    assert r.status_code == 200
    with pytest.raises(httpx.TransportError):
        create()
    assert gp.count_invoices() == 1  # committed although the caller never heard back
    found = client.find_invoice("WC100")  # the read-back a connector must do
    assert [s.Key.Id for s in found] == ["WC100"]


def test_drop_after_commit_as_a_bare_500(client, gp):
    create = _invoice_call(client, "WC101")
    faults(gp, drop_after_commit_rate=1.0, drop_mode="500")
    message = client.client.create_message(client.service, "CreateCustomer",
                                           client.customer("DROP1"), client.context(),
                                           client.policy("CreateCustomer"))
    raw = client.http.post(gp.soap_url, content=etree.tostring(message), headers={
        "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{GP_NS}/CreateCustomer"'})
    assert raw.status_code == 500 and raw.content == b"Internal Server Error"
    assert "DROP1" in {c["id"] for c in gp.state()["customers"]}
    with pytest.raises(Exception):  # noqa: B017 - zeep chokes on a 500 without an envelope
        create()
    assert gp.count_invoices() == 1


def test_outage_then_recovery(client, gp):
    faults(gp, outage=True)
    r = httpx.post(gp.soap_url, content=b"")
    assert r.status_code == 503
    assert httpx.delete(f"{gp.control_url}/faults").json()["outage"] is False
    assert client.service.GetCompanyList(None, client.context(None))[0].Name == "Fabrikam, Inc."


def test_injected_soap_fault_commits_nothing(client, gp):
    create = _invoice_call(client, "WC102")
    faults(gp, error_rate=1.0, error_kinds=["fault"], operations=["CreateSalesInvoice"])
    with pytest.raises(zeep.exceptions.Fault) as exc:
        create()
    assert "unhandled system exception" in exc.value.message
    assert gp.count_invoices() == 0


def test_injected_5xx_says_retry_later(client, gp):
    faults(gp, error_rate=1.0, error_kinds=["5xx"])
    r = client.http.get(gp.wsdl_url)
    assert r.status_code == 503 and r.headers["retry-after"] == "1"


def test_injected_timeout_drops_the_connection(client, gp):
    create = _invoice_call(client, "WC103")
    faults(gp, error_rate=1.0, error_kinds=["timeout"], timeout_s=0.2,
           operations=["CreateSalesInvoice"])
    with pytest.raises(httpx.TransportError):
        create()
    assert gp.count_invoices() == 0


def test_latency_is_added(client, gp):
    client.service.GetCompanyList(None, client.context(None))  # handshake done
    faults(gp, latency_ms=150)
    started = time.perf_counter()
    client.service.GetCompanyList(None, client.context(None))
    assert time.perf_counter() - started >= 0.15


def test_unknown_fault_settings_are_refused(gp):
    r = faults(gp, latency_ms=10, explode=True)
    assert r.status_code == 400 and "explode" in r.json()["error"]
    assert faults(gp, error_rate=2).status_code == 400
    assert httpx.get(f"{gp.control_url}/faults").json()["latency_ms"] == 0


def _raw(gp: GPStandIn, body: str, action: str = "GetCustomerByKey",
         content_type: str = "text/xml; charset=utf-8") -> httpx.Response:
    envelope = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                f"{body}</s:Body></s:Envelope>")
    with httpx.Client(auth=HttpNtlmAuth(f"{gp.domain}\\{gp.user}", gp.password)) as http:
        return http.post(gp.soap_url, content=envelope.encode(), headers={
            "Content-Type": content_type, "SOAPAction": f'"{GP_NS}/{action}"'})


_CONTEXT = (f'<context><OrganizationKey xmlns="{DYN_NS}" '
            'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="CompanyKey">'
            f'<Id>-1</Id></OrganizationKey><CurrencyType xmlns="{DYN_NS}">Transactional'
            '</CurrencyType></context>')


def test_unknown_elements_are_tolerated_known_ones_validated(gp):
    ok = _raw(gp, f'<GetCustomerByKey xmlns="{GP_NS}"><key><Id>AARONFIT0001</Id>'
              f"<SomethingGPHasButWeDoNotModel>1</SomethingGPHasButWeDoNotModel></key>"
              f"{_CONTEXT}</GetCustomerByKey>")
    assert ok.status_code == 200 and b"Aaron Fitz Electrical" in ok.content
    swapped = _raw(gp, f'<GetCustomerByKey xmlns="{GP_NS}">{_CONTEXT}<key><Id>X</Id></key>'
                   "</GetCustomerByKey>")
    assert swapped.status_code == 500 and b"DeserializationFailed" in swapped.content
    bad_enum = _raw(gp, f'<GetCustomerByKey xmlns="{GP_NS}"><key><Id>X</Id></key>'
                    + _CONTEXT.replace("Transactional", "Sideways") + "</GetCustomerByKey>")
    assert bad_enum.status_code == 500 and b"Sideways" in bad_enum.content


def test_wrong_action_and_wrong_content_type(gp):
    body = f'<GetCustomerByKey xmlns="{GP_NS}"><key><Id>X</Id></key>{_CONTEXT}</GetCustomerByKey>'
    assert b"ActionNotSupported" in _raw(gp, body, action="GetItemByKey").content
    r = _raw(gp, body, content_type="application/soap+xml; charset=utf-8")
    assert r.status_code == 415
