"""The rounding tolerance the console saves (Setting posting.rounding_tolerance) is what the
pipeline's mapping uses; it overrides [posting] rounding_tolerance from config.toml."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core import console_settings, gl
from core.clock import ManualClock
from core.config import Settings
from core.console_settings import ROUNDING_TOLERANCE as TOLERANCE
from core.console_settings import mapping_posting
from core.mapping import Held, MappedInvoice, map_invoice
from core.mapping.customers import build_customer
from core.mapping.lines import sku_keys
from core.pipeline.context import PipelineContext
from core.pipeline.prepare import CustomerPlan, invoice_inputs
from core.store.db import close_db, init_db
from core.store.models import GpItem
from core.woo.views import OrderView
from tests.core.mapping_fixtures import ACCOUNTS, TODAY, recorded


@pytest.fixture
def ctx(tmp_path):
    init_db(tmp_path / "state.db")
    clock = ManualClock()
    for kind, account in ACCOUNTS.items():
        gl.set_account("company", "", kind, account, actor="test", clock=clock)
    # The gateway is never reached: every SKU is in the local copy of GP's item list.
    yield PipelineContext(Settings(), gateway=None, woo=None, clock=clock)  # type: ignore[arg-type]
    close_db()


def _order_off_by(cents: str) -> OrderView:
    payload = recorded("orders-get-customer-multi-coupon.json")
    payload = {**payload, "total": str(Decimal(payload["total"]) + Decimal(cents))}
    return OrderView.from_payload(payload)


def _map(ctx: PipelineContext, view: OrderView) -> object:
    for key in sku_keys(view.line_items):
        GpItem.insert(item_number=key, refreshed_at=ctx.clock.now()).on_conflict_ignore().execute()
    plan = CustomerPlan(build_customer(view, "WC000002", customer_class="WEB"), "k", "none")
    inputs = invoice_inputs(ctx, view, plan, TODAY)
    return inputs, map_invoice(view, inputs)


def test_console_tolerance_overrides_the_file_for_the_pipeline(ctx) -> None:
    view = _order_off_by("0.05")
    assert ctx.settings.posting.rounding_tolerance == "0.02"
    _, held = _map(ctx, view)
    assert isinstance(held, Held) and held.reason == "totals"
    console_settings.set_setting(TOLERANCE, "0.10", actor="console", clock=ctx.clock)
    inputs, mapped = _map(ctx, view)
    assert inputs.posting.rounding_tolerance == "0.10"
    assert isinstance(mapped, MappedInvoice), mapped
    assert mapped.figures.rounding == Decimal("0.05")
    assert mapped.expected_total == view.total
    # The file's settings object is not changed: only the mapping's copy is.
    assert ctx.settings.posting.rounding_tolerance == "0.02"
    # Tightened in the console below the file's value: the order is held again.
    console_settings.set_setting(TOLERANCE, "0.00", actor="console", clock=ctx.clock)
    _, again = _map(ctx, _order_off_by("0.01"))
    assert isinstance(again, Held) and again.reason == "totals"


def test_an_unusable_saved_tolerance_falls_back_to_the_file(ctx) -> None:
    posting = Settings().posting
    assert mapping_posting(posting) is posting  # nothing saved
    console_settings.set_setting(TOLERANCE, "-1", actor="console", clock=ctx.clock)
    assert mapping_posting(posting).rounding_tolerance == "0.02"
    console_settings.set_setting(TOLERANCE, "lots", actor="console", clock=ctx.clock)
    assert mapping_posting(posting).rounding_tolerance == "0.02"
    console_settings.set_setting(TOLERANCE, " 0.05 ", actor="console", clock=ctx.clock)
    assert mapping_posting(posting).rounding_tolerance == "0.05"
