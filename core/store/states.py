"""The states a document and a job can be in, and the moves between them, written once.

Orders and refunds share one set of states (a refund is a posted document like an invoice):
new -> (skipped | held | ready) -> posting -> posted -> verified, or failed (GP's own message);
void when WooCommerce cancelled an unposted invoice. Every state change goes through a guarded
UPDATE that names the states it may come from (`Lifecycle.sources`), so an illegal move is
refused by the database row itself, not by whatever copy of the row a caller holds.

A later state (waiting on a GP lock, changed after posting, voided and re-created) is one member
here and one row in each table below.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.errors import ConnectorError


class DocState(StrEnum):
    """Where an order's invoice or a refund's credit document stands."""

    NEW = "new"
    HELD = "held"  # waits on a person's fix; hold_reason says which
    READY = "ready"  # mapped, its GP number committed before any create
    POSTING = "posting"  # the create call may be in flight
    POSTED = "posted"  # GP holds it
    VERIFIED = "verified"  # read back from GP and equal to the cent
    FAILED = "failed"  # GP (or the mapping) refused it; last_error says why
    SKIPPED = "skipped"  # not to be posted (not eligible, deleted, invoice voided)
    VOID = "void"  # the invoice was voided in GP because WooCommerce cancelled the order


class JobStatus(StrEnum):
    QUEUED = "queued"
    LEASED = "leased"
    DONE = "done"
    FAILED = "failed"  # gave up retrying; a new enqueue starts it again
    DEAD = "dead"


# The groups the pipeline, the console, the demo and reconciliation share (tuples, so a query
# built from one reads the same every time).
# GP holds the document (an order's invoice, a refund's credit memo or return).
POSTED_STATES: tuple[DocState, ...] = (DocState.POSTED, DocState.VERIFIED)
# An order in one of these has nothing left to create in GP: only verification, status changes
# and refunds follow.
INVOICE_DONE: tuple[DocState, ...] = (*POSTED_STATES, DocState.VOID)
# A refund in one of these has nothing left to do at all.
REFUND_DONE: tuple[DocState, ...] = (*POSTED_STATES, DocState.SKIPPED)
# What a person's replay puts back in the queue.
REPLAYABLE: tuple[DocState, ...] = (DocState.HELD, DocState.FAILED)
# On its way: not yet settled either way.
IN_FLIGHT: tuple[DocState, ...] = (DocState.NEW, DocState.READY, DocState.POSTING)
# Where a document can stop: posted, waiting on a person, or not to be posted.
SETTLED_STATES: tuple[DocState, ...] = (*POSTED_STATES, DocState.HELD, DocState.FAILED,
                                        DocState.SKIPPED, DocState.VOID)


class IllegalTransition(ConnectorError):
    """A state change the lifecycle does not allow: a bug, never a business outcome."""


@dataclass(frozen=True)
class Lifecycle:
    """The allowed moves of one kind of row. Staying in a state is always allowed (a held
    order held again for another reason, a failed one failing again)."""

    name: str
    moves: Mapping[str, frozenset[str]]

    def allows(self, current: str, new: str) -> bool:
        return current == new or new in self.moves.get(current, frozenset())

    def sources(self, new: str) -> list[str]:
        """Every state a row may be in for a move to `new`."""
        return [new] + [s for s, to in self.moves.items() if new in to and s != new]

    def check(self, current: str, new: str, *, what: str) -> None:
        if not self.allows(current, new):
            allowed = ", ".join(sorted(self.moves.get(current, ()))) or "nothing"
            raise IllegalTransition(f"{what} cannot move from {current} to {new} "
                                    f"(from {current} it may move to: {allowed})")


def _moves(table: Mapping[DocState, tuple[DocState, ...]]) -> dict[str, frozenset[str]]:
    return {str(k): frozenset(str(v) for v in vs) for k, vs in table.items()}


S = DocState
# Before GP holds it: reading GP first may still find a document an earlier attempt created
# (its number was committed), so each of these may move straight to posted or verified.
_PRE_POST_MOVES = (S.HELD, S.READY, S.FAILED, S.SKIPPED, S.POSTED, S.VERIFIED)

ORDER_LIFECYCLE = Lifecycle("order", _moves({
    S.NEW: _PRE_POST_MOVES,
    S.SKIPPED: _PRE_POST_MOVES,
    S.READY: (S.POSTING, *_PRE_POST_MOVES),
    S.POSTING: _PRE_POST_MOVES,
    S.HELD: (S.NEW, *_PRE_POST_MOVES),  # NEW: replayed
    S.FAILED: (S.NEW, *_PRE_POST_MOVES),
    # After posting: verification may hold it with both figures; a cancellation voids it; the
    # runner gives up on verification after its retries.
    S.POSTED: (S.VERIFIED, S.HELD, S.VOID, S.FAILED),
    S.VERIFIED: (S.HELD, S.VOID, S.FAILED),
    S.VOID: (),
}))

REFUND_LIFECYCLE = Lifecycle("refund", _moves({
    S.NEW: (S.HELD, S.READY, S.FAILED, S.SKIPPED, S.POSTED),
    S.READY: (S.POSTING, S.HELD, S.FAILED, S.POSTED),
    S.POSTING: (S.READY, S.HELD, S.FAILED, S.POSTED),
    S.HELD: (S.NEW, S.READY, S.FAILED, S.SKIPPED, S.POSTED),
    S.FAILED: (S.NEW, S.READY, S.HELD, S.SKIPPED, S.POSTED),
    S.POSTED: (S.VERIFIED, S.HELD),
    S.VERIFIED: (),
    S.SKIPPED: (),
    S.VOID: (),  # a refund is never voided: its invoice is, and the refund is then skipped
}))

J = JobStatus
JOB_LIFECYCLE = Lifecycle("job", {str(k): frozenset(str(v) for v in vs) for k, vs in {
    J.QUEUED: (J.LEASED,),
    J.LEASED: (J.QUEUED, J.DONE, J.FAILED),  # LEASED -> LEASED: an expired lease taken over
    J.DONE: (J.QUEUED,),
    J.FAILED: (J.QUEUED,),
    J.DEAD: (J.QUEUED,),
}.items()})


def move(model: Any, row_id: int, lifecycle: Lifecycle, new: str | None, *, what: str,
         column: str = "state", **fields: Any) -> int:
    """UPDATE one row (the given fields, and the state when `new` is given), guarded by the
    states the lifecycle allows the move from. Refuses an illegal move with IllegalTransition;
    returns the rows updated (0 when the row is gone). Call inside the caller's transaction."""
    col = getattr(model, column)
    if new is not None:
        fields[column] = new
    query = model.update(**fields).where(model.id == row_id)
    if new is not None:
        query = query.where(col.in_(lifecycle.sources(new)))
    done = int(query.execute())
    if done == 0 and new is not None:
        current = model.select(col).where(model.id == row_id).scalar()
        if current is not None:
            lifecycle.check(current, new, what=what)
    return done
