"""Stand-in for Microsoft Dynamics GP: the Web Services legacy SOAP endpoint and an SBA flavour."""
from __future__ import annotations

from sandbox.gp.server import GPStandIn

__all__ = ["GPStandIn"]
