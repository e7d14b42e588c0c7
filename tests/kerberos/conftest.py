"""One real MIT Kerberos realm per test session (per xdist worker), on 127.0.0.1.

Without the KDC programs (Debian: krb5-kdc, krb5-admin-server) or the `kerberos` extra
(python-gssapi, krb5) the Kerberos tests skip with the reason; with CI=true they fail instead,
because .ci/run installs both and a skip there would hide a broken install.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from core.gp.negotiate import MISSING
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
