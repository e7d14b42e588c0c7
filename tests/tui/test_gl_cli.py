"""`ml-connector gl` for scripted set-ups (issue 15 item 2): every account is looked up in GP's
chart of accounts (GetGLAccountList on the GP stand-in, real NTLM, the real WSDL) before it is
saved; one GP lacks is refused in GP's words; nothing is saved unchecked unless asked."""
from __future__ import annotations

import json

import pytest

from core.secrets.keys import ENV_VAR
from core.store.audit import timeline
from core.store.db import close_db
from core.store.models import GlMapping
from tests.core.gp_fixtures import standin
from tui.cli import main
from tui.commands.common import WORKSPACE_ENV


@pytest.fixture
def gp_ws(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    with standin(tmp_path / "gp") as gp:
        monkeypatch.setenv("ML_TEST_GP_PASSWORD", gp.password)
        ws = tmp_path / "ws"
        assert main(["init", "--workspace", str(ws), "--non-interactive",
                     "--woo-url", "https://shop.example.com", "--gp-url", gp.soap_url,
                     "--gp-user", f"{gp.domain}\\{gp.user}", "--gp-company", gp.company,
                     "--gp-password-env", "ML_TEST_GP_PASSWORD", "--gp-allow-http"]) == 0
        yield str(ws), gp
    close_db()


def gl(ws: str, *args: str) -> int:
    return main(["gl", *args, "--workspace", ws])


def test_an_account_gp_does_not_have_is_refused_in_gps_words(gp_ws, capsys):
    ws, _gp = gp_ws
    assert gl(ws, "set", "sales", "999-9999-99") == 1
    err = capsys.readouterr().err
    assert "GP has no account 999-9999-99" in err
    assert "Account does not exist for Account Number String (ACTNUMST) passed" in err
    assert gl(ws, "set", "sales", "abc") == 1  # the example: shaped like one, unknown
    assert "GP has no account ABC" in capsys.readouterr().err
    assert gl(ws, "set", "sales", "4100 sales") == 1
    assert "is not a GP account number" in capsys.readouterr().err
    assert GlMapping.select().count() == 0

    assert gl(ws, "set", "sales", "000-4100-00") == 0
    assert "000-4100-00 exists in GP" in capsys.readouterr().out
    assert gl(ws, "set", "cash", "000-1140-00", "--scope", "gateway", "--for", "stripe") == 0
    capsys.readouterr()
    rows = {(r.scope, r.scope_key, r.account_kind): r.account for r in GlMapping.select()}
    assert rows == {("company", "", "sales"): "000-4100-00",
                    ("gateway", "stripe", "cash"): "000-1140-00"}
    assert "(checked in GP)" in timeline("gl", "company::sales")[-1].message

    assert gl(ws, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"scope": "company", "for": "", "kind": "receivables", "account": "",
            "by": ""} in listed


def test_an_import_is_checked_row_by_row_and_saved_all_or_nothing(gp_ws, tmp_path, capsys):
    ws, _gp = gp_ws
    bad = tmp_path / "bad.csv"
    bad.write_text("scope,for,kind,account\ncompany,,sales,000-4100-00\n"
                   "company,,receivables,000-1299-99\ngateway,stripe,sales,000-1140-00\n")
    assert gl(ws, "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "line 3: GP has no account 000-1299-99" in err
    assert "line 4: a payment gateway maps to a cash account" in err
    assert "nothing saved" in err and GlMapping.select().count() == 0

    good = tmp_path / "good.csv"
    good.write_text("scope,for,kind,account\ncompany,,sales,000-4100-00\n"
                    "company,,receivables,000-1200-00\ngateway,ppcp,cash,000-1130-00\n")
    assert gl(ws, "import", str(good)) == 0
    assert "3 account(s) saved, each checked in GP" in capsys.readouterr().out
    assert GlMapping.select().count() == 3


def test_when_gp_cannot_be_asked_nothing_is_saved_unless_unchecked(gp_ws, capsys):
    ws, gp = gp_ws
    gp.stop()
    assert gl(ws, "set", "sales", "000-4100-00") == 1
    err = capsys.readouterr().err
    assert "not saved" in err and "GP could not" in err
    assert GlMapping.select().count() == 0
    assert gl(ws, "set", "sales", "000-4100-00", "--unchecked") == 0
    assert "NOT checked in GP" in timeline("gl", "company::sales")[-1].message
