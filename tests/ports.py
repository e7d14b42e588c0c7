"""A loopback port for a server a test starts later (or never: a dead GP).

Port 0 would hand out a port from the ephemeral range, which the system also gives to the
source side of outgoing connections: a client retrying a server that is not up yet can get that
very port as its own and connect to itself (TCP simultaneous open), and the server then cannot
bind it ("Address already in use"). A free port below the ephemeral range is never taken that
way; a random one keeps parallel test workers apart."""
from __future__ import annotations

import random
import socket
from pathlib import Path

RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _below_ephemeral() -> int:
    try:
        return int(RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default first ephemeral port


def port_for_later() -> int:
    """A port nothing listens on now, outside the range outgoing connections draw from."""
    high = _below_ephemeral()
    for _ in range(200):
        port = random.randint(max(1024, high - 20000), high - 1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")
