"""The state store on PostgreSQL: the hosted shape, many writers on many hosts.

Chosen by a connection URL (`[store] database_url`, or ML_CONNECTOR_DATABASE_URL):
`postgresql://user[:password]@host[:port]/database[?sslmode=verify-full&...]`; a Unix socket is
`postgresql://user@/database?host=/run/postgresql`. The URL's password never reaches a message:
`describe()` is what errors and logs show.

Transactions are PostgreSQL's READ COMMITTED; what SQLite gets from BEGIN IMMEDIATE (one writer)
is asked for where it matters, and only there: job claims lock their rows with
FOR UPDATE SKIP LOCKED (core.store.queue), the audit chain's tail and the worker lease are taken
with transaction-scoped advisory locks (core.store.dialect names them).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from peewee import PostgresqlDatabase

from core.errors import ConfigError

SCHEMES = ("postgresql", "postgres")
DATABASE_URL_ENV = "ML_CONNECTOR_DATABASE_URL"


def state_location(db_path: Path, configured: str = "") -> str | Path:
    """Where a command finds the state: the PostgreSQL URL in ML_CONNECTOR_DATABASE_URL when
    set, else `configured` ([store] database_url), else the workspace's state.db (`db_path`).
    ConfigError when the variable is set to something that is not a postgresql:// URL (never
    silently the file instead)."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip() or configured.strip()
    if not url:
        return db_path
    if not is_url(url):
        raise ConfigError(f"{DATABASE_URL_ENV} must be a postgresql:// URL, not "
                          f"{url.split('://', 1)[0]!r}")
    connect_params(url)
    return url


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.split("://", 1)[0] in SCHEMES \
        and "://" in location


def describe(url: str) -> str:
    """The URL without its password: what messages may show."""
    parts = urlsplit(url)
    host = parts.hostname or dict(parse_qsl(parts.query)).get("host", "")
    user = f"{unquote(parts.username)}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{user}{host}{port}{parts.path}"


def describe_location(where: object) -> str:
    """A state location (a path or a URL) as messages may show it."""
    return describe(str(where)) if is_url(where) else str(where)


def connect_params(url: str) -> tuple[str, dict[str, Any]]:
    """(database name, libpq keywords) of a postgresql:// URL; ConfigError when it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"the database URL {describe(url)!r} is not valid: {exc}") from None
    name = unquote(parts.path.lstrip("/"))
    if parts.scheme not in SCHEMES or not name:
        raise ConfigError(f"the database URL {describe(url)!r} must read "
                          "postgresql://user@host:port/database")
    params: dict[str, Any] = dict(parse_qsl(parts.query))
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    if parts.hostname:
        params["host"] = parts.hostname
    if port:
        params["port"] = port
    params.setdefault("application_name", "ml-connector")
    return name, params


class PgDatabase(PostgresqlDatabase):
    """PostgresqlDatabase that takes (and ignores) SQLite's lock type, so `atomic("IMMEDIATE")`
    reads the same in every module whichever engine runs.

    A connection the server dropped (a restart, a failover, an idle timeout) is forgotten at its
    thread's next use outside a transaction, so that use opens a new one. The statement that
    found it broken still fails as it did: it is never sent again, so nothing is done twice."""

    def atomic(self, lock_type: str | None = None, **kwargs: Any) -> Any:
        self._forget_if_broken()
        return super().atomic(**kwargs)

    def transaction(self, lock_type: str | None = None, **kwargs: Any) -> Any:
        self._forget_if_broken()
        return super().transaction(**kwargs)

    def connection(self) -> Any:
        self._forget_if_broken()
        return super().connection()

    def cursor(self, named_cursor: Any = None) -> Any:
        self._forget_if_broken()
        return super().cursor(named_cursor)

    def _forget_if_broken(self) -> None:
        state: Any = self.__dict__["_state"]  # peewee's per-thread connection state
        conn = state.conn
        if conn is not None and getattr(conn, "closed", False) and self.transaction_depth() == 0:
            state.reset()


def open_postgres(url: str, *, readonly: bool = False) -> PgDatabase:
    """A PgDatabase for `url`, not yet connected. `readonly`: every transaction is READ ONLY
    (the dry run writes nothing by construction, as SQLite's read-only open does)."""
    name, params = connect_params(url)
    if readonly:
        params["options"] = (params.get("options", "") +
                             " -c default_transaction_read_only=on").strip()
    return PgDatabase(name, autoconnect=True, **params)
