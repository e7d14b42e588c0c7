"""What one posting step tells the runner: finished, or try again later (and when)."""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import GPError, GPTransient


@dataclass(frozen=True)
class StepResult:
    retry: bool = False
    error: str = ""
    transient: bool = True
    retry_after: float | None = None  # seconds GP asked us to wait (HTTP Retry-After)

    @classmethod
    def done(cls) -> StepResult:
        return cls()

    @classmethod
    def later(cls, error: str, *, transient: bool = True, cause: GPError | None = None
              ) -> StepResult:
        """Try again later; a GP error that carries GP's Retry-After sets the earliest time."""
        wait = cause.retry_after if isinstance(cause, GPTransient) else None
        return cls(True, error, transient, wait)
