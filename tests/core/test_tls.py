from __future__ import annotations

import ssl

import pytest

from core.tls import trust_context


def test_contexts_are_shared_per_bundle_and_always_verify(tmp_path):
    from sandbox.tls import self_signed_cert

    cert, _key = self_signed_cert(tmp_path)
    a = trust_context(str(cert))
    assert a is trust_context(str(cert)), "one context per bundle, not one per connection"
    default = trust_context(None)
    assert default is trust_context("") and default is not a
    for ctx in (a, default):
        assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_unreadable_bundle_is_an_error_not_an_open_door(tmp_path):
    bogus = tmp_path / "not-a-cert.pem"
    bogus.write_text("nothing here")
    with pytest.raises((ssl.SSLError, OSError)):
        trust_context(str(bogus))
