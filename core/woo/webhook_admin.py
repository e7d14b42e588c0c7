"""Creating and checking our webhooks in WooCommerce.

Every webhook gets the connector's own random alphanumeric secret (≥ 32 characters): an omitted
secret makes WooCommerce invent one nobody can read back, and non-alphanumeric characters run
into WordPress's entity decoding. The secret is stored in the vault *before* the webhooks exist,
so the first delivery (and the creation ping) already finds it.
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from core.secrets.vault import WEBHOOK_SECRET, Vault
from core.woo.client import WooClient

TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored",
          "customer.created", "customer.updated", "product.created", "product.updated")
SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 48
NAME_PREFIX = "ml-connector"


def new_webhook_secret(length: int = SECRET_LENGTH) -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(length))


def check_webhook_secret(secret: str) -> None:
    if len(secret) < 32 or not all(c in SECRET_ALPHABET for c in secret):
        raise ValueError("a webhook secret must be at least 32 letters and digits (WordPress "
                         "decodes HTML entities in secrets; plain alphanumerics sign predictably)")


@dataclass(frozen=True)
class InstalledWebhook:
    id: int
    topic: str
    action: str  # created / updated


def install_webhooks(client: WooClient, vault: Vault, delivery_url: str, *, actor: str,
                     secret: str | None = None, topics: tuple[str, ...] = TOPICS
                     ) -> list[InstalledWebhook]:
    """Point one webhook per topic at `delivery_url`, all signed with one fresh secret.
    Existing webhooks of ours for the same topic and URL are updated (new secret, re-activated)
    instead of duplicated, so running it again is how a disabled webhook is brought back."""
    if not delivery_url.startswith(("http://", "https://")):
        raise ValueError("the delivery URL must start with https:// (or http:// on a test shop)")
    secret = secret or new_webhook_secret()
    check_webhook_secret(secret)
    vault.set(WEBHOOK_SECRET, secret, actor)
    existing: dict[str, dict[str, Any]] = {}
    for hook in client.list_webhooks("all"):
        if hook.get("delivery_url") == delivery_url and hook.get("topic") in topics:
            existing.setdefault(str(hook["topic"]), hook)
    done: list[InstalledWebhook] = []
    for topic in topics:
        found = existing.get(topic)
        if found is not None:
            client.update_webhook(int(found["id"]), secret=secret, status="active")
            done.append(InstalledWebhook(int(found["id"]), topic, "updated"))
        else:
            created = client.create_webhook(name=f"{NAME_PREFIX} {topic}", topic=topic,
                                            delivery_url=delivery_url, secret=secret)
            done.append(InstalledWebhook(int(created["id"]), topic, "created"))
    return done
