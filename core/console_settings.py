"""Settings the accountant saves from the console (the rounding tolerance, the keymap), kept in
the state database beside the data they govern and audited like every other change. They win
over config.toml's value for the same thing; the file stays the administrator's."""
from __future__ import annotations

from core.clock import SYSTEM_CLOCK, Clock
from core.store import audit
from core.store.db import database
from core.store.models import Setting

ROUNDING_TOLERANCE = "posting.rounding_tolerance"  # overrides [posting] rounding_tolerance
KEYMAP = "console.keymap"  # the console's key bindings, by binding id


def get_setting(key: str, default: object = None) -> object:
    row = Setting.get_or_none(Setting.key == key)
    return default if row is None else row.value


def set_setting(key: str, value: object, *, actor: str, clock: Clock = SYSTEM_CLOCK) -> None:
    now = clock.now()
    with database.atomic("IMMEDIATE"):
        before = get_setting(key)
        Setting.insert(key=key, value=value, updated_by=actor, updated_at=now).on_conflict(
            conflict_target=[Setting.key],
            update={Setting.value: value, Setting.updated_by: actor, Setting.updated_at: now},
        ).execute()
        audit.record("setting", key, "setting_changed", f"{key}: {before!r} -> {value!r}",
                     actor=actor, clock=clock)
