"""A damaged state database is noticed (issue 14 item 8): `worker --once`, `status --check` and
`check` exit 4 with what to do; a damaged header is exit 4 too, not a traceback. And the state
file is created 0600 (item 10)."""
from __future__ import annotations

import os
import stat
import sys
from datetime import UTC, datetime

import pytest

from core.config import Settings, Workspace
from core.store.db import close_db, database, init_db
from core.store.models import AuditEvent
from tui.cli import main

PAGE = 4096


def _workspace_with_data(tmp_path) -> Workspace:
    ws = Workspace.at(tmp_path / "ws")
    ws.save(Settings())
    init_db(ws.db_path)
    with database.atomic("IMMEDIATE"):
        for i in range(3000):
            AuditEvent.insert(at=datetime(2026, 11, 27, tzinfo=UTC), actor="test", entity="order",
                              entity_id=str(i), kind="received", message=f"order {i} " + "x" * 80,
                              prev_hash="0" * 64, hash=f"{i:064d}").execute()
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    close_db()
    return ws


def _damage_a_page(path) -> None:
    """Scribble over pages in the middle of the file: it still opens, the b-trees are wrong."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        for page in range(size // PAGE // 2, size // PAGE // 2 + 3):
            f.seek(page * PAGE + 8)
            f.write(b"\xff\x00" * 300)


def _run(ws: Workspace, *args: str) -> int:
    return main(["--workspace", str(ws.db_path.parent), *args])


@pytest.mark.parametrize("damage", ["pages", "header"])
def test_damaged_database_exits_4_with_what_to_do(tmp_path, capsys, damage):
    ws = _workspace_with_data(tmp_path)
    if damage == "pages":
        _damage_a_page(ws.db_path)
    else:
        with open(ws.db_path, "r+b") as f:
            f.write(b"this is not sqlite at all")
    for command in (["worker", "--once", "--no-webhooks"], ["status", "--check"], ["check"]):
        code = _run(ws, *command)
        err = capsys.readouterr().err
        assert code == 4, (command, err)
        assert "is damaged" in err and "restore the last backup" in err, err
        assert "Traceback" not in err
        close_db()


def test_intact_database_passes_the_check(tmp_path, capsys):
    ws = _workspace_with_data(tmp_path)
    assert _run(ws, "status", "--check") in (0, 1)
    assert "damaged" not in capsys.readouterr().err
    close_db()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_state_file_is_owner_only(tmp_path):
    path = tmp_path / "state.db"
    init_db(path)
    close_db()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # an older version left it readable
    init_db(path)
    for p in tmp_path.glob("state.db*"):
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p
    close_db()
