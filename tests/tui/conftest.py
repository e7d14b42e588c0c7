from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.store.db import close_db, init_db
from tests.tui.seed import START, seed_shop


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def shop(tmp_path: Path, clock: ManualClock) -> Iterator[Path]:
    """A migrated database under tmp_path holding the fixed shop; the clock stands a little
    after the last order so 'posted today' and the throughput chart are deterministic."""
    path = tmp_path / "state.db"
    init_db(path)
    seed_shop(clock)
    clock.set(START + timedelta(hours=3))
    yield path
    close_db()
