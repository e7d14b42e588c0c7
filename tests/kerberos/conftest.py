"""One real MIT Kerberos realm per test session (per xdist worker), on 127.0.0.1.

Without the KDC programs (Debian: krb5-kdc, krb5-admin-server) or the `kerberos` extra
(python-gssapi, krb5) the Kerberos tests skip with the reason; with CI=true they fail instead,
because .ci/run installs both and a skip there would hide a broken install.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.gp.negotiate import MISSING
from sandbox.gp import GPStandIn
from sandbox.gp.server import DOMAIN
from tests.kerberos.realm import Realm, missing_tools


def _unavailable() -> str:
    reasons = []
    tools = missing_tools()
    if tools:
        reasons.append(f"no MIT Kerberos KDC programs ({', '.join(tools)}; Debian packages "
                       "krb5-kdc and krb5-admin-server)")
    if MISSING:
        reasons.append(f"{MISSING} (pip install -e '.[kerberos]', needs libkrb5-dev)")
    return "; ".join(reasons)


@pytest.fixture(scope="session")
def kdc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Realm]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the Kerberos tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    realm = Realm(tmp_path_factory.mktemp("kdc")).start()
    with pytest.MonkeyPatch.context() as mp:
        for name, value in realm.environment().items():
            mp.setenv(name, value)
        try:
            yield realm
        finally:
            realm.stop()


@pytest.fixture
def make_gp(tmp_path: Path, kdc: Realm) -> Iterator[Any]:
    started: list[GPStandIn] = []

    def make(*, ntlm_knows_user: bool = True, keytab: bool = True, host: str = "localhost",
             **kw: Any) -> GPStandIn:
        user = kdc.user if ntlm_knows_user else "someone-else"
        gp = GPStandIn(tmp_path / f"gp{len(started)}", https=True,
                       users=[(DOMAIN, user, kdc.password, "admin")],
                       keytab=kdc.keytab if keytab else None, **kw)
        started.append(gp.start(host=host))
        return gp

    yield make
    for gp in started:
        gp.stop()
