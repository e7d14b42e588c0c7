"""Two shops feeding one GP company: their document numbers, customer ids and batches must never
be the same, or one shop's invoice would be read as the other's (and never posted) and one
shop's customer record overwritten by the other's.

Each pair makes its keys from its own settings: document numbers from [posting]
doc_number_template and refund_number_template, customer ids from [posting] customer_id_prefix,
batches from [posting] batch_template and [products] adjustment_batch_template. Two pairs on the
same GP company (same GP server and company) clash when the fixed text in front of one
pair's template starts with the other's: the field after it (an order number) is WooCommerce's
text, and can itself start with letters, so "WC" and "WCB" could make the same number. GP's
keys compare case-insensitively (the usual collation): so do these checks. The lengths (17
characters for a document number, 15 for a customer id or a batch) are checked per pair when
config.toml is loaded (core.config_rules).
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from core.config import Settings


def gp_company(settings: Settings) -> tuple[str, str]:
    """Which GP company a pair posts to: the GP server (host and port, as the URL names it) and
    the company, as compared. The same server named two ways (gp01, gp01.example.local) is not
    recognised as one."""
    url = settings.gp.soap_url or settings.gp.sba_url
    parts = urlsplit(url) if url else None
    server = f"{parts.hostname or ''}:{parts.port or ''}" if parts else ""
    return server.lower(), settings.gp.company.strip().upper()


def fixed_text(template: str) -> str:
    """What every key a template makes starts with: its text before the first field."""
    return template.split("{", 1)[0].upper()


def _keys(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """Per kind of key: (setting, fixed text) of each template that makes one."""
    p = settings.posting
    return {
        "document numbers": [("[posting] doc_number_template", fixed_text(p.doc_number_template)),
                             ("[posting] refund_number_template",
                              fixed_text(p.refund_number_template))],
        "batches": [("[posting] batch_template", fixed_text(p.batch_template)),
                    ("[products] adjustment_batch_template",
                     fixed_text(settings.products.adjustment_batch_template))],
    }


def _overlap(mine: Iterable[tuple[str, str]], theirs: Iterable[tuple[str, str]]
             ) -> tuple[str, str, str, str] | None:
    for my_key, a in mine:
        for their_key, b in theirs:
            if a.startswith(b) or b.startswith(a):
                return my_key, a, their_key, b
    return None


def key_clashes(name: str, settings: Settings, others: dict[str, Settings]) -> list[str]:
    """What pair `name` shares with another pair on the same GP company, each said with both
    settings and what to change; empty when nothing can collide."""
    company = gp_company(settings)
    if not company[1]:
        return []
    problems: list[str] = []
    mine = _keys(settings)
    for other, theirs in sorted(others.items()):
        if gp_company(theirs) != company:
            continue
        where = f"pairs {name!r} and {other!r} both post to GP company {company[1]}"
        for kind, keys in mine.items():
            found = _overlap(keys, _keys(theirs)[kind])
            if found:
                my_key, a, their_key, b = found
                problems.append(
                    f"{where} and their {kind} can be the same: here {my_key} starts {a!r}, "
                    f"in pair {other!r} {their_key} starts {b!r}; give each shop its own "
                    f"prefix, neither starting with the other (e.g. "
                    f"\"{name[:1].upper()}{a}\" here)")
        if settings.posting.customer_id_prefix == theirs.posting.customer_id_prefix:
            shown = settings.posting.customer_id_prefix or "(none)"
            problems.append(
                f"{where} with the same [posting] customer_id_prefix {shown}: the two shops' "
                "customers would share GP customer ids; give each shop its own (up to 3 letters "
                "or digits, e.g. \"R\")")
    return problems
