"""Shared bits of the set-up and intake commands: workspace, vault, secret input, the actor.

Secrets come only from the environment, stdin or a no-echo prompt, never from argv (argv is
visible to every user of the machine through the process list).
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from core.config import Settings, Workspace
from core.errors import ConfigError


def actor() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not a reason to fail
        user = "unknown"
    return f"cli:{user}"


def workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.from_args(getattr(args, "workspace", None), getattr(args, "config", None))


def load(args: argparse.Namespace) -> tuple[Workspace, Settings, Any]:
    """Workspace, settings and vault (the database opened) for commands that need all three."""
    from core.secrets.vault import open_vault

    ws = workspace(args)
    settings = ws.load()
    return ws, settings, open_vault(ws)


def interactive() -> bool:
    return sys.stdin.isatty()


def read_secret(label: str, *, env_var: str | None = None, stdin: bool = False,
                prompt: bool = True) -> str | None:
    """A secret from $env_var, one line of stdin, or a no-echo prompt (TTY only)."""
    if env_var:
        value = os.environ.get(env_var, "")
        if not value:
            raise ConfigError(f"the environment variable {env_var} (for the {label}) is empty "
                              "or not set")
        return value
    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise ConfigError(f"expected the {label} as one line on stdin")
        return value
    if prompt and interactive():
        value = getpass.getpass(f"{label}: ")
        return value or None
    return None


def read_plain(label: str, current: str = "") -> str:
    if not interactive():
        return current
    shown = f" [{current}]" if current else ""
    value = input(f"{label}{shown}: ").strip()
    return value or current


def fail(command: str, exc: Exception, code: int = 2) -> int:
    print(f"ml-connector {command}: {exc}", file=sys.stderr)
    return code
