"""The installed version, read from the package metadata (pyproject.toml's is the only copy),
and the User-Agent both remote systems see in their logs."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("ml-connector")
except PackageNotFoundError:  # a source tree that was never installed (pip install -e .)
    VERSION = "0+unknown"

USER_AGENT = f"ml-connector/{VERSION} (+WooCommerce to Dynamics GP)"
