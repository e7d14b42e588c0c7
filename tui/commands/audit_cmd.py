"""`ml-connector audit verify` and `ml-connector audit export` (for the auditors).

verify: walks the hash chain; exit 0 when intact, 1 naming the first bad event.
export: the trail as CSV (default) or JSON lines, optionally one entity (order, refund, sku, gl,
product, credentials, webhook, ...) and a date range (`--from 2026-11-01 --to 2026-11-30`, UTC,
both days included), to a file or stdout. Each row carries its hash and the previous hash, so an
auditor can re-check the chain from the export alone.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime, timedelta
from typing import IO, Any

from tui.commands.intake_common import fail, workspace

COLUMNS = ("id", "at", "entity", "entity_id", "kind", "actor", "message", "data", "prev_hash",
           "hash")


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="verify or export the audit trail", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION")
    asub.add_parser("verify", help="check the hash chain")
    ex = asub.add_parser("export", help="export events as CSV or JSON lines")
    ex.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    ex.add_argument("--entity", help="only this entity (order, refund, sku, ...)")
    ex.add_argument("--entity-id", help="only this entity id (e.g. an order number)")
    ex.add_argument("--from", dest="date_from", metavar="DATE", help="first day (UTC)")
    ex.add_argument("--to", dest="date_to", metavar="DATE", help="last day (UTC), included")
    ex.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=run)


def _day(text: str, *, end: bool) -> datetime:
    from core.clock import as_utc

    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if end and len(text.strip()) <= 10:  # a bare date: the whole day
        value = value + timedelta(days=1)
    return as_utc(value)


def _rows(args: argparse.Namespace) -> Any:
    from core.store.models import AuditEvent

    query = AuditEvent.select().order_by(AuditEvent.id)
    if args.entity:
        query = query.where(AuditEvent.entity == args.entity)
    if args.entity_id:
        query = query.where(AuditEvent.entity_id == args.entity_id)
    if args.date_from:
        query = query.where(AuditEvent.at >= _day(args.date_from, end=False))
    if args.date_to:
        query = query.where(AuditEvent.at < _day(args.date_to, end=True))
    last = 0
    while True:  # keyset batches: a million events never sit in memory at once
        batch = list(query.where(AuditEvent.id > last).limit(5000))
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def _export(args: argparse.Namespace, out: IO[str]) -> int:
    from core.store.models import UTCField

    stamp = UTCField()
    count = 0
    writer = csv.writer(out) if args.format == "csv" else None
    if writer:
        writer.writerow(COLUMNS)
    for ev in _rows(args):
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


def run(args: argparse.Namespace) -> int:
    from core.errors import ConnectorError
    from core.secrets.vault import ensure_db
    from core.store import audit

    action = getattr(args, "audit_command", None)
    if action not in ("verify", "export"):
        print("ml-connector audit: choose verify or export", file=sys.stderr)
        return 2
    ws = workspace(args)
    if not ws.db_path.exists():
        return fail(f"audit {action}", FileNotFoundError(f"no database at {ws.db_path}: run "
                                                         "`ml-connector init` first"))
    try:
        ensure_db(ws.db_path)
        if action == "verify":
            report = audit.verify_chain()
            if report.ok:
                print(f"audit trail intact: {report.events} event(s)")
                return 0
            print(f"audit trail BROKEN at event {report.first_bad_id}: {report.problem} "
                  f"({report.events} event(s) before it verified)")
            return 1
        if args.out:
            with open(args.out, "w", encoding="utf-8", newline="") as fh:
                count = _export(args, fh)
            print(f"{count} event(s) written to {args.out}", file=sys.stderr)
        else:
            _export(args, sys.stdout)
        return 0
    except (ConnectorError, ValueError) as exc:
        return fail(f"audit {action}", exc)
