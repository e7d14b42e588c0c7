"""The policy GP returned for an operation, as `core.gp.policy.Behaviour`s (one read per
operation: SoapClient caches the policy it passes back on every write)."""
from __future__ import annotations

from core.gp import soap_read as rd
from core.gp.policy import Behaviour, distributions_provided, find
from core.gp.soap import SoapClient


def behaviours(client: SoapClient, operation: str) -> list[Behaviour]:
    pol = client.policy(operation)
    out = []
    for b in rd.items(getattr(pol, "Behaviors", None), "Behavior"):
        sel = getattr(b, "SelectedOption", None)
        option = rd.text(sel, "Name") or rd.text(sel, "Key", "Id")
        out.append(Behaviour(rd.text(b, "Key", "Id").lower(), rd.text(b, "Name"), option,
                             bool(getattr(b, "Internal", False))))
    return out


def uses_supplied_distributions(client: SoapClient, operation: str) -> bool:
    """True only when the role's policy says "Distributions Will Be Provided": otherwise GP
    builds its own and ignores ours (gp.md §22), so the connector sends none and reads GP's back.
    An operation whose policy has no such behaviour keeps what the document carries."""
    found = find(behaviours(client, operation), "distributions")
    if found is None:
        return True
    return distributions_provided(found) is True
