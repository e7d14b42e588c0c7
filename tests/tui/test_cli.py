"""The command line's shared behaviour: global options anywhere, the workspace environment
variable, --version, help on every option, one exit code table, and only `init` creating a
workspace."""
from __future__ import annotations

import importlib
import json
import re
from importlib.metadata import version
from pathlib import Path

import click
import click.testing
import pytest

from core.errors import ConfigError
from core.exit_codes import EXIT_CODE_TABLE
from core.secrets.keys import ENV_VAR
from core.store.db import close_db
from tui.cli import COMMANDS, cli, main
from tui.commands.common import WORKSPACE_ENV

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def ws_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    yield tmp_path / "ws"
    close_db()


def _init(ws_dir: Path) -> None:
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive",
                 "--woo-url", "https://shop.example.com"]) == 0


def _all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(path: str, cmd: click.Command) -> None:
        found.append((path, cmd))
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(f"{path} {name}", sub)

    for name, (module, _) in COMMANDS.items():
        walk(name, importlib.import_module(module).command)
    return found


def test_workspace_is_accepted_before_and_after_the_command(ws_dir, capsys):
    _init(ws_dir)
    capsys.readouterr()
    assert main(["--workspace", str(ws_dir), "status", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["status", "--json", "--workspace", str(ws_dir)]) == 0
    after = json.loads(capsys.readouterr().out)
    assert before["orders"] == after["orders"] == {}
    # Nested sub-commands take it too, and the one after the command wins.
    assert main(["--workspace", str(ws_dir.parent / "elsewhere"), "credentials", "show",
                 "--workspace", str(ws_dir)]) == 0
    assert str(ws_dir / "config.toml") in capsys.readouterr().out


def test_the_environment_names_the_workspace(ws_dir, monkeypatch, capsys):
    _init(ws_dir)
    capsys.readouterr()
    monkeypatch.setenv(WORKSPACE_ENV, str(ws_dir))
    assert main(["audit", "verify"]) == 0
    assert "audit trail intact" in capsys.readouterr().out
    # An explicit option beats the environment.
    assert main(["audit", "verify", "--workspace", str(ws_dir.parent / "typo")]) == 2
    assert "typo" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["status"], ["reconcile", "--from", "2026-11-01", "--to", "2026-11-02"], ["audit", "verify"],
    ["credentials", "show"], ["replay", "--failed"], ["worker", "--once"], ["check"],
    ["backfill", "--since", "2026-11-01"], ["webhooks", "status"],
])
def test_a_mistyped_workspace_is_an_error_naming_it_and_creates_nothing(ws_dir, capsys, argv):
    typo = ws_dir.parent / "wrokspace"
    assert main([*argv, "--workspace", str(typo)]) == 2
    err = capsys.readouterr().err
    assert f"no workspace at {typo}" in err and "ml-connector init" in err
    assert not typo.exists()


def test_a_folder_without_a_workspace_is_refused_too(ws_dir, capsys):
    ws_dir.mkdir()
    assert main(["status", "--workspace", str(ws_dir)]) == 2
    assert f"no workspace at {ws_dir}" in capsys.readouterr().err
    assert list(ws_dir.iterdir()) == []


def test_a_failed_init_leaves_nothing(ws_dir, capsys):
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive",
                 "--woo-url", "https://shop.example.com",
                 "--gp-url", "http://gp.example.com:48620/x.asmx"]) == 2
    assert "plain HTTP" in capsys.readouterr().err
    assert not ws_dir.exists()
    # A folder that existed stays, empty: init removes only what it made.
    ws_dir.mkdir()
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive",
                 "--gp-user", "no-domain"]) == 2
    assert list(ws_dir.iterdir()) == []


def test_version_comes_from_the_package_metadata(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ml-connector {version('ml-connector')}"


def test_usage_errors_exit_2_with_the_command_named(capsys):
    assert main(["reconcile", "--from", "yesterday", "--to", "2026-11-02"]) == 2
    assert "'yesterday' is not a date" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2
    assert main([]) == 2


def test_every_command_and_option_has_help():
    missing = []
    for path, cmd in _all_commands():
        if not (cmd.help or "").strip():
            missing.append(path)
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden and not param.help:
                missing.append(f"{path} {param.opts[0]}")
        if "--workspace" not in {o for p in cmd.params for o in p.opts}:
            missing.append(f"{path}: no --workspace")
    assert missing == []


def test_the_help_lists_every_command_without_importing_them(monkeypatch):
    imported: list[str] = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module",
                        lambda name, *a: imported.append(name) or real(name, *a))
    result = click.testing.CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", result.output, re.M), name
    assert imported == []


def test_readme_has_the_one_exit_code_table():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**Exit codes**"):]
    for code, _meaning in EXIT_CODE_TABLE:
        assert re.search(rf"^\| {int(code)} \|", section, re.M), code


def test_an_init_failing_after_it_began_writing_removes_what_it_made(ws_dir, monkeypatch,
                                                                    capsys):
    def refuse(*_a, **_k):
        raise ConfigError("the disk is full")

    monkeypatch.setattr("tui.commands.init.store_secrets", refuse)
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive"]) == 2
    assert "the disk is full" in capsys.readouterr().err
    assert not ws_dir.exists()
