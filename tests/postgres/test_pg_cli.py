"""`ml-connector init --database-url`: a new workspace whose state (and vault) is on PostgreSQL."""
from __future__ import annotations

import json

from core.store.db import close_db, init_db
from core.store.models import Secret
from tui.cli import main


def test_init_puts_a_new_workspace_state_and_vault_on_postgresql(tmp_path, pg_url, capsys,
                                                                 monkeypatch):
    ws_dir = tmp_path / "ws"
    monkeypatch.setenv("TEST_GP_PASSWORD", "Pa55-word-on-pg")
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive",
                 "--woo-url", "https://shop.example.com", "--gp-user", "CONTOSO\\svc-gp",
                 "--gp-password-env", "TEST_GP_PASSWORD", "--database-url", pg_url]) == 0
    out = capsys.readouterr().out
    assert "database        postgresql://postgres@" in out and "Pa55" not in out
    assert not (ws_dir / "state.db").exists()
    assert f'database_url = "{pg_url}"' in (ws_dir / "config.toml").read_text()
    close_db()
    # The stored password is in PostgreSQL (encrypted with the workspace's key, kept outside).
    init_db(pg_url)
    assert [s.name for s in Secret.select()] == ["gp.password"]
    assert b"Pa55" not in bytes(Secret.get().token)
    close_db()
    assert main(["credentials", "show", "--workspace", str(ws_dir)]) == 0
    assert "gp.password" in capsys.readouterr().out
    assert main(["audit", "verify", "--workspace", str(ws_dir)]) == 0
    assert "audit trail intact" in capsys.readouterr().out
    # status (its spool report on this host's folder) and status --check (no SQLite check).
    assert main(["status", "--json", "--workspace", str(ws_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spool"]["folder"] == str(ws_dir / "state.db") + "-spool"
    assert main(["status", "--check", "--workspace", str(ws_dir)]) == 1  # as on SQLite:
    assert "No worker is running" in capsys.readouterr().out  # no worker yet
    assert not (ws_dir / "state.db").exists()


def test_init_refuses_a_database_url_with_a_password_and_creates_nothing(tmp_path, capsys):
    ws_dir = tmp_path / "ws"
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive",
                 "--database-url", "postgresql://conn:hunter2@db.example/tenants"]) == 2
    err = capsys.readouterr().err
    assert ".pgpass" in err and "hunter2" not in err
    assert not (ws_dir / "config.toml").exists() and not (ws_dir / "state.db").exists()
