"""A pytest plugin for test_kerberos_ci.py's inner runs: this machine has no KDC programs."""
from __future__ import annotations

from typing import Any

import pytest

import tests.kerberos.conftest as kerberos_conftest  # the module pytest loads as the conftest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: Any, config: Any, items: Any) -> None:
    kerberos_conftest.missing_tools = lambda: ["krb5kdc", "kdb5_util", "kadmin.local"]
