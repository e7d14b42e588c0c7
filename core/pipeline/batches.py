"""The day's GP batch, and the next one when GP will not take documents into it.

Documents land in one batch per day (`[posting] batch_template`, e.g. WC20261127). When the
accountant marks that batch for posting, posts it while the worker adds to it, or has it open,
GP refuses new documents into it (gp.md §22 "Batches"): the refused document is not created, so
it goes to the day's next batch id, in a fixed order — WC20261127, WC20261127-2, WC20261127-3 —
and so do the documents after it (the current batch per base is kept in the Setting table, with
an audit event). The document number never changes, and GP is read by that number before every
create, so moving batches can neither lose nor duplicate a document.
"""
from __future__ import annotations

from core.clock import Clock
from core.store import audit
from core.store.db import database
from core.store.models import Setting

BATCH_LIMIT = 15  # GP's batch id length (gp.md §9)
MAX_MOVES = 8  # more refusals in one go means something else is wrong: fail with GP's words


def successor(base: str, batch: str) -> str:
    """The batch after `batch` in `base`'s fixed sequence (base, base-2, base-3, ...)."""
    n = 1
    if batch != base and "-" in batch:
        tail = batch.rsplit("-", 1)[1]
        n = int(tail) if tail.isdigit() else 1
    suffix = f"-{n + 1}"
    return base[:BATCH_LIMIT - len(suffix)] + suffix


def _key(base: str) -> str:
    return f"gp_batch.{base}"


def current(base: str) -> str:
    """The batch documents for `base` go to now."""
    row = Setting.get_or_none(Setting.key == _key(base))
    return str(row.value) if row is not None and row.value else base


def move_on(base: str, refused: str, why: str, *, actor: str, clock: Clock) -> str:
    """GP refused `refused`: the next batch, recorded once however many workers see it."""
    with database.atomic("IMMEDIATE"):
        now_current = current(base)
        if now_current != refused:
            return now_current  # another posting thread moved on already
        nxt = successor(base, refused)
        Setting.insert(key=_key(base), value=nxt, updated_by=actor, updated_at=clock.now()
                       ).on_conflict(conflict_target=[Setting.key],
                                     update={Setting.value: nxt, Setting.updated_by: actor,
                                             Setting.updated_at: clock.now()}).execute()
        audit.record("setting", _key(base), "batch_moved", f"GP will not take documents into "
                     f"batch {refused} ({why}): documents for {base} now go to batch {nxt}",
                     actor=actor, clock=clock, data={"base": base, "refused": refused,
                                                     "batch": nxt, "why": why})
    return nxt
