"""Where the encryption key lives: never beside the database.

Three stores, one shape: an ordered list of Fernet keys, the first one the *primary* (it encrypts;
every listed key decrypts). More than one key is listed only while a rotation is under way, which
is what lets a rotation killed half-way leave every secret decryptable.

- `FileKeyStore`: a file, mode 0600, in its own folder (0700). Start-up refuses a file or folder
  that others can read. With `--workspace DIR` it lives outside DIR, in the workspace's folder
  under the user's key home (core.config.workspace_key_dir): a copy of DIR decrypts nothing.
- `KeyringStore`: the OS credential store (Windows Credential Manager, macOS Keychain, Secret
  Service), used by default outside workspace mode when a real backend is present.
- `EnvKeyStore`: `ML_CONNECTOR_KEY` from the service manager: read-only (rotation tells the user
  what to set instead). A named pair's own `ML_CONNECTOR_KEY_<PAIR>` (upper case, '-' as '_')
  comes first for that pair: with keys in the environment each pair still has its own key, and
  a host that runs no pair's worker (the receiver of every pair) needs no key folder at all.

A key's id is a short hash of the key itself, so the same key has the same id in every store and
the database can say which key encrypted each row without holding anything secret.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import keyring
import keyring.backends.fail
from cryptography.fernet import Fernet

from core.config import Workspace
from core.errors import ConfigError

ENV_VAR = "ML_CONNECTOR_KEY"
KEY_FILE_NAME = "state.key"
KEYRING_SERVICE = "ml-connector"


def key_id(key: bytes) -> str:
    """A non-secret name for a key: 16 hex digits of SHA-256 over it."""
    return hashlib.sha256(b"ml-connector key id\0" + key).hexdigest()[:16]


def new_key() -> bytes:
    return Fernet.generate_key()


def _parse_keys(text: str, where: str) -> list[bytes]:
    keys = [part.strip().encode() for part in text.replace("\n", ",").split(",") if part.strip()]
    if not keys:
        raise ConfigError(f"{where} holds no encryption key")
    for k in keys:
        try:
            Fernet(k)
        except (ValueError, TypeError) as exc:
            # Never echo the value: it is the key.
            raise ConfigError(f"{where} does not hold a valid key (32 url-safe base64 bytes, "
                              "as `ml-connector init` writes)") from exc
    return keys


class KeyStore(Protocol):
    @property
    def description(self) -> str: ...

    @property
    def writable(self) -> bool: ...

    def exists(self) -> bool: ...

    def load(self) -> list[bytes]:
        """Keys, primary first. Raises ConfigError when missing or unsafe."""
        ...

    def save(self, keys: list[bytes]) -> None:
        """Replace the key list atomically (all or nothing)."""
        ...


@dataclass
class FileKeyStore:
    path: Path
    writable: bool = True

    @property
    def description(self) -> str:
        return f"key file {self.path}"

    def exists(self) -> bool:
        return self.path.exists()

    def check_permissions(self) -> None:
        """Fail closed when anyone but the owner could read the key (POSIX modes)."""
        if os.name == "nt":  # NTFS ACLs: the folder inherits the user's profile ACL
            return
        folder_mode = stat.S_IMODE(self.path.parent.stat().st_mode)
        if folder_mode & 0o077:
            raise ConfigError(f"the key folder {self.path.parent} is open to other users "
                              f"(mode {folder_mode:o}): run `chmod 700 {self.path.parent}`")
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(f"the key file {self.path} is readable by other users "
                              f"(mode {mode:o}): run `chmod 600 {self.path}`")

    def load(self) -> list[bytes]:
        if not self.path.exists():
            raise ConfigError(f"no encryption key at {self.path}: restore it from your backup, "
                              f"or set {ENV_VAR} (`ml-connector init` makes a key only for a "
                              "workspace with no stored secrets)")
        self.check_permissions()
        return _parse_keys(self.path.read_text(encoding="ascii"), str(self.path))

    def save(self, keys: list[bytes]) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name != "nt":
            os.chmod(folder, 0o700)
        tmp = folder / (self.path.name + ".tmp")
        if tmp.exists():
            tmp.unlink()
        # O_EXCL + 0600 from the first byte: the key is never readable by others, not even briefly.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\n".join(keys) + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        if os.name != "nt":  # make the rename itself durable before anything relies on the new key
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


@dataclass
class EnvKeyStore:
    var: str = ENV_VAR
    writable: bool = False

    @property
    def description(self) -> str:
        return f"environment variable {self.var}"

    def exists(self) -> bool:
        return bool(os.environ.get(self.var, "").strip())

    def load(self) -> list[bytes]:
        return _parse_keys(os.environ.get(self.var, ""), self.description)

    def save(self, keys: list[bytes]) -> None:
        raise ConfigError(f"the key comes from {self.var}, which ml-connector cannot change: "
                          "set it in the service manager instead")


@dataclass
class KeyringStore:
    username: str
    service: str = KEYRING_SERVICE
    writable: bool = True

    @property
    def description(self) -> str:
        return f"OS keyring ({self.service}/{self.username})"

    def exists(self) -> bool:
        return bool(keyring.get_password(self.service, self.username))

    def load(self) -> list[bytes]:
        value = keyring.get_password(self.service, self.username)
        if not value:
            raise ConfigError(f"no encryption key in the {self.description}: run "
                              "`ml-connector init`"
                              f" as this user, or set {ENV_VAR}")
        return _parse_keys(value, self.description)

    def save(self, keys: list[bytes]) -> None:
        keyring.set_password(self.service, self.username, ",".join(k.decode() for k in keys))


def keyring_available() -> bool:
    """True when a real OS credential store is configured (not the 'fail' or plaintext ones)."""
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any backend problem means "no keyring"
        return False
    if isinstance(backend, keyring.backends.fail.Keyring):
        return False
    name = type(backend).__module__
    # keyrings.alt's plaintext/encrypted-file backends would put the key in a file we don't control.
    return "keyrings.alt" not in name and getattr(backend, "priority", 0) > 0


def is_workspace_mode(ws: Workspace) -> bool:
    """`--workspace DIR` keeps everything in one folder; then the key file is always used, so
    tests and demos never touch the user's real keyring."""
    return ws.workspace_mode


