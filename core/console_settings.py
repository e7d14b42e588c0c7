"""Settings the accountant saves from the console (the rounding tolerance, the keymap), kept in
the state database beside the data they govern and audited like every other change. They win
over config.toml's value for the same thing; the file stays the administrator's."""
from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from core.clock import SYSTEM_CLOCK, Clock
from core.config import PostingSettings
from core.store import audit
from core.store.db import database
from core.store.models import Setting

ROUNDING_TOLERANCE = "posting.rounding_tolerance"  # overrides [posting] rounding_tolerance
KEYMAP = "console.keymap"  # the console's key bindings, by binding id

log = logging.getLogger(__name__)


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


def mapping_posting(posting: PostingSettings) -> PostingSettings:
    """The posting settings the mapping uses: config.toml's, with the rounding tolerance the
    console saved in the database (it wins over the file). Read on every document, so a change
    in the console applies to the next order without restarting the worker; the console's
    preview reads it the same way, so it shows what posting will do."""
    saved = get_setting(ROUNDING_TOLERANCE)
    if saved is None or str(saved).strip() == "":
        return posting
    try:
        tol = Decimal(str(saved).strip())
        if not tol.is_finite() or tol < 0:
            raise InvalidOperation
    except InvalidOperation:
        log.warning("setting %s=%r is not a non-negative decimal; using [posting] "
                    "rounding_tolerance %s", ROUNDING_TOLERANCE, saved, posting.rounding_tolerance)
        return posting
    return replace(posting, rounding_tolerance=str(tol))
