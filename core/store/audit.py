"""The audit trail: append-only events, each carrying the hash of the one before it.

`record()` must be called inside the write transaction of the change it describes
(`with database.atomic(): ...; record(...)`), so the change and its event commit together.
Because every write transaction is BEGIN IMMEDIATE, reading the previous hash and appending is
serialised across processes: the chain cannot fork. On PostgreSQL (READ COMMITTED, many writers)
an advisory lock taken before the tail is read does the same until the transaction ends.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.store.db import database, insert_row, insert_rows
from core.store.locks import chain_transaction, lock_audit_chain
from core.store.models import AuditEvent, utc_text

GENESIS = "0" * 64

# Keys whose values never reach the trail, whatever payload excerpt a caller passes in.
_SECRET_KEY = re.compile(r"(secret|password|passwd|token|authorization|consumer_key|api_key|"
                         r"signature|cookie|card|cvv|iban)", re.I)


def actor(surface: str) -> str:
    """The trail's "who" for a person at a terminal: `<surface>:<login name>` (cli:alice,
    console:alice). A missing login name (some containers) still says which surface acted."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is not a reason to fail the action
        user = "unknown"
    return f"{surface}:{user}"


def redact(value: Any) -> Any:
    """Copy of `value` with every secret-looking key's value replaced by "[redacted]"."""
    if isinstance(value, dict):
        return {k: ("[redacted]" if _SECRET_KEY.search(str(k)) else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _digest(prev_hash: str, at: str, entity: str, entity_id: str | None, kind: str, actor: str,
            message: str, data: Any) -> str:
    body = json.dumps([prev_hash, at, entity, entity_id, kind, actor, message, data],
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def record(entity: str, entity_id: object, kind: str, message: str, *, actor: str,
           data: Any = None, clock: Clock = SYSTEM_CLOCK) -> AuditEvent:
    """Append one event. Call inside the transaction of the change it records."""
    with chain_transaction():
        return _record(entity, entity_id, kind, message, actor=actor, data=data, clock=clock)


def _record(entity: str, entity_id: object, kind: str, message: str, *, actor: str,
            data: Any, clock: Clock) -> AuditEvent:
    prev = _last_hash()
    at = clock.now()
    at_text = utc_text(at)
    eid = None if entity_id is None else str(entity_id)
    clean = redact(data) if data is not None else None
    digest = _digest(prev, at_text, entity, eid, kind, actor, message, clean)
    row = {"at": at, "entity": entity, "entity_id": eid, "kind": kind, "actor": actor,
           "message": message, "data": clean, "prev_hash": prev, "hash": digest}
    # A prepared INSERT, not Model.create: every state change writes one or more events, and
    # peewee's rendering of the row cost more CPU than SQLite's insert (issue 16).
    return AuditEvent(id=insert_row(AuditEvent, row), **row)


_LAST_HASH_SQL = f'SELECT "hash" FROM "{AuditEvent._meta.table_name}" ORDER BY "id" DESC LIMIT 1'


def _last_hash() -> str:
    """The newest event's hash (the chain's tail), GENESIS for an empty trail."""
    lock_audit_chain()
    row = database.execute_sql(_LAST_HASH_SQL).fetchone()
    return str(row[0]) if row else GENESIS


def record_many(events: list[tuple[str, object, str, str, Any]], *, actor: str,
                clock: Clock = SYSTEM_CLOCK) -> int:
    """Append (entity, entity_id, kind, message, data) events in order, chained exactly as
    `record` chains them, with one read of the last hash and one INSERT: a backfill page's
    "received" events. Call inside the transaction of the changes they record."""
    if not events:
        return 0
    with chain_transaction():
        return _record_many(events, actor=actor, clock=clock)


def _record_many(events: list[tuple[str, object, str, str, Any]], *, actor: str,
                 clock: Clock) -> int:
    prev = _last_hash()
    at = clock.now()
    at_text = utc_text(at)
    rows = []
    for entity, entity_id, kind, message, data in events:
        eid = None if entity_id is None else str(entity_id)
        clean = redact(data) if data is not None else None
        digest = _digest(prev, at_text, entity, eid, kind, actor, message, clean)
        rows.append({"at": at, "entity": entity, "entity_id": eid, "kind": kind, "actor": actor,
                     "message": message, "data": clean, "prev_hash": prev, "hash": digest})
        prev = digest
    return insert_rows(AuditEvent, rows)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the whole trail in id order; an edited, inserted or deleted row breaks it."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.select().where(AuditEvent.id > last_id)
                    .order_by(AuditEvent.id).limit(batch))
        if not rows:
            return ChainReport(True, count)
        for ev in rows:
            if ev.prev_hash != prev:
                return ChainReport(False, count, ev.id,
                                   f"event {ev.id} does not follow the event before it "
                                   "(a row was deleted or inserted)")
            at_text = utc_text(ev.at)
            expect = _digest(ev.prev_hash, at_text, ev.entity, ev.entity_id, ev.kind, ev.actor,
                             ev.message, ev.data)
            if expect != ev.hash:
                return ChainReport(False, count, ev.id,
                                   f"event {ev.id} was edited after it was written")
            prev = ev.hash
            count += 1
            last_id = ev.id


def timeline(entity: str, entity_id: object) -> list[AuditEvent]:
    return list(AuditEvent.select().where((AuditEvent.entity == entity)
                                          & (AuditEvent.entity_id == str(entity_id)))
                .order_by(AuditEvent.id))
