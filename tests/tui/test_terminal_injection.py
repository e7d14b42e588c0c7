"""Remote text never drives the accountant's terminal (issue 14 item 4), tested through a real pty:
the console's Orders screen and `ml-connector status` show a checkout name carrying an OSC title
change, a clear-screen, an SGR blink and a right-to-left override as inert text."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

from textual.widgets import Static

from core.clock import ManualClock
from core.config import Settings, Workspace
from core.store.db import close_db, init_db
from tests.sandbox.demo_support import ROOT
from tests.tui.helpers import settle, text_of
from tests.tui.seed import START, add_order
from tui.app import make_app

NAME = "Evil\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[5;31mBLINK\u202eRTL\x9b2JEND"
ATTACKS = [b"PWNED-TITLE", b"\x1b]0;", b"\x1b[5;31m", "\u202e".encode(), b"\xc2\x9b"]
SHOWN = b"EvilBLINKRTL"  # what the rule leaves (no escape code can split one styled cell)


def _run_in_pty(argv: list[str], *, keys: list[tuple[bytes, bytes]], until: bytes,
                timeout_s: float = 60) -> bytes:
    """Run argv on a real 120x40 pty; after each `wait_for` marker appears, type its keys;
    return everything the program wrote once `until` appears (or it exits)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color",
           "COLUMNS": "120", "LINES": "40"}
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave, env=env,
                            close_fds=True, start_new_session=True)
    os.close(slave)
    out = bytearray()
    pending = list(keys)
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout_s)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the program exited and closed the pty
                break
            if not chunk:
                break
            out += chunk
            while pending and pending[0][0] in out:
                os.write(master, pending.pop(0)[1])
            if not pending and until in out:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        os.close(master)
    return bytes(out)


def _shop_with_evil_name(tmp_path: Path) -> Path:
    ws = Workspace.at(tmp_path / "ws")
    ws.save(Settings())
    init_db(ws.db_path)
    clock = ManualClock(START)
    add_order(clock, 4242, state="held", skus=["BLU-TEE-M"], total="24.00", hold_reason="sku",
              customer=NAME)
    add_order(clock, 4243, state="failed", skus=["BLU-TEE-M"], total="24.00", customer=NAME,
              last_error=f"GP rejected customer {NAME}")
    close_db()
    return ws.db_path


def test_console_orders_screen_shows_remote_text_inert(tmp_path):
    db = _shop_with_evil_name(tmp_path)
    out = _run_in_pty([sys.executable, "-m", "tui.cli", "console", "--db", str(db),
                       "--no-worker"], keys=[(b"Dashboard", b"2")], until=SHOWN)
    assert SHOWN in out, out[-2000:]
    for attack in ATTACKS:
        assert attack not in out, attack


def test_cli_status_prints_remote_text_inert(tmp_path):
    db = _shop_with_evil_name(tmp_path)
    out = _run_in_pty([sys.executable, "-m", "tui.cli", "--workspace", str(db.parent),
                       "status"], keys=[], until=b"\x00never")
    assert b"GP rejected customer EvilBLINKRTL" in out, out
    for attack in ATTACKS:
        assert attack not in out, attack



async def test_dashboard_activity_and_attention_show_remote_text_inert(tmp_path):
    """The dashboard's latest activity quotes audit messages, which quote the shop ("GP refused
    4243: ... customer Evil..."): the pty test above only sees it when the activity renders
    before its key press, so this reads the dashboard directly."""
    db = _shop_with_evil_name(tmp_path)
    app = make_app(db, clock=ManualClock(START), actor="console:test", poll_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        shown = text_of(app.screen.query_one("#recent", Static))
    close_db()
    assert "GP refused 4243" in shown and "Evil" in shown, shown
    for bad in ("\x1b", "\x07", "\u202e", "\x9b", "PWNED-TITLE\x07"):
        assert bad not in shown
