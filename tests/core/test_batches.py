"""The day's batch and the next one when GP refuses it: a fixed sequence, moved once."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.clock import ManualClock
from core.pipeline import batches
from core.store.db import close_db, init_db
from core.store.models import AuditEvent


def test_successor_is_a_fixed_sequence_within_gps_15_characters() -> None:
    assert batches.successor("WC20261127", "WC20261127") == "WC20261127-2"
    assert batches.successor("WC20261127", "WC20261127-2") == "WC20261127-3"
    assert batches.successor("WC20261127", "WC20261127-9") == "WC20261127-10"
    long = "WEBSHOP20261127"  # 15 already
    assert batches.successor(long, long) == "WEBSHOP202611-2"
    assert batches.successor(long, "WEBSHOP202611-2") == "WEBSHOP202611-3"
    assert all(len(batches.successor(long, f"WEBSHOP20261-{n}")) <= 15 for n in range(2, 200))


def test_move_on_records_once_and_a_late_worker_follows(tmp_path: Path) -> None:
    init_db(tmp_path / "state.db")
    clock = ManualClock(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    try:
        assert batches.current("WC20261127") == "WC20261127"
        first = batches.move_on("WC20261127", "WC20261127", "Batch WC20261127 is being posted",
                                actor="worker", clock=clock)
        # a second posting thread refused on the same batch does not skip a batch
        again = batches.move_on("WC20261127", "WC20261127", "same", actor="worker",
                                clock=clock)
        assert first == again == batches.current("WC20261127") == "WC20261127-2"
        assert batches.current("WC20261128") == "WC20261128"  # per day
        [ev] = AuditEvent.select().where(AuditEvent.kind == "batch_moved")
        assert "now go to batch WC20261127-2" in ev.message
    finally:
        close_db()
