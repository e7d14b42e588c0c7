"""What every command shares: the global options, the workspace they name, errors and secret input.

`--workspace DIR` and `--config FILE` are accepted before or after the command name
(`ml-connector --workspace X status` and `ml-connector status --workspace X` are the same), and
`ML_CONNECTOR_WORKSPACE` stands in for `--workspace`. Only `init` creates a workspace: every other
command refuses a folder that holds none, naming the path, so a mistyped path is never mistaken
for an empty, healthy workspace.

Secrets come only from the environment, stdin or a no-echo prompt, never from argv (argv is
visible to every user of the machine through the process list).
"""
from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from core.config import Settings, Workspace
from core.errors import ConfigError
from core.exit_codes import ExitCode
from core.secrets.vault import Vault, ensure_db, open_vault

WORKSPACE_ENV = "ML_CONNECTOR_WORKSPACE"

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A usage or set-up problem, said in plain words: `ml-connector <command>: <what to do>`."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, command: str | None = None,
                 exit_code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.command = command
        self.exit_code = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        where = f"ml-connector {self.command}" if self.command else "ml-connector"
        click.echo(f"{where}: {self.format_message()}", file=file or sys.stderr)


@dataclass
class Place:
    """Where the user said the workspace is (global options), filled as options are parsed."""

    workspace: Path | None = None
    config: Path | None = None


def _place() -> Place:
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Place):
        root.obj = Place()
    return root.obj


def _remember(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    # A value given after the command name overrides one given before it (or the environment).
    def callback(_ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            setattr(_place(), attribute, value)
    return callback


def global_options(*, top: bool = False) -> Callable[[F], F]:
    """--workspace and --config, for the top-level group (`top=True`, which also reads
    ML_CONNECTOR_WORKSPACE) and for every command and sub-command."""
    def decorate(f: F) -> F:
        f = click.option(
            "--config", metavar="FILE", expose_value=False, callback=_remember("config"),
            type=click.Path(dir_okay=False, path_type=Path),
            help="the configuration file (TOML), when it is not the workspace's config.toml")(f)
        f = click.option(
            "--workspace", metavar="DIR", expose_value=False, callback=_remember("workspace"),
            envvar=WORKSPACE_ENV if top else None, show_envvar=top,
            type=click.Path(file_okay=False, path_type=Path),
            help="the folder holding configuration, state database and key file (made by "
                 "`init`); default: this user's platform folders")(f)
        return f
    return decorate


def workspace() -> Workspace:
    """The workspace the options name, whether or not it exists yet (for `init`)."""
    place = _place()
    return Workspace.from_args(str(place.workspace) if place.workspace else None,
                               str(place.config) if place.config else None)


def workspace_exists(ws: Workspace) -> bool:
    return ws.config_path.exists() or ws.db_path.exists()


def existing_workspace() -> Workspace:
    """The named workspace; a CommandError naming the path when there is none there."""
    ws = workspace()
    if workspace_exists(ws):
        return ws
    place = _place()
    if place.workspace is not None:
        where = f"no workspace at {ws.config_path.parent}"
        how = f"check the path, or create it with `ml-connector init --workspace {place.workspace}`"
    else:
        where = f"no workspace in this user's folders (no {ws.config_path})"
        how = f"run `ml-connector init`, or pass --workspace DIR (or set {WORKSPACE_ENV})"
    raise CommandError(f"{where}: {how}")


def load() -> tuple[Workspace, Settings, Vault]:
    """Workspace, settings and vault (the database opened) for commands that need all three."""
    ws = existing_workspace()
    settings = ws.load()
    ensure_db(ws.db_path)
    return ws, settings, open_vault(ws)


def open_state() -> tuple[Workspace, Settings]:
    """The workspace's settings and its opened state database (status, reconcile, replay only
    read settings: they default when there is no config file)."""
    ws = existing_workspace()
    if not ws.db_path.exists():
        raise CommandError(f"no state database at {ws.db_path}: run `ml-connector init` first "
                           "(or pass --workspace DIR)")
    settings = ws.load() if ws.config_path.exists() else Settings()
    ensure_db(ws.db_path)
    return ws, settings


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


def named_folder() -> Path | None:
    """The --workspace folder exactly as given (for commands that keep their own files there)."""
    folder = _place().workspace
    return folder.expanduser().resolve() if folder is not None else None
