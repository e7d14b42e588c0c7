"""No unverified TLS anywhere (reliability.md §8 promise 22, issue 14 "Also"): ruff's S501/S323/S507
run in tests/test_lint.py; this walks every module's syntax tree for what they miss: `verify=`
given a false constant in any call (zeep Transport, a session), `ssl.CERT_NONE`,
`check_hostname = False`, `_create_unverified_context`, `disable_warnings`, `session.verify =
False`, and the environment switches that turn verification off."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["core", "tui", "sandbox", "tests", "bench"]
ENV_SWITCHES = ("PYTHONHTTPSVERIFY", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


def _false(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0, None, "")


def problems_in(source: str, name: str) -> list[str]:
    found = []
    tree = ast.parse(source, name)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.keyword) and node.arg == "verify" and _false(node.value):
            found.append(f"{where}: verify= turned off")
        elif isinstance(node, ast.Attribute) and node.attr in (
                "CERT_NONE", "_create_unverified_context", "disable_warnings"):
            found.append(f"{where}: {node.attr}")
        elif isinstance(node, ast.Assign) and _false(node.value) and any(
                isinstance(t, ast.Attribute) and t.attr in ("verify", "check_hostname")
                for t in node.targets):
            found.append(f"{where}: verification switched off by assignment")
        elif isinstance(node, ast.Constant) and node.value in ENV_SWITCHES:
            found.append(f"{where}: {node.value}")
    return found


def test_no_unverified_tls_anywhere():
    this = Path(__file__).resolve()
    problems = []
    for folder in PATHS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.resolve() == this:
                continue
            problems += problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert problems == []


def test_the_check_catches_each_form():
    bad = """
import ssl, httpx, urllib3
from zeep.transports import Transport
httpx.Client(verify=False)
Transport(session=None, verify=0)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ssl._create_unverified_context()
urllib3.disable_warnings()
session.verify = False
os.environ["PYTHONHTTPSVERIFY"] = "0"
"""
    assert len(problems_in(bad, "bad.py")) == 8
    assert problems_in("httpx.Client(verify=ctx)\nctx.check_hostname = True\n", "ok.py") == []
