"""The lease owner string is made and read in one place, and a dead local process is detected
without ever probing a process on Windows (os.kill there terminates it)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from core import owners
from core.owners import Owner, dead_local_process, make_owner
from tests.sandbox.demo_support import wait_for


def test_an_owner_string_reads_back_as_its_host_and_pid():
    text = make_owner(host="GP01", pid=4242)
    assert Owner.parse(text) == Owner("GP01", 4242)
    assert make_owner(host="GP01", pid=4242) != text  # the token keeps two holders apart
    assert Owner.parse("garbage") is None and Owner.parse(None) is None


def test_a_finished_process_on_this_host_is_dead_and_this_one_is_not():
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    gone = int(child.stdout)
    host = socket.gethostname()
    assert dead_local_process(host, gone)
    assert Owner(host, gone).is_dead_here
    assert not dead_local_process(host, os.getpid())
    assert not dead_local_process("another-host", gone)  # elsewhere: trust the expiry


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_an_exited_process_nobody_reaped_is_dead(tmp_path):
    """A zombie still answers kill(pid, 0); in a container whose PID 1 reaps nothing a worker
    killed with its supervisor stays one, and its lease must not look alive until the TTL."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        assert wait_for(lambda: owners._zombie(child.pid), timeout_s=30)
        os.kill(child.pid, 0)  # still there as far as kill() can tell
        assert dead_local_process(owners.this_host(), child.pid)
    finally:
        child.wait()


def test_windows_is_never_probed(monkeypatch):
    def never(*_args):
        pytest.fail("os.kill must not be called on Windows: it terminates the process")

    monkeypatch.setattr(owners.os, "name", "nt")
    monkeypatch.setattr(owners.os, "kill", never)
    assert not dead_local_process(socket.gethostname(), 999_999)
