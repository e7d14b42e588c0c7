"""Choosing a gateway's GP payment from GP's lists: GP's spelling stored, unknown ids refused
with GP's list, the choice saved to config and the audit trail."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings, Workspace
from core.errors import ConfigError
from core.gp.soap_setup import SetupRow
from core.payment_setup import GPPaymentLists, choose, overview, save_choice
from core.store.db import close_db, init_db
from core.store.models import AuditEvent

LISTS = GPPaymentLists([SetupRow("AMEX", checkbook="UPTOWN TRUST"),
                        SetupRow("VISA", checkbook="UPTOWN TRUST"),
                        SetupRow("PAYPAL", checkbook="PAYPAL")],
                       ["PAYPAL", "UPTOWN TRUST"])


def test_card_choice_takes_gps_spelling_and_the_card_types_checkbook() -> None:
    entry = choose(Settings(), "stripe", "credit_card", LISTS, card_type="visa ")
    assert entry == {"payment_type": "credit_card", "card_type": "VISA",
                     "checkbook": "UPTOWN TRUST"}


def test_unknown_card_type_is_refused_with_gps_list() -> None:
    with pytest.raises(ConfigError, match="no payment card type 'Credit Card \\(Stripe\\)'; "
                       "GP lists: AMEX, PAYPAL, VISA"):
        choose(Settings(), "stripe", "credit_card", LISTS, card_type="Credit Card (Stripe)")


def test_binary_collation_tells_case_apart() -> None:
    s = Settings()
    s.gp.key_collation = "binary"
    with pytest.raises(ConfigError):
        choose(s, "stripe", "credit_card", LISTS, card_type="visa")


def test_checkbook_gp_does_not_name_needs_an_explicit_yes() -> None:
    with pytest.raises(ConfigError, match="--unlisted-checkbook"):
        choose(Settings(), "cod", "cash", LISTS, checkbook="PETTY CASH")
    entry = choose(Settings(), "cod", "cash", LISTS, checkbook="PETTY CASH",
                   allow_unlisted_checkbook=True)
    assert entry == {"payment_type": "cash", "checkbook": "PETTY CASH"}
    with pytest.raises(ConfigError, match="needs GP's checkbook"):
        choose(Settings(), "cod", "check", LISTS)
    assert choose(Settings(), "bacs", "none", LISTS) == {"payment_type": "none"}


def test_overview_names_unmapped_gateways_and_saving_is_audited(tmp_path: Path) -> None:
    ws = Workspace.at(tmp_path / "ws")
    settings = Settings()
    settings.posting.gateways = {"bacs": {"payment_type": "none"}}
    ws.save(settings)
    view = overview(settings, ["stripe", "bacs"], LISTS)
    lines = {g.gateway: g for g in view.gateways}
    assert not lines["stripe"].mapped and "has no GP payment mapping" in lines["stripe"].problem
    assert lines["bacs"].mapped and lines["bacs"].mapping == "unpaid"
    init_db(ws.db_path)
    try:
        entry = choose(settings, "stripe", "credit_card", LISTS, card_type="VISA")
        save_choice(ws, settings, "stripe", entry, actor="test")
        assert ws.load().posting.gateways["stripe"]["card_type"] == "VISA"
        ev = AuditEvent.select().where(AuditEvent.kind == "setting_changed").get()
        assert ev.entity_id == "posting.gateways.stripe" and "VISA" in ev.message
    finally:
        close_db()
