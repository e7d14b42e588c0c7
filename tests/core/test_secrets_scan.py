"""No plaintext secret on disk, in logs or on screen (DESIGN §6.4, reliability §8.19/21).

The whole intake path runs once with real parts and every log at DEBUG into a plain file (no
redacting filter, so only our own discipline keeps secrets out): init from the environment,
credentials from stdin, webhooks installed in the stand-in, deliveries received and processed,
a poll, a backfill, failing requests, a key rotation. Then every file of the workspace but the
key folder, the log and everything printed are searched for each secret and for the keys.
"""
from __future__ import annotations

import io
import logging
from datetime import timedelta

import httpx
import pytest

from core.clock import SYSTEM_CLOCK
from core.config import Workspace
from core.errors import WooError
from core.intake.poller import poll_once
from core.intake.service import IntakeService
from core.secrets.keys import ENV_VAR, FileKeyStore
from core.secrets.vault import open_vault
from core.store.db import close_db
from core.woo.client import WooClient
from core.worker.logs import SILENCED_LIBRARIES
from sandbox.woo import WooStandIn
from tui.cli import main

GP_PASSWORD = "Gp-Pa55word-Never-Shown-7731"


def test_no_plaintext_secret_anywhere(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shop = WooStandIn(tmp_path / "shop", seed=2, orders=30, https=True, webhook_delay=0)
    shop.start()
    ws_dir = tmp_path / "ws"
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # The worker holds these libraries at WARNING (their DEBUG lines carry SQL parameters and
    # NTLM messages); here they speak, so only our own discipline keeps secrets out of them.
    held = {name: logging.getLogger(name).level for name in SILENCED_LIBRARIES}
    for name in held:
        logging.getLogger(name).setLevel(logging.NOTSET)
    monkeypatch.setenv("TEST_WOO_SECRET", shop.consumer_secret)
    monkeypatch.setenv("TEST_WOO_KEY", shop.consumer_key)
    keys_seen: set[bytes] = set()
    try:
        assert main(["--workspace", str(ws_dir), "init", "--non-interactive",
                     "--woo-url", shop.https_url, "--woo-key-env", "TEST_WOO_KEY",
                     "--woo-secret-env", "TEST_WOO_SECRET", "--woo-ca-bundle", str(shop.ca_file),
                     ]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO(GP_PASSWORD + "\n"))
        assert main(["--workspace", str(ws_dir), "credentials", "set", "gp", "--url",
                     "https://gp.example.test/DynamicsGPWebServices/DynamicsGPService.asmx",
                     "--user", "CONTOSO\\svc-gp", "--company", "TWO", "--password-stdin"]) == 0
        ws = Workspace.at(ws_dir)
        settings = ws.load()
        vault = open_vault(ws)
        keys_seen.update(FileKeyStore(ws.key_dir / "state.key").load())
        service = IntakeService(settings, vault, listen="127.0.0.1:0", poll=False)
        service.start()
        try:
            url = f"{service.url}/webhooks/woocommerce"
            assert main(["--workspace", str(ws_dir), "webhooks", "install", "--url", url]) == 0
            webhook_secret = vault.get("webhook.secret")
            assert webhook_secret and len(webhook_secret) >= 32 and webhook_secret.isalnum()
            with httpx.Client(base_url=shop.url) as control:
                control.post("/_sandbox/activity", json={"orders": 5, "status_changes": 2})
            assert shop.flush_webhooks()
            service.process_now()
            result = poll_once(service.woo, clock=SYSTEM_CLOCK,
                               initial_lookback=timedelta(days=3650))
            assert result.seen >= 30
            assert main(["--workspace", str(ws_dir), "webhooks", "status"]) == 0
        finally:
            service.stop()
        assert main(["--workspace", str(ws_dir), "backfill", "--since", "2000-01-01",
                     "--no-progress"]) == 0
        # failure paths: a wrong secret, an unknown order, a refused write
        for client in (WooClient(shop.https_url, shop.consumer_key, "cs_wrong" + "0" * 32,
                                 ca_bundle=str(shop.ca_file)),
                       WooClient(shop.https_url, shop.readonly_key, shop.readonly_secret,
                                 ca_bundle=str(shop.ca_file))):
            with pytest.raises(WooError) as err:
                client.create_webhook(name="x", topic="order.updated",
                                      delivery_url="https://x.test/", secret=webhook_secret)
            logging.getLogger("test").exception("expected failure: %s", err.value)
        assert main(["--workspace", str(ws_dir), "credentials", "rotate-key"]) == 0
        keys_seen.update(FileKeyStore(ws.key_dir / "state.key").load())
        assert main(["--workspace", str(ws_dir), "credentials", "show"]) == 0
        assert open_vault(ws).get("gp.password") == GP_PASSWORD
        printed = capsys.readouterr()
        secrets = {
            "consumer key": shop.consumer_key.encode(),
            "consumer secret": shop.consumer_secret.encode(),
            "read-only secret": shop.readonly_secret.encode(),
            "gp password": GP_PASSWORD.encode(),
            "webhook secret": webhook_secret.encode(),
            **{f"encryption key {i}": k for i, k in enumerate(sorted(keys_seen))},
        }
        assert len(keys_seen) == 2
        handler.flush()
        haystacks = {"stdout": printed.out.encode(), "stderr": printed.err.encode(),
                     "log": log_file.read_bytes()}
        files = [p for p in ws_dir.rglob("*") if p.is_file() and ws.key_dir not in p.parents]
        assert {p.name for p in files} >= {"config.toml", "state.db", "state.db-wal"}
        for path in files:
            haystacks[str(path.relative_to(ws_dir))] = path.read_bytes()
        assert len(haystacks["log"]) > 1000  # DEBUG logging really ran
        leaks = [(what, where) for what, needle in secrets.items()
                 for where, hay in haystacks.items() if needle in hay]
        assert leaks == []
        # No credential header value (the shop's "Access-Control-Allow-Headers: Authorization"
        # response header may appear in httpcore's DEBUG lines; a value may not).
        for marker in (b"Basic ", b"OAuth oauth", b"oauth_signature", b"X-WC-Webhook-Signature"):
            assert marker not in haystacks["log"], marker
        assert "ck_…" in printed.out  # masked, recognisable
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in held.items():
            logging.getLogger(name).setLevel(level)
        handler.close()
        close_db()
        shop.stop()
