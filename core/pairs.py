"""Pairs: several shop -> GP company links kept in one workspace.

A pair is a workspace of its own: its configuration, state database (queues, lease, schedules,
audit trail) and key. The workspace folder itself is the pair named "default" (the layout every
install had before pairs, unchanged); each further pair lives in `<folder>/pairs/<name>/` with
its own config.toml and state.db, and its key in its own folder under the key home (the key
folder is named after the pair's path, as every workspace's is). Adding a pair creates only that
pair's folder: nothing in another pair is read or written.
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from core.config import Settings, Workspace
from core.errors import ConfigError, ConnectorError
from core.store.postgres import DATABASE_URL_ENV

DEFAULT_PAIR = "default"
PAIRS_FOLDER = "pairs"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def check_pair_name(name: str) -> str:
    """The name as given when it is a usable folder name, else ConfigError saying the rule."""
    if not _NAME.fullmatch(name):
        raise ConfigError(f"the pair name {name!r} must be 1 to 32 lower-case letters, digits, "
                          "'-' or '_', starting with a letter or digit (e.g. retail, wholesale)")
    return name


def pairs_root(base: Workspace) -> Path:
    """The folder holding the named pairs: `pairs/` beside the default pair's state database."""
    return base.db_path.parent / PAIRS_FOLDER


def pair_workspace(base: Workspace, name: str) -> Workspace:
    """The workspace of pair `name` (the default pair is `base` itself)."""
    if name == DEFAULT_PAIR:
        return base
    return dataclasses.replace(Workspace.at(pairs_root(base) / check_pair_name(name)),
                               pair=name)


def _exists(ws: Workspace) -> bool:
    return ws.config_path.exists() or ws.db_path.exists()


def list_pairs(base: Workspace) -> list[str]:
    """The pairs that exist, the default pair first, then the named ones by name."""
    names = [DEFAULT_PAIR] if _exists(base) else []
    root = pairs_root(base)
    if root.is_dir():
        names += sorted(p.name for p in root.iterdir()
                        if p.is_dir() and _NAME.fullmatch(p.name)
                        and _exists(Workspace.at(p)))
    return names


def choose_pair(base: Workspace, asked: str | None) -> str | None:
    """The pair a command works on: the one asked for, else the only one there is. None when
    there is no pair at all; ConfigError (naming them) when the asked one does not exist or there
    are several and none was asked for."""
    names = list_pairs(base)
    if asked is not None:
        check_pair_name(asked)
        if asked not in names:
            have = ", ".join(names) or "none yet"
            raise ConfigError(f"there is no pair {asked!r} in this workspace (pairs: {have}); "
                              f"add it with `ml-connector init --pair {asked}`")
        return asked
    if not names:
        return None
    if len(names) > 1:
        raise ConfigError(f"this workspace holds {len(names)} pairs: {', '.join(names)}; say "
                          "which with --pair NAME (`ml-connector pairs` lists them)")
    return names[0]


def other_pairs(base: Workspace, name: str) -> dict[str, Settings]:
    """The settings of every pair but `name` (a pair whose configuration cannot be read is left
    out: `check` on that pair says what is wrong with it)."""
    found: dict[str, Settings] = {}
    for other in list_pairs(base):
        ws = pair_workspace(base, other)
        if other == name or not ws.config_path.exists():
            continue
        try:
            found[other] = ws.load()
        except ConnectorError:
            continue
    return found


def unused_listen(wanted: str, others: dict[str, Settings]) -> str:
    """`wanted` (HOST:PORT of the webhook receiver) when no other pair listens there, else the
    next port up that none does: two pairs' workers run side by side in one service."""
    taken = {s.worker.listen for s in others.values()}
    host, _, port = wanted.rpartition(":")
    if wanted not in taken or not port.isdigit() or int(port) == 0:
        return wanted
    number = int(port)
    while f"{host}:{number}" in taken and number < 65535:
        number += 1
    return f"{host}:{number}"


def listen_clashes(name: str, settings: Settings, others: dict[str, Settings]) -> list[str]:
    """Addresses pair `name` would listen on that another pair already does: the two workers
    run side by side under `ml-connector worker`, and the second could not start its receiver."""
    problems = []
    for other, theirs in sorted(others.items()):
        for what, mine, their in (
                ("[worker] listen", settings.worker.listen, theirs.worker.listen),
                ("[metrics] listen", settings.metrics.listen, theirs.metrics.listen)):
            if mine and mine == their and not mine.endswith(":0"):
                problems.append(f"pairs {name!r} and {other!r} both have {what} = {mine!r}: "
                                "give each pair its own port")
    return problems


def state_clashes(name: str, settings: Settings, others: dict[str, Settings]) -> list[str]:
    """Why pair `name` would keep its state where another pair does (on PostgreSQL): the two
    would share one job queue, lease and audit trail, and each pair's worker would take the
    other shop's orders for its own. Never allowed, whichever pair came first."""
    problems = []
    if others and os.environ.get(DATABASE_URL_ENV, "").strip():
        problems.append(
            f"{DATABASE_URL_ENV} is set, and it names one database for every pair of this "
            f"workspace ({name!r} and {', '.join(repr(o) for o in sorted(others))}): unset it "
            "and give each pair its own [store] database_url, a database or a schema of its own "
            f"(...?options=-csearch_path%3D{name})")
    mine = settings.store.database_url.strip()
    for other, theirs in sorted(others.items()):
        if mine and mine == theirs.store.database_url.strip():
            problems.append(
                f"pairs {name!r} and {other!r} both have [store] database_url = {mine!r}: they "
                "would share one job queue, lease and audit trail; give each its own database "
                f"or schema (...?options=-csearch_path%3D{name})")
    return problems
