"""A service account signs in to GP with Kerberos from a keytab or an existing credential cache,
no password stored, against a real MIT KDC (kadmin.local ktadd makes the keytab, as ktpass does
on a domain controller) and the GP stand-in; `check` names the source, the principal and the
ticket's end. NTLM stays the fallback, and needs the password as before."""
from __future__ import annotations

import logging
import re
import secrets
import time
from pathlib import Path
from typing import Any

import krb5
import pytest

from core.check import check_gp
from core.errors import GPAuthError
from core.gp.factory import open_gateway
from core.gp.tickets import KeytabTickets
from tests.kerberos.realm import Realm
from tests.kerberos.test_gp_kerberos import TOKEN, auth_of, kerberos_settings


def service_account(kdc: Realm, folder: Path) -> tuple[str, Path]:
    """A principal with random keys (no password anyone knows) and its keytab."""
    name = f"svc-kt-{secrets.token_hex(3)}"
    kdc.kadmin(f"addprinc +requires_preauth -randkey {name}")
    keytab = folder / f"{name}.keytab"
    kdc.kadmin(f"ktadd -k {keytab} {name}")
    keytab.chmod(0o600)
    return name, keytab


def as_issued_for(kdc: Realm, name: str) -> int:
    log = (kdc.root / "kdc.log").read_text()
    return len(re.findall(rf"AS_REQ .* ISSUE: .* {re.escape(name)}@{kdc.name} for krbtgt", log))


def file_ccache(keytab: Path, principal: str, path: Path) -> str:
    """What kinit -k (or k5start) leaves for the service: a FILE cache with the TGT."""
    ctx = krb5.init_context()
    creds = krb5.get_init_creds_keytab(ctx, krb5.parse_name_flags(ctx, principal.encode()),
                                       krb5.get_init_creds_opt_alloc(ctx),
                                       krb5.kt_resolve(ctx, f"FILE:{keytab}".encode()))
    cache = krb5.cc_resolve(ctx, f"FILE:{path}".encode())
    krb5.cc_initialize(ctx, cache, creds.client)
    krb5.cc_store_cred(ctx, cache, creds)
    return f"FILE:{path}"


