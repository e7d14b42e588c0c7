"""Run a module as `__main__` with the power-cut VFS as SQLite's default (child processes of
test_power_loss.py): `python -m tests.reliability.powercut_run CUT_AT SEED LOG module args...`."""
from __future__ import annotations

import runpy
import sys

from tests.reliability.powercut_vfs import install

if __name__ == "__main__":
    cut_at, seed, log, module, *args = sys.argv[1:]
    install(int(cut_at), int(seed), log or None)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