def pair_key_var(pair: str) -> str:
    """The environment variable that holds named pair `pair`'s own key."""
    return f"{ENV_VAR}_{pair.upper().replace('-', '_')}"


def key_store_for(ws: Workspace, *, creating: bool = False) -> KeyStore:
    """The store that holds (or will hold) this workspace's key.

    Order: a named pair's ML_CONNECTOR_KEY_<PAIR>, then ML_CONNECTOR_KEY, when set; the key file
    when it exists or in workspace mode; the OS keyring when it holds the key (or, when creating,
    when one is available); else the key file.
    """
    if ws.pair:
        own = EnvKeyStore(pair_key_var(ws.pair))
        if own.exists():
            return own
    env = EnvKeyStore()
    if env.exists():
        return env
    file_store = FileKeyStore(ws.key_dir / KEY_FILE_NAME)
    if ws.key_dir.resolve() == ws.db_path.parent.resolve() or \
            ws.db_path.parent.resolve() in ws.key_dir.resolve().parents:
        raise ConfigError(f"the key folder {ws.key_dir} is inside the database folder: the key "
                          "must not travel with the database; choose another folder")
    if file_store.exists() or is_workspace_mode(ws):
        return file_store
    if keyring_available():
        ring = KeyringStore(username="state-key:" + hashlib.sha256(
            str(ws.db_path.resolve()).encode()).hexdigest()[:12])
        try:
            if creating or ring.exists():
                return ring
        except Exception:  # noqa: BLE001 - a locked or broken keyring falls back to the file
            pass
    return file_store
