from __future__ import annotations

from pathlib import Path

import pytest

# ../shared beside the project's root: recordings and the real WSDL. Never copied in.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """Path under ../shared, skipping the test with a clear reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (../shared beside the project root is absent)")
    return p


@pytest.fixture
def state_db(tmp_path):
    """A fresh, migrated state database under tmp_path."""
    from core.store.db import close_db, init_db

    db = init_db(tmp_path / "state.db")
    yield db
    close_db()
