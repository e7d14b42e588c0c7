"""Worker logs: text and JSON lines, and no secret gets through, whatever path it takes."""
from __future__ import annotations

import io
import json
import logging

import pytest

from core.worker.logs import configure_logging, forget_secrets, redact_text, register_secret

GP_PASSWORD = "Tr0ub4dor&3-horse"
CK = "ck_" + "a1" * 20
CS = "cs_" + "b2" * 20


@pytest.fixture
def capture():
    stream = io.StringIO()
    yield stream
    configure_logging("text", "INFO", stream=io.StringIO())
    forget_secrets()


def _all_paths(log: logging.Logger) -> None:
    log.info("connecting as CONTOSO\\svc-gp with password %s", GP_PASSWORD)
    log.warning("GET /wc/v3/orders?consumer_key=%s&consumer_secret=%s", CK, CS)
    log.info("headers: {'Authorization': 'NTLM TlRMTVNTUAADAAAAGAAYAHAAAAA=', 'X': 1}")
    log.info("Authorization: Basic %s", "Y2tfYTE6Y3NfYjI=")
    log.info("X-WC-Webhook-Signature: q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ=")
    log.info("sent", extra={"detail": f"webhook_secret={GP_PASSWORD}x"})
    try:
        raise RuntimeError(f"GP login failed for password {GP_PASSWORD}")
    except RuntimeError:
        log.exception("while posting invoice WC1042")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secret_reaches_the_log(capture, fmt):
    register_secret(GP_PASSWORD)
    configure_logging(fmt, "DEBUG", stream=capture)
    _all_paths(logging.getLogger("core.gp.soap"))
    out = capture.getvalue()
    for secret in (GP_PASSWORD, CK, CS, "TlRMTVNTUAADAAAAGAAYAHAAAAA", "Y2tfYTE6Y3NfYjI",
                   "q83vEjRWeJq83vEjRW"):
        assert secret not in out
    assert out.count("[redacted]") >= 7
    assert "while posting invoice WC1042" in out and "RuntimeError" in out


def test_json_lines_parse_and_carry_fields(capture):
    configure_logging("json", "INFO", stream=capture)
    logging.getLogger("ml_connector.worker").info("posted invoice %s", "WC1042",
                                                  extra={"order": 1042})
    line = json.loads(capture.getvalue().strip().splitlines()[-1])
    assert line["msg"] == "posted invoice WC1042"
    assert line["level"] == "INFO" and line["logger"] == "ml_connector.worker"
    assert line["order"] == 1042 and line["ts"].endswith("+00:00")


def test_text_format_is_one_readable_line(capture):
    configure_logging("text", "INFO", stream=capture)
    logging.getLogger("ml_connector.worker").info("poll found %d orders", 3)
    logging.getLogger("ml_connector.worker").debug("not shown at INFO")
    lines = capture.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("INFO  ml_connector.worker: poll found 3 orders")


def test_redact_text_keeps_ordinary_words():
    register_secret("ab")  # too short to register: would redact ordinary words
    text = "posted invoice WC1042 for about 12.00"
    assert redact_text(text) == text
    forget_secrets()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_debug_keeps_ntlm_steps_and_sql_parameters_out(capture, fmt):
    """pyspnego's NTLM step lines and peewee's SQL parameters are dropped even at DEBUG, and an
    NTLMSSP message in any encoding is redacted wherever it appears."""
    configure_logging(fmt, "DEBUG", stream=capture)
    logging.getLogger("spnego._ntlm").setLevel(logging.DEBUG)  # a library lowering itself
    logging.getLogger("spnego._ntlm").debug("NTLM step output: TlRMTVNTUAADAAAAGAAYAFgAAAC")
    logging.getLogger("peewee").debug("%r", ('INSERT INTO "webhook_delivery" VALUES (?)',
                                             [b'{"billing":{"email":"ann@example.com"}}']))
    log = logging.getLogger("ml_connector.gp")
    log.debug("challenge TlRMTVNTUAACAAAABAAEADgAAAA1goriGNQtLMRth2A== arrived")
    log.debug("raw %r", b"NTLMSSP\x00\x02\x00\x00\x00")
    log.debug("hex %s", b"NTLMSSP\x00\x03".hex())
    log.debug("our own debug line stays")
    out = capture.getvalue()
    assert "TlRMTVNTUAA" not in out and "ann@example.com" not in out
    assert "NTLMSSP" not in out and "4e544c4d53535000" not in out
    assert "our own debug line stays" in out and out.count("[redacted]") == 3
