"""Who holds a lease: the owner string `<host>:<pid>:<token>` written on leased rows (the worker
lease, posting jobs), made and read here only, and whether a process on this host still lives.

GP servers run Windows, where `os.kill(pid, 0)` is TerminateProcess: this module never probes a
process there and trusts the lease's expiry instead.
"""
from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

# The host name a worker gives in its leases, when the machine's own is not unique among the
# hosts sharing one PostgreSQL (containers all named alike): each host needs its own name, or a
# live holder on another host could be judged dead here.
HOST_ENV = "ML_CONNECTOR_HOST"


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int

    @classmethod
    def parse(cls, text: str | None) -> Owner | None:
        """The host and pid of an owner string; None when it is not one."""
        host, _, rest = (text or "").partition(":")
        pid = rest.partition(":")[0]
        if not host or not pid.isdigit():
            return None
        return cls(host, int(pid))

    @property
    def is_dead_here(self) -> bool:
        return dead_local_process(self.host, self.pid)


def this_host() -> str:
    """This host's name in leases: ML_CONNECTOR_HOST when set, else the machine's host name."""
    return os.environ.get(HOST_ENV, "").strip() or socket.gethostname()


def make_owner(*, host: str | None = None, pid: int | None = None, token_bytes: int = 4) -> str:
    """A fresh owner string for this process; the token keeps two holders in one process apart
    (the console and its embedded worker, tests)."""
    return (f"{host or this_host()}:{os.getpid() if pid is None else pid}:"
            f"{secrets.token_hex(token_bytes)}")


def dead_local_process(host: str, pid: int) -> bool:
    """True only when `pid` ran on this host and is certainly gone (never probes on Windows)."""
    if host != this_host() or pid <= 0 or pid == os.getpid():
        return False
    if os.name == "nt":
        # os.kill(pid, 0) on Windows is TerminateProcess: never probe there; trust the expiry.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False  # exists (owned by someone else) or cannot tell: trust the expiry
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has exited but not been reaped still answers kill(pid, 0). In a container
    whose PID 1 does not reap orphans (Docker without --init), a worker killed with its
    supervisor stays such a zombie for good: it is dead, and its lease with it. Linux's /proc
    says so; elsewhere we cannot tell (trust the expiry)."""
    fields = proc_stat(pid)
    return bool(fields) and fields[0] in ("Z", "X")


def proc_stat(pid: int) -> list[str]:
    """The fields of Linux's /proc/PID/stat after the command name (state, parent pid, ...);
    empty when there is no such process or no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return stat.rsplit(")", 1)[-1].split()
