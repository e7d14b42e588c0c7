"""Webhook bodies are personal data: dropped after `[worker] delivery_retention_days` (default 90)
once processed; unprocessed ones are kept; old refusal records go (issue 14 item 10)."""
from __future__ import annotations

import pytest

from core.clock import ManualClock
from core.config import Settings, load_settings
from core.errors import ConfigError
from core.intake.retention import prune_deliveries
from core.store.models import WebhookDelivery


def _delivery(clock: ManualClock, *, processed: bool, verdict: str = "accepted") -> int:
    return WebhookDelivery.insert(
        received_at=clock.now(), topic="order.updated", verdict=verdict,
        body=b'{"billing":{"email":"ann@example.com"}}' if verdict == "accepted" else None,
        resource_id=1, processed_at=clock.now() if processed else None,
        reject_reason="bad signature" if verdict == "rejected" else None).execute()


def test_bodies_are_dropped_after_the_retention_unprocessed_ones_kept(state_db):
    assert Settings().worker.delivery_retention_days == 90
    assert load_settings("[worker]\ndelivery_retention_days = 30\n").worker \
        .delivery_retention_days == 30
    clock = ManualClock()
    old = _delivery(clock, processed=True)
    waiting = _delivery(clock, processed=False)
    refused = _delivery(clock, processed=False, verdict="rejected")
    clock.advance(days=89)
    recent = _delivery(clock, processed=True)
    assert prune_deliveries(90, clock) == 0
    clock.advance(days=2)
    assert prune_deliveries(90, clock) == 2
    rows = {d.id: d for d in WebhookDelivery.select()}
    assert rows[old].body is None and rows[old].topic == "order.updated"
    assert rows[waiting].body is not None and rows[recent].body is not None
    assert refused not in rows
    assert prune_deliveries(90, clock) == 0


@pytest.mark.parametrize("bad", ["0", "-1", "100000"])
def test_the_retention_is_a_checked_setting(bad):
    with pytest.raises(ConfigError, match="delivery_retention_days"):
        load_settings(f"[worker]\ndelivery_retention_days = {bad}\n", "config.toml")
