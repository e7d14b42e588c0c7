"""GP's speed and capacity in the stand-in (gp.md §20.3, §22): business calls take a service
process and wait in line when all are busy; NTLM handshake legs take neither a process nor a
delay. Assertions are on counts the stand-in keeps, never on elapsed time."""
from __future__ import annotations

import threading

import httpx
import pytest
from httpx_ntlm import HttpNtlmAuth

from sandbox.gp import GPStandIn
from sandbox.gp.capacity import Capacity
from tests.sandbox.gp_support import GPClient


@pytest.fixture
def gp(tmp_path):
    standin = GPStandIn(tmp_path / "gp", capacity={"median_ms": 150, "processes": 2}).start()
    yield standin
    standin.stop()


def _client(gp):
    return GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password)


def test_requests_queue_when_every_service_process_is_busy(gp):
    clients = [_client(gp) for _ in range(6)]  # WSDL fetches are business calls too
    gp.capacity.configure({"median_ms": 150, "processes": 2})  # counters from here
    start = threading.Barrier(len(clients))

    def read(c: GPClient) -> None:
        start.wait()
        c.service.GetCompanyList(None, c.context(company=None))

    threads = [threading.Thread(target=read, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for c in clients:
        c.close()
    got = httpx.get(f"{gp.control_url}/capacity", timeout=10).json()
    assert got["delayed_calls"] == 6
    assert got["peak_busy"] == 2  # never more than the service processes
    assert got["peak_queued"] >= 1  # the others waited in line
    assert got["busy"] == 0 and got["queued"] == 0


COMPANY_LIST = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                b'<GetCompanyList xmlns="http://schemas.microsoft.com/dynamics/gp/2006/01">'
                b'<context><CurrencyType xmlns="http://schemas.microsoft.com/dynamics/2006/01">'
                b'Transactional</CurrencyType></context></GetCompanyList></s:Body></s:Envelope>')


def test_ntlm_handshake_legs_are_not_delayed(gp):
    statuses: list[int] = []
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction":
               '"http://schemas.microsoft.com/dynamics/gp/2006/01/GetCompanyList"'}
    with httpx.Client(auth=_ntlm(gp), timeout=30,
                      event_hooks={"response": [lambda r: statuses.append(r.status_code)]}) as h:
        for _ in range(3):
            assert h.post(gp.soap_url, content=COMPANY_LIST, headers=headers).status_code == 200
    assert statuses.count(401) >= 1  # the handshake's challenge legs went over the wire
    assert gp.capacity.delayed_calls == 3  # ... but only the three business calls waited


def test_latency_is_drawn_per_operation_from_a_seeded_distribution():
    cap = Capacity()
    cap.configure({"median_ms": 300, "sigma": 0.5, "per_operation_ms": {"GetCompanyList": 20},
                   "seed": 7})
    draws = [cap.draw_s("CreateSalesInvoice") for _ in range(400)]
    assert sorted(draws)[200] == pytest.approx(0.300, rel=0.15)  # the median, roughly
    assert min(draws) < 0.2 < 0.45 < max(draws)  # a spread, not a constant
    assert cap.draw_s("GetCompanyList") < 0.2  # its own median
    again = Capacity()
    again.configure({"median_ms": 300, "sigma": 0.5, "seed": 7})
    assert [again.draw_s("CreateSalesInvoice") for _ in range(3)] == draws[:3]
    with pytest.raises(ValueError):
        cap.configure({"processes": 0})


def test_sba_help_lists_what_is_unknown(tmp_path):
    gp = GPStandIn(tmp_path / "gp", sba_allow_http=True).start()
    try:
        with httpx.Client(auth=_ntlm(gp), timeout=30) as http:
            r = http.get(f"{gp.base_url}/GPService/Tenants(DefaultTenant)/help.json")
        body = r.json()
        assert r.status_code == 200
        assert any("route names" in u for u in body["Unknown"])
        assert {r["RouteSource"] for r in body["Routes"]} == {"INFERRED", "public ISV code"}
        assert any("PostingServices/System/Batches" in e for e in body["Evidence"])
        facts = httpx.get(f"{gp.control_url}/help", timeout=10).json()
        assert facts["unknown"] and facts["inferred"]
        assert facts["policies"]["CreateSalesInvoice"]["Create Taxes"]["inferred"] is True
    finally:
        gp.stop()


def _ntlm(gp):
    return HttpNtlmAuth(f"{gp.domain}\\{gp.user}", gp.password)


def test_sba_posts_a_batch_with_the_custom_action_header(tmp_path):
    """The one SBA action public code shows (gp.md §20.2): PostingServices/System/Batches."""
    gp = GPStandIn(tmp_path / "gp", sba_allow_http=True).start()
    c = _client(gp)
    try:
        c.service.CreateSalesInvoice(
            c.invoice("WC8001", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                      batch="SBA1"), c.context(), c.policy("CreateSalesInvoice"))
        url = f"{gp.sba_url}/PostingServices/System/Batches(Sales%20Entry;SBA1)"
        with httpx.Client(auth=_ntlm(gp), timeout=30) as http:
            assert http.post(url).status_code == 405  # without GP-Custom-Action
            assert gp.state()["invoices"][0]["state"] == "work"
            r = http.post(url, headers={"GP-Custom-Action": "POST"})
        assert r.status_code == 200, r.text
        assert gp.state()["invoices"][0]["state"] == "history"
    finally:
        c.close()
        gp.stop()
