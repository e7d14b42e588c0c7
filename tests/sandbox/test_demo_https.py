"""The demo shows the safe path: both stand-ins over HTTPS, trusted through their own
certificate files (`ca_bundle`), Basic auth to WooCommerce, and no `[gp] allow_http`."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import WooError
from core.gp.auth import check_gp_url
from core.woo.client import WooClient
from tui.commands.demo import start_stand_ins
from tui.demo.setup import SandboxControl, demo_settings


def test_demo_endpoints_are_https_with_the_stand_ins_certificates(tmp_path):
    box, ep = start_stand_ins(tmp_path, 0, webhook_delay=0)
    try:
        s = demo_settings(ep)
        assert s.woocommerce.url.startswith("https://") and s.gp.soap_url.startswith("https://")
        assert s.gp.sba_url.startswith("https://")
        assert Path(s.woocommerce.ca_bundle).is_file() and Path(s.gp.ca_bundle).is_file()
        assert s.gp.allow_http is False
        assert check_gp_url(s.gp.soap_url, allow_http=False) == s.gp.soap_url  # no refusal

        control = SandboxControl(ep)  # the control planes over TLS too
        try:
            made = control.activity(orders=1)["orders"]
            assert control.gp_state()["invoices"] == []
        finally:
            control.close()
        shop = WooClient(s.woocommerce.url, ep.woo_key, ep.woo_secret,
                         ca_bundle=s.woocommerce.ca_bundle)
        try:
            assert "basic" in repr(shop)  # Basic auth, as WordPress expects over HTTPS
            assert int(shop.get_order(made[0])["id"]) == made[0]
        finally:
            shop.close()
        # The trust really comes from the bundle: without it the self-signed cert is refused.
        untrusted = WooClient(s.woocommerce.url, ep.woo_key, ep.woo_secret)
        try:
            with pytest.raises(WooError, match="ca_bundle"):
                untrusted.get_order(made[0])
        finally:
            untrusted.close()
    finally:
        box.stop()
