"""The receiver of every pair with the pairs' state on PostgreSQL, each pair a schema of one
database (`options=-csearch_path=NAME`, issue 18): the same promises as on SQLite
(tests/core/test_webhook_router.py), and while the server takes no connections every pair's
deliveries are spooled on this host, then imported into their own schema."""
from __future__ import annotations

from urllib.parse import urlsplit

import psycopg2
import pytest

from core.secrets.keys import ENV_VAR
from tests.core import router_scenarios as scenario
from tests.core.router_env import Pair, make_pair

SHOPS = {"default": "https://retail.example.test", "wholesale": "https://wholesale.example.test",
         "outlet": "https://outlet.example.test"}


def _schema_url(pg_url: str, name: str) -> str:
    return f"{pg_url}&options=-csearch_path%3D{name}"


def _connect(pg_url: str):
    parts = urlsplit(pg_url)
    host = parts.query.split("host=", 1)[1]
    return psycopg2.connect(dbname=parts.path.strip("/"), user="postgres", host=host)


@pytest.fixture
def pairs(tmp_path, pg_url, monkeypatch) -> list[Pair]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    conn = _connect(pg_url)
    conn.autocommit = True
    for name in SHOPS:
        conn.cursor().execute(f'CREATE SCHEMA "pair_{name}"')
    conn.close()
    return [make_pair(tmp_path / "ws", name, shop, f"Secret-of-{name}-0123456789",
                      _schema_url(pg_url, f"pair_{name}"))
            for name, shop in SHOPS.items()]


def test_pg_each_pairs_deliveries_land_in_its_own_schema_and_become_its_orders(tmp_path,
                                                                              pairs):
    scenario.each_pairs_deliveries_land_in_its_own_state_and_become_its_orders(
        tmp_path / "ws", pairs)


def test_pg_cross_signed_unknown_and_unsigned_deliveries_are_refused(tmp_path, pairs):
    scenario.cross_signed_unknown_and_unsigned_deliveries_are_refused(tmp_path / "ws", pairs)


def test_pg_an_unreachable_server_spools_every_pairs_deliveries_then_imports_them(
        tmp_path, pairs, pg_url, pg_server):
    name = urlsplit(pg_url).path.strip("/")

    def take():
        admin = pg_server.admin()
        cur = admin.cursor()
        cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        cur.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))

        def give_back() -> None:
            cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.close()
        return give_back

    scenario.deliveries_spooled_while_a_state_is_unavailable_are_imported_after(
        tmp_path / "ws", pairs, take, pairs)


def test_pg_rotating_one_pairs_key_leaves_the_others_and_no_key_is_in_any_schema(
        tmp_path, pairs, pg_url):
    def dump(_pair: Pair) -> bytes:
        """Every value of every table of every schema of the database."""
        conn = _connect(pg_url)
        try:
            cur = conn.cursor()
            cur.execute("SELECT table_schema, table_name FROM information_schema.tables "
                        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
            out = bytearray()
            for schema, table in cur.fetchall():
                cur.execute(f'SELECT * FROM "{schema}"."{table}"')
                for row in cur.fetchall():
                    for value in row:
                        out += bytes(value) if isinstance(value, memoryview) \
                            else str(value).encode()
                        out += b"\0"
            return bytes(out)
        finally:
            conn.close()

    scenario.rotating_one_pairs_key_leaves_the_others_and_no_key_is_in_a_database(
        tmp_path / "ws", pairs, dump)
