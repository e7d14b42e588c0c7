"""Remote text as the console shows it: plain (core.text's rule) and never read as markup.

Everything WooCommerce or GP says (names, addresses, product titles, GP's messages, audit lines
quoting them) goes through `shown()` on its way into a table or a panel, so a checkout name with
`ESC]0;...BEL`, `ESC[2J` or a right-to-left override reaches the accountant's terminal inert.
"""
from __future__ import annotations

from rich.console import JustifyMethod
from rich.text import Text

from core.text import plain_text


def shown(value: object, style: str = "", justify: JustifyMethod | None = None) -> Text:
    return Text(plain_text("" if value is None else str(value)), style=style, justify=justify)
