"""The set-up and intake commands, run through tui.cli.main as a user would."""
from __future__ import annotations

import csv
import io
import json

import pytest

from core.config import Workspace
from core.secrets.keys import ENV_VAR, FileKeyStore
from core.secrets.vault import open_vault
from core.store.db import close_db, database
from core.store.models import AuditEvent
from tui.cli import main


@pytest.fixture
def ws_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield tmp_path / "ws"
    close_db()


def _cli(ws_dir, *args: str) -> int:
    return main(["--workspace", str(ws_dir), *args])


def test_init_is_repeatable_and_keeps_key_and_credentials(ws_dir, monkeypatch, capsys):
    monkeypatch.setenv("S1", "cs_first_secret_value_0123456789")
    assert _cli(ws_dir, "init", "--non-interactive", "--woo-url", "https://shop.example.com/",
                "--woo-key", "ck_0123456789abcdef0123", "--woo-secret-env", "S1") == 0
    ws = Workspace.at(ws_dir)
    key = FileKeyStore(ws.key_dir / "state.key").load()
    assert ws.load().woocommerce.url == "https://shop.example.com"
    assert _cli(ws_dir, "init", "--non-interactive", "--gp-url", "https://gp.example.com/x.asmx",
                "--gp-user", "CONTOSO\\svc", "--gp-company", "TWO") == 0
    assert FileKeyStore(ws.key_dir / "state.key").load() == key
    settings = ws.load()
    assert (settings.woocommerce.url, settings.gp.user) == ("https://shop.example.com",
                                                            "CONTOSO\\svc")
    assert open_vault(ws).get("woocommerce.consumer_secret") == "cs_first_secret_value_0123456789"
    out = capsys.readouterr().out
    assert "cs_first" not in out and "still missing: gp.password" in out


def test_plain_http_gp_and_bad_users_are_refused_unless_allowed(ws_dir, capsys):
    assert _cli(ws_dir, "init", "--non-interactive", "--gp-url", "http://gp:48620/x.asmx") == 2
    assert "plain HTTP" in capsys.readouterr().err
    assert _cli(ws_dir, "init", "--non-interactive", "--gp-url", "http://gp:48620/x.asmx",
                "--gp-allow-http") == 0
    assert Workspace.at(ws_dir).load().gp.allow_http
    assert _cli(ws_dir, "credentials", "set", "gp", "--user", "svc-without-domain") == 2
    assert "DOMAIN\\user" in capsys.readouterr().err


def test_secrets_never_come_from_argv(ws_dir, monkeypatch, capsys):
    # No option takes a secret's value: a usage error (exit 2), and nothing is created.
    assert _cli(ws_dir, "init", "--woo-secret", "cs_on_the_command_line") == 2
    assert "No such option '--woo-secret'" in capsys.readouterr().err
    assert not ws_dir.exists()
    monkeypatch.delenv("NOPE", raising=False)
    assert _cli(ws_dir, "init", "--non-interactive", "--woo-secret-env", "NOPE") == 2
    assert "NOPE" in capsys.readouterr().err


def test_rotate_key_from_the_cli(ws_dir, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("GpPassword-1\n"))
    assert _cli(ws_dir, "init", "--non-interactive", "--gp-url", "https://gp/x.asmx",
                "--gp-password-stdin") == 0
    ws = Workspace.at(ws_dir)
    before = FileKeyStore(ws.key_dir / "state.key").load()
    assert _cli(ws_dir, "credentials", "rotate-key") == 0
    after = FileKeyStore(ws.key_dir / "state.key").load()
    assert len(after) == 1 and after != before
    assert open_vault(ws).get("gp.password") == "GpPassword-1"
    assert _cli(ws_dir, "credentials", "rotate-key", "--finish") == 0
    lines = capsys.readouterr().out.splitlines()
    assert "1 secret(s) re-encrypted, 1 old key(s) retired" in lines[-2]
    assert "0 secret(s) re-encrypted, 0 old key(s) retired" in lines[-1]


def test_audit_verify_and_export(ws_dir, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("S1", "cs_x_0123456789")
    assert _cli(ws_dir, "init", "--non-interactive", "--woo-url", "https://s.example",
                "--woo-key", "ck_abc_0123456789", "--woo-secret-env", "S1") == 0
    capsys.readouterr()
    assert _cli(ws_dir, "audit", "verify") == 0
    assert "intact: 2 event(s)" in capsys.readouterr().out
    out = tmp_path / "audit.csv"
    assert _cli(ws_dir, "audit", "export", "--entity", "credentials", "--from", "2000-01-01",
                "--to", "2999-12-31", "--out", str(out)) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["entity_id"] for r in rows] == ["woocommerce.consumer_key",
                                              "woocommerce.consumer_secret"]
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert _cli(ws_dir, "audit", "export", "--format", "jsonl", "--to", "2000-01-01") == 0
    assert capsys.readouterr().out == ""
    assert _cli(ws_dir, "audit", "export", "--format", "jsonl") == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["kind"] for x in lines] == ["stored", "stored"]
    with database.atomic():
        AuditEvent.update(message="edited").where(AuditEvent.id == 2).execute()
    assert _cli(ws_dir, "audit", "verify") == 1
    assert "BROKEN at event 2" in capsys.readouterr().out


def test_webhook_secret_from_env_must_be_long_alphanumeric(ws_dir, monkeypatch, capsys):
    monkeypatch.setenv("S1", "cs_x_0123456789")
    monkeypatch.setenv("HOOK", "short&odd")
    assert _cli(ws_dir, "init", "--non-interactive", "--woo-url", "https://127.0.0.1:9",
                "--woo-key", "ck_abc_0123456789", "--woo-secret-env", "S1") == 0
    assert _cli(ws_dir, "webhooks", "install", "--url", "https://x.example/webhooks/woocommerce",
                "--secret-env", "HOOK") == 2
    assert "at least 32 letters and digits" in capsys.readouterr().err
    assert open_vault(Workspace.at(ws_dir)).get("webhook.secret") is None
    assert _cli(ws_dir, "backfill", "--since", "last tuesday") == 2
