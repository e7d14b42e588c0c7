"""A pair's worker does not start while its keys could be another pair's in the same GP company.

The read-before-post that makes posting exactly once would take another shop's invoice with the
same number for this shop's, and never post this one: silently missing revenue. So a pair whose
document numbers, customer ids or batches clash with another pair's (core.shared_company) is
refused at start with both pairs and the settings named, exit 2. The newcomer is the one refused:
a pair that has already posted keeps running beside a clashing pair that has posted nothing
(adding a pair never stops one that works); when both have posted, both are refused.
"""
from __future__ import annotations

from core.config import Settings, Workspace
from core.errors import ConnectorError
from core.pairs import other_pairs, pair_workspace, state_clashes
from core.shared_company import key_clashes
from core.store.db import close_db, init_db
from core.store.models import Order
from core.store.states import DocState


def has_posted(ws: Workspace) -> bool:
    """Whether this pair's state database records any invoice in GP (opened, then closed)."""
    if not ws.db_path.exists():
        return False
    try:
        init_db(ws.db_path)
        return bool(Order.select().where(Order.state.in_(
            [DocState.POSTED, DocState.VERIFIED, DocState.VOID])).exists())
    except ConnectorError:
        return True  # unreadable: assume it has, so the other pair is the one held back
    finally:
        close_db()


def start_refused(base: Workspace, name: str, settings: Settings) -> list[str]:
    """Why pair `name`'s worker must not start (empty: it may)."""
    others = other_pairs(base, name)
    problems: list[str] = state_clashes(name, settings, others)
    mine: bool | None = None
    for other, theirs in others.items():
        clashes = key_clashes(name, settings, {other: theirs})
        if not clashes:
            continue
        if mine is None:
            mine = has_posted(pair_workspace(base, name))
        if mine and not has_posted(pair_workspace(base, other)):
            continue  # the other pair is the newcomer: it is the one refused
        problems += clashes
    return problems