def test_service_account_signs_in_from_a_keytab_without_a_password(
        make_gp: Any, kdc: Realm, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    name, keytab = service_account(kdc, tmp_path)
    gp = make_gp(ntlm_knows_user=False)  # only Kerberos can let this account in
    before = as_issued_for(kdc, name)
    settings = kerberos_settings(gp, kdc, auth="kerberos", user=name,
                                 kerberos_keytab=str(keytab))
    g = open_gateway(settings, "", tmp_path / "ws")  # no password at all
    try:
        assert g.soap is not None and g.soap.company().name == gp.company
        auth = auth_of(g)
        assert auth.sign_in().detail == f"{name}@{kdc.name} to HTTP/localhost"  # type: ignore[union-attr]
        ticket = auth.ticket()
        assert ticket is not None and ticket.source == f"keytab {keytab}"
        assert ticket.principal == f"{name}@{kdc.name}"
    finally:
        g.close()
    assert as_issued_for(kdc, name) == before + 1  # the KDC issued it from the account's keys
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"ticket from keytab {keytab}" in text and not TOKEN.search(text)
    assert keytab.read_bytes()[4:] not in text.encode()  # never its content


def test_check_says_where_the_ticket_comes_from_and_when_it_ends(make_gp: Any, kdc: Realm,
                                                                 tmp_path: Path) -> None:
    name, keytab = service_account(kdc, tmp_path)
    gp = make_gp(ntlm_knows_user=False)
    settings = kerberos_settings(gp, kdc, user=name, kerberos_keytab=str(keytab))
    report = check_gp(settings, None, tmp_path / "ws", probe=False)  # no password stored
    lines = {f.subject: f for f in report.findings}
    assert "Windows account" in lines and lines["Windows account"].status == "ok"
    assert lines["Sign-in"].status == "ok"
    ticket = lines["Kerberos ticket"]
    assert ticket.status == "ok"
    assert re.fullmatch(rf"from keytab {re.escape(str(keytab))}: {name}@{kdc.name}, valid "
                        r"until \d{4}-\d\d-\d\d \d\d:\d\d UTC", ticket.detail), ticket.detail
    assert "Keytab" not in lines  # 0600: nothing to say
    keytab.chmod(0o644)
    report = check_gp(settings, None, tmp_path / "ws2", probe=False)
    line = next(f for f in report.findings if f.subject == "Keytab")
    assert line.status == "warn" and "mode 0644" in line.detail
    assert line.fix.startswith(f"chmod 600 {keytab}")


def test_keytab_without_the_accounts_keys(make_gp: Any, kdc: Realm, tmp_path: Path) -> None:
    _, other = service_account(kdc, tmp_path)  # another account's keys
    gp = make_gp()
    only = kerberos_settings(gp, kdc, auth="kerberos", kerberos_keytab=str(other))
    with pytest.raises(GPAuthError) as err:
        open_gateway(only, "", tmp_path / "ws")
    assert "keytab" in str(err.value).lower() and "ktpass" in str(err.value)
    # negotiate, no password: NTLM cannot stand in, and says why
    nego = kerberos_settings(gp, kdc, kerberos_keytab=str(other))
    with pytest.raises(GPAuthError, match="NTLM, the fallback, needs the account's password"):
        open_gateway(nego, "", tmp_path / "ws2")
    # negotiate with the password stored: the NTLM fallback as before, with the reason
    g = open_gateway(nego, kdc.password, tmp_path / "ws3")
    try:
        assert g.soap is not None and g.soap.company().name == gp.company
        sign_in = auth_of(g).sign_in()
        assert sign_in is not None and sign_in.mechanism == "NTLM"
        assert "keytab" in sign_in.fallback.lower()
    finally:
        g.close()


def test_existing_credential_cache_is_used_and_an_empty_one_is_named(
        make_gp: Any, kdc: Realm, tmp_path: Path) -> None:
    name, keytab = service_account(kdc, tmp_path)
    cache = file_ccache(keytab, f"{name}@{kdc.name}", tmp_path / "krb5cc_svc")
    gp = make_gp(ntlm_knows_user=False)
    settings = kerberos_settings(gp, kdc, auth="kerberos", user=name, kerberos_ccache=cache)
    report = check_gp(settings, None, tmp_path / "ws", probe=False)
    lines = {f.subject: f for f in report.findings}
    assert lines["Sign-in"].detail == f"Kerberos (Negotiate) as {name}@{kdc.name} to " \
                                      "HTTP/localhost"
    assert lines["Kerberos ticket"].detail.startswith(f"from credential cache {cache}: "
                                                      f"{name}@{kdc.name}, valid until ")
    missing = kerberos_settings(gp, kdc, auth="kerberos", user=name,
                                kerberos_ccache=f"FILE:{tmp_path / 'nothing-here'}")
    with pytest.raises(GPAuthError) as err:
        open_gateway(missing, "", tmp_path / "ws2")
    assert "credential cache FILE:" in str(err.value) and "k5start" in str(err.value)


def test_keytab_ticket_is_got_once_and_again_before_it_ends(kdc: Realm, tmp_path: Path) -> None:
    name, keytab = service_account(kdc, tmp_path)
    now = [time.time()]
    tickets = KeytabTickets(f"{name}@{kdc.name}", str(keytab), clock=lambda: now[0])
    before = as_issued_for(kdc, name)
    first = tickets.ccache()
    assert tickets.ccache() == first and first.startswith("MEMORY:")  # never a file
    assert as_issued_for(kdc, name) == before + 1
    info = tickets.info()
    assert info is not None and 3000 < info.ends - now[0] <= 3600  # the realm's 1 h tickets
    now[0] = info.ends - 200  # within 5 minutes of its end: a new one from the keys
    assert tickets.ccache() != first
    assert as_issued_for(kdc, name) == before + 2
    assert repr(tickets) == f"KeytabTickets('{name}@{kdc.name}')"

