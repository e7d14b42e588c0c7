"""Faults on demand: latency, error rates, outages, and "commit then drop the response".

One FaultPlan per stand-in, changed through POST/DELETE /_sandbox/faults. Its random choices come
from a seeded generator, so a test that sets a rate and a seed sees the same sequence every run.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields
from typing import Any

ERROR_KINDS = ("5xx", "fault", "timeout")
DROP_MODES = ("reset", "500")


class FaultConfigError(ValueError):
    """A /_sandbox/faults body the stand-in does not understand (answered with 400)."""


@dataclass
class FaultPlan:
    latency_ms: int = 0  # added to every GP request (SOAP and SBA)
    latency_jitter_ms: int = 0  # plus a uniform 0..jitter
    error_rate: float = 0.0  # share of requests failed before any work is done
    error_kinds: list[str] = field(default_factory=lambda: list(ERROR_KINDS))
    drop_after_commit_rate: float = 0.0  # share of successful writes whose response is lost
    drop_mode: str = "reset"  # "reset": close the connection; "500": a bare 500, no envelope
    outage: bool = False  # every GP request answers 503 until cleared
    timeout_s: float = 30.0  # how long a "timeout" error holds the request before dropping it
    operations: list[str] = field(default_factory=list)  # limit faults to these ops ([] = all)
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def configure(self, body: dict[str, Any]) -> None:
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        unknown = sorted(set(body) - names)
        if unknown:
            raise FaultConfigError(f"unknown fault setting(s): {', '.join(unknown)}")
        checked = dict(body)
        for key in ("error_rate", "drop_after_commit_rate"):
            if key in checked:
                value = float(checked[key])
                if not 0.0 <= value <= 1.0:
                    raise FaultConfigError(f"{key} must be between 0 and 1")
                checked[key] = value
        for key in ("latency_ms", "latency_jitter_ms", "seed"):
            if key in checked:
                checked[key] = int(checked[key])
                if checked[key] < 0:
                    raise FaultConfigError(f"{key} must not be negative")
        if "timeout_s" in checked:
            checked["timeout_s"] = float(checked["timeout_s"])
        if "outage" in checked and not isinstance(checked["outage"], bool):
            raise FaultConfigError("outage must be true or false")
        if "error_kinds" in checked:
            kinds = list(checked["error_kinds"])
            if not kinds or set(kinds) - set(ERROR_KINDS):
                raise FaultConfigError(f"error_kinds must be a non-empty subset of {ERROR_KINDS}")
            checked["error_kinds"] = kinds
        if "drop_mode" in checked and checked["drop_mode"] not in DROP_MODES:
            raise FaultConfigError(f"drop_mode must be one of {DROP_MODES}")
        if "operations" in checked:
            checked["operations"] = [str(x) for x in checked["operations"]]
        with self._lock:
            for key, value in checked.items():
                setattr(self, key, value)
            if "seed" in checked:
                self._rng.seed(self.seed)

    def reset(self) -> None:
        with self._lock:
            fresh = FaultPlan()
            for f in fields(self):
                if not f.name.startswith("_"):
                    setattr(self, f.name, getattr(fresh, f.name))
            self._rng.seed(self.seed)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    def applies(self, operation: str) -> bool:
        return not self.operations or operation in self.operations

    def latency_s(self) -> float:
        with self._lock:
            jitter = self._rng.uniform(0, self.latency_jitter_ms) if self.latency_jitter_ms else 0
            return (self.latency_ms + jitter) / 1000.0

    def pick_error(self, operation: str) -> str | None:
        """None, or which error to inject for this request ("5xx" / "fault" / "timeout")."""
        if not self.applies(operation):
            return None
        with self._lock:
            if self.error_rate and self._rng.random() < self.error_rate:
                return self._rng.choice(self.error_kinds)
        return None

    def drop_after_commit(self, operation: str) -> bool:
        if not self.applies(operation):
            return False
        with self._lock:
            return bool(self.drop_after_commit_rate) and self._rng.random() < \
                self.drop_after_commit_rate
