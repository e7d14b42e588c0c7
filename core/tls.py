"""TLS trust for every outgoing client (WooCommerce, GP), built once per CA bundle.

Building an SSL context loads a CA file (~0.2 s for the default bundle); the worker opens a GP
connection per posting thread and more on reconnects, so contexts are shared. An SSLContext is
safe to share between threads. Verification is always on: there is no way to ask for less.
"""
from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path

import httpx


@lru_cache(maxsize=16)
def _context(ca_file: str) -> ssl.SSLContext:
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return httpx.create_ssl_context()


def trust_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The default trust store, or only the given PEM CA bundle (e.g. an internal CA).
    Raises OSError / ssl.SSLError when the bundle cannot be read."""
    if not ca_bundle:
        return _context("")
    return _context(str(Path(ca_bundle).expanduser().resolve()))
