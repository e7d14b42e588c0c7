"""Run Python source given as the first argument, with the rest as sys.argv[1:] (a child of
test_power_loss.py, started under the power-cut VFS)."""
from __future__ import annotations

import sys

if __name__ == "__main__":
    code, *rest = sys.argv[1:]
    sys.argv = ["-c", *rest]
    exec(compile(code, "<child>", "exec"), {"__name__": "__main__"})  # noqa: S102 - test code
