"""`ml-connector payments list / set` against the GP stand-in configured as the README says:
GP's card types listed, GP's spelling saved, a WooCommerce title refused with GP's list."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.secrets.keys import ENV_VAR
from core.secrets.vault import GP_PASSWORD, open_vault
from core.store.db import close_db
from core.store.models import AuditEvent
from sandbox.gp import GPStandIn
from tests.core.gp_fixtures import settings_for, standin
from tests.core.intake_helpers import make_workspace
from tui.cli import main


@pytest.fixture(scope="module")
def gps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GPStandIn]:
    with standin(tmp_path_factory.mktemp("gp-payments")) as g:
        yield g


def _workspace(gps: GPStandIn, root: Path) -> Path:
    ws = make_workspace(root)
    settings = settings_for(gps, role="ML Connector")
    settings.posting.gateways = {}
    ws.save(settings)
    open_vault(ws).set(GP_PASSWORD, gps.password, "test")
    close_db()
    return root


def test_set_saves_gps_id_and_list_shows_it(gps: GPStandIn, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = _workspace(gps, tmp_path / "ws")
    try:
        code = main(["--workspace", str(root), "payments", "set", "stripe", "--type",
                     "credit_card", "--card-type", "stripe"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "card_type STRIPE, checkbook CARDS" in out  # GP's spelling and its checkbook
        assert main(["--workspace", str(root), "payments", "list"]) == 0
        out = capsys.readouterr().out
        assert "stripe" in out and "payment card STRIPE into checkbook CARDS" in out
        assert "PAYPAL" in out and gps.password not in out
        assert AuditEvent.select().where(AuditEvent.entity_id == "posting.gateways.stripe"
                                         ).count() == 1
    finally:
        close_db()


def test_a_woocommerce_title_is_refused_with_gps_list(gps: GPStandIn, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = _workspace(gps, tmp_path / "ws")
    try:
        code = main(["--workspace", str(root), "payments", "set", "stripe", "--type",
                     "credit_card", "--card-type", "Credit Card (Stripe)"])
        err = capsys.readouterr().err
        assert code == 1 and "GP lists: PAYPAL, STRIPE" in err
        assert "card_type" not in (root / "config.toml").read_text()  # nothing saved
    finally:
        close_db()
