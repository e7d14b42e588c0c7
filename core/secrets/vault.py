"""Encrypted credentials in the state database (the Secret table), keys elsewhere (keys.py).

Each value is a Fernet token (AES-128-CBC + HMAC-SHA256) whose plaintext also names its slot, so a
token copied into another row is refused rather than handed out as the wrong credential.
Each row records the id of the key that encrypted it; rotation adds the new key
as primary first, re-encrypts one row per transaction, and drops the old key only when no row
uses it, so `kill -9` at any point leaves every secret decryptable.

Nothing here ever puts a value in a message, a log record, the audit trail or a repr.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Workspace
from core.errors import ConfigError, ConnectorError, StateError
from core.secrets.keys import KeyStore, key_id, key_store_for, new_key
from core.store import audit
from core.store.db import database, ensure_db, is_open_at, tuples
from core.store.models import Secret
from core.store.postgres import describe_location, is_url, state_location

log = logging.getLogger(__name__)

WOO_CONSUMER_KEY = "woocommerce.consumer_key"
WOO_CONSUMER_SECRET = "woocommerce.consumer_secret"
GP_PASSWORD = "gp.password"
WEBHOOK_SECRET = "webhook.secret"
KNOWN_SECRETS = (WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET, GP_PASSWORD, WEBHOOK_SECRET)


class VaultError(ConnectorError):
    """A stored secret cannot be read (wrong key, tampered or misplaced token)."""


def mask(name: str, value: str | None) -> str:
    """What `credentials show` prints: enough to recognise a consumer key, nothing of a secret."""
    if value is None:
        return "(not set)"
    if name == WOO_CONSUMER_KEY and len(value) >= 12:
        prefix = value[:3] if value[:3] in ("ck_", "cs_") else ""
        return f"{prefix}…{value[-4:]}"
    return f"******** (set, {len(value)} characters)"


@dataclass(frozen=True)
class RotationReport:
    new_key_id: str
    rotated: int
    removed_keys: int


class Vault:
    """Read and write secrets. The database must already be initialised (open_vault does it).

    `db`: read the secrets of the database given (one pair's, for the receiver of every pair:
    open_pair_vault), not the process's state database; such a vault only reads."""

    def __init__(self, store: KeyStore, *, clock: Clock = SYSTEM_CLOCK, db: Any = None) -> None:
        self._store = store
        self._clock = clock
        self._db = db
        self._load_keys()

    def _bound(self, query: Any) -> Any:
        return query if self._db is None else query.bind(self._db)

    def _writable(self) -> None:
        if self._db is not None:
            raise StateError("this vault reads another pair's secrets; it never writes them")

    def __repr__(self) -> str:
        return f"Vault({self._store.description}, keys={list(self._fernets)})"

    @property
    def key_store(self) -> KeyStore:
        return self._store

    def reload_keys(self) -> None:
        """Read the key store again: another process rotated the key (`credentials
        rotate-key`) and re-encrypted the secrets under the new one."""
        self._load_keys()

    def _load_keys(self) -> None:
        keys = self._store.load()
        self._primary_id = key_id(keys[0])
        self._fernets: dict[str, Fernet] = {key_id(k): Fernet(k) for k in keys}

    # --- reading and writing -----------------------------------------------------------------

    def _encrypt(self, name: str, value: str, kid: str) -> bytes:
        plain = json.dumps({"slot": name, "value": value}, separators=(",", ":")).encode()
        return self._fernets[kid].encrypt(plain)

    def _decrypt(self, row: Secret) -> str:
        # Try the recorded key first; fall back to every key (a row written mid-rotation by an
        # older process may carry a stale key id, and a wrong guess costs one HMAC check).
        order = [row.key_id] + [k for k in self._fernets if k != row.key_id]
        token = bytes(row.token)
        for kid in order:
            fernet = self._fernets.get(kid)
            if fernet is None:
                continue
            try:
                plain = fernet.decrypt(token)
            except InvalidToken:
                continue
            doc = json.loads(plain)
            if doc.get("slot") != row.name:
                raise VaultError(f"the stored secret {row.name} belongs to another slot "
                                 "(copied between rows?): set it again")
            return str(doc["value"])
        raise VaultError(f"the stored secret {row.name} cannot be decrypted: the encryption key "
                         f"from the {self._store.description} is not the one it was written with, "
                         "or the row was altered; set it again with `ml-connector credentials set`")

    def get(self, name: str) -> str | None:
        row = self._bound(Secret.select().where(Secret.name == name)).first()
        return None if row is None else self._decrypt(row)

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise ConfigError(f"no {name} stored: run `ml-connector credentials set "
                              f"{name.split('.')[0]}`")
        return value

    def set(self, name: str, value: str, actor: str) -> None:
        self._writable()
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name}: an empty value cannot be stored")
        now = self._clock.now()
        token = self._encrypt(name, value, self._primary_id)
        with database.atomic("IMMEDIATE"):
            existed = Secret.get_or_none(Secret.name == name) is not None
            if existed:
                Secret.update(token=token, key_id=self._primary_id, updated_at=now).where(
                    Secret.name == name).execute()
            else:
                Secret.create(name=name, token=token, key_id=self._primary_id, updated_at=now)
            audit.record("credentials", name, "updated" if existed else "stored",
                         f"credential {name} {'replaced' if existed else 'stored'} (encrypted)",
                         actor=actor, clock=self._clock)

    def delete(self, name: str, actor: str) -> bool:
        self._writable()
        with database.atomic("IMMEDIATE"):
            gone = Secret.delete().where(Secret.name == name).execute()
            if gone:
                audit.record("credentials", name, "deleted", f"credential {name} deleted",
                             actor=actor, clock=self._clock)
        return bool(gone)

    def names(self) -> list[str]:
        return [row.name for row in self._bound(Secret.select(Secret.name)
                                                .order_by(Secret.name))]

    def stamp(self, prefix: str = "") -> str:
        """Changes whenever a secret under `prefix` is set, replaced or deleted (every token has a
        fresh IV), so a cache can tell it is stale without decrypting anything."""
        digest = hashlib.sha256()
        for name, token in tuples(self._bound(
                Secret.select(Secret.name, Secret.token)
                .where(Secret.name.startswith(prefix)).order_by(Secret.name))):
            digest.update(name.encode() + b"\0" + bytes(token) + b"\0")
        return digest.hexdigest()

    def masked(self) -> dict[str, str]:
        """name -> masked value for every known and stored secret."""
        out: dict[str, str] = {}
        for name in sorted(set(KNOWN_SECRETS) | set(self.names())):
            try:
                out[name] = mask(name, self.get(name))
            except VaultError:
                out[name] = "(unreadable: set it again)"
        return out

    # --- rotation ------------------------------------------------------------------------------

    def _rotate_row(self, name: str) -> bool:
        """Re-encrypt one row under the primary key, in its own transaction."""
        with database.atomic("IMMEDIATE"):
            row = Secret.get_or_none(Secret.name == name)
            if row is None or row.key_id == self._primary_id:
                return False
            value = self._decrypt(row)
            Secret.update(token=self._encrypt(name, value, self._primary_id),
                          key_id=self._primary_id).where(Secret.name == name).execute()
            return True

    def rotate_key(self, actor: str) -> RotationReport:
        """Encrypt every secret under a fresh key and retire the old ones.

        Crash-safe order: (1) store [new, old...] atomically, (2) re-encrypt row by row, (3) store
        [new] once no row needs an old key. A run killed anywhere is finished by running it again.
        """
        self._writable()
        if not self._store.writable:
            raise ConfigError(f"the key comes from the {self._store.description}: rotate it by "
                              f"setting it to 'NEW_KEY,OLD_KEY', running `credentials rotate-key "
                              "--finish`, then setting it to NEW_KEY alone")
        old = self._store.load()
        fresh = new_key()
        self._store.save([fresh] + old)
        self._load_keys()
        return self._finish_rotation(actor)

    def finish_rotation(self, actor: str) -> RotationReport:
        """Re-encrypt rows still under an old key with the current primary (after an interrupted
        rotation, or after a new key was put first in ML_CONNECTOR_KEY)."""
        return self._finish_rotation(actor)

    def _finish_rotation(self, actor: str) -> RotationReport:
        self._writable()
        rotated = 0
        for name in self.names():
            rotated += self._rotate_row(name)
        still_used = {kid for (kid,) in tuples(Secret.select(Secret.key_id).distinct())}
        keys = self._store.load()
        keep = [k for i, k in enumerate(keys) if i == 0 or key_id(k) in still_used]
        removed = len(keys) - len(keep)
        if removed and self._store.writable:
            self._store.save(keep)
            self._load_keys()
        with database.atomic("IMMEDIATE"):
            audit.record("credentials", None, "key_rotated",
                         f"encryption key rotated to {self._primary_id}: {rotated} secret(s) "
                         f"re-encrypted, {removed} old key(s) retired", actor=actor,
                         clock=self._clock)
        log.info("encryption key rotated to %s (%d secrets)", self._primary_id, rotated)
        return RotationReport(self._primary_id, rotated, removed)


