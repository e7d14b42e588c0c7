"""Disabled webhooks: poll faster, re-activate, look again soon.

WooCommerce disables a webhook after its 7th consecutive failed delivery (a ten-second outage
during a burst is enough) and never re-delivers. While one of ours is not active the poll runs
at the business interval whatever the hour (core.worker.schedule). When our receiver is up,
the worker re-activates it with `PUT /webhooks/{id} {"status": "active"}` and says what
WooCommerce does not: re-activation keeps the failure count, so the next failed delivery
disables it again at once. Hence the next look comes in RECHECK_S, not the usual 5 minutes.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from core.clock import Clock
from core.errors import WooError
from core.intake.poller import WebhookState
from core.store import audit
from core.store.db import database
from core.woo.client import WooClient

log = logging.getLogger(__name__)

CHECK_EVERY_S = 300.0  # webhooks all active: WooCommerce's view is read every 5 minutes
RECHECK_S = 60.0  # after a re-activation, or while one stays down: look again this soon
KEPT_COUNT = ("WooCommerce keeps the webhook's failure count after re-activation: one more "
              "failed delivery disables it again at once")


def down(hooks: Sequence[WebhookState]) -> list[WebhookState]:
    return [h for h in hooks if h.status != "active"]


def reactivate(client: WooClient, hooks: Sequence[WebhookState], *, clock: Clock,
               actor: str = "worker") -> list[int]:
    """Re-activate every disabled webhook (paused ones were paused by a person: left alone).
    Returns the ids re-activated; each is audited with the failure-count caveat."""
    done: list[int] = []
    for h in hooks:
        if h.status != "disabled":
            continue
        try:
            client.update_webhook(h.id, status="active")
        except WooError as exc:
            log.warning("could not re-activate WooCommerce webhook %s (%s): %s", h.id, h.topic,
                        exc)
            continue
        done.append(h.id)
        with database.atomic():
            audit.record("webhook", h.id, "reactivated",
                         f"WooCommerce webhook {h.name or h.id} ({h.topic}) re-activated; "
                         f"{KEPT_COUNT}; checked again in {RECHECK_S:.0f} s, polling at the "
                         "business interval meanwhile", actor=actor, clock=clock)
        log.warning("WooCommerce webhook %s (%s) re-activated; %s", h.id, h.topic, KEPT_COUNT)
    return done
