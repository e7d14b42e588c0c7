"""Which WooCommerce orders the books must carry as a GP invoice: one rule for the pipeline,
the dry run, the demo summary and reconciliation, so they cannot disagree.

An order in a configured eligible status (processing, completed) is invoiced. An order that was
paid and is now "refunded" was a sale before it was refunded: it gets its invoice and then its
credit memo(s). An order never paid (pending, failed, cancelled, or "refunded" without a payment
date) is not a sale and stays skipped.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

PAID_THEN_REFUNDED = "refunded"


def invoiceable(status: str, date_paid: datetime | str | None, eligible: Iterable[str]) -> bool:
    if status in set(eligible):
        return True
    return status == PAID_THEN_REFUNDED and bool(date_paid)


def skip_text(status: str, eligible: Iterable[str]) -> str:
    """Why an order is not invoiced, in plain words."""
    return (f"status {status}; invoiced once it is {' or '.join(eligible)} "
            f"(or {PAID_THEN_REFUNDED} after being paid)")
