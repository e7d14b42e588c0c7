"""Choosing Kerberos or NTLM per workspace: config, init options, and a plain install.

No KDC needed here: these run on every machine."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings, Workspace, dump_settings, load_settings
from core.errors import ConfigError
from core.gp import auth as gp_auth
from core.gp import negotiate
from core.gp.factory import open_gateway
from core.gp.negotiate import NegotiateAuth, choose_sign_in, explain, principal_for
from core.secrets.keys import ENV_VAR
from core.store.db import close_db
from tests.core.gp_fixtures import settings_for, standin
from tui.cli import main


@pytest.fixture
def ws_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield tmp_path / "ws"
    close_db()


def test_init_chooses_the_sign_in_per_workspace(ws_dir: Path) -> None:
    assert main(["--workspace", str(ws_dir), "init", "--non-interactive",
                 "--gp-url", "https://gp01.fabrikam.local:48620/x.asmx",
                 "--gp-user", "FABRIKAM\\svc-gp", "--gp-auth", "negotiate",
                 "--gp-kerberos-realm", "fabrikam.local",
                 "--gp-spn", "HTTP/gp01.fabrikam.local"]) == 0
    gp = Workspace.at(ws_dir).load().gp
    assert (gp.auth, gp.kerberos_realm, gp.spn) == ("negotiate", "FABRIKAM.LOCAL",
                                                     "HTTP/gp01.fabrikam.local")
    assert main(["--workspace", str(ws_dir), "credentials", "set", "gp", "--auth", "ntlm"]) == 0
    assert Workspace.at(ws_dir).load().gp.auth == "ntlm"  # the rest is kept
    assert Workspace.at(ws_dir).load().gp.kerberos_realm == "FABRIKAM.LOCAL"


def test_a_bad_choice_names_the_setting() -> None:
    s = Settings()
    s.gp.auth = "kerb"
    with pytest.raises(ConfigError, match=r"\[gp\] auth must be ntlm, negotiate or kerberos"):
        load_settings(dump_settings(s))
    s.gp.auth, s.gp.spn = "negotiate", "gp01.fabrikam.local"
    with pytest.raises(ConfigError, match=r"\[gp\] spn .* HTTP/gp01"):
        load_settings(dump_settings(s))
    with pytest.raises(ConfigError):
        choose_sign_in(Settings().gp, auth="basic", realm=None, spn=None)
    assert Settings().gp.auth == "ntlm"  # existing workspaces keep signing in as before


def test_the_kerberos_name_of_the_account() -> None:
    assert principal_for("FABRIKAM\\svc-gp", "fabrikam.local") == "svc-gp@FABRIKAM.LOCAL"
    assert principal_for("svc-gp@fabrikam.local", "") == "svc-gp@FABRIKAM.LOCAL"
    assert principal_for("FABRIKAM\\svc-gp", "") == "svc-gp"  # krb5.conf's default realm


def test_without_the_kerberos_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gp_auth, "MISSING", "the Kerberos libraries are not installed (x)")
    with pytest.raises(ConfigError, match=r"ml-connector\[kerberos\]"):
        gp_auth.make_auth("FABRIKAM\\svc", "pw", channel_binding=False, mode="kerberos")
    auth = gp_auth.make_auth("FABRIKAM\\svc", "pw", channel_binding=False, mode="negotiate")
    assert isinstance(auth, NegotiateAuth) and "pw" not in repr(auth)


@pytest.mark.parametrize(("reason", "says"), [
    ("Clock skew too great", "sync the clock"),
    ("Server HTTP/gp01@FABRIKAM.LOCAL not found in Kerberos database", "setspn -S"),
    ("Preauthentication failed", "password"),
    ("Cannot contact any KDC for realm 'FABRIKAM.LOCAL'", "kerberos_realm"),
    ("GP refused the ticket for HTTP/gp01", "DNS alias"),
    ("Keytab contains no suitable keys for svc@FABRIKAM.LOCAL while getting initial credentials",
     "ktpass"),
    ("Key table file '/etc/x.keytab' not found", "readable by the service account only"),
    ("credential cache FILE:/var/lib/krb5cc holds no usable ticket-granting ticket: No "
     "credentials cache found", "k5start"),
])
def test_each_failure_says_what_to_do(reason: str, says: str) -> None:
    assert says in explain(reason)


def test_negotiate_without_the_extra_signs_in_with_ntlm(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    missing = "the Kerberos libraries are not installed (No module named 'gssapi')"
    monkeypatch.setattr(negotiate, "krb5", None)  # what a plain install has
    monkeypatch.setattr(negotiate, "MISSING", missing)
    with standin(tmp_path / "gp") as gp:
        g = open_gateway(settings_for(gp, auth="negotiate"), gp.password, tmp_path / "ws")
        try:
            assert g.soap is not None and g.soap.company().name == gp.company
            auth = g.soap.c.http.client.auth
            assert isinstance(auth, NegotiateAuth)
            sign_in = auth.sign_in()
            assert sign_in is not None and sign_in.mechanism == "NTLM"
            assert missing in sign_in.fallback and "ml-connector[kerberos]" in sign_in.fallback
        finally:
            g.close()


@pytest.mark.parametrize(("key", "value", "says"), [
    ("kerberos_keytab", "svc.keytab", "must be an absolute path"),
    ("kerberos_keytab", "MEMORY:x", "only a keytab file (FILE:) can be used"),
    ("kerberos_ccache", "MEMORY:svc", "MEMORY caches live inside one process"),
    ("kerberos_ccache", "/tmp/krb5cc", "must be TYPE:NAME"),
    ("kerberos_ccache", "FILE:krb5cc", "FILE: needs an absolute path"),
    ("kerberos_ccache", "NOPE:x", "has the cache type 'NOPE'"),
])
def test_a_bad_ticket_source_names_the_setting(key: str, value: object, says: str) -> None:
    s = Settings()
    s.gp.auth = "negotiate"
    setattr(s.gp, key, value)
    with pytest.raises(ConfigError) as err:
        load_settings(dump_settings(s), "config.toml")
    assert str(err.value).startswith(f"config.toml: [gp] {key} = {value!r}: ")
    assert says in str(err.value)


def test_one_ticket_source_and_only_with_kerberos() -> None:
    s = Settings()
    s.gp.auth, s.gp.kerberos_keytab = "negotiate", "/etc/ml-connector/svc.keytab"
    s.gp.kerberos_ccache = "FILE:/var/lib/ml-connector/krb5cc"
    with pytest.raises(ConfigError, match="both set: the ticket comes from one of them"):
        load_settings(dump_settings(s))
    s.gp.kerberos_ccache, s.gp.auth = "", "ntlm"
    with pytest.raises(ConfigError, match=r"\[gp\] kerberos_keytab is set but \[gp\] auth = "
                                          "ntlm never uses Kerberos"):
        load_settings(dump_settings(s))
    s.gp.auth = "kerberos"
    assert load_settings(dump_settings(s)).gp.kerberos_keytab == "/etc/ml-connector/svc.keytab"
    s.gp.kerberos_keytab = "FILE:C:\\ProgramData\\ml-connector\\svc.keytab"  # a Windows service
    assert load_settings(dump_settings(s)).gp.kerberos_keytab.startswith("FILE:C:")


def test_init_sets_the_keytab(ws_dir: Path) -> None:
    assert main(["--workspace", str(ws_dir), "init", "--non-interactive",
                 "--gp-url", "https://gp01.fabrikam.local:48620/x.asmx",
                 "--gp-user", "FABRIKAM\\svc-gp", "--gp-auth", "kerberos",
                 "--gp-kerberos-keytab", "/etc/ml-connector/svc-gp.keytab"]) == 0
    gp = Workspace.at(ws_dir).load().gp
    assert (gp.auth, gp.kerberos_keytab) == ("kerberos", "/etc/ml-connector/svc-gp.keytab")
    assert main(["--workspace", str(ws_dir), "credentials", "set", "gp",
                 "--kerberos-keytab", "", "--kerberos-ccache", "KCM:"]) == 0
    gp = Workspace.at(ws_dir).load().gp
    assert (gp.kerberos_keytab, gp.kerberos_ccache) == ("", "KCM:")
