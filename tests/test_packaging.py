"""What the distribution declares matches what the code imports, and the server constraints
pin every runtime dependency."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"spnego": "pyspnego", "httpx_ntlm": "httpx-ntlm", "playhouse": "peewee"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    return {_name(r) for r in PROJECT["dependencies"]}


def _optional() -> set[str]:
    """Real optional dependencies (extras other than the test tools), imported under a guard."""
    extras = PROJECT.get("optional-dependencies", {})
    return {_name(r) for name, reqs in extras.items() if name not in ("test", "dev")
            for r in reqs}


def _imported_by_the_code() -> set[str]:
    found: set[str] = set()
    for package in ("core", "tui", "sandbox"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    local = {"core", "tui", "sandbox"}
    return {DISTRIBUTIONS.get(m, m).lower().replace("_", "-") for m in found
            if m not in local and m not in sys.stdlib_module_names and m != "__future__"}


def test_every_imported_package_is_declared_and_every_declared_one_is_used():
    imported, declared = _imported_by_the_code(), _declared()
    assert imported - declared - _optional() == set(), "imported but not declared"
    assert declared - imported == set(), "declared but never imported"


def test_constraints_pin_every_runtime_dependency():
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pinned = {_name(line) for line in lines if line and not line.startswith("#")}
    assert all("==" in line for line in lines if line and not line.startswith("#"))
    assert _declared() - pinned == set()
