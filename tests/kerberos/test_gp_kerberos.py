"""Kerberos (SPNEGO) to GP against a real MIT KDC and the GP stand-in, NTLM as the fallback.

The stand-in is served as `localhost`, so the connector asks the KDC for HTTP/localhost, whose
keys the stand-in holds in a keytab (as IIS holds its account's). A stand-in whose NTLM user
file does not know the account can only have let it in through Kerberos.
"""
from __future__ import annotations

import logging
import re
import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.check import check_gp
from core.config import Settings
from core.errors import GPAuthError
from core.gp.factory import open_gateway
from core.gp.negotiate import NegotiateAuth
from core.gp.router import RoutedGateway
from core.gp.tickets import Tickets
from sandbox.gp import GPStandIn
from sandbox.gp.server import DOMAIN
from tests.core.gp_fixtures import ITEM, settings_for
from tests.kerberos.realm import Realm

TOKEN = re.compile(r"(?i)(negotiate|ntlm|kerberos)\s+[A-Za-z0-9+/]{16,}|YII[A-Za-z0-9+/]{16,}")


def kerberos_settings(gp: GPStandIn, kdc: Realm, **over: Any) -> Settings:
    over.setdefault("auth", "negotiate")
    over.setdefault("user", kdc.user)
    return settings_for(gp, kerberos_realm=kdc.name, **over)


def auth_of(g: RoutedGateway) -> NegotiateAuth:
    http = g.soap.c.http if g.soap is not None else g.sba.http  # type: ignore[union-attr]
    auth = http.client.auth
    assert isinstance(auth, NegotiateAuth)
    return auth


def tgs_issued_for(kdc: Realm, spn: str) -> int:
    log = (kdc.root / "kdc.log").read_text()
    return len(re.findall(rf"TGS_REQ .* ISSUE: .* for {re.escape(spn)}@{kdc.name}", log))


def test_stand_in_offers_negotiate_and_ntlm_as_iis_does(make_gp: Any) -> None:
    gp = make_gp()
    with httpx.Client(verify=ssl.create_default_context(cafile=str(gp.ca_file))) as http:
        r = http.post(gp.soap_url, content=b"<x/>", headers={"Content-Type": "text/xml"})
    assert r.status_code == 401
    assert r.headers.get_list("www-authenticate") == ["Negotiate", "NTLM"]