def _orphaned_secrets(ws: Workspace, store: KeyStore,
                      at: str | os.PathLike[str] | None = None) -> str | None:
    """When the key is missing but the database holds secrets encrypted with one: what to do.
    Making a new key then would orphan every one of them, so nothing here ever does. `at`: the
    workspace's PostgreSQL URL when its state is there."""
    if at is not None and is_url(at):
        ensure_db(at, home=ws.db_path)
    elif not ws.db_path.exists():
        return None
    else:
        ensure_db(ws.db_path)
    rows = list(Secret.select(Secret.key_id))
    if not rows:
        return None
    ids = sorted({r.key_id for r in rows})
    return (f"no encryption key found ({store.description}), but this database holds "
            f"{len(rows)} stored secret(s) encrypted with key {', '.join(ids)}. Restore that key: "
            f"put its key file back at {ws.key_dir} from your backup, or set ML_CONNECTOR_KEY "
            "to it. Do not create a new key: it cannot read them. If the key is lost for good, "
            "make a new workspace (`ml-connector init --workspace NEW`) and enter the "
            "credentials again.")


def create_key(ws: Workspace, *, at: str | os.PathLike[str] | None = None) -> KeyStore:
    """Create the workspace's key if it has none yet (never replaces an existing key, and never
    creates one next to secrets another, missing key encrypted: ConfigError says what to do).
    `at`: where the workspace keeps its state when not in its state.db (its PostgreSQL URL)."""
    store = key_store_for(ws, creating=True)
    if not store.exists():
        orphaned = _orphaned_secrets(ws, store, at)
        if orphaned:
            raise ConfigError(orphaned)
        store.save([new_key()])
    store.load()  # permission and format checks, as at every start-up
    return store


