"""Batches with GP's states, and documents or batches held "in use" (gp.md §22 "Batches", "Locks").

A batch is available, marked for posting, being posted, or interrupted (posting stopped half way:
batch recovery); a posted batch no longer exists, so a new document naming its id opens a new one.
Naming a batch that does not exist creates it, as eConnect does. Adding to a batch that is being
posted or is in recovery is refused. A document or batch an accountant has open ("in use") makes
creates, updates and voids that touch it fail with a validation exception until it is released:
temporary, to be retried, never final [cc508742].

GP's texts for these are unpublished except "Document is currently being edited by another user"
(eConnect 2079/2022, gp.md §21); the batch texts are the stand-in's.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.gp.faults import ValidationFault, ValidationItem, econnect
from sandbox.gp.store import Store

STATES = ("available", "marked", "posting", "interrupted")
SOP_SOURCE, RM_SOURCE, IV_SOURCE = "Sales Entry", "RM_Sales", "IV_Trxent"  # BCHSOURC (inferred)
_REFUSED = {"posting": "is being posted", "interrupted": "was interrupted while posting and "
            "waits for batch recovery"}


def _kind(source: str) -> str:
    return "batch:" + source


def get(store: Store, source: str, batch: str) -> tuple[str, dict[str, Any]] | None:
    return store.find_reference(_kind(source), batch)


def all_batches(store: Store) -> list[dict[str, Any]]:
    out = []
    for source in (SOP_SOURCE, RM_SOURCE, IV_SOURCE):
        for key, row in store.reference(_kind(source)).items():
            out.append({"source": source, "id": key, **row})
    return out


def lock_key(kind: str, *parts: str) -> str:
    return kind + ":" + ":".join(p.rstrip(" ").upper() for p in parts)


def in_use(locks: dict[str, str], kind: str, *parts: str) -> str | None:
    return locks.get(lock_key(kind, *parts))


def admit(store: Store, locks: dict[str, str], source: str, batch: str, at: datetime,
          object_type: str, prop: str = "BatchKey.Id") -> str:
    """The batch a new or changed document goes into: GP's spelling of its id; created when new.
    Raises a validation fault while the batch is in use, being posted or in recovery."""
    found = get(store, source, batch)
    name = found[0] if found else batch.rstrip(" ")
    user = in_use(locks, "batch", source, name)
    if user:
        raise ValidationFault([ValidationItem(
            f"The batch '{name}' ({source}) is in use by {user}; try again when it is released.",
            [prop], object_type)])
    if found is not None:
        state = found[1].get("state", "available")
        if state in _REFUSED:
            raise ValidationFault([ValidationItem(
                f"The batch '{name}' ({source}) {_REFUSED[state]}; documents cannot be added "
                "to it.", [prop], object_type)])
        return name
    store.put_reference(_kind(source), name, {"state": "available", "created": at.isoformat(),
                                              "comment": ""})
    return name


def set_state(store: Store, source: str, batch: str, state: str) -> dict[str, Any]:
    if state not in STATES:
        raise ValueError(f"batch state must be one of {STATES}")
    found = get(store, source, batch)
    if found is None:
        raise KeyError(f"no batch {batch!r} in {source}")
    row = {**found[1], "state": state}
    store.put_reference(_kind(source), found[0], row)
    return {"source": source, "id": found[0], **row}


def remove(store: Store, source: str, batch: str) -> None:
    """A posted batch no longer exists as such."""
    found = get(store, source, batch)
    if found is not None:
        store.query("DELETE FROM reference WHERE kind = ? AND id = ?", (_kind(source), found[0]))


def document_in_use(locks: dict[str, str], kind: str, number: str, object_type: str,
                    proc: str) -> None:
    user = in_use(locks, "document", kind, number)
    if user:
        raise ValidationFault([econnect(2079, proc, "Document is currently being edited by "
                                        f"another user ({user})", ["Key.Id"], object_type)])
