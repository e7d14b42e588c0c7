"""The systemd units in deploy/ say what the README says: their command lines are ones the CLI
accepts (an unknown option or a command that moved would leave a service that never starts),
the template runs one pair per instance and waits for a lease instead of restarting in a loop."""
from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tui.cli import main

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _service(name: str) -> dict[str, list[str]]:
    """The unit's [Service] keys, each with every value given (systemd allows repeats)."""
    section, out = "", {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


@pytest.mark.parametrize("unit,instance", [("ml-connector.service", None),
                                           ("ml-connector@.service", "wholesale")])
def test_each_units_command_line_is_one_the_cli_accepts(unit, instance, capsys):
    service = _service(unit)
    (exec_start,) = service["ExecStart"]
    if instance:
        exec_start = exec_start.replace("%i", instance)
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/ml-connector")
    # --help after the whole line: click parses every option first, so an option the command
    # does not have fails here (exit 2) instead of in production.
    assert main([*argv[1:], "--help"]) == 0, capsys.readouterr().err
    assert "worker" in argv
    assert service["RestartPreventExitStatus"] == ["2"]
    assert service["KillSignal"] == ["SIGTERM"]


def test_the_template_runs_the_pair_named_by_the_instance_and_waits_for_its_lease():
    (exec_start,) = _service("ml-connector@.service")["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[argv.index("--pair") + 1] == "%i"
    assert "--wait" in argv[argv.index("worker"):]  # a second worker for a pair waits, not exit 3
    assert "--listen" not in argv  # each pair listens on its own [worker] listen
