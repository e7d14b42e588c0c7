"""Migration 1 is fixed DDL: a freshly migrated database has exactly the models' schema (so a
model changed without a migration fails here), and changing a model does not change what the
migrations create."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from peewee import SqliteDatabase, TextField

from core.alerts.ledger import AlertRecord
from core.store.migrations import LATEST, SCHEMA_1, migrate_to_latest, schema_version
from core.store.models import ALL_MODELS, Order
from core.store.sent import SentDocument

# Indexes a later migration adds with plain SQL that no model declares (why: see the migration).
MIGRATION_ONLY_INDEXES = {"order_search"}
# Every table the migrations create: the store's models, the alert ledger's and the documents
# as sent to GP.
MODELS = [*ALL_MODELS, AlertRecord, SentDocument]


def _schema(db: SqliteDatabase) -> dict[str, Any]:
    """Tables with their columns and foreign keys, and every index with its columns."""
    tables: dict[str, Any] = {}
    indexes: dict[str, Any] = {}
    for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'").fetchall():
        # Sorted: a column a later migration adds with ALTER TABLE comes last in the table.
        columns = sorted(tuple(r[1:]) for r in db.execute_sql(f'PRAGMA table_info("{name}")'))
        fks = sorted(tuple(r[2:]) for r in db.execute_sql(f'PRAGMA foreign_key_list("{name}")'))
        tables[name] = {"columns": columns, "foreign_keys": fks}
        for row in db.execute_sql(f'PRAGMA index_list("{name}")').fetchall():
            index, unique, origin = row[1], row[2], row[3]
            cols = [r[2] for r in db.execute_sql(f'PRAGMA index_info("{index}")')]
            key = index if origin == "c" else f"{name}:{origin}:{cols}"  # autoindexes by shape
            indexes[key] = (name, bool(unique), cols)
    return {"tables": tables, "indexes": indexes}


def _migrated(path: Path) -> dict[str, Any]:
    db = SqliteDatabase(str(path))
    migrate_to_latest(db)
    assert schema_version(db) == LATEST
    schema = _schema(db)
    db.close()
    return schema


def _from_models(path: Path) -> dict[str, Any]:
    db = SqliteDatabase(str(path))
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
    schema = _schema(db)
    db.close()
    return schema


def test_a_fresh_migrated_database_has_exactly_the_models_schema(tmp_path):
    migrated = _migrated(tmp_path / "migrated.db")
    models = _from_models(tmp_path / "models.db")
    assert migrated["tables"] == models["tables"]
    extra = {k: v for k, v in migrated["indexes"].items() if k not in MIGRATION_ONLY_INDEXES}
    assert extra == models["indexes"]
    assert MIGRATION_ONLY_INDEXES <= set(migrated["indexes"])


def test_migration_1_does_not_follow_the_models(tmp_path):
    before = _migrated(tmp_path / "before.db")
    Order._meta.add_field("added_later", TextField(null=True))
    try:
        after = _migrated(tmp_path / "after.db")
        assert "added_later" in [c[0] for c in _from_models(tmp_path / "m.db")["tables"]
                                 ["order"]["columns"]]
    finally:
        Order._meta.remove_field("added_later")
    assert after == before
    assert all("added_later" not in statement for statement in SCHEMA_1)


def test_migrating_twice_changes_nothing(tmp_path):
    path = tmp_path / "again.db"
    first = _migrated(path)
    assert _migrated(path) == first
