"""The vault: encrypted at rest, slot-bound, key kept apart, fail closed, rotation crash-safe."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from core.config import Workspace
from core.errors import ConfigError, StateError
from core.secrets.keys import ENV_VAR, EnvKeyStore, FileKeyStore, key_id, key_store_for
from core.secrets.vault import (
    GP_PASSWORD,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    VaultError,
    open_vault,
)
from core.store import audit
from core.store.db import close_db, database, init_db
from core.store.models import AuditEvent, Secret
from tests.core.intake_helpers import make_vault

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield
    close_db()


def test_secrets_round_trip_encrypted_and_audited_without_values(tmp_path):
    ws, vault = make_vault(tmp_path / "ws")
    vault.set(WOO_CONSUMER_SECRET, "cs_abcdef0123456789abcdef0123456789abcdef", "cli:test")
    vault.set(GP_PASSWORD, "Pa55w0rd!", "cli:test")
    assert vault.get(WOO_CONSUMER_SECRET) == "cs_abcdef0123456789abcdef0123456789abcdef"
    assert vault.get("missing") is None
    assert vault.names() == [GP_PASSWORD, WOO_CONSUMER_SECRET]
    row = Secret.get_by_id(GP_PASSWORD)
    assert b"Pa55w0rd" not in bytes(row.token)
    assert row.key_id == key_id(FileKeyStore(ws.key_dir / "state.key").load()[0])
    events = list(AuditEvent.select().where(AuditEvent.entity == "credentials"))
    assert [e.kind for e in events] == ["stored", "stored"]
    assert all("Pa55w0rd" not in e.message and "cs_abc" not in e.message for e in events)
    assert "Pa55w0rd" not in repr(vault)


def test_key_lives_apart_with_owner_only_permissions(tmp_path):
    ws, _ = make_vault(tmp_path / "ws")
    key_file = ws.key_dir / "state.key"
    assert key_file.parent != ws.db_path.parent
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert oct(ws.key_dir.stat().st_mode & 0o777) == "0o700"
    key = key_file.read_bytes().strip()
    for f in ws.db_path.parent.glob("state.db*"):
        assert key not in f.read_bytes()


def test_start_up_refuses_a_key_file_readable_by_others(tmp_path):
    ws, vault = make_vault(tmp_path / "ws")
    vault.set(GP_PASSWORD, "x" * 12, "t")
    os.chmod(ws.key_dir / "state.key", 0o644)
    with pytest.raises(ConfigError, match="readable by other users"):
        open_vault(ws)
    os.chmod(ws.key_dir / "state.key", 0o600)
    os.chmod(ws.key_dir, 0o755)
    with pytest.raises(ConfigError, match="open to other users"):
        open_vault(ws)


def test_missing_key_fails_closed(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    init_db(ws.db_path)
    with pytest.raises(ConfigError, match="no encryption key"):
        open_vault(ws)


def test_opening_a_vault_never_opens_or_creates_a_database(tmp_path):
    make_vault(tmp_path / "first")
    elsewhere = Workspace.at(tmp_path / "typo")
    with pytest.raises(StateError, match="is not open"):
        open_vault(elsewhere)
    assert not (tmp_path / "typo").exists()


def test_tampered_token_and_wrong_key_and_copied_slot_are_refused(tmp_path):
    ws, vault = make_vault(tmp_path / "ws")
    vault.set(WOO_CONSUMER_KEY, "ck_0123456789abcdef0123456789abcdef01234567", "t")
    vault.set(WOO_CONSUMER_SECRET, "cs_89abcdef0123456789abcdef0123456789abcdef", "t")
    token = bytearray(bytes(Secret.get_by_id(WOO_CONSUMER_SECRET).token))
    token[len(token) // 2] ^= 0x01
    Secret.update(token=bytes(token)).where(Secret.name == WOO_CONSUMER_SECRET).execute()
    with pytest.raises(VaultError, match="cannot be decrypted") as err:
        vault.get(WOO_CONSUMER_SECRET)
    assert "cs_89" not in str(err.value)
    # A valid token moved into another slot must not be handed out as that credential.
    other = bytes(Secret.get_by_id(WOO_CONSUMER_KEY).token)
    Secret.update(token=other).where(Secret.name == WOO_CONSUMER_SECRET).execute()
    with pytest.raises(VaultError, match="another slot"):
        vault.get(WOO_CONSUMER_SECRET)
    # Another key entirely: nothing decrypts, nothing leaks.
    FileKeyStore(ws.key_dir / "state.key").save([Fernet.generate_key()])
    with pytest.raises(VaultError):
        open_vault(ws).get(WOO_CONSUMER_KEY)


def test_masked_view_shows_no_secret(tmp_path):
    _, vault = make_vault(tmp_path / "ws")
    vault.set(WOO_CONSUMER_KEY, "ck_0123456789abcdef0123456789abcdef01234567", "t")
    vault.set(GP_PASSWORD, "Sup3rSecretPassword", "t")
    shown = vault.masked()
    assert shown[WOO_CONSUMER_KEY] == "ck_…4567"
    assert "Sup3r" not in shown[GP_PASSWORD] and "set" in shown[GP_PASSWORD]
    assert shown["webhook.secret"] == "(not set)"


def test_environment_key_is_used_and_read_only(tmp_path, monkeypatch):
    key = Fernet.generate_key()
    monkeypatch.setenv(ENV_VAR, key.decode())
    ws = Workspace.at(tmp_path / "ws")
    store = key_store_for(ws)
    assert isinstance(store, EnvKeyStore)
    init_db(ws.db_path)
    vault = open_vault(ws)
    vault.set(GP_PASSWORD, "pw-from-env-key", "t")
    assert Secret.get_by_id(GP_PASSWORD).key_id == key_id(key)
    assert not (ws.key_dir / "state.key").exists()
    with pytest.raises(ConfigError, match="ML_CONNECTOR_KEY"):
        vault.rotate_key("t")


def test_rotation_re_encrypts_everything_and_retires_the_old_key(tmp_path):
    ws, vault = make_vault(tmp_path / "ws")
    values = {f"extra.{i}": f"value-{i}-secret" for i in range(5)}
    values[GP_PASSWORD] = "gp-pass"
    for name, value in values.items():
        vault.set(name, value, "t")
    old = FileKeyStore(ws.key_dir / "state.key").load()
    report = vault.rotate_key("cli:test")
    assert report.rotated == len(values) and report.removed_keys == 1
    keys = FileKeyStore(ws.key_dir / "state.key").load()
    assert len(keys) == 1 and keys[0] not in old
    assert {r.key_id for r in Secret.select()} == {key_id(keys[0])}
    fresh = open_vault(ws)
    assert {n: fresh.get(n) for n in values} == values
    assert audit.verify_chain().ok
    assert AuditEvent.select().where(AuditEvent.kind == "key_rotated").count() == 1


_KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from core.config import Workspace
    from core.secrets import vault as vault_mod
    from core.store.db import init_db
    point, n = sys.argv[2], int(sys.argv[3])
    init_db(Workspace.at(sys.argv[1]).db_path)
    v = vault_mod.open_vault(Workspace.at(sys.argv[1]))
    calls = {"encrypt": 0, "row": 0}
    real_encrypt, real_row, real_save = v._encrypt, v._rotate_row, v._store.save
    def die(): os.kill(os.getpid(), signal.SIGKILL)
    def encrypt(*a):
        calls["encrypt"] += 1
        if point == "mid_row" and calls["encrypt"] == n: die()   # inside the row's transaction
        return real_encrypt(*a)
    def row(name):
        done = real_row(name)
        calls["row"] += 1
        if point == "after_row" and calls["row"] == n: die()     # right after a commit
        return done
    def save(keys):
        if point == "before_prune" and len(keys) == 1: die()    # all rows done, old key kept
        real_save(keys)
        if point == "after_keys" and len(keys) > 1: die()       # new key stored, no row yet
    v._encrypt, v._rotate_row, v._store.save = encrypt, row, save
    v.rotate_key("cli:test")
""")


@pytest.mark.parametrize("point,n", [("after_keys", 0), ("mid_row", 1), ("mid_row", 4),
                                     ("after_row", 2), ("after_row", 6), ("before_prune", 0)])
def test_rotation_killed_anywhere_leaves_every_secret_readable(tmp_path, point, n):
    ws, vault = make_vault(tmp_path / "ws")
    values = {f"extra.{i}": f"value-{i}" for i in range(6)}
    for name, value in values.items():
        vault.set(name, value, "t")
    close_db()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(ENV_VAR, None)
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(ws.db_path.parent), point,
                           str(n)], env=env, cwd=ROOT, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    after_kill = open_vault(ws)
    assert {name: after_kill.get(name) for name in values} == values
    # Running it again finishes the job; afterwards only one key is left and it reads everything.
    after_kill.rotate_key("cli:test")
    keys = FileKeyStore(ws.key_dir / "state.key").load()
    assert len(keys) == 1
    assert {r.key_id for r in Secret.select()} == {key_id(keys[0])}
    assert {name: open_vault(ws).get(name) for name in values} == values
    assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
