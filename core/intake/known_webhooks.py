"""Which WooCommerce webhook ids are ours: the "known id" half of the ping rule.

WooCommerce pings a delivery URL when a webhook is created: an unsigned form body
`webhook_id=<id>` (reliability.md §1.3 rule 2: 200 only for that exact shape *and a known id*,
changing nothing; 401 for everything else). In the WordPress admin a ping answered with anything
but 200 shows "Error: Delivery URL returned response code: 401", so a webhook someone pointed at
the receiver by hand, whose secret the connector does not have, is refused at once where the
person can see it, instead of failing silently on its first signed delivery.

Known ids are the ones `webhooks install` created or updated, the ones the worker last read
from WooCommerce's webhook list (Setting `intake.webhooks`), and any webhook with its own secret
in the vault (`webhook.secret.<id>`, checked by the receiver's secret source). WooCommerce sends
the creation ping *before* the create call returns the new id, so `webhooks install` opens a
short window first (`expect_creation_pings`): while it is open, a ping with a new id is ours.
REST creation ignores the ping's answer either way (woocommerce.md §9.5); the window only keeps
our own pings green.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock, as_utc
from core.intake.poller import WEBHOOK_HEALTH_KEY
from core.store.db import database
from core.store.models import Setting

log = logging.getLogger(__name__)

KNOWN_KEY = "intake.webhook_ids"
PING_WINDOW_S = 120.0  # a create call answers in seconds; the window closes when install ends


def _value(key: str, db: Any = None) -> dict[str, Any]:
    query = Setting.select().where(Setting.key == key)
    row = (query if db is None else query.bind(db)).first()
    return row.value if row is not None and isinstance(row.value, dict) else {}


def _save(value: dict[str, Any], actor: str, clock: Clock) -> None:
    now = clock.now()
    Setting.insert(key=KNOWN_KEY, value=value, updated_by=actor, updated_at=now).on_conflict(
        conflict_target=[Setting.key],
        update={Setting.value: value, Setting.updated_by: actor, Setting.updated_at: now},
    ).execute()


def expect_creation_pings(*, actor: str, clock: Clock = SYSTEM_CLOCK,
                          seconds: float = PING_WINDOW_S) -> None:
    """Before creating webhooks: their pings (ids not known yet) are answered 200 meanwhile."""
    with database.atomic("IMMEDIATE"):
        value = _value(KNOWN_KEY)
        value["expect_pings_until"] = (clock.now() + timedelta(seconds=seconds)).isoformat()
        _save(value, actor, clock)


def remember(ids: Iterable[int], *, actor: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """After creating or updating webhooks: their ids are ours; the ping window closes."""
    with database.atomic("IMMEDIATE"):
        value = _value(KNOWN_KEY)
        value["ids"] = sorted({int(i) for i in value.get("ids", [])} | {int(i) for i in ids})
        value.pop("expect_pings_until", None)
        _save(value, actor, clock)


def known_ids(db: Any = None) -> set[int]:
    """`db`: one pair's database (the receiver of every pair); default the process's."""
    ids = {int(i) for i in _value(KNOWN_KEY, db).get("ids", []) if str(i).isdigit()}
    for hook in _value(WEBHOOK_HEALTH_KEY, db).get("webhooks", []):
        if isinstance(hook, dict) and str(hook.get("id", "")).isdigit():
            ids.add(int(hook["id"]))
    return ids


def is_known(webhook_id: int, clock: Clock = SYSTEM_CLOCK, db: Any = None) -> bool:
    """Whether a ping for `webhook_id` is for one of our webhooks (or arrives while ours are
    being created). A database that cannot be read answers "no": a refused ping costs nothing
    (REST creation ignores it), a 200 to a stranger would tell it what runs here."""
    try:
        if webhook_id in known_ids(db):
            return True
        until = _value(KNOWN_KEY, db).get("expect_pings_until")
        return bool(until) and clock.now() <= as_utc(datetime.fromisoformat(str(until)))
    except Exception as exc:  # noqa: BLE001 - unreadable now: refuse the ping, say why
        log.warning("webhook ping refused: the known webhook ids could not be read (%s)",
                    type(exc).__name__)
        return False
