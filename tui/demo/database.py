"""`demo --database postgresql`: the pairs' state on PostgreSQL, each pair in a schema of its own.

Either a local server for the demo alone (the `pgserver` package's PostgreSQL binaries, its data
in `<workspace>/postgresql`, listening on a Unix socket only, stopped with the demo), or an
existing server named by `--database-url` (the demo's schemas there are named demo_<run>_<pair>
and dropped at the end unless --keep).

A pair's `[store] database_url` is the server's URL with `options=-csearch_path=<schema>`, as
the README's multi-pair set-up on PostgreSQL says; its worker makes its tables in that schema.
"""
from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from core.errors import ConnectorError
from core.store.postgres import describe, open_postgres

# Looked for, not imported, here: every `ml-connector` command loads this module, and pgserver
# warns and costs time at import. It is imported when the demo starts its server.
DRIVER, SERVER = "psycopg2", "pgserver"

INSTALL_DRIVER = "pip install 'psycopg2-binary>=2.9,<3'"
INSTALL_SERVER = "pip install 'pgserver>=0.1.4,<0.2'"
# Every pair's worker (one per pair per supervisor) holds connections, several when it runs the
# pair: PostgreSQL's default 100 is too few for 10 pairs x 3 supervisors.
MAX_CONNECTIONS = 400
# A demo's data is thrown away: no fsync, no waiting for the WAL flush at commit (the code under
# demonstration behaves the same; only a crash of this machine could lose the demo's data).
THROWAWAY = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
             "max_connections": str(MAX_CONNECTIONS)}


class DatabaseMissing(ConnectorError):
    """What the demo needs for PostgreSQL is not installed; the message is the pip command."""


def missing(local: bool) -> str | None:
    """The pip command that installs what `--database postgresql` lacks, or None."""
    wanted = ([INSTALL_DRIVER] if find_spec(DRIVER) is None else []) + \
        ([INSTALL_SERVER] if local and find_spec(SERVER) is None else [])
    if not wanted:
        return None
    return ("the demo on PostgreSQL needs " + " and ".join(
        w.split(" ", 2)[2] for w in wanted) + "; install with: " + " && ".join(wanted))


def with_schema(url: str, schema: str) -> str:
    """`url` choosing `schema` first on the search path (libpq's options, URL-encoded)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@dataclass
class DemoDatabase:
    """The server the demo's pairs keep their state on, and the schemas it made there."""

    url: str  # no password, no search_path
    prefix: str  # schema names: prefix + pair
    server: Any = None  # pgserver's handle, when the demo started the server
    schemas: list[str] = field(default_factory=list)

    @classmethod
    def local(cls, folder: Path) -> DemoDatabase:
        """A PostgreSQL of the demo's own in `folder` (made here), tuned as a throwaway."""
        problem = missing(local=True)
        if problem:
            raise DatabaseMissing(problem)
        folder.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": it uses /tmp then
            warnings.simplefilter("ignore")
            pgserver = import_module(SERVER)
        server = pgserver.get_server(str(folder), cleanup_mode="stop")
        found = cls(_socket_url(server.get_uri()), "", server)
        found._execute([f"ALTER SYSTEM SET {k} = '{v}'" for k, v in THROWAWAY.items()])
        # max_connections is read at start only: start the server again with it.
        server.cleanup()
        found.server = pgserver.get_server(str(folder), cleanup_mode="stop")
        found.url = _socket_url(found.server.get_uri())
        return found

    @classmethod
    def existing(cls, url: str) -> DemoDatabase:
        """An existing server (the URL carries no password: ~/.pgpass or PGPASSWORD)."""
        problem = missing(local=False)
        if problem:
            raise DatabaseMissing(problem)
        if urlsplit(url).password is not None:
            raise ConnectorError("--database-url carries a password: put it in ~/.pgpass or "
                                 "PGPASSWORD instead")
        found = cls(url, f"demo_{secrets.token_hex(3)}_")
        found._execute(["SELECT 1"])
        return found

    def pair_url(self, pair: str) -> str:
        """The pair's [store] database_url: its own (new) schema on the demo's server."""
        schema = f"{self.prefix}{pair}"
        self._execute([f'CREATE SCHEMA "{schema}"'])
        self.schemas.append(schema)
        return with_schema(self.url, schema)

    def where(self) -> str:
        return describe(self.url) + (f" (schemas {self.prefix}<pair>)" if self.prefix else "")

    def stop(self, *, keep: bool) -> None:
        """Stop the demo's own server; on an existing server drop the demo's schemas (unless
        keep)."""
        if self.server is not None:
            self.server.cleanup()
            return
        if not keep and self.schemas:
            self._execute([f'DROP SCHEMA IF EXISTS "{s}" CASCADE' for s in self.schemas])

    def _execute(self, statements: list[str]) -> None:
        db = open_postgres(self.url)
        try:
            db.connect()
            db.connection().autocommit = True
            for sql in statements:
                db.execute_sql(sql)
        except Exception as exc:  # noqa: BLE001 - said without the URL's password
            raise ConnectorError(f"PostgreSQL at {describe(self.url)}: "
                                 f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
        finally:
            db.close()


def _socket_url(uri: str) -> str:
    """pgserver's URI (`postgresql://postgres:@/postgres?host=/socket/dir`) as a store URL
    without the empty password, which `[store] database_url` refuses."""
    host = dict(parse_qsl(urlsplit(uri).query)).get("host", "")
    return f"postgresql://postgres@/postgres?host={host}"


__all__ = ["DatabaseMissing", "DemoDatabase", "missing", "with_schema"]