def test_soap_and_sba_sign_in_with_kerberos(make_gp: Any, kdc: Realm, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gp = make_gp(ntlm_knows_user=False)  # NTLM cannot let this account in: only Kerberos can
    before = tgs_issued_for(kdc, "HTTP/localhost")
    g = open_gateway(kerberos_settings(gp, kdc, auth="kerberos"), kdc.password, tmp_path / "ws")
    try:
        assert g.soap is not None and g.sba is not None
        assert g.soap.company().name == gp.company  # SOAP (zeep over the httpx transport)
        assert g.sba.problem == ""  # SBA /help read with the same sign-in
        item = g.sba.get_item(ITEM)
        assert item is not None and item.item_number == ITEM
        sign_in = auth_of(g).sign_in()
        assert sign_in is not None and sign_in.mechanism == "Kerberos"
        assert sign_in.detail == f"{kdc.principal} to HTTP/localhost" and not sign_in.fallback
    finally:
        g.close()
    assert tgs_issued_for(kdc, "HTTP/localhost") > before  # a real service ticket from the KDC
    _no_secret_logged(caplog, kdc.password)


def test_sba_alone_uses_kerberos_too(make_gp: Any, kdc: Realm, tmp_path: Path) -> None:
    gp = make_gp(ntlm_knows_user=False)
    g = open_gateway(kerberos_settings(gp, kdc, soap_url=""), kdc.password, tmp_path / "ws")
    try:
        assert g.soap is None and g.sba is not None
        assert g.sba.get_item(ITEM) is not None
        assert auth_of(g).sign_in().mechanism == "Kerberos"  # type: ignore[union-attr]
    finally:
        g.close()


def test_negotiate_falls_back_to_ntlm_and_says_why(make_gp: Any, kdc: Realm, tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gp = make_gp(host="127.0.0.1")  # the KDC knows no HTTP/127.0.0.1: no ticket
    g = open_gateway(kerberos_settings(gp, kdc), kdc.password, tmp_path / "ws")
    try:
        assert g.soap is not None and g.soap.company().name == gp.company
        sign_in = auth_of(g).sign_in()
        assert sign_in is not None and sign_in.mechanism == "NTLM"
        assert "not found in Kerberos database" in sign_in.fallback
    finally:
        g.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                and "signing in with NTLM" in r.getMessage()]
    assert len(warnings) == 1  # once per reason, not once per connection
    assert "HTTP/127.0.0.1" in warnings[0] and "setspn" in warnings[0]
    _no_secret_logged(caplog, kdc.password)


def test_server_without_the_spn_keys_falls_back_to_ntlm(make_gp: Any, kdc: Realm,
                                                        tmp_path: Path) -> None:
    gp = make_gp(keytab=False)  # the SPN exists, but GP cannot read the ticket
    g = open_gateway(kerberos_settings(gp, kdc), kdc.password, tmp_path / "ws")
    try:
        assert g.soap is not None and g.soap.company().name == gp.company
        sign_in = auth_of(g).sign_in()
        assert sign_in is not None and sign_in.mechanism == "NTLM"
        assert "refused the ticket" in sign_in.fallback
    finally:
        g.close()


def test_kerberos_only_fails_with_what_to_do(make_gp: Any, kdc: Realm, tmp_path: Path) -> None:
    gp = make_gp(host="127.0.0.1")
    with pytest.raises(GPAuthError) as err:
        open_gateway(kerberos_settings(gp, kdc, auth="kerberos"), kdc.password,
                     tmp_path / "ws")
    msg = str(err.value)
    assert "HTTP/127.0.0.1" in msg and "setspn -S HTTP/<gp host>" in msg
    assert kdc.password not in msg


def test_wrong_password_is_refused_by_the_domain(make_gp: Any, kdc: Realm, tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gp = make_gp()
    wrong = "Not-" + kdc.password
    with pytest.raises(GPAuthError) as err:
        open_gateway(kerberos_settings(gp, kdc, auth="kerberos"), wrong, tmp_path / "ws")
    assert "Preauthentication failed" in str(err.value)
    assert "password" in str(err.value) and wrong not in str(err.value)
    with pytest.raises(GPAuthError, match="HTTP 401"):  # negotiate: NTLM refuses it as well
        open_gateway(kerberos_settings(gp, kdc), wrong, tmp_path / "ws2")
    _no_secret_logged(caplog, wrong)


def test_kerberos_with_channel_bindings_under_extended_protection(make_gp: Any, kdc: Realm,
                                                                  tmp_path: Path) -> None:
    gp = make_gp(ntlm_knows_user=False, require_channel_binding=True)
    bound = kerberos_settings(gp, kdc, auth="kerberos", channel_binding=True)
    g = open_gateway(bound, kdc.password, tmp_path / "ws")
    try:
        assert g.soap is not None and g.soap.company().name == gp.company
    finally:
        g.close()
    with pytest.raises(GPAuthError):  # no bindings: Extended Protection refuses the ticket
        open_gateway(kerberos_settings(gp, kdc, auth="kerberos"), kdc.password,
                     tmp_path / "ws2")


def test_check_names_the_sign_in(make_gp: Any, kdc: Realm, tmp_path: Path) -> None:
    gp = make_gp()
    report = check_gp(kerberos_settings(gp, kdc), kdc.password, tmp_path / "ws", probe=False)
    line = next(f for f in report.findings if f.subject == "Sign-in")
    assert (line.status, line.detail) == ("ok", f"Kerberos (Negotiate) as {kdc.principal} to "
                                                "HTTP/localhost")
    fallback = make_gp(host="127.0.0.1")
    report = check_gp(kerberos_settings(fallback, kdc), kdc.password, tmp_path / "ws2",
                      probe=False)
    line = next(f for f in report.findings if f.subject == "Sign-in")
    assert line.status == "warn" and line.detail.startswith("NTLM as FABRIKAM\\svc-mlconnector")
    assert "not found in Kerberos database" in line.detail and "setspn" in line.fix
    assert kdc.password not in report.render()


def _no_secret_logged(caplog: pytest.LogCaptureFixture, password: str) -> None:
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert password not in text
    assert not TOKEN.search(text), TOKEN.search(text)


def as_issued(kdc: Realm) -> int:
    log = (kdc.root / "kdc.log").read_text()
    return len(re.findall(rf"AS_REQ .* ISSUE: .* for krbtgt/{kdc.name}@{kdc.name}", log))


def test_one_ticket_granting_ticket_until_it_nears_its_end(kdc: Realm) -> None:
    now = [time.time()]
    tickets = Tickets(kdc.principal, kdc.password, clock=lambda: now[0])
    before = as_issued(kdc)
    first = tickets.ccache()
    assert tickets.ccache() == first and first.startswith("MEMORY:")  # never a file
    assert as_issued(kdc) == before + 1
    now[0] += 3600 - 200  # the realm's tickets live 1 h: renewed 5 minutes before the end
    assert tickets.ccache() != first
    assert as_issued(kdc) == before + 2
    assert kdc.password not in repr(tickets)


def test_new_connections_reuse_the_ticket_granting_ticket(make_gp: Any, kdc: Realm) -> None:
    gp = make_gp(ntlm_knows_user=False)
    auth = NegotiateAuth(f"{DOMAIN}\\{kdc.user}", kdc.password, mode="kerberos",
                         realm=kdc.name)
    before_as, before_tgs = as_issued(kdc), tgs_issued_for(kdc, "HTTP/localhost")
    for _ in range(3):  # three clients: three TCP connections, three Kerberos sign-ins
        with httpx.Client(auth=auth, verify=ssl.create_default_context(
                cafile=str(gp.ca_file))) as http:
            r = http.get(gp.wsdl_url)
        assert r.status_code == 200 and b"definitions" in r.content
    assert as_issued(kdc) == before_as + 1  # one password exchange with the KDC
    assert tgs_issued_for(kdc, "HTTP/localhost") == before_tgs + 1  # service ticket cached
