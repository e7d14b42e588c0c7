"""What differs between the two engines the state store runs on, in one place.

SQLite (the default, embedded) and PostgreSQL (the hosted shape, many writers on many hosts) run
the same peewee models and the same numbered migrations. The migrations are written in SQLite's
words; `ddl()` turns the few that PostgreSQL spells differently into its words, and the schema
version lives in `PRAGMA user_version` on SQLite and in a one-row table on PostgreSQL.

Text columns on PostgreSQL are created with the "C" collation: times are stored as ISO-8601 UTC
text and compared as text, exactly as SQLite's BINARY collation compares them, whatever locale
the PostgreSQL database was created with.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import BooleanField, Database, PostgresqlDatabase, Proxy

VERSION_TABLE = "ml_schema_version"  # PostgreSQL only: SQLite keeps PRAGMA user_version

# pg_advisory_xact_lock(namespace, key) namespaces: the first int says what is locked.
LOCK_SCHEMA = 1  # migrations: one process migrates, the others wait and find it done
LOCK_AUDIT = 2  # the audit chain's tail: read-then-append is one writer at a time
LOCK_GROUP = 3  # a customer group's next job (key: hashtext(group)): one claimer at a time
LOCK_LEASE = 4  # the worker lease row (key: hashtext(name)): creating it races otherwise

_COLUMN_TYPE = re.compile(r'(?<=" )(TEXT|VARCHAR\(255\))(?=[ ,\n)])')


class FlagField(BooleanField):
    """A yes/no kept as INTEGER 0/1, the column type the migrations create on both engines
    (PostgreSQL would refuse a boolean into an integer column). Reads back as bool."""

    field_type = "INTEGER"

    def db_value(self, value: Any) -> int | None:
        return None if value is None else int(bool(value))


def engine_of(db: Any) -> Any:
    """The database object itself when `db` is a proxy."""
    return db.obj if isinstance(db, Proxy) else db


def is_postgres(db: Any) -> bool:
    return isinstance(engine_of(db), PostgresqlDatabase)


def ddl(db: Database, statement: str) -> str:
    """`statement` (written for SQLite) as `db`'s engine spells it."""
    if not is_postgres(db):
        return statement
    out = statement.replace('"id" INTEGER NOT NULL PRIMARY KEY', '"id" SERIAL PRIMARY KEY')
    out = out.replace(" BLOB", " BYTEA")
    return _COLUMN_TYPE.sub(lambda m: f'{m.group(1)} COLLATE "C"', out)


def table_columns(db: Database, table: str) -> list[str]:
    """The column names of `table`, in their order."""
    if is_postgres(db):
        rows = db.execute_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = %s ORDER BY ordinal_position", (table,))
        return [str(r[0]) for r in rows.fetchall()]
    return [str(r[1]) for r in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()]


def schema_version(db: Database) -> int:
    if not is_postgres(db):
        return int(db.execute_sql("PRAGMA user_version").fetchone()[0])
    exists = db.execute_sql("SELECT to_regclass(%s)", (VERSION_TABLE,)).fetchone()[0]
    if exists is None:
        return 0
    row = db.execute_sql(f'SELECT "version" FROM "{VERSION_TABLE}"').fetchone()
    return int(row[0]) if row else 0


def set_schema_version(db: Database, number: int) -> None:
    """Record `number` as the schema version; call inside the migration's transaction."""
    if not is_postgres(db):
        db.execute_sql(f"PRAGMA user_version = {int(number)}")
        return
    db.execute_sql(f'CREATE TABLE IF NOT EXISTS "{VERSION_TABLE}" ("version" INTEGER NOT NULL)')
    db.execute_sql(f'DELETE FROM "{VERSION_TABLE}"')
    db.execute_sql(f'INSERT INTO "{VERSION_TABLE}" ("version") VALUES (%s)', (int(number),))


@contextmanager
def schema_lock(db: Database) -> Iterator[None]:
    """Several worker hosts starting at once migrate one after the other on PostgreSQL (on
    SQLite every migration's BEGIN IMMEDIATE already does that)."""
    if not is_postgres(db):
        yield
        return
    key = "hashtext(current_schema())"  # pairs in schemas of one database migrate apart
    db.execute_sql(f"SELECT pg_advisory_lock(%s, {key})", (LOCK_SCHEMA,))
    try:
        yield
    finally:
        db.execute_sql(f"SELECT pg_advisory_unlock(%s, {key})", (LOCK_SCHEMA,))


def last_status_sql(db: Database) -> str:
    """Migration 3's "the last status event's data field", one `param` for the field."""
    if is_postgres(db):
        pick = "(a.data::json ->> %s)"
    else:
        pick = "json_extract(a.data, '$.' || ?)"
    return (f"(SELECT {pick} FROM \"audit_event\" AS a "
            "WHERE a.entity = 'order' AND a.entity_id = CAST(\"order\".woo_id AS TEXT) "
            "AND a.kind IN ('status_updated', 'voided', 'credit_memo') "
            "ORDER BY a.id DESC LIMIT 1)")
