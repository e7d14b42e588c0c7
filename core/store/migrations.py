"""Numbered migrations with a recorded schema version (PRAGMA user_version).

Migration 1 creates the schema. Later ones are plain functions using playhouse.migrate; append,
never edit a released one.
"""
from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from core.errors import StateError


def _m0001_initial(db: Database) -> None:
    from core.store.models import ALL_MODELS

    db.create_tables(ALL_MODELS, safe=True)


def _m0002_order_search_index(db: Database) -> None:
    # The console's order search (number, customer, GP document) scans this narrow index in
    # (updated_at, id) order instead of 100,000 wide rows with their payloads: ~30 ms, not ~300.
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "order_search" ON "order" (updated_at, id, number, '
        "customer_name, customer_key, gp_doc_number, woo_id, state, hold_reason, "
        "date_created_gmt)")


def _m0003_order_status_applied(db: Database) -> None:
    # "Was this WooCommerce status change already applied?" is business state: a column, not a
    # read of the last audit event. Existing orders take it from that event once, here.
    have = {row[1] for row in db.execute_sql('PRAGMA table_info("order")').fetchall()}
    for column in ("status_applied", "status_action"):
        if column not in have:  # migration 1 builds today's models, which already have them
            db.execute_sql(f'ALTER TABLE "order" ADD COLUMN "{column}" VARCHAR(255)')
    last = ("(SELECT json_extract(a.data, ?) FROM \"audit_event\" AS a "
            "WHERE a.entity = 'order' AND a.entity_id = CAST(\"order\".woo_id AS TEXT) "
            "AND a.kind IN ('status_updated', 'voided', 'credit_memo') "
            "ORDER BY a.id DESC LIMIT 1)")
    db.execute_sql(f'UPDATE "order" SET status_applied = {last}, status_action = {last}',
                   ("$.status", "$.action"))


def _m0004_alerts(db: Database) -> None:
    # The alert ledger (core/alerts/ledger.py): fixed DDL, so this migration never changes.
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "alert" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, '
        '"active" INTEGER NOT NULL, "epoch" INTEGER NOT NULL, "severity" VARCHAR(255) NOT NULL, '
        '"title" TEXT NOT NULL, "detail" TEXT NOT NULL, "figures" TEXT, "raised_at" TEXT, '
        '"resolved_at" TEXT, "notified" TEXT)')


MIGRATIONS: list[Callable[[Database], None]] = [
    _m0001_initial, _m0002_order_search_index, _m0003_order_status_applied, _m0004_alerts,
]
LATEST = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def migrate_to_latest(db: Database) -> int:
    """Apply pending migrations, each with its version bump in one transaction."""
    current = schema_version(db)
    if current > LATEST:
        raise StateError(f"the database is at schema {current}, newer than this ml-connector "
                         f"({LATEST}): upgrade ml-connector before opening it")
    for number in range(current + 1, LATEST + 1):
        with db.atomic("IMMEDIATE"):
            MIGRATIONS[number - 1](db)
            db.execute_sql(f"PRAGMA user_version = {number}")
    return LATEST
