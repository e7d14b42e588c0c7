"""Without a KDC the Kerberos tests skip with the reason, and fail with CI=true (where .ci/run
installed it, so a skip would hide a broken install). Runs pytest itself, with a plugin that
makes the KDC programs look absent."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE = "tests/kerberos/test_gp_kerberos.py::test_stand_in_offers_negotiate_and_ntlm_as_iis_does"


def _run(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", "-p", "no:xdist",
         "-p", "no:cacheprovider", "-p", "tests.kerberos.no_kdc_plugin", NODE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_no_kdc_skips_with_the_reason() -> None:
    done = _run(None)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 skipped" in done.stdout
    assert "no MIT Kerberos KDC programs (krb5kdc, kdb5_util, kadmin.local" in done.stdout


def test_no_kdc_fails_under_ci() -> None:
    done = _run("true")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "CI=true and the Kerberos tests cannot run" in done.stdout
    assert "1 error" in done.stdout
