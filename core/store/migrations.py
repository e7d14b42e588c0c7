"""Numbered migrations with a recorded schema version (PRAGMA user_version on SQLite).

The same migrations run on PostgreSQL: they are written in SQLite's words and core.store.dialect
says them in PostgreSQL's (SERIAL keys, BYTEA, "C"-collated text, the version in a table).

Migration 1 creates the schema as fixed DDL: it must never change when a model changes (a
database created by this release and one created by a later release must end up identical after
migrating). A model change is a new numbered migration appended below, using playhouse.migrate
or plain SQL; never edit a released one. tests/core/test_migrations.py compares a freshly
migrated database with the models, so a model changed without its migration fails the suite.
"""
from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from core.errors import StateError
from core.store.dialect import (
    ddl,
    last_status_sql,
    schema_lock,
    set_schema_version,
    table_columns,
)
from core.store.dialect import schema_version as schema_version

# The schema as release 0.1.0 created it (then `create_tables(ALL_MODELS)`), frozen.
SCHEMA_1: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS "audit_event" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "at" TEXT NOT NULL,
        "entity" VARCHAR(255) NOT NULL,
        "entity_id" VARCHAR(255),
        "kind" VARCHAR(255) NOT NULL,
        "actor" VARCHAR(255) NOT NULL,
        "message" TEXT NOT NULL,
        "data" TEXT,
        "prev_hash" VARCHAR(255) NOT NULL,
        "hash" VARCHAR(255) NOT NULL
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "audit_event_hash" ON "audit_event" ("hash")',
    'CREATE INDEX IF NOT EXISTS "audit_event_entity_entity_id_id" '
    'ON "audit_event" ("entity", "entity_id", "id")',
    """CREATE TABLE IF NOT EXISTS "customer_link" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "woo_key" VARCHAR(255) NOT NULL,
        "gp_customer_id" VARCHAR(255) NOT NULL,
        "fingerprint" VARCHAR(255),
        "customer_class" VARCHAR(255),
        "updated_at" TEXT NOT NULL
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "customer_link_woo_key" ON "customer_link" ("woo_key")',
    'CREATE INDEX IF NOT EXISTS "customer_link_gp_customer_id" '
    'ON "customer_link" ("gp_customer_id")',
    """CREATE TABLE IF NOT EXISTS "flagged_sku" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "sku" VARCHAR(255) NOT NULL,
        "product_name" VARCHAR(255),
        "woo_product_id" INTEGER,
        "first_seen_at" TEXT NOT NULL,
        "resolved_at" TEXT,
        "resolved_by" VARCHAR(255),
        "gp_item" VARCHAR(255)
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "flagged_sku_sku" ON "flagged_sku" ("sku")',
    'CREATE INDEX IF NOT EXISTS "flagged_sku_resolved_at" ON "flagged_sku" ("resolved_at")',
    """CREATE TABLE IF NOT EXISTS "gl_mapping" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "scope" VARCHAR(255) NOT NULL,
        "scope_key" VARCHAR(255) NOT NULL,
        "account_kind" VARCHAR(255) NOT NULL,
        "account" VARCHAR(255) NOT NULL,
        "updated_by" VARCHAR(255) NOT NULL,
        "updated_at" TEXT NOT NULL
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "gl_mapping_scope_scope_key_account_kind" '
    'ON "gl_mapping" ("scope", "scope_key", "account_kind")',
    """CREATE TABLE IF NOT EXISTS "gp_item" (
        "item_number" VARCHAR(255) NOT NULL PRIMARY KEY,
        "description" VARCHAR(255) NOT NULL,
        "price" TEXT,
        "quantity" TEXT,
        "refreshed_at" TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS "job" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "kind" VARCHAR(255) NOT NULL,
        "key" VARCHAR(255) NOT NULL,
        "group_key" VARCHAR(255),
        "status" VARCHAR(255) NOT NULL,
        "attempts" INTEGER NOT NULL,
        "run_at" TEXT NOT NULL,
        "lease_owner" VARCHAR(255),
        "lease_expires_at" TEXT,
        "last_error" TEXT,
        "rerun" INTEGER NOT NULL,
        "created_at" TEXT NOT NULL,
        "updated_at" TEXT NOT NULL
    )""",
    'CREATE INDEX IF NOT EXISTS "job_group_key" ON "job" ("group_key")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "job_kind_key" ON "job" ("kind", "key")',
    'CREATE INDEX IF NOT EXISTS "job_status_run_at" ON "job" ("status", "run_at")',
    """CREATE TABLE IF NOT EXISTS "order" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "woo_id" INTEGER NOT NULL,
        "number" VARCHAR(255) NOT NULL,
        "status" VARCHAR(255) NOT NULL,
        "customer_key" VARCHAR(255),
        "customer_name" VARCHAR(255),
        "total" TEXT,
        "currency" VARCHAR(255) NOT NULL,
        "payment_method" VARCHAR(255),
        "date_created_gmt" TEXT,
        "date_paid_gmt" TEXT,
        "modified_gmt" TEXT,
        "payload" TEXT,
        "state" VARCHAR(255) NOT NULL,
        "hold_reason" VARCHAR(255),
        "hold_detail" TEXT,
        "gp_doc_number" VARCHAR(255),
        "gp_batch" VARCHAR(255),
        "gp_customer_id" VARCHAR(255),
        "gp_total" TEXT,
        "attempts" INTEGER NOT NULL,
        "next_attempt_at" TEXT,
        "last_error" TEXT,
        "posted_at" TEXT,
        "created_at" TEXT NOT NULL,
        "updated_at" TEXT NOT NULL
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "order_woo_id" ON "order" ("woo_id")',
    'CREATE INDEX IF NOT EXISTS "order_status" ON "order" ("status")',
    'CREATE INDEX IF NOT EXISTS "order_customer_key" ON "order" ("customer_key")',
    'CREATE INDEX IF NOT EXISTS "order_date_created_gmt" ON "order" ("date_created_gmt")',
    'CREATE INDEX IF NOT EXISTS "order_state" ON "order" ("state")',
    'CREATE INDEX IF NOT EXISTS "order_hold_reason" ON "order" ("hold_reason")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "order_gp_doc_number" ON "order" ("gp_doc_number")',
    'CREATE INDEX IF NOT EXISTS "order_updated_at" ON "order" ("updated_at")',
    'CREATE INDEX IF NOT EXISTS "order_state_updated_at_id" '
    'ON "order" ("state", "updated_at", "id")',
    'CREATE INDEX IF NOT EXISTS "order_updated_at_id" ON "order" ("updated_at", "id")',
    """CREATE TABLE IF NOT EXISTS "order_sku" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "order_id" INTEGER NOT NULL,
        "sku" VARCHAR(255) NOT NULL,
        "product_name" VARCHAR(255),
        FOREIGN KEY ("order_id") REFERENCES "order" ("id") ON DELETE CASCADE
    )""",
    'CREATE INDEX IF NOT EXISTS "order_sku_order_id" ON "order_sku" ("order_id")',
    'CREATE INDEX IF NOT EXISTS "order_sku_sku" ON "order_sku" ("sku")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "order_sku_order_id_sku" ON "order_sku" ("order_id", "sku")',
    """CREATE TABLE IF NOT EXISTS "poll_cursor" (
        "name" VARCHAR(255) NOT NULL PRIMARY KEY,
        "cursor" TEXT,
        "updated_at" TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS "product_link" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "sku" VARCHAR(255) NOT NULL,
        "woo_product_id" INTEGER NOT NULL,
        "woo_variation_id" INTEGER,
        "gp_item" VARCHAR(255) NOT NULL,
        "base_name" TEXT,
        "base_price" TEXT,
        "base_quantity" TEXT,
        "woo_modified_gmt" TEXT,
        "gp_modified_at" TEXT,
        "last_synced_at" TEXT,
        "updated_at" TEXT NOT NULL
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "product_link_sku" ON "product_link" ("sku")',
    """CREATE TABLE IF NOT EXISTS "product_task" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "link_id" INTEGER NOT NULL,
        "kind" VARCHAR(255) NOT NULL,
        "field" VARCHAR(255) NOT NULL,
        "base_value" TEXT,
        "woo_value" TEXT,
        "gp_value" TEXT,
        "status" VARCHAR(255) NOT NULL,
        "resolution" VARCHAR(255),
        "resolved_by" VARCHAR(255),
        "created_at" TEXT NOT NULL,
        "resolved_at" TEXT,
        FOREIGN KEY ("link_id") REFERENCES "product_link" ("id") ON DELETE CASCADE
    )""",
    'CREATE INDEX IF NOT EXISTS "product_task_link_id" ON "product_task" ("link_id")',
    'CREATE INDEX IF NOT EXISTS "product_task_status" ON "product_task" ("status")',
    """CREATE TABLE IF NOT EXISTS "refund" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "woo_id" INTEGER NOT NULL,
        "order_id" INTEGER NOT NULL,
        "amount" TEXT NOT NULL,
        "reason" TEXT,
        "restock" INTEGER NOT NULL,
        "payload" TEXT,
        "date_created_gmt" TEXT,
        "state" VARCHAR(255) NOT NULL,
        "hold_reason" VARCHAR(255),
        "hold_detail" TEXT,
        "gp_doc_number" VARCHAR(255),
        "gp_doc_type" VARCHAR(255),
        "gp_total" TEXT,
        "attempts" INTEGER NOT NULL,
        "next_attempt_at" TEXT,
        "last_error" TEXT,
        "posted_at" TEXT,
        "created_at" TEXT NOT NULL,
        "updated_at" TEXT NOT NULL,
        FOREIGN KEY ("order_id") REFERENCES "order" ("id") ON DELETE CASCADE
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "refund_woo_id" ON "refund" ("woo_id")',
    'CREATE INDEX IF NOT EXISTS "refund_order_id" ON "refund" ("order_id")',
    'CREATE INDEX IF NOT EXISTS "refund_date_created_gmt" ON "refund" ("date_created_gmt")',
    'CREATE INDEX IF NOT EXISTS "refund_state" ON "refund" ("state")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "refund_gp_doc_number" ON "refund" ("gp_doc_number")',
    'CREATE INDEX IF NOT EXISTS "refund_updated_at" ON "refund" ("updated_at")',
    """CREATE TABLE IF NOT EXISTS "secret" (
        "name" VARCHAR(255) NOT NULL PRIMARY KEY,
        "token" BLOB NOT NULL,
        "key_id" VARCHAR(255) NOT NULL,
        "updated_at" TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS "setting" (
        "key" VARCHAR(255) NOT NULL PRIMARY KEY,
        "value" TEXT NOT NULL,
        "updated_by" VARCHAR(255) NOT NULL,
        "updated_at" TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS "sku_map" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "woo_sku" VARCHAR(255) NOT NULL,
        "gp_item" VARCHAR(255) NOT NULL,
        "created_by" VARCHAR(255) NOT NULL,
        "created_at" TEXT NOT NULL
    )""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "sku_map_woo_sku" ON "sku_map" ("woo_sku")',
    """CREATE TABLE IF NOT EXISTS "webhook_delivery" (
        "id" INTEGER NOT NULL PRIMARY KEY,
        "received_at" TEXT NOT NULL,
        "topic" VARCHAR(255),
        "resource" VARCHAR(255),
        "event" VARCHAR(255),
        "webhook_id" VARCHAR(255),
        "delivery_id" VARCHAR(255),
        "source" VARCHAR(255),
        "verdict" VARCHAR(255) NOT NULL,
        "reject_reason" VARCHAR(255),
        "body" BLOB,
        "resource_id" INTEGER,
        "processed_at" TEXT,
        "error" TEXT
    )""",
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_received_at" '
    'ON "webhook_delivery" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_verdict" ON "webhook_delivery" ("verdict")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_processed_at" '
    'ON "webhook_delivery" ("processed_at")',
    """CREATE TABLE IF NOT EXISTS "worker_lease" (
        "name" VARCHAR(255) NOT NULL PRIMARY KEY,
        "holder" VARCHAR(255) NOT NULL,
        "host" VARCHAR(255) NOT NULL,
        "pid" INTEGER NOT NULL,
        "mode" VARCHAR(255) NOT NULL,
        "started_at" TEXT NOT NULL,
        "heartbeat_at" TEXT NOT NULL,
        "expires_at" TEXT NOT NULL,
        "status" TEXT
    )""",
)


def _m0001_initial(db: Database) -> None:
    for statement in SCHEMA_1:
        db.execute_sql(ddl(db, statement))


def _m0002_order_search_index(db: Database) -> None:
    # The console's order search (number, customer, GP document) scans this narrow index in
    # (updated_at, id) order instead of 100,000 wide rows with their payloads: ~30 ms, not ~300.
    db.execute_sql(ddl(db,
        'CREATE INDEX IF NOT EXISTS "order_search" ON "order" (updated_at, id, number, '
        "customer_name, customer_key, gp_doc_number, woo_id, state, hold_reason, "
        "date_created_gmt)"))


def _m0003_order_status_applied(db: Database) -> None:
    # "Was this WooCommerce status change already applied?" is business state: a column, not a
    # read of the last audit event. Existing orders take it from that event once, here.
    have = set(table_columns(db, "order"))
    for column in ("status_applied", "status_action"):
        if column not in have:  # a database migrated before this release may lack them
            db.execute_sql(ddl(db, f'ALTER TABLE "order" ADD COLUMN "{column}" VARCHAR(255)'))
    last = last_status_sql(db)
    db.execute_sql(f'UPDATE "order" SET status_applied = {last}, status_action = {last}',
                   ("status", "action"))


def _m0004_alerts(db: Database) -> None:
    # The alert ledger (core/alerts/ledger.py): fixed DDL, so this migration never changes.
    db.execute_sql(ddl(db,
        'CREATE TABLE IF NOT EXISTS "alert" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, '
        '"active" INTEGER NOT NULL, "epoch" INTEGER NOT NULL, "severity" VARCHAR(255) NOT NULL, '
        '"title" TEXT NOT NULL, "detail" TEXT NOT NULL, "figures" TEXT, "raised_at" TEXT, '
        '"resolved_at" TEXT, "notified" TEXT)'))


def _m0005_sku_map_sync_and_sent_documents(db: Database) -> None:
    # A SKU mapping used for posting is no longer a product-sync link unless the accountant
    # said so (sku_map.sync; migration 1 on a new database already has the column); the GP
    # documents as sent (core/store/sent.py) are kept so a posted invoice shows the GL
    # distribution it was posted with, not today's mapping. Fixed DDL: never changes.
    columns = set(table_columns(db, "sku_map"))
    if "sync" not in columns:
        db.execute_sql('ALTER TABLE "sku_map" ADD COLUMN "sync" INTEGER NOT NULL DEFAULT 0')
    db.execute_sql(ddl(db,
        'CREATE TABLE IF NOT EXISTS "sent_document" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"gp_doc_number" VARCHAR(255) NOT NULL, "order_woo_id" INTEGER NOT NULL, '
        '"doc_type" VARCHAR(255) NOT NULL, "document" TEXT NOT NULL, "sent_at" TEXT NOT NULL)'))
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "sent_document_gp_doc_number" ON '
                   '"sent_document" ("gp_doc_number")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "sent_document_order_woo_id" ON '
                   '"sent_document" ("order_woo_id")')


MIGRATIONS: list[Callable[[Database], None]] = [
    _m0001_initial, _m0002_order_search_index, _m0003_order_status_applied, _m0004_alerts,
    _m0005_sku_map_sync_and_sent_documents,
]
LATEST = len(MIGRATIONS)


def migrate_to_latest(db: Database) -> int:
    """Apply pending migrations, each with its version bump in one transaction."""
    with schema_lock(db):
        current = schema_version(db)
        if current > LATEST:
            raise StateError(f"the database is at schema {current}, newer than this "
                             f"ml-connector ({LATEST}): upgrade ml-connector before opening it")
        for number in range(current + 1, LATEST + 1):
            with db.atomic("IMMEDIATE"):
                MIGRATIONS[number - 1](db)
                set_schema_version(db, number)
    return LATEST
