"""The state store's engines side by side: posting throughput with SQLite and 1 worker process,
PostgreSQL and 1, PostgreSQL and 3, in one run against the same stand-ins.

    .venv/bin/python bench/engines.py [--orders 60] [--concurrency 2] [--median-ms 300]
                                      [--gp-processes 8] [--admin-url postgresql://...]

Each run gets a fresh workspace and state (a state.db, or a fresh database on the PostgreSQL
server), `--orders` new orders taken in as the poller takes them, then N worker processes
(`python -m core.pipeline.cli`, each with `--concurrency` posting threads) started at once and
timed until all of them are idle. GP is the stand-in with a log-normal per-call latency and a
bounded number of service processes (`--median-ms`, `--gp-processes`), as in bench/posting.py.
The wall time includes each process's start (imports, WSDL, NTLM handshake): about 1 s.

PostgreSQL: the server `--admin-url` names (a database per run is created there), else one this
script starts from the `pgserver` wheel (pip install -e '.[test,postgresql]').
"""
from __future__ import annotations

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posting import bench_workspace, control, start_standins  # noqa: E402

from core.config import Settings  # noqa: E402
from core.intake.inbox import accept_order_snapshot  # noqa: E402
from core.store.db import close_db, database, init_db  # noqa: E402
from core.store.models import GpItem, Job, Order  # noqa: E402
from core.woo.client import WooClient  # noqa: E402

SECRETS = {"gp": "BENCH_GP_PASSWORD", "key": "BENCH_WOO_KEY", "secret": "BENCH_WOO_SECRET"}
RUNS = [("sqlite", 1), ("postgresql", 1), ("postgresql", 3)]


def start_postgres() -> tuple[str, Any]:
    """An admin URL of a PostgreSQL this script starts (pgserver), and the server (its folder
    is removed with the run's)."""
    try:
        import pgserver
    except ImportError:
        raise SystemExit("no PostgreSQL: pass --admin-url, or pip install pgserver") from None
    data = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    server = pgserver.get_server(str(data / "data"), cleanup_mode="delete")
    host = server.get_uri().split("host=", 1)[1].split("&")[0]
    return f"postgresql://postgres@/postgres?host={host}", server


def fresh_database(admin_url: str) -> str:
    import psycopg2

    parts = urlsplit(admin_url)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def prepare(info: dict[str, Any], root: Path, location: str | Path, concurrency: int,
            n_orders: int, seen: set[int]) -> int:
    """The run's workspace and state, and `n_orders` new orders taken in (jobs queued)."""
    woo_i = info["woocommerce"]
    bench_workspace(info, root, concurrency, location)
    items = info["items"]
    now = datetime.now(UTC)
    with database.atomic():
        GpItem.insert_many([{"item_number": i, "refreshed_at": now} for i in items]).on_conflict(
            conflict_target=[GpItem.item_number], preserve=[GpItem.refreshed_at]).execute()
    control(woo_i["url"], "activity", {"orders": n_orders})
    woo = WooClient(woo_i["url"], woo_i["consumer_key"], woo_i["consumer_secret"])
    queued = 0
    for payload in woo.iter_orders_modified_since(None):
        if payload["id"] not in seen:
            seen.add(payload["id"])
            queued += accept_order_snapshot(payload, source="bench")
    woo.close()
    close_db()
    return queued


def post(info: dict[str, Any], root: Path, workers: int, concurrency: int) -> float:
    env = dict(os.environ)
    env.pop("ML_CONNECTOR_DATABASE_URL", None)
    env.update({SECRETS["gp"]: info["gp"]["password"],
                SECRETS["key"]: info["woocommerce"]["consumer_key"],
                SECRETS["secret"]: info["woocommerce"]["consumer_secret"]})
    t0 = time.perf_counter()
    procs = [subprocess.Popen(
        [sys.executable, "-m", "core.pipeline.cli", "--workspace", str(root),
         "--gp-password-env", SECRETS["gp"], "--woo-key-env", SECRETS["key"],
         "--woo-secret-env", SECRETS["secret"], "--concurrency", str(concurrency)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(workers)]
    for p in procs:
        _, err = p.communicate(timeout=1800)
        if p.returncode != 0:
            raise SystemExit(f"a worker failed ({p.returncode}): {err[-2000:]}")
    return time.perf_counter() - t0


def standins(args: argparse.Namespace, work: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Fresh stand-ins for one run (the same seeded shop, an empty GP): every run posts the
    same orders into a GP of the same size. GP's item list is read once for the local copy."""
    import logging

    from core.gp.factory import open_gateway

    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)
    proc, info = start_standins()
    gp_i = info["gp"]
    probe = Settings()
    probe.gp.soap_url, probe.gp.company, probe.gp.allow_http = (
        gp_i["soap_url"], gp_i["company"], True)
    probe.gp.user = f"{gp_i['domain']}\\{gp_i['user']}"
    gateway = open_gateway(probe, gp_i["password"], work)
    info["items"] = [str(s.Key.Id).strip() for s in gateway.soap._all_item_summaries()]
    gateway.close()
    control(gp_i["base_url"], "capacity", {"median_ms": args.median_ms, "sigma": 0.4,
                                           "processes": args.gp_processes, "seed": 5})
    return proc, info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=60, help="new orders per run")
    ap.add_argument("--concurrency", type=int, default=2, help="posting threads per process")
    ap.add_argument("--median-ms", type=float, default=300.0, help="GP's median call latency")
    ap.add_argument("--gp-processes", type=int, default=8, help="GP's service processes")
    ap.add_argument("--admin-url", help="a PostgreSQL server's admin URL (default: pgserver)")
    ap.add_argument("--runs", default=",".join(f"{e}:{n}" for e, n in RUNS),
                    help="engine:processes, comma-separated, in order")
    args = ap.parse_args()
    admin, server = (args.admin_url, None) if args.admin_url else start_postgres()
    work = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    print(f"GP {args.median_ms:.0f} ms median per call, {args.gp_processes} service "
          f"processes; the same {args.orders} orders each run, fresh stand-ins each run; "
          f"{args.concurrency} posting threads a worker process")
    try:
        runs = [(e, int(n)) for e, n in (r.split(":") for r in args.runs.split(","))]
        for engine, workers in runs:
            root = Path(tempfile.mkdtemp(prefix=f"{engine}-{workers}-", dir=work))
            location: str | Path = (root / "state.db" if engine == "sqlite"
                                    else fresh_database(admin))
            proc, info = standins(args, root)
            try:
                queued = prepare(info, root, location, args.concurrency, args.orders, set())
                wall = post(info, root, workers, args.concurrency)
            finally:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=30)
            init_db(location)
            verified = Order.select().where(Order.state == "verified").count()
            left = Job.select().where(Job.status.in_(("queued", "leased"))).count()
            close_db()
            print(f"  {engine:10s} {workers} worker process(es): {verified:4d} of {queued} "
                  f"orders verified in {wall:6.2f} s = {verified / wall:6.2f} orders/s"
                  f"{f'  ({left} jobs left!)' if left else ''}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if server is not None:
            server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
