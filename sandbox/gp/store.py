"""The GP stand-in's own state: one SQLite file (stdlib sqlite3), readable by tests.

Documents keep GP's identity rules: SOP documents are unique on (type, number) across work and
history (voided ones included, they stay in history); RM documents share one key space (GP's
RM00401), which also holds the RM invoice that posting an SOP invoice leaves behind (gp.md §11).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, data TEXT NOT NULL,
  created TEXT NOT NULL, modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS addresses (customer TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
  created TEXT NOT NULL, modified TEXT NOT NULL, PRIMARY KEY (customer, id));
CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, data TEXT NOT NULL,
  created TEXT NOT NULL, modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS item_sites (item TEXT NOT NULL, site TEXT NOT NULL,
  on_hand TEXT NOT NULL, allocated TEXT NOT NULL, returned TEXT NOT NULL DEFAULT '0',
  PRIMARY KEY (item, site));
CREATE TABLE IF NOT EXISTS prices (item TEXT NOT NULL, level TEXT NOT NULL, currency TEXT NOT NULL,
  uofm TEXT NOT NULL, amount TEXT NOT NULL, modified TEXT NOT NULL,
  PRIMARY KEY (item, level, currency, uofm));
CREATE TABLE IF NOT EXISTS reference (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, number TEXT NOT NULL,
  customer TEXT NOT NULL, po TEXT NOT NULL, batch TEXT NOT NULL, state TEXT NOT NULL,
  total TEXT NOT NULL, data TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
  PRIMARY KEY (kind, number));
CREATE INDEX IF NOT EXISTS documents_po ON documents (kind, po);
CREATE INDEX IF NOT EXISTS documents_key ON documents (kind, UPPER(RTRIM(number)));
CREATE TABLE IF NOT EXISTS rm_keys (number TEXT PRIMARY KEY, rm_type TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
  key TEXT NOT NULL, action TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL,
  operation TEXT NOT NULL, user TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

DOCUMENT_KINDS = ("invoice", "return", "credit_memo", "adjustment")


def _dumps(value: Any) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return format(o, "f")
        if isinstance(o, datetime):
            return o.isoformat()
        raise TypeError(type(o).__name__)
    return json.dumps(value, default=default, sort_keys=True)


class Store:
    """Thread-safe access to the stand-in's SQLite file (the server thread and tests share it).

    Keys compare as SQL Server compares GP's char keys (gp.md §22 "Keys"): trailing spaces never
    count, and case does not either under GP's usual case-insensitive collation; `binary_keys`
    models a binary sort order install, where `wc5001` and `WC5001` are two keys.
    """

    def __init__(self, path: Path, *, binary_keys: bool = False) -> None:
        self.path = path
        self.binary_keys = binary_keys
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # A process crash loses nothing in WAL mode with NORMAL; only power loss could, and a
        # stand-in does not need to survive that.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One GP business transaction: all of it commits or none of it does."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def _same(self, column: str) -> str:
        """SQL for "column holds the same key as ?" under the company's collation."""
        if self.binary_keys:
            return f"RTRIM({column}) = RTRIM(?)"
        return f"UPPER(RTRIM({column})) = UPPER(RTRIM(?))"

    def same_key(self, a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return a is b
        a, b = a.rstrip(" "), b.rstrip(" ")
        return a == b if self.binary_keys else a.upper() == b.upper()

    # ---- generic JSON rows -----------------------------------------------------------------------

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        rows = self.query(f"SELECT data FROM {table} WHERE {self._same('id')}", (key,))
        return json.loads(rows[0]["data"]) if rows else None

    def put(self, table: str, key: str, data: dict[str, Any], at: datetime) -> None:
        with self._lock:
            self._conn.execute(
                f"INSERT INTO {table} (id, data, created, modified) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, modified = excluded.modified",
                (key, _dumps(data), at.isoformat(), at.isoformat()))

    def all(self, table: str) -> list[dict[str, Any]]:
        return [json.loads(r["data"]) for r in self.query(f"SELECT data FROM {table} ORDER BY id")]

    def reference(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.query("SELECT id, data FROM reference WHERE kind = ? ORDER BY id", (kind,))
        return {r["id"]: json.loads(r["data"]) for r in rows}

    def find_reference(self, kind: str, key: str | None) -> tuple[str, dict[str, Any]] | None:
        """(GP's own spelling of the id, its row) for a key as SQL Server would match it."""
        if key is None:
            return None
        rows = self.query(f"SELECT id, data FROM reference WHERE kind = ? AND {self._same('id')}",
                          (kind, key))
        return (rows[0]["id"], json.loads(rows[0]["data"])) if rows else None

    def put_reference(self, kind: str, key: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO reference VALUES (?, ?, ?)",
                               (kind, key, _dumps(data)))

    # ---- addresses -------------------------------------------------------------------------------

    def address(self, customer: str, address_id: str) -> dict[str, Any] | None:
        rows = self.query(f"SELECT data FROM addresses WHERE {self._same('customer')} AND "
                          f"{self._same('id')}", (customer, address_id))
        return json.loads(rows[0]["data"]) if rows else None

    def addresses(self, customer: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT data FROM addresses", ()
        if customer is not None:
            sql, args = sql + " WHERE customer = ?", (customer,)
        return [json.loads(r["data"]) for r in self.query(sql + " ORDER BY customer, id", args)]

    def put_address(self, customer: str, address_id: str, data: dict[str, Any],
                    at: datetime) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO addresses VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer, id) "
                "DO UPDATE SET data = excluded.data, modified = excluded.modified",
                (customer, address_id, _dumps(data), at.isoformat(), at.isoformat()))

    # ---- stock and prices ------------------------------------------------------------------------

    def sites_of(self, item: str) -> dict[str, dict[str, Decimal]]:
        rows = self.query("SELECT * FROM item_sites WHERE item = ? ORDER BY site", (item,))
        return {r["site"]: {"on_hand": Decimal(r["on_hand"]), "allocated": Decimal(r["allocated"]),
                            "returned": Decimal(r["returned"])} for r in rows}

    def move_stock(self, item: str, site: str, *, on_hand: Decimal = Decimal(0),
                   allocated: Decimal = Decimal(0), returned: Decimal = Decimal(0)) -> None:
        with self._lock:
            current = self.sites_of(item).get(site)
            if current is None:
                current = {"on_hand": Decimal(0), "allocated": Decimal(0), "returned": Decimal(0)}
            self._conn.execute(
                "INSERT OR REPLACE INTO item_sites VALUES (?, ?, ?, ?, ?)",
                (item, site, format(current["on_hand"] + on_hand, "f"),
                 format(current["allocated"] + allocated, "f"),
                 format(current["returned"] + returned, "f")))

    def price(self, item: str, level: str, currency: str, uofm: str) -> Decimal | None:
        rows = self.query("SELECT amount FROM prices WHERE item = ? AND level = ? AND currency = ? "
                          "AND uofm = ?", (item, level, currency, uofm))
        return Decimal(rows[0]["amount"]) if rows else None

    def prices(self) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM prices ORDER BY item, level, currency, uofm")

    def set_price(self, item: str, level: str, currency: str, uofm: str, amount: Decimal,
                  at: datetime) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO prices VALUES (?, ?, ?, ?, ?, ?)",
                               (item, level, currency, uofm, format(amount, "f"), at.isoformat()))

    # ---- documents -------------------------------------------------------------------------------

    def document(self, kind: str, number: str) -> dict[str, Any] | None:
        rows = self.query(f"SELECT data FROM documents WHERE kind = ? AND {self._same('number')}",
                          (kind, number))
        return json.loads(rows[0]["data"]) if rows else None

    def documents(self, kind: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT data FROM documents", ()
        if kind is not None:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return [json.loads(r["data"]) for r in self.query(sql + " ORDER BY kind, number", args)]

    def put_document(self, doc: dict[str, Any], at: datetime) -> None:
        """Insert or replace; `doc` carries kind, number, customer, po, batch, state, total."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, number) DO UPDATE SET customer = excluded.customer, "
                "po = excluded.po, batch = excluded.batch, state = excluded.state, "
                "total = excluded.total, data = excluded.data, modified = excluded.modified",
                (doc["kind"], doc["number"], doc["customer"], doc.get("po", ""),
                 doc.get("batch", ""), doc["state"], format(Decimal(doc["total"]), "f"),
                 _dumps(doc), at.isoformat(), at.isoformat()))

    def delete_document(self, kind: str, number: str) -> None:
        with self._lock:
            self._conn.execute(f"DELETE FROM documents WHERE kind = ? AND "
                               f"{self._same('number')}", (kind, number))

    def count_documents(self, kind: str, *, po: str | None = None,
                        customer: str | None = None) -> int:
        """How many documents of `kind` carry this customer PO (the order reference) / customer."""
        sql, args = "SELECT COUNT(*) AS n FROM documents WHERE kind = ?", [kind]
        if po is not None:
            sql += " AND po = ?"
            args.append(po)
        if customer is not None:
            sql += " AND customer = ?"
            args.append(customer)
        return int(self.query(sql, tuple(args))[0]["n"])

    def rm_key(self, number: str) -> str | None:
        rows = self.query(f"SELECT rm_type FROM rm_keys WHERE {self._same('number')}", (number,))
        return rows[0]["rm_type"] if rows else None

    def add_rm_key(self, number: str, rm_type: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO rm_keys VALUES (?, ?)", (number, rm_type))

    def next_number(self, name: str, start: int = 1) -> int:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO counters VALUES (?, ?)", (name, start))
            self._conn.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (name,))
            return int(self.query("SELECT value FROM counters WHERE name = ?", (name,))[0][0]) - 1

    # ---- changes and logs ------------------------------------------------------------------------

    def record_change(self, kind: str, key: dict[str, Any], action: str, at: datetime,
                      by: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO changes (kind, key, action, at, by) VALUES (?,?,?,?,?)",
                               (kind, _dumps(key), action, at.isoformat(), by))

    def changes(self, kind: str) -> list[dict[str, Any]]:
        rows = self.query("SELECT * FROM changes WHERE kind = ? ORDER BY seq", (kind,))
        return [{"key": json.loads(r["key"]), "action": r["action"],
                 "at": datetime.fromisoformat(r["at"]), "by": r["by"]} for r in rows]

    def log(self, log_id: str, kind: str, at: datetime, operation: str, user: str,
            data: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO logs VALUES (?, ?, ?, ?, ?, ?)",
                               (log_id, kind, at.isoformat(), operation, user, _dumps(data)))

    def logged(self, log_id: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM logs WHERE id = ?", (log_id,))
        if not rows:
            return None
        r = rows[0]
        return {"id": r["id"], "kind": r["kind"], "at": r["at"], "operation": r["operation"],
                "user": r["user"], **json.loads(r["data"])}
