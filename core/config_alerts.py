"""The [alerts] and [metrics] sections: who is told, by which channel, and where the Prometheus
endpoint listens (core/alerts, core/telemetry). Checked with the rest of config.toml."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import ConfigError


@dataclass
class EmailChannelSettings:
    """Alerts by e-mail over SMTP. The password (if any) lives in the vault (slot alerts.smtp)."""

    host: str = ""  # empty: no e-mail channel
    port: int = 587
    starttls: bool = True  # STARTTLS before any credential; false only for a local relay
    username: str = ""
    sender: str = ""  # From:
    to: list[str] = field(default_factory=list)
    ca_bundle: str = ""  # PEM file to trust for a private mail server's certificate
    timeout_s: float = 30.0


@dataclass
class WebhookChannelSettings:
    """Alerts as signed JSON POSTs (Teams/Slack-style receivers). Secret: vault alerts.webhook."""

    url: str = ""  # empty: no webhook channel
    ca_bundle: str = ""
    timeout_s: float = 15.0


@dataclass
class AlertSettings:
    enabled: bool = True  # evaluate conditions; nothing is sent without a channel
    check_interval_s: int = 60
    held_threshold: int = 10  # more held orders than this is an alert
    held_max_age_minutes: int = 240  # an order held longer than this is an alert
    failed_threshold: int = 1  # this many failed documents or more is an alert
    gp_down_minutes: int = 15  # GP unreachable for longer than this is an alert
    reminder_hours: float = 24.0  # a condition still true is repeated this often, not more
    digest_at: str = "07:30"  # daily digest time in the store's time zone; "" = no digest
    email: EmailChannelSettings = field(default_factory=EmailChannelSettings)
    webhook: WebhookChannelSettings = field(default_factory=WebhookChannelSettings)


@dataclass
class MetricsSettings:
    listen: str = ""  # HOST:PORT for Prometheus (e.g. 127.0.0.1:9464); empty: no endpoint


def is_host_port(value: str) -> bool:
    host, _, port = value.rpartition(":")
    return bool(host) and port.isdigit() and 0 < int(port) < 65536


def validate_alerts(a: AlertSettings) -> None:
    for key, low, high in (("check_interval_s", 5, 86_400), ("held_threshold", 0, 1_000_000),
                           ("held_max_age_minutes", 1, 525_600), ("failed_threshold", 1, 1_000_000),
                           ("gp_down_minutes", 1, 10_080)):
        value = getattr(a, key)
        if not low <= value <= high:
            raise ConfigError(f"[alerts] {key} = {value} is out of range {low}..{high}")
    if not 0.25 <= a.reminder_hours <= 24 * 30:
        raise ConfigError(f"[alerts] reminder_hours = {a.reminder_hours} is out of range 0.25..720")
    if a.digest_at:
        hh, _, mm = a.digest_at.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
            raise ConfigError(f"[alerts] digest_at = {a.digest_at!r} should be HH:MM (24 h), "
                              "or empty for no digest")
    e = a.email
    if e.host:
        if not 0 < e.port < 65536:
            raise ConfigError(f"[alerts.email] port = {e.port} is out of range 1..65535")
        if not e.sender or not e.to:
            raise ConfigError("[alerts.email] sender and to are needed when host is set")
        for addr in [e.sender, *e.to]:
            if not isinstance(addr, str) or "@" not in addr or any(c in addr for c in "\r\n"):
                raise ConfigError(f"[alerts.email] {addr!r} is not an e-mail address")
    w = a.webhook
    if w.url and not w.url.startswith("https://") and not w.url.startswith("http://127.") \
            and not w.url.startswith("http://localhost"):
        raise ConfigError(f"[alerts.webhook] url = {w.url!r} must be https:// (plain http only "
                          "to this machine)")
