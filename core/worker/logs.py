"""Worker logs: human-readable lines by default, JSON lines with --log-format json, and a
redacting filter on every handler so no secret can reach a log.

The filter works on the *formatted* message and the formatted traceback, not on arguments,
because a secret can hide anywhere: an f-string, an exception message, a repr of a request.
It removes two kinds of thing:
- every secret value the process knows (the vault registers them with `register_secret`);
- anything shaped like a credential: Authorization/Proxy-Authorization headers, NTLM/Negotiate/
  Basic/Bearer tokens, WooCommerce ck_/cs_ keys, oauth_signature, X-WC-Webhook-Signature, and
  `password=` / `secret=` / `token=` style pairs, and NTLMSSP messages in any encoding.
Libraries that log credentials or personal data at DEBUG (pyspnego's NTLM steps, peewee's SQL
parameters) are held at WARNING whatever --log-level says.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from core.text import plain_text

REDACTED = "[redacted]"

_known: set[str] = set()
_known_lock = threading.Lock()

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: NTLM TlRMTVNTUAAB...  /  Basic dXNlcjpwYXNz  /  Bearer ...
    (re.compile(r"(?i)\b((?:proxy-)?authorization|www-authenticate)(\s*[:=]\s*['\"]?)"
                r"[^\r\n'\",}]+"), r"\1\2" + REDACTED),
    (re.compile(r"(?i)\b(NTLM|Negotiate|Basic|Bearer|Digest)\s+[A-Za-z0-9+/=._~-]{8,}"),
     r"\1 " + REDACTED),
    (re.compile(r"\b(ck|cs)_[0-9a-fA-F]{20,64}\b"), r"\1_" + REDACTED),
    (re.compile(r"(?i)(x-wc-webhook-signature|oauth_signature)(['\"]?\s*[:=]\s*['\"]?)"
                r"[^\s&'\",}]+"), r"\1\2" + REDACTED),
    (re.compile(r"(?i)\b([a-z_]*(?:password|passwd|secret|token|api_key|consumer_key|"
                r"private_key)[a-z_]*)(['\"]?\s*[:=]\s*['\"]?)(?!\[redacted\])[^\s&'\",}]+"),
     r"\1\2" + REDACTED),
]


# Libraries whose DEBUG lines carry what must never be logged, at any level we are set to:
# pyspnego writes every NTLM message ("NTLM step input/output": the server challenge and the
# client's NTLMv2 response, enough to attack the domain password offline); peewee writes every
# SQL statement with its parameters (webhook bodies: names, addresses, e-mail). Their records
# below WARNING are dropped by the filter, even if something lowers these loggers' levels.
SILENCED_LIBRARIES = ("peewee", "playhouse", "spnego", "httpx_ntlm", "ntlm_auth",
                           "httpcore", "httpx", "hpack", "h11", "uvicorn.access")

# An NTLMSSP message however it is printed: base64 ("TlRMTVNTUAA..."), hex, or a bytes repr.
_NTLM_BLOBS = [
    re.compile(r"TlRMTVNTUAA[A-Za-z0-9+/=]*"),
    re.compile(r"(?i)4e544c4d53535000[0-9a-f]*"),
    re.compile(r"NTLMSSP(?:\\x00|\x00|\0)[^'\"\s]*"),
]


def register_secret(value: str | None) -> None:
    """Never let this exact value reach a log. Short values (< 4 chars) are ignored: they would
    redact ordinary words and protect nothing."""
    if value and len(value) >= 4:
        with _known_lock:
            _known.add(value)


def forget_secrets() -> None:
    with _known_lock:
        _known.clear()


def redact_text(text: str) -> str:
    """`text` with every known secret and credential-shaped token replaced."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for blob in _NTLM_BLOBS:
        text = blob.sub(REDACTED, text)
    return text


def _silenced(record: logging.LogRecord) -> bool:
    return record.levelno < logging.WARNING and any(
        record.name == name or record.name.startswith(name + ".")
        for name in SILENCED_LIBRARIES)


class RedactingFilter(logging.Filter):
    """Attach to handlers: rewrites the record's message and traceback before any formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _silenced(record):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format must not hide the line (nor crash the worker)
            message = f"{record.msg!r} {record.args!r}"
        # Log lines quote remote text (GP's messages, customer names): no escape sequences or
        # bidi overrides reach the terminal or the journal reading them.
        record.msg = plain_text(redact_text(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
            # The formatter would otherwise format the traceback again from exc_info, unredacted.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact_text(value))
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class TextFormatter(logging.Formatter):
    """`2026-11-27 14:03:11 INFO  worker: posted invoice WC1042` (UTC)."""

    def __init__(self, pair: str | None = None) -> None:
        # A pair's worker started by `worker` for every pair says which pair each line is about.
        tag = f"[{pair}] " if pair else ""
        super().__init__(f"%(asctime)s %(levelname)-5s {tag}%(name)s: %(message)s",
                         "%Y-%m-%d %H:%M:%S")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).strftime(datefmt or "%Y-%m-%d %H:%M:%S")


class PairTag(logging.Filter):
    """Every record carries the pair it is about (`pair` in JSON lines)."""

    def __init__(self, pair: str) -> None:
        super().__init__()
        self.pair = pair

    def filter(self, record: logging.LogRecord) -> bool:
        record.pair = self.pair
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, any `extra=` fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) \
                    else str(value)
        if record.exc_text:
            out["exc"] = record.exc_text
        elif record.exc_info:
            out["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


_installed: list[logging.Handler] = []


def configure_logging(fmt: str = "text", level: str = "INFO", *, file: str | Path | None = None,
                      stream: IO[str] | None = None, pair: str | None = None
                      ) -> list[logging.Handler]:
    """Install the worker's handlers on the root logger (replacing ones installed before).

    Every handler carries the redacting filter, so records from any library (httpx, zeep,
    uvicorn) are cleaned too. `pair`: the pair this worker serves, named on every line.
    httpx and httpcore log request lines at INFO/DEBUG; they are held
    at WARNING so request URLs with query strings never reach the log by default.
    """
    if fmt not in ("text", "json"):
        raise ValueError("log format must be text or json")
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    formatter: logging.Formatter = JsonFormatter() if fmt == "json" else TextFormatter(pair)
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if file:
        path = Path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        if pair:
            handler.addFilter(PairTag(pair))
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "zeep", "urllib3", "watchfiles", "uvicorn.access",
                  *SILENCED_LIBRARIES):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handlers


def remove_logging() -> None:
    """Take the handlers configure_logging installed off the root logger and close them: a
    command run in-process (the demo, whose log file is removed with its folder) leaves no
    handler writing to a file that is gone."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()


def set_level(level: str) -> None:
    """Live reload of [logging] level."""
    logging.getLogger().setLevel(level.upper())
