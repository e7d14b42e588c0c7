"""One exit code table for every `ml-connector` command (README, "Exit codes").

The worker's codes came first (systemd's unit restarts on 1 and never on 2); the other commands
use the same numbers for the same meanings, so a script or a monitor reads them one way.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # done; nothing needs attention (the worker: stopped cleanly)
    ATTENTION = 1  # done, and something needs attention; or an unexpected error (the log says)
    USAGE = 2  # usage, configuration, credentials or workspace wrong: retrying will not help
    LEASE_HELD = 3  # another live worker holds the lease (its host and pid are printed)
    STATE = 4  # the state database cannot be used (SQLite version, permissions, corruption)
    LEASE_LOST = 5  # the worker's lease was taken over while it ran (frozen past the TTL)
    INTERRUPTED = 130  # Ctrl-C (backfill: run the same command again to continue)


EXIT_CODE_TABLE: tuple[tuple[int, str], ...] = (
    (ExitCode.OK, "done; nothing needs attention (worker: stopped cleanly)"),
    (ExitCode.ATTENTION, "something needs attention (it is listed), or an unexpected error"),
    (ExitCode.USAGE, "usage, configuration, credentials or workspace wrong"),
    (ExitCode.LEASE_HELD, "another live worker holds the lease"),
    (ExitCode.STATE, "the state database cannot be used"),
    (ExitCode.LEASE_LOST, "the worker's lease was lost while it ran"),
    (ExitCode.INTERRUPTED, "interrupted (Ctrl-C)"),
)
