"""The locks PostgreSQL needs where SQLite's BEGIN IMMEDIATE already admits one writer.

Each is a transaction-scoped advisory lock (pg_advisory_xact_lock), released when the
transaction that took it ends; on SQLite every function here does nothing (or says yes).
Advisory locks are per database, so each key includes the current schema: pairs kept in
schemas of one database (search_path in the URL's options) never wait on each other's locks.
"""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from peewee import Database

from core.store.db import database, on_postgres
from core.store.dialect import LOCK_AUDIT, LOCK_GROUP, LOCK_LEASE, is_postgres


def chain_transaction() -> Any:
    """Where an audit append runs. SQLite: the caller's transaction as it is (BEGIN IMMEDIATE,
    or one statement's own). PostgreSQL: a transaction (a savepoint inside the caller's), so the
    chain's advisory lock is held from reading the tail to the commit even for a lone append."""
    return database.atomic() if on_postgres() else nullcontext()


def lock_audit_chain() -> None:
    """Inside a write transaction, before reading the audit chain's tail: on PostgreSQL the
    next writer waits here until this transaction ends, so the chain cannot fork (SQLite's
    BEGIN IMMEDIATE already admits one writer at a time)."""
    if on_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))",
                             (LOCK_AUDIT,))


def lock_group(group: str) -> bool:
    """PostgreSQL, inside a claim's transaction: take customer group `group`'s advisory lock
    unless another claimer holds it (then False). SQLite: always True (one writer anyway)."""
    if not on_postgres():
        return True
    row = database.execute_sql(
        "SELECT pg_try_advisory_xact_lock(%s, hashtext(current_schema() || '/' || %s))",
        (LOCK_GROUP, group)).fetchone()
    return bool(row[0])


def lock_lease(name: str, db: Database | None = None) -> None:
    """PostgreSQL, inside a lease transaction: one process at a time reads and writes the
    lease row `name` (SQLite: BEGIN IMMEDIATE already). `db`: a connection of its own (the
    sharing supervisor's reservation) instead of the process's state; the same lock."""
    target = database if db is None else db
    if is_postgres(target):
        target.execute_sql(
            "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema() || '/' || %s))",
            (LOCK_LEASE, name))
