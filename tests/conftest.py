from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.config import KEY_HOME_ENV

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


@pytest.fixture(autouse=True, scope="session")
def key_home(tmp_path_factory):
    """Workspaces' key folders live outside the workspace, under the user's key home: for the
    suite, a temporary one (inherited by the worker processes tests start), never ~/.config."""
    before = os.environ.get(KEY_HOME_ENV)
    os.environ[KEY_HOME_ENV] = str(tmp_path_factory.mktemp("key-home"))
    yield Path(os.environ[KEY_HOME_ENV])
    if before is None:
        os.environ.pop(KEY_HOME_ENV, None)
    else:
        os.environ[KEY_HOME_ENV] = before
