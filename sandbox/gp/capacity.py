"""GP's speed and capacity: a latency per business call drawn from a per-operation distribution,
served by a bounded number of service processes; requests queue when all are busy.

gp.md §20.3 and §22: SBA runs one request at a time per Dexterity service process, 30 processes
by default, sized at up to 900 requests an hour each (about 4 s a request); legacy Web Services
runs GP's business logic in one service host whose eConnect work is effectively serial. No public
per-call figure exists, so the distribution is configurable (a log-normal around a median, per
operation if wanted), and the default is no delay with 30 processes. Only business calls wait:
NTLM handshake legs (answered 401 before a user is known) never take a process or a delay.

    POST /_sandbox/capacity {"median_ms": 300, "sigma": 0.4, "processes": 4,
                             "per_operation_ms": {"CreateSalesInvoice": 450}, "seed": 1}
"""
from __future__ import annotations

import asyncio
import math
import random
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

SBA_DEFAULT_PROCESSES = 30


@dataclass
class Capacity:
    median_ms: float = 0.0
    sigma: float = 0.0  # log-normal shape: 0 = every call takes the median exactly
    processes: int = SBA_DEFAULT_PROCESSES
    per_operation_ms: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    # What happened, for tests and benchmarks (counts, never timings).
    delayed_calls: int = 0
    busy: int = 0
    peak_busy: int = 0
    queued: int = 0
    peak_queued: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)
    _slots_size: int = 0

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def configure(self, body: dict[str, Any]) -> None:
        known = {"median_ms", "sigma", "processes", "per_operation_ms", "seed"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown capacity field(s): {', '.join(sorted(unknown))}")
        processes = int(body.get("processes", self.processes))
        median = float(body.get("median_ms", self.median_ms))
        sigma = float(body.get("sigma", self.sigma))
        per_op = {str(k): float(v) for k, v in
                  (body.get("per_operation_ms", self.per_operation_ms) or {}).items()}
        if processes < 1 or median < 0 or sigma < 0 or any(v < 0 for v in per_op.values()):
            raise ValueError("processes >= 1; median_ms, sigma, per_operation_ms >= 0")
        with self._lock:
            self.processes, self.median_ms, self.sigma = processes, median, sigma
            self.per_operation_ms = per_op
            if "seed" in body:
                self.seed = int(body["seed"])
                self._rng.seed(self.seed)
            self.delayed_calls = self.peak_busy = self.peak_queued = 0

    def as_dict(self) -> dict[str, Any]:
        return {"median_ms": self.median_ms, "sigma": self.sigma, "processes": self.processes,
                "per_operation_ms": self.per_operation_ms, "seed": self.seed,
                "delayed_calls": self.delayed_calls, "busy": self.busy,
                "peak_busy": self.peak_busy, "queued": self.queued,
                "peak_queued": self.peak_queued}

    def draw_s(self, operation: str) -> float:
        median = self.per_operation_ms.get(operation, self.median_ms)
        if median <= 0:
            return 0.0
        with self._lock:
            z = self._rng.gauss(0.0, 1.0) if self.sigma else 0.0
        return median * math.exp(self.sigma * z) / 1000.0

    def _semaphore(self) -> asyncio.Semaphore:
        # Built inside the server's loop, rebuilt when the number of processes changes.
        if self._slots is None or self._slots_size != self.processes:
            self._slots, self._slots_size = asyncio.Semaphore(self.processes), self.processes
        return self._slots

    @asynccontextmanager
    async def service_process(self, operation: str) -> AsyncIterator[None]:
        """Hold one service process for a business call, waiting in line when all are busy."""
        slots = self._semaphore()
        with self._lock:
            self.queued += 1
            self.peak_queued = max(self.peak_queued, self.queued - (self.processes - self.busy))
        try:
            await slots.acquire()
        finally:
            with self._lock:
                self.queued -= 1
        with self._lock:
            self.busy += 1
            self.peak_busy = max(self.peak_busy, self.busy)
            self.delayed_calls += 1
        try:
            delay = self.draw_s(operation)
            if delay:
                await asyncio.sleep(delay)
            yield
        finally:
            with self._lock:
                self.busy -= 1
            slots.release()