def open_vault(ws: Workspace, *, clock: Clock = SYSTEM_CLOCK,
               at: str | os.PathLike[str] | None = None) -> Vault:
    """The vault of a workspace whose state database this process has opened; loads its key
    (fail closed). It never opens or creates the database itself: reading a secret must not make
    a workspace appear where there was none, nor read another workspace's database. `at`: where
    the workspace keeps its state when not in its state.db (its PostgreSQL URL); by default
    where the workspace's configuration (or ML_CONNECTOR_DATABASE_URL) says it is: a caller
    that forgot a PostgreSQL state must not be sent to a state.db that does not exist."""
    if at is None:
        configured = ws.load().store.database_url if ws.config_path.exists() else ""
        where: str | os.PathLike[str] = state_location(ws.db_path, configured)
    else:
        where = at
    if not is_open_at(where):
        raise StateError(f"the state database {describe_location(where)} is not open: open it "
                         "before its vault (init_db or ensure_db)")
    store = key_store_for(ws)
    if not store.exists():
        raise ConfigError(_orphaned_secrets(ws, store, at) or
                          f"no encryption key found ({store.description}): run `ml-connector "
                          "init`, or set ML_CONNECTOR_KEY")
    return Vault(store, clock=clock)


def open_pair_vault(ws: Workspace, db: Any, *, clock: Clock = SYSTEM_CLOCK) -> Vault:
    """A read-only view of pair `ws`'s secrets in its database `db` (not the process's state
    database), decrypted with that pair's own key: the receiver of every pair holds one per
    pair, and no pair's key ever reads another pair's secrets."""
    store = key_store_for(ws)
    if not store.exists():
        raise ConfigError(f"no encryption key found for {ws.db_path.parent} "
                          f"({store.description}): copy that pair's key folder to this host, "
                          "or set its key in the environment")
    return Vault(store, clock=clock, db=db)
