"""The channels alerts travel by: e-mail over SMTP (STARTTLS) and a signed JSON webhook.

Secrets come from the vault (slots ALERTS_SMTP_PASSWORD, ALERTS_WEBHOOK_SECRET), never from
config.toml. A channel that cannot deliver raises ChannelError with a message a person can act
on; the caller keeps the notice pending and tries again at the next check.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

import httpx

from core.config_alerts import AlertSettings
from core.errors import ConnectorError
from core.tls import trust_context

ALERTS_SMTP_PASSWORD = "alerts.smtp_password"
ALERTS_WEBHOOK_SECRET = "alerts.webhook_secret"
SIGNATURE_HEADER = "X-ML-Connector-Signature"  # "sha256=<hex HMAC of the raw body>"


class ChannelError(ConnectorError):
    """A channel could not deliver; the notice stays pending."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # plain text, the whole message
    payload: dict[str, Any]  # the same, as data (the webhook's JSON body)


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


class EmailChannel:
    name = "email"

    def __init__(self, settings: AlertSettings, password: str | None, *, shop: str = "") -> None:
        self.s = settings.email
        self.password = password
        self.shop = shop

    def __repr__(self) -> str:  # never the password
        return f"EmailChannel({self.s.host}:{self.s.port}, to {len(self.s.to)})"

    def send(self, message: Message) -> None:
        s = self.s
        mail = EmailMessage()
        mail["Subject"] = f"[ml-connector{' ' + self.shop if self.shop else ''}] {message.subject}"
        mail["From"] = s.sender
        mail["To"] = ", ".join(s.to)
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain="ml-connector.local")
        mail.set_content(message.text)
        context: ssl.SSLContext = trust_context(s.ca_bundle or None)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                smtp.ehlo()
                if s.starttls:
                    # Credentials and personal data only after the server proved who it is.
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if s.username:
                    if not s.starttls:
                        raise ChannelError("[alerts.email] username is set but starttls is "
                                           "off: the password would travel in clear text")
                    smtp.login(s.username, self.password or "")
                smtp.send_message(mail)
        except ChannelError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise ChannelError(f"the mail server {s.host} refused the login for {s.username} "
                               f"({exc.smtp_code}): check `ml-connector credentials set "
                               "alerts-email`") from None
        except smtplib.SMTPNotSupportedError:
            raise ChannelError(f"the mail server {s.host}:{s.port} does not offer STARTTLS: "
                               "use its submission port (587) or ask for TLS") from None
        except ssl.SSLError as exc:
            raise ChannelError(f"TLS with {s.host} failed ({exc.reason or exc}): trust its "
                               "certificate with [alerts.email] ca_bundle") from None
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            raise ChannelError(f"e-mail to {s.host}:{s.port} failed: "
                               f"{type(exc).__name__}: {exc}") from None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: AlertSettings, secret: str | None, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.s = settings.webhook
        self.secret = secret
        self._transport = transport

    def __repr__(self) -> str:
        return "WebhookChannel(<url>)"  # the URL may carry a token (Teams/Slack style)

    def send(self, message: Message) -> None:
        body = json.dumps(message.payload, sort_keys=True, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "ml-connector-alerts"}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        try:
            with httpx.Client(verify=trust_context(self.s.ca_bundle or None),
                              timeout=self.s.timeout_s, transport=self._transport,
                              follow_redirects=False) as client:
                response = client.post(self.s.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ChannelError(f"the alert webhook did not answer: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise ChannelError(f"the alert webhook answered HTTP {response.status_code}")


def build_channels(settings: AlertSettings, secret: Callable[[str], str | None], *,
                   shop: str = "") -> list[Channel]:
    """The channels configured in [alerts.email] / [alerts.webhook]."""
    out: list[Channel] = []
    if settings.email.host:
        out.append(EmailChannel(settings, secret(ALERTS_SMTP_PASSWORD) if settings.email.username
                                else None, shop=shop))
    if settings.webhook.url:
        out.append(WebhookChannel(settings, secret(ALERTS_WEBHOOK_SECRET)))
    return out
