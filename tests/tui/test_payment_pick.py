"""The console's GP payment picker: only what GP lists can be chosen; GP's spelling is saved."""
from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Checkbox, Input, Label, Select

from core.config import Settings
from core.gp.soap_setup import SetupRow
from core.payment_setup import GPPaymentLists
from tests.tui.helpers import settle
from tui.screens.payment_pick import PaymentPickScreen

LISTS = GPPaymentLists([SetupRow("PAYPAL", checkbook="PAYPAL"),
                        SetupRow("STRIPE", checkbook="CARDS")], ["CARDS", "PAYPAL"])


class Host(App[None]):
    def __init__(self, gateway: str) -> None:
        super().__init__()
        self.gateway = gateway
        self.results: list[dict[str, Any] | None] = []

    def on_mount(self) -> None:
        self.push_screen(PaymentPickScreen(self.gateway, LISTS, Settings()), self.results.append)


async def test_card_type_from_gps_list_is_saved_with_its_checkbook() -> None:
    app = Host("stripe")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#card-type", Select).value = "STRIPE"
        await pilot.click("#save")
        await settle(pilot)
    assert app.results == [{"payment_type": "credit_card", "card_type": "STRIPE",
                            "checkbook": "CARDS"}]


async def test_a_checkbook_gp_does_not_name_needs_the_explicit_box() -> None:
    app = Host("cod")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#kind", Select).value = "cash"
        screen.query_one("#other-checkbook", Input).value = "PETTY CASH"
        await pilot.click("#save")
        await settle(pilot)
        error = str(screen.query_one("#payment-error", Label).render())
        assert "--unlisted-checkbook" in error and app.results == []
        screen.query_one("#unlisted", Checkbox).value = True
        await settle(pilot)  # the error text above moved the buttons: click where they are now
        await pilot.click("#save")
        await settle(pilot)
    assert app.results == [{"payment_type": "cash", "checkbook": "PETTY CASH"}]


async def test_card_payment_without_a_card_type_is_refused_with_gps_list() -> None:
    app = Host("stripe")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#save")
        await settle(pilot)
        error = str(app.screen.query_one("#payment-error", Label).render())
    assert "GP lists: PAYPAL, STRIPE" in error and app.results == []
