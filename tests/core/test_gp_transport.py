"""Auth, TLS, channel binding, the WSDL cache and failure classification, against the stand-in."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from spnego.channel_bindings import GssChannelBindings

from core.errors import ConfigError, GPAuthError, GPError
from core.gp import auth as gp_auth
from core.gp.factory import open_gateway
from core.gp.gateway import CreditMemo
from core.gp.router import RoutedGateway
from sandbox.gp import GPStandIn
from tests.core.gp_fixtures import CUSTOMER, control, invoice, settings_for, standin


@pytest.fixture(scope="module")
def gp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GPStandIn]:
    with standin(tmp_path_factory.mktemp("gp")) as g:
        yield g


@pytest.fixture
def gw(gp: GPStandIn, tmp_path: Path) -> Iterator[RoutedGateway]:
    g = open_gateway(settings_for(gp), gp.password, tmp_path / "ws")
    yield g
    g.close()
    control(gp, "DELETE", "faults")


# --- authentication ---------------------------------------------------------------------------

def test_wrong_password_is_a_plain_auth_error(gp: GPStandIn, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Not-" + gp.password
    with pytest.raises(GPAuthError) as err:
        open_gateway(settings_for(gp), wrong, tmp_path / "ws")
    msg = str(err.value)
    assert "GP refused the Windows account FABRIKAM\\svc-mlconnector" in msg
    assert "password" in msg and wrong not in msg and gp.password not in msg
    assert wrong not in caplog.text and gp.password not in caplog.text


def test_wrong_password_with_a_cached_wsdl_fails_on_first_call(gp: GPStandIn,
                                                               tmp_path: Path) -> None:
    open_gateway(settings_for(gp), gp.password, tmp_path / "ws").close()  # caches the WSDL
    g = open_gateway(settings_for(gp), "wrong", tmp_path / "ws")  # no network needed here
    try:
        with pytest.raises(GPAuthError):
            g.company()
    finally:
        g.close()


def test_http_refused_unless_allowed(gp: GPStandIn, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="plain http://"):
        open_gateway(settings_for(gp, allow_http=False), gp.password, tmp_path / "ws")
    assert not (tmp_path / "ws").exists()  # refused before anything was fetched or cached
    with pytest.raises(ConfigError, match="channel_binding needs https"):
        open_gateway(settings_for(gp, channel_binding=True), gp.password, tmp_path / "ws")


def test_one_pooled_connection_carries_many_calls(gw: RoutedGateway) -> None:
    for _ in range(5):
        assert gw.find_sales_invoice("WC-NOPE") is None
    pool = gw.soap.c.http.client._transport.inner._pool  # under the timing wrapper
    assert len(pool.connections) == 1  # NTLM authenticated it once; keep-alive reused it


# --- TLS and channel binding ------------------------------------------------------------------

@pytest.fixture(scope="module")
def gps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GPStandIn]:
    with standin(tmp_path_factory.mktemp("gps"), https=True, require_channel_binding=True) as g:
        yield g


def test_https_with_ca_bundle_and_channel_binding(gps: GPStandIn, tmp_path: Path) -> None:
    g = open_gateway(settings_for(gps, channel_binding=True), gps.password, tmp_path / "ws")
    try:
        assert g.company().name == gps.company
        assert g.find_sales_invoice("WC-NOPE") is None
    finally:
        g.close()


def test_without_channel_binding_epa_required_refuses(gps: GPStandIn, tmp_path: Path) -> None:
    # httpx-ntlm never sends channel bindings: with EPA "Required" the server says 401.
    with pytest.raises(GPAuthError):
        open_gateway(settings_for(gps), gps.password, tmp_path / "ws")


def test_wrong_channel_binding_is_refused(gps: GPStandIn, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(self: gp_auth.ChannelBindingNtlmAuth, der: bytes) -> GssChannelBindings:
        return GssChannelBindings(application_data=b"tls-server-end-point:" + b"\x01" * 32)

    monkeypatch.setattr(gp_auth.ChannelBindingNtlmAuth, "bindings_for", wrong)
    with pytest.raises(GPAuthError):
        open_gateway(settings_for(gps, channel_binding=True), gps.password, tmp_path / "ws")


def test_untrusted_certificate_is_refused(gps: GPStandIn, tmp_path: Path) -> None:
    with pytest.raises(GPError) as err:
        open_gateway(settings_for(gps, channel_binding=True, ca_bundle=""), gps.password,
                     tmp_path / "ws")
    assert "not trusted" in str(err.value) and "ca_bundle" in str(err.value)
    assert not err.value.transient
    with pytest.raises(ConfigError, match="does not exist"):
        open_gateway(settings_for(gps, ca_bundle=str(tmp_path / "missing.pem")), gps.password,
                     tmp_path / "ws")


# --- WSDL cache and address -------------------------------------------------------------------

def test_wsdl_is_fetched_once_and_cached_in_the_workspace(gp: GPStandIn, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    open_gateway(settings_for(gp), gp.password, ws).close()
    cached = list((ws / "cache" / "gp-wsdl").glob("*.xml"))
    assert cached and any(b"definitions" in p.read_bytes()[:400] for p in cached)
    # A second open needs no network at all: point the address at a closed port.
    s = settings_for(gp)
    g = open_gateway(s, gp.password, ws)
    try:
        assert g.company().name == gp.company
    finally:
        g.close()


def test_address_comes_from_configuration_not_the_wsdl(gp: GPStandIn, tmp_path: Path) -> None:
    # A WSDL that names another host: the calls still go to the configured soap_url.
    foreign = tmp_path / "foreign.wsdl"
    import httpx

    from core.gp.auth import make_auth
    with httpx.Client(auth=make_auth(f"{gp.domain}\\{gp.user}", gp.password,
                                     channel_binding=False)) as c:
        text = c.get(gp.soap_url + "?wsdl").text
    host = gp.soap_url.split("/")[2]
    foreign.write_text(text.replace(host, "gp-elsewhere.invalid:48620"))
    assert "gp-elsewhere.invalid" in foreign.read_text()
    g = open_gateway(settings_for(gp), gp.password, tmp_path / "ws", wsdl=str(foreign))
    try:
        assert g.company().name == gp.company
    finally:
        g.close()


# --- failure classification -------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["reset", "500"])
def test_lost_response_on_create_is_unknown_outcome(gp: GPStandIn, gw: RoutedGateway,
                                                    mode: str) -> None:
    number = f"WC7{len(mode)}01"
    gw.company()
    control(gp, "POST", "faults", {"drop_after_commit_rate": 1.0, "drop_mode": mode,
                                   "operations": ["CreateSalesInvoice"]})
    with pytest.raises(GPError) as err:
        gw.create_sales_invoice(invoice(number))
    assert err.value.unknown_outcome and err.value.transient and not err.value.validation
    control(gp, "DELETE", "faults")
    found = gw.find_sales_invoice(number)  # GP did commit it: the read-back says so
    assert found is not None and found.customer_id == CUSTOMER


def test_outage_reads_raise_transient_never_none(gp: GPStandIn, gw: RoutedGateway) -> None:
    gw.company()
    gw.soap.c.policy("CreateReceivablesCreditMemo")
    control(gp, "POST", "faults", {"outage": True})
    with pytest.raises(GPError) as err:
        gw.find_sales_invoice("WC7999")
    assert err.value.transient and not err.value.unknown_outcome
    memo = CreditMemo("WCR7999", CUSTOMER, "WC20261127", date(2026, 11, 27), Decimal("5"))
    with pytest.raises(GPError) as err:
        gw.create_credit_memo(memo)
    assert err.value.unknown_outcome  # 5xx after the request was sent: read back first


def test_failure_before_the_create_is_sent_is_not_unknown(gp: GPStandIn,
                                                          gw: RoutedGateway) -> None:
    gw.company()
    control(gp, "POST", "faults", {"outage": True})
    memo = CreditMemo("WCR7998", CUSTOMER, "WC20261127", date(2026, 11, 27), Decimal("5"))
    with pytest.raises(GPError) as err:
        gw.create_credit_memo(memo)  # its policy read fails first: the create never left
    assert err.value.transient and not err.value.unknown_outcome


def test_timeout_on_create_is_unknown_and_on_read_transient(gp: GPStandIn,
                                                            tmp_path: Path) -> None:
    g = open_gateway(settings_for(gp, timeout_s=0.5), gp.password, tmp_path / "ws")
    try:
        g.company()
        g.soap.c.policy("CreateSalesInvoice")
        control(gp, "POST", "faults", {"error_rate": 1.0, "error_kinds": ["timeout"],
                                       "timeout_s": 3.0})
        with pytest.raises(GPError) as err:
            g.create_sales_invoice(invoice("WC7301"))
        assert err.value.unknown_outcome and err.value.transient
        with pytest.raises(GPError) as err:
            g.find_sales_invoice("WC7301")
        assert err.value.transient and not err.value.unknown_outcome
    finally:
        control(gp, "DELETE", "faults")
        g.close()


def test_system_fault_on_create_is_unknown_outcome(gp: GPStandIn, gw: RoutedGateway) -> None:
    gw.company()
    control(gp, "POST", "faults", {"error_rate": 1.0, "error_kinds": ["fault"],
                                   "operations": ["CreateSalesInvoice"]})
    with pytest.raises(GPError) as err:
        gw.create_sales_invoice(invoice("WC7401"))
    assert err.value.unknown_outcome and "system exception" in str(err.value)


def test_unreachable_gp_is_transient_and_not_sent(tmp_path: Path) -> None:
    with standin(tmp_path / "gp") as gone:
        settings = settings_for(gone)
        ws = tmp_path / "ws"
        open_gateway(settings, gone.password, ws).close()
        password = gone.password
    g = open_gateway(settings, password, ws)  # cached WSDL: opens without the server
    try:
        with pytest.raises(GPError) as err:
            g.find_sales_invoice("WC1")
        assert err.value.transient and not err.value.unknown_outcome
        assert "cannot connect" in str(err.value)
        with pytest.raises(GPError) as err:
            g.create_sales_invoice(invoice("WC1"))
        assert err.value.transient and not err.value.unknown_outcome  # never left the host
    finally:
        g.close()


def test_readonly_role_refused_on_create(gp: GPStandIn, tmp_path: Path) -> None:
    g = open_gateway(settings_for(gp, user=gp.readonly_user), gp.readonly_password,
                     tmp_path / "ws")
    try:
        assert g.find_sales_invoice("WC-NOPE") is None  # reads are allowed
        with pytest.raises(GPError) as err:
            g.create_sales_invoice(invoice("WC7601"))
        assert not err.value.validation  # not the document's fault
    finally:
        g.close()
    assert gp.count_invoices(po="7601") == 0
