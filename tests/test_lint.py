"""The linters are part of the suite, so CI fails on a style or type error like on a test.

ruff reads [tool.ruff] and mypy reads [tool.mypy] from pyproject.toml. Both come with the
`test` extra; without them the test skips and says how to install them.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF_PATHS = ["core", "tui", "sandbox", "tests", "bench"]


def _run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]' brings it)")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)


def test_ruff_is_clean(tmp_path: Path) -> None:
    done = _run_tool("ruff", "check", "--cache-dir", str(tmp_path / "ruff"), *RUFF_PATHS)
    assert done.returncode == 0, f"ruff check found problems:\n{done.stdout}{done.stderr}"


def test_mypy_core_and_tui_are_clean(tmp_path: Path) -> None:
    # A cache under tmp_path: runs never share or leave state (a cold run takes a few seconds).
    # tui imports the stand-ins (demo, sandbox), so mypy follows into sandbox/ as well.
    done = _run_tool("mypy", "--cache-dir", str(tmp_path / "mypy"), "core", "tui")
    assert done.returncode == 0, f"mypy core tui found problems:\n{done.stdout}{done.stderr}"
    assert "Success" in done.stdout


def test_ruff_checks_complexity() -> None:
    """C90 stays selected: the complexity limit is part of the style, not a suggestion."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"C90"' in text and "max-complexity = 15" in text
