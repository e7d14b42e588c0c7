"""Idle worker: what a worker costs the office server while the shop is quiet.

    .venv/bin/python bench/idle_worker.py [--seconds 300] [--warmup 40]

Starts both stand-ins (in their own process), a workspace, and a real headless worker process
(`ml-connector worker`, webhooks on, product sync on). After its first passes (`--warmup`), it
measures the worker's RSS and the CPU seconds it uses over `--seconds` idle seconds. The same-run
baseline is a bare Python process that imports the same modules and sleeps: what is left over is
the worker's own idle work (heartbeats, schedule checks, queue looks, alert checks).
Goal (issue 16): <= 100 MB RSS and <= 0.1 % of one core.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.demo.setup import DemoEndpoints, prepare_workspace  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
BASELINE = ("import time, core.worker.service, core.worker.components, core.intake.service, "
            "core.pipeline.runner, core.products.sync, core.gp.factory; time.sleep(10**6)")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(pids: dict[str, int], seconds: float) -> dict[str, tuple[float, float]]:
    start = {name: cpu_seconds(pid) for name, pid in pids.items()}
    time.sleep(seconds)
    return {name: (cpu_seconds(pid) - start[name], rss_mb(pid)) for name, pid in pids.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=300.0, help="idle window measured")
    ap.add_argument("--warmup", type=float, default=40.0, help="first passes before measuring")
    args = ap.parse_args()
    stand = subprocess.Popen([sys.executable, str(ROOT / "bench" / "posting.py"), "--serve"],
                             cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert stand.stdout is not None
    info = json.loads(stand.stdout.readline())
    root = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    woo, gp = info["woocommerce"], info["gp"]
    ep = DemoEndpoints(woo_url=woo["url"], woo_key=woo["consumer_key"],
                       woo_secret=woo["consumer_secret"], gp_soap_url=gp["soap_url"],
                       gp_user=f"{gp['domain']}\\{gp['user']}", gp_password=gp["password"],
                       gp_company=gp["company"])
    ws, _ = prepare_workspace(root / "ws", ep)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    worker = subprocess.Popen([sys.executable, "-m", "tui.cli", "--workspace", str(root / "ws"),
                               "worker", "--listen", "127.0.0.1:0"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = subprocess.Popen([sys.executable, "-c", BASELINE], cwd=ROOT, env=env)
    try:
        time.sleep(args.warmup)
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode} during warm-up")
        got = measure({"worker": worker.pid, "baseline": base.pid}, args.seconds)
    finally:
        for p in (worker, base):
            p.terminate()
        worker.wait(30)
        base.wait(30)
        if stand.stdin:
            stand.stdin.close()
        stand.wait(30)
    cpu, rss = got["worker"]
    bcpu, brss = got["baseline"]
    print(f"Idle worker over {args.seconds:.0f} s after a {args.warmup:.0f} s warm-up "
          f"(workspace {ws.config_path.parent}):")
    print(f"  worker     RSS {rss:6.1f} MB   CPU {cpu:6.2f} s = {100 * cpu / args.seconds:5.2f} %"
          " of one core")
    print(f"  baseline   RSS {brss:6.1f} MB   CPU {bcpu:6.2f} s = "
          f"{100 * bcpu / args.seconds:5.2f} %  (bare Python, same imports, asleep)")
    print(f"  the worker's own idle work: {rss - brss:+.1f} MB, "
          f"{100 * (cpu - bcpu) / args.seconds:.2f} % of one core  (goal <= 100 MB RSS, "
          "<= 0.1 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
