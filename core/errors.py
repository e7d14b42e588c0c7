"""One exception hierarchy per boundary. Messages say what to do, never carry a secret."""
from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""


class ConfigError(ConnectorError):
    """Configuration or set-up is wrong; the message says which setting and how to fix it."""


class StateError(ConnectorError):
    """The state database cannot be used (version, permissions, corruption)."""


class LeaseLost(ConnectorError):
    """This worker no longer holds the worker lease (it was frozen past the TTL and another worker
    took over), or a job's lease ran out under it: it must not claim, create or write anything
    more. The worker exits 5."""


class WooError(ConnectorError):
    """WooCommerce refused or failed a request. `transient` errors are retried."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 transient: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.transient = transient


class GPError(ConnectorError):
    """Dynamics GP refused or failed a request.

    transient: network, timeout, 5xx, outage: retry with backoff.
    validation: GP's business rules refused the document: fail it, show GP's messages, wait
    for a fix.
    unknown_outcome: the request may have committed (response lost): read GP back before any retry.
    """

    def __init__(self, message: str, *, transient: bool = False, validation: bool = False,
                 unknown_outcome: bool = False, messages: list[str] | None = None,
                 log_id: str | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.validation = validation
        self.unknown_outcome = unknown_outcome
        self.messages = messages or []
        self.log_id = log_id


class GPAuthError(GPError):
    """GP refused the Windows account (401) or its role forbids the operation."""
