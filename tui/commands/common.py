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
from core.pairs import DEFAULT_PAIR, choose_pair, list_pairs, pair_workspace
from core.secrets.vault import Vault, open_vault
from core.store.db import ensure_db
from core.store.postgres import state_location
from core.text import plain_text

WORKSPACE_ENV = "ML_CONNECTOR_WORKSPACE"
PAIR_ENV = "ML_CONNECTOR_PAIR"

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A usage or set-up problem, said in plain words: `ml-connector <command>: <what to do>`."""

    def __init__(self, message: str, *, command: str | None = None,
                 exit_code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.command = command
        self.code = exit_code  # click's own exit_code is a class constant

    def show(self, file: IO[Any] | None = None) -> None:
        where = f"ml-connector {self.command}" if self.command else "ml-connector"
        # The message may quote remote text (a GP refusal, a product name): plain on screen.
        click.echo(plain_text(f"{where}: {self.format_message()}"), file=file or sys.stderr)


@dataclass
class Place:
    """Where the user said the workspace is (global options), filled as options are parsed."""

    workspace: Path | None = None
    config: Path | None = None
    pair: str | None = None


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
    """--workspace, --config and --pair, for the top-level group (`top=True`, which also reads
    ML_CONNECTOR_WORKSPACE and ML_CONNECTOR_PAIR) and for every command and sub-command."""
    def decorate(f: F) -> F:
        f = click.option(
            "--pair", metavar="NAME", expose_value=False, callback=_remember("pair"),
            envvar=PAIR_ENV if top else None, show_envvar=top,
            help="the shop -> GP company pair to work on (`ml-connector pairs` lists them); "
                 "needed when the workspace holds several")(f)
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


def base_workspace() -> Workspace:
    """The workspace folder the options name (its default pair), existing or not."""
    place = _place()
    return Workspace.from_args(str(place.workspace) if place.workspace else None,
                               str(place.config) if place.config else None)


def asked_pair() -> str | None:
    return _place().pair


def workspace() -> Workspace:
    """The workspace of the pair the options name (the default pair unless --pair NAME),
    whether or not it exists yet (for `init`)."""
    place = _place()
    base = base_workspace()
    if place.pair is None or place.pair == DEFAULT_PAIR:
        return base
    if place.config is not None:
        raise CommandError("--config names the default pair's file; a named pair keeps its "
                           "configuration in its own folder (drop --config or --pair)")
    try:
        return pair_workspace(base, place.pair)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def workspace_exists(ws: Workspace) -> bool:
    return ws.config_path.exists() or ws.db_path.exists()


def workspace_args() -> list[str]:
    """--workspace/--config as given, for a command started for one pair (`worker`)."""
    place = _place()
    args = ["--workspace", str(place.workspace)] if place.workspace is not None else []
    return args + (["--config", str(place.config)] if place.config is not None else [])


def existing_pairs() -> tuple[Workspace, list[str]]:
    """The workspace folder and the pairs a command runs for: the one --pair names, else every
    pair there is (the worker runs them all)."""
    base = base_workspace()
    place = _place()
    if place.pair is None:
        return base, list_pairs(base)
    try:
        name = choose_pair(base, place.pair)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    return base, [name] if name else []


def existing_workspace() -> Workspace:
    """The named pair's workspace (the only pair when --pair is not given); a CommandError
    naming the path when there is none there, or naming the pairs when there are several."""
    place = _place()
    base = base_workspace()
    try:
        name = choose_pair(base, place.pair)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    ws = pair_workspace(base, name) if name else workspace()
    if workspace_exists(ws):
        return ws
    if place.workspace is not None:
        where = f"no workspace at {ws.config_path.parent}"
        how = f"check the path, or create it with `ml-connector init --workspace {place.workspace}`"
    else:
        where = f"no workspace in this user's folders (no {ws.config_path})"
        how = f"run `ml-connector init`, or pass --workspace DIR (or set {WORKSPACE_ENV})"
    raise CommandError(f"{where}: {how}")


def state_of(ws: Workspace, settings: Settings) -> str | Path:
    """Where the workspace keeps its state: its PostgreSQL URL (ML_CONNECTOR_DATABASE_URL, else
    [store] database_url), else its state.db; CommandError when the variable is not a URL."""
    try:
        return state_location(ws.db_path, settings.store.database_url)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def load() -> tuple[Workspace, Settings, Vault]:
    """Workspace, settings and vault (the database opened) for commands that need all three."""
    ws = existing_workspace()
    settings = ws.load()
    where = state_of(ws, settings)
    ensure_db(where, home=ws.db_path)
    return ws, settings, open_vault(ws, at=where)


def open_state() -> tuple[Workspace, Settings]:
    """The workspace's settings and its opened state database (status, reconcile, replay only
    read settings: they default when there is no config file)."""
    ws = existing_workspace()
    settings = ws.load() if ws.config_path.exists() else Settings()
    where = state_of(ws, settings)
    if where == ws.db_path and not ws.db_path.exists():
        raise CommandError(f"no state database at {ws.db_path}: run `ml-connector init` first "
                           "(or pass --workspace DIR)")
    ensure_db(where, home=ws.db_path)
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
