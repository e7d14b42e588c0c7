"""Before the first create: does GP hold the order's currency?

GP refuses a document in a currency the company lacks (eConnect error 483, "The Currency ID does
not exist in MC40200"). Rather than spend a document number on a refusal, the order is held
"currency" with what the GP administrator does; it replays once the currency is there. GP's
currency list is re-read every few minutes (SoapGateway.currencies), so no restart is needed.
A currency GP holds at fewer decimals than the shop's amounts carry is held the same way.
"""
from __future__ import annotations

from core.money import currency_decimals

from .context import PipelineContext


def currency_hold(ctx: PipelineContext, currency: str) -> tuple[str, str] | None:
    """("currency", what to do) when GP cannot take a document in `currency`, else None."""
    functional = ctx.settings.gp.functional_currency.upper()
    code = (currency or functional).upper()
    if code == functional:
        return None  # every GP company has its functional currency: no call spent on it
    reader = getattr(ctx.gateway, "currencies", None)
    have = reader() if reader is not None else None
    if have is None:
        return None  # this route cannot tell: GP's own refusal (483) will say it
    company = ctx.settings.gp.company
    if code not in have:
        listed = ", ".join(sorted(have)) or "none"
        return "currency", (
            f"GP company {company} has no currency {code} (it has {listed}), so nothing was "
            f"sent to GP. Ask the GP administrator to add {code} (Currency Setup), give the "
            "company access to it (Multicurrency Access Setup) and enter an exchange table "
            f"rate for the order's date; then replay")
    held_at = have[code]
    if held_at is not None and held_at < currency_decimals(code):
        return "currency", (
            f"GP holds {code} at {held_at} decimals but the shop's amounts carry "
            f"{currency_decimals(code)}: GP would refuse them. Ask the GP administrator to set "
            f"{code}'s decimal places to {currency_decimals(code)}; then replay")
    return None
