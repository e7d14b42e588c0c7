"""One exception hierarchy per boundary. Messages say what to do, never carry a secret."""
from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""


class ConfigError(ConnectorError):
    """Configuration or set-up is wrong; the message says which setting and how to fix it."""


class StateError(ConnectorError):
    """The state database cannot be used (version, permissions, corruption)."""


class WooError(ConnectorError):
    """WooCommerce refused or failed a request. `transient` errors are retried."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 transient: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.transient = transient


class GPError(ConnectorError):
    """Dynamics GP failed a request in a way a retry will not fix (an HTTP 4xx, an operation
    this server does not offer, a WSDL that cannot be read). Subclasses name the outcomes the
    pipeline acts on, one except clause each: GPRefused, GPTransient, GPUnknownOutcome.

    The `validation` / `transient` / `unknown_outcome` flags are read-only and follow from the
    type, so no error can claim two contradictory outcomes.
    """

    def __init__(self, message: str, *, messages: list[str] | None = None,
                 log_id: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.messages = list(messages or [])  # GP's own words, shown to the accountant
        self.log_id = log_id  # GP's validation log id (GetLoggedValidationResultByKey)
        self.status = status  # the HTTP status, when GP answered with one

    @property
    def validation(self) -> bool:
        return isinstance(self, GPRefused)

    @property
    def transient(self) -> bool:
        return isinstance(self, GPTransient)

    @property
    def unknown_outcome(self) -> bool:
        return isinstance(self, GPUnknownOutcome)


class GPRefused(GPError):
    """GP's business rules refused the document: nothing was created. Fail it, show GP's
    messages (and log id), wait for a fix."""


class GPTransient(GPError):
    """Network, timeout, 5xx on a read, outage: nothing was written; retry with backoff, not
    before `retry_after` seconds when GP said so."""

    def __init__(self, message: str, *, messages: list[str] | None = None,
                 log_id: str | None = None, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, messages=messages, log_id=log_id, status=status)
        self.retry_after = retry_after


class GPUnknownOutcome(GPTransient):
    """A write whose answer was lost: it may have committed. Read GP back before any retry."""


def gp_unanswered(message: str, *, write: bool, messages: list[str] | None = None,
                  status: int | None = None, retry_after: float | None = None) -> GPTransient:
    """A request GP did not answer usably: an unknown outcome when it wrote, else transient."""
    kind = GPUnknownOutcome if write else GPTransient
    return kind(message, messages=messages, status=status, retry_after=retry_after)


class GPAuthError(GPError):
    """GP refused the Windows account (401) or its role forbids the operation."""
