"""The key never travels with the workspace, and a missing key is never "fixed" by making a new
one (issue 14 item 10): a copy of the workspace decrypts nothing; with the key gone, the advice is
to restore it, and init refuses to orphan the stored secrets."""
from __future__ import annotations

import shutil

import pytest

from core.config import KEY_HOME_ENV, Settings, Workspace
from core.errors import ConfigError
from core.secrets.vault import GP_PASSWORD, create_key, open_vault
from core.store.db import close_db, ensure_db
from tui.cli import main

PASSWORD = "Corr3ct-Horse-Battery"


def _vault(ws: Workspace):  # noqa: ANN202 - the vault, its database opened first (as callers do)
    ensure_db(ws.db_path)
    return open_vault(ws)


def _workspace_with_secret(root) -> Workspace:
    ws = Workspace.at(root)
    ws.save(Settings())
    create_key(ws)
    _vault(ws).set(GP_PASSWORD, PASSWORD, "test")
    close_db()
    return ws


def test_the_key_lives_outside_the_workspace(tmp_path, key_home):
    ws = _workspace_with_secret(tmp_path / "ws")
    assert tmp_path / "ws" not in ws.key_dir.parents
    assert key_home in ws.key_dir.parents
    assert not list((tmp_path / "ws").rglob("*.key"))
    assert _vault(ws).get(GP_PASSWORD) == PASSWORD
    close_db()


def test_a_copy_of_the_workspace_alone_decrypts_nothing(tmp_path, monkeypatch):
    _workspace_with_secret(tmp_path / "ws")
    shutil.copytree(tmp_path / "ws", tmp_path / "copy")
    monkeypatch.delenv("ML_CONNECTOR_KEY", raising=False)
    with pytest.raises(ConfigError, match="Restore that key"):
        _vault(Workspace.at(tmp_path / "copy"))
    close_db()
    # ...and on another machine (another key home) the same.
    monkeypatch.setenv(KEY_HOME_ENV, str(tmp_path / "other-machine"))
    with pytest.raises(ConfigError, match="Restore that key"):
        _vault(Workspace.at(tmp_path / "ws"))
    close_db()


def test_missing_key_advice_restores_it_and_init_never_orphans_secrets(tmp_path, capsys):
    ws = _workspace_with_secret(tmp_path / "ws")
    key_file = ws.key_dir / "state.key"
    saved = key_file.read_bytes()
    key_file.unlink()
    assert main(["--workspace", str(ws.config_path.parent), "credentials", "show"]) == 2
    err = capsys.readouterr().err
    assert "Restore that key" in err and "Do not create a new key" in err
    close_db()
    # Following the old advice ("run ml-connector init") is refused: no new key, secrets intact.
    assert main(["init", "--workspace", str(ws.config_path.parent), "--non-interactive"]) == 2
    assert "Restore that key" in capsys.readouterr().err
    assert not key_file.exists()
    close_db()
    ws.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file.write_bytes(saved)
    key_file.chmod(0o600)
    assert _vault(ws).get(GP_PASSWORD) == PASSWORD
    close_db()
