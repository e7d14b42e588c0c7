"""One schema, two engines: the same numbered migrations on SQLite and on a real PostgreSQL."""
from __future__ import annotations

import peewee
import pytest
from peewee import PostgresqlDatabase

from core.config import Settings, Workspace, load_settings
from core.errors import ConfigError, StateError
from core.store import audit
from core.store.db import close_db, database, init_db, is_open_at, on_postgres, open_readonly
from core.store.dialect import VERSION_TABLE, schema_version, table_columns
from core.store.migrations import LATEST
from core.store.models import Job
from core.store.postgres import connect_params, describe
from tui.cli import main


def _schema() -> dict[str, list[str]]:
    tables = [t for t in database.get_tables() if t != VERSION_TABLE]
    return {t: table_columns(database, t) for t in sorted(tables)}


def _indexes() -> set[tuple[str, tuple[str, ...], bool]]:
    return {(i.name, tuple(i.columns), bool(i.unique))
            for t in database.get_tables() for i in database.get_indexes(t)}


def test_migrations_give_postgresql_the_same_tables_columns_and_indexes_as_sqlite(tmp_path,
                                                                                   pg_url):
    init_db(tmp_path / "state.db")
    sqlite_tables, sqlite_indexes = _schema(), _indexes()
    close_db()
    init_db(pg_url)
    assert isinstance(database.obj, PostgresqlDatabase)
    assert is_open_at(pg_url)
    assert schema_version(database) == LATEST
    assert _schema() == sqlite_tables
    assert len(sqlite_tables) >= 18
    pg_indexes = {i for i in _indexes() if not i[0].endswith("_pkey")}
    assert pg_indexes == {i for i in sqlite_indexes if not i[0].startswith("sqlite_")}
    init_db(pg_url)  # a second start finds the schema current and changes nothing
    assert schema_version(database) == LATEST
    close_db()
    assert not isinstance(database.obj, PostgresqlDatabase)  # closed: SQLite is the default


def test_times_compare_as_text_in_c_order_whatever_the_database_locale(pg_url):
    """Times are ISO text compared as text (the due-job query); the columns are "C"-collated."""
    init_db(pg_url)
    rows = database.execute_sql(
        "SELECT collation_name FROM information_schema.columns "
        "WHERE table_name = 'job' AND column_name = 'run_at'").fetchall()
    assert rows == [("C",)]
    assert Job.select().count() == 0


def test_a_url_password_never_appears_in_what_is_said():
    url = "postgresql://conn:s3cr%40t@db.example:6543/tenants?sslmode=verify-full"
    name, params = connect_params(url)
    assert (name, params["password"], params["port"], params["sslmode"]) == (
        "tenants", "s3cr@t", 6543, "verify-full")
    assert "s3cr" not in describe(url) and describe(url) == (
        "postgresql://conn@db.example:6543/tenants")


def test_an_unreachable_server_is_a_state_error_without_the_password(tmp_path):
    sock = tmp_path / "nothing-listens-here"
    sock.mkdir()
    with pytest.raises(StateError) as caught:
        init_db(f"postgresql://conn:hunter2@/none?host={sock}")
    assert "hunter2" not in str(caught.value) and "cannot reach" in str(caught.value)
    assert not isinstance(database.obj, PostgresqlDatabase)


def test_config_store_database_url_puts_a_workspace_state_on_postgresql(tmp_path, pg_url,
                                                                         capsys):
    ws = Workspace.at(tmp_path / "ws")
    s = Settings()
    s.store.database_url = pg_url
    ws.save(s)
    init_db(pg_url)
    audit.record("setting", "x", "changed", "set on PostgreSQL", actor="test")
    close_db()
    assert main(["audit", "verify", "--workspace", str(ws.config_path.parent)]) == 0
    assert "audit trail intact: 1 event(s)" in capsys.readouterr().out
    assert not ws.db_path.exists()  # nothing fell back to a state.db file


def test_config_refuses_a_password_in_the_url_without_repeating_it(tmp_path):
    text = '[store]\ndatabase_url = "postgresql://conn:hunter2@db.example/tenants"\n'
    with pytest.raises(ConfigError) as caught:
        load_settings(text, "config.toml")
    assert "hunter2" not in str(caught.value) and ".pgpass" in str(caught.value)
    with pytest.raises(ConfigError, match="postgresql://user@host:port/database"):
        load_settings('[store]\ndatabase_url = "mysql://x@y/z"\n', "config.toml")


def test_pairs_in_schemas_of_one_database_keep_their_own_tables_and_chains(pg_url):
    """Many tenants on one server: each pair's URL picks its schema with search_path."""
    init_db(pg_url, migrate=False)
    for name in ("retail", "wholesale"):
        database.execute_sql(f'CREATE SCHEMA "{name}"')
    close_db()
    urls = {name: f"{pg_url}&options=-csearch_path%3D{name}" for name in ("retail", "wholesale")}
    for name, url in urls.items():
        init_db(url)
        assert database.execute_sql("SELECT current_schema()").fetchone()[0] == name
        assert schema_version(database) == LATEST
        for n in range(3 if name == "retail" else 5):
            audit.record("order", n, "received", f"{name} order {n}", actor="test")
        close_db()
    for name, url in urls.items():
        init_db(url)
        report = audit.verify_chain()
        assert report.ok and report.events == (3 if name == "retail" else 5)
        close_db()
    init_db(pg_url, migrate=False)  # the database's own public schema was never migrated
    assert database.get_tables() == []


def test_the_dry_runs_read_only_open_refuses_every_write_on_postgresql(pg_url):
    init_db(pg_url)
    audit.record("setting", "x", "changed", "before the dry run", actor="test")
    close_db()
    open_readonly(pg_url)
    assert on_postgres() and Job.select().count() == 0
    with pytest.raises(peewee.InternalError, match="read-only transaction"):
        audit.record("setting", "x", "changed", "during the dry run", actor="test")
    close_db()
    init_db(pg_url)
    assert audit.verify_chain().events == 1
