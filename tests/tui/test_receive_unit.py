"""deploy/ml-connector-receive.service says what the CLI accepts: `ml-connector receive` with
its options (an option that moved would leave a webhook host that never starts)."""
from __future__ import annotations

import shlex

from tests.tui.test_deploy_units import _service
from tui.cli import main


def test_the_receive_units_command_line_is_one_the_cli_accepts(capsys):
    service = _service("ml-connector-receive.service")
    (exec_start,) = service["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/ml-connector") and "receive" in argv
    assert main([*argv[1:], "--help"]) == 0, capsys.readouterr().err
    assert service["RestartPreventExitStatus"] == ["2"]
    assert service["KillSignal"] == ["SIGTERM"]
