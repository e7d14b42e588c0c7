"""The real worker at --log-level DEBUG against both stand-ins (real NTLM to GP, signed webhook
deliveries, posting): no NTLM message (base64 "TlRMTVNTUAA", the server challenge and the
client's NTLMv2 response), no stored secret, and no webhook body (personal data) in any line.
reliability.md §8 promise 21."""
from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys

from core.secrets.vault import WEBHOOK_SECRET, open_vault
from core.store.db import close_db, init_db
from core.store.models import Order, WebhookDelivery
from tests.ports import port_for_later
from tests.sandbox.demo_support import ROOT, stand_ins, wait_for
from tui.demo.setup import SandboxControl, install_webhooks, prepare_workspace

NTLMSSP_B64 = base64.b64encode(b"NTLMSSP\x00").decode()[:11]  # "TlRMTVNTUAA"


def test_debug_log_has_no_ntlm_message_no_secret_no_body(tmp_path):
    assert NTLMSSP_B64 == "TlRMTVNTUAA"
    with stand_ins(tmp_path, webhook_delay=0) as (_box, ep):
        listen = f"127.0.0.1:{port_for_later()}"
        ws, settings = prepare_workspace(tmp_path / "ws", ep, listen=listen)
        install_webhooks(ws, settings, f"http://{listen}/webhooks/woocommerce")
        secret = open_vault(ws).get(WEBHOOK_SECRET)
        root = str(ws.config_path.parent)
        log_path = tmp_path / "worker.log"
        with log_path.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tui.cli", "--workspace", root, "worker",
                 "--no-products", "--log-level", "DEBUG"], cwd=ROOT, stdout=out,
                stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        control = SandboxControl(ep)
        init_db(ws.db_path)
        try:
            assert wait_for(lambda: b"worker started" in log_path.read_bytes(), 60), \
                log_path.read_text()
            control.activity(orders=6)
            # Deliveries stored (SQL with webhook bodies as parameters) and orders posted to GP
            # (NTLM handshakes) before the log is read.
            assert wait_for(lambda: WebhookDelivery.select().where(
                WebhookDelivery.verdict == "accepted").count() >= 6, 60), \
                log_path.read_text()[-3000:]
            assert wait_for(lambda: Order.select().where(
                Order.state.in_(("posted", "verified"))).count() >= 3, 90), \
                log_path.read_text()[-3000:]
            bodies = [bytes(d.body) for d in WebhookDelivery.select() if d.body]
            emails = {(o.payload or {}).get("billing", {}).get("email") for o in Order.select()}
            emails.discard(None)
            emails.discard("")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            control.close()
            close_db()
    text = log_path.read_text()
    assert "DEBUG" in text, "the worker did not log at DEBUG"
    assert NTLMSSP_B64 not in text
    assert "NTLMSSP" not in text and "4e544c4d53535000" not in text.lower()
    for value in (ep.gp_password, ep.woo_key, ep.woo_secret, secret):
        assert value and value not in text
    assert bodies and emails
    for body in bodies:
        assert body.decode()[:60] not in text
    for email in emails:
        assert email not in text, "a customer's e-mail address reached the log"
    assert '"billing"' not in text and "'billing'" not in text
