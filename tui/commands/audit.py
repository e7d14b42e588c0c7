"""Verify the audit trail's hash chain, or export it for the auditors.

\b
verify: walks the hash chain; exit 0 when intact, 1 naming the first bad event.
export: the trail as CSV (default) or JSON lines, optionally one entity (order, refund, sku, gl,
product, credentials, webhook, ...) and a date range (`--from 2026-11-01 --to 2026-11-30`, UTC,
both days included), to a file or stdout. Each row carries its hash and the previous hash, so an
auditor can re-check the chain from the export alone.
"""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any

import click

from core.clock import as_utc
from core.store import audit
from core.store.models import AuditEvent, UTCField
from tui.commands.common import global_options, open_state

COLUMNS = ("id", "at", "entity", "entity_id", "kind", "actor", "message", "data", "prev_hash",
           "hash")


def _day(text: str, *, end: bool) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if end and len(text.strip()) <= 10:  # a bare date: the whole day
        value = value + timedelta(days=1)
    return as_utc(value)


def _rows(filters: dict[str, Any]) -> Iterator[AuditEvent]:
    query = AuditEvent.select().order_by(AuditEvent.id)
    if filters["entity"]:
        query = query.where(AuditEvent.entity == filters["entity"])
    if filters["entity_id"]:
        query = query.where(AuditEvent.entity_id == filters["entity_id"])
    if filters["date_from"]:
        query = query.where(AuditEvent.at >= _day(filters["date_from"], end=False))
    if filters["date_to"]:
        query = query.where(AuditEvent.at < _day(filters["date_to"], end=True))
    last = 0
    while True:  # keyset batches: a million events never sit in memory at once
        batch = list(query.where(AuditEvent.id > last).limit(5000))
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def _export(fmt: str, filters: dict[str, Any], out: IO[str]) -> int:
    stamp = UTCField()
    count = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(COLUMNS)
    for ev in _rows(filters):
        record = {"id": ev.id, "at": stamp.db_value(ev.at), "entity": ev.entity,
                  "entity_id": ev.entity_id, "kind": ev.kind, "actor": ev.actor,
                  "message": ev.message, "data": ev.data, "prev_hash": ev.prev_hash,
                  "hash": ev.hash}
        if writer:
            record["data"] = "" if ev.data is None else json.dumps(ev.data, sort_keys=True)
            writer.writerow([record[c] for c in COLUMNS])
        else:
            out.write(json.dumps(record, sort_keys=True, default=str) + "\n")
        count += 1
    return count


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.command("verify", help="Check the hash chain (exit 1 naming the first bad event).")
@global_options()
def verify() -> int:
    open_state()
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"audit trail intact: {report.events} event(s)")
        return 0
    click.echo(f"audit trail BROKEN at event {report.first_bad_id}: {report.problem} "
               f"({report.events} event(s) before it verified)")
    return 1


@command.command("export", help="Export events as CSV or JSON lines.")
@global_options()
@click.option("--format", "fmt", type=click.Choice(("csv", "jsonl")), default="csv",
              show_default=True, help="CSV with a header, or one JSON object a line")
@click.option("--entity", help="only this entity (order, refund, sku, gl, product, ...)")
@click.option("--entity-id", help="only this entity id (e.g. an order number)")
@click.option("--from", "date_from", metavar="DATE", help="first day (UTC), e.g. 2026-11-01")
@click.option("--to", "date_to", metavar="DATE", help="last day (UTC), included")
@click.option("--out", metavar="FILE", help="write here instead of stdout")
def export(fmt: str, out: str | None, **filters: Any) -> int:
    open_state()
    if out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            count = _export(fmt, filters, fh)
        click.echo(f"{count} event(s) written to {out}", err=True)
    else:
        _export(fmt, filters, sys.stdout)
    return 0
