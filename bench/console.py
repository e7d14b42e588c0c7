"""How the console feels on a big shop: 100,000 orders and 1,000,000 audit events.

    .venv/bin/python bench/console.py [--orders 100000] [--events 1000000] [--db PATH]

Builds the database once (bulk inserts straight through apsw, the audit chain hashed as the real
trail is), then, in a fresh process so its memory is the console's own, opens the console
headless and prints: time to first paint (make_app -> the dashboard showing its figures), the
time a filter keystroke takes to show its results, and peak memory (ru_maxrss).
Targets (DESIGN §6.6): ~1 s to first paint, < 100 ms a keystroke, < 150 MB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STATES = (["posted"] * 80 + ["verified"] * 10 + ["new"] * 3 + ["ready"] * 2 + ["held"] * 3
          + ["failed"] * 1 + ["skipped"] * 1)
REASONS = ["sku", "gl", "customer", "totals"]
METHODS = ["stripe", "paypal", "bacs", "cod"]
FIRST = ["Olivia", "Noah", "Emma", "Liam", "Ava", "Mia", "Lucas", "Amelia", "Ethan", "Harper"]
LAST = ["Hart", "Stone", "Reed", "Frost", "Lane", "Cole", "Price", "Wells", "Shaw", "Moss"]
SKUS = [f"{a}-{b}-{c}" for a in ("TEE", "MUG", "SOCK", "CAP", "BAG") for b in
        ("BLU", "RED", "BLK", "WHT") for c in ("S", "M", "L", "XL")]
T = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def build(path: Path, orders: int, events: int, seed: int = 7) -> None:
    from core.store import audit
    from core.store.db import close_db, init_db

    rng = random.Random(seed)
    db = init_db(path)
    conn = db.connection()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=330) / orders
    t0 = time.perf_counter()
    order_rows, sku_rows = [], []
    for i in range(1, orders + 1):
        created = start + step * i
        state = rng.choice(STATES)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        skus = rng.sample(SKUS, rng.randint(1, 3))
        total = f"{rng.randint(500, 30000) / 100:.2f}"
        payload = {"id": 10000 + i, "number": str(10000 + i), "status": "processing",
                   "total": total, "currency": "USD",
                   "billing": {"first_name": name.split()[0], "last_name": name.split()[1],
                               "email": f"{name.replace(' ', '.').lower()}@example.com",
                               "address_1": f"{i} High Street", "city": "Springfield"},
                   "line_items": [{"id": i * 10 + k, "sku": s, "name": s.title(), "quantity": 1,
                                   "subtotal": total, "total": total} for k, s in enumerate(skus)]}
        posted = state in ("posted", "verified")
        updated = (created + timedelta(minutes=rng.randint(1, 90))).strftime(T)
        order_rows.append((
            i, 10000 + i, str(10000 + i), "processing", f"id:{rng.randint(1, 20000)}", name,
            total, "USD", rng.choice(METHODS), created.strftime(T), json.dumps(payload), state,
            rng.choice(REASONS) if state == "held" else None,
            f"WC{10000 + i}" if posted else None, total if posted else None,
            updated if posted else None, created.strftime(T), updated))
        sku_rows.extend((i, s, s.title()) for s in skus)
    with db.atomic():
        conn.cursor().executemany(
            'INSERT INTO "order" (id, woo_id, number, status, customer_key, customer_name, total,'
            " currency, payment_method, date_created_gmt, payload, state, hold_reason,"
            " gp_doc_number, gp_total, posted_at, created_at, updated_at, attempts)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)", order_rows)
        conn.cursor().executemany(
            "INSERT INTO order_sku (order_id, sku, product_name) VALUES (?,?,?)", sku_rows)
    t1 = time.perf_counter()
    prev = audit.GENESIS
    batch: list[tuple[object, ...]] = []
    kinds = ("received", "mapped", "dedupe", "posted", "verified")
    for n in range(1, events + 1):
        at = (start + step * (n * orders / events)).strftime(T)
        woo = 10000 + max(1, n * orders // events)
        kind = kinds[n % len(kinds)]
        message = f"order {woo} {kind}"
        digest = audit._digest(prev, at, "order", str(woo), kind, "worker@office", message, None)
        batch.append((n, at, "order", str(woo), kind, "worker@office", message, prev, digest))
        prev = digest
        if len(batch) == 50_000 or n == events:
            with db.atomic():
                conn.cursor().executemany(
                    "INSERT INTO audit_event (id, at, entity, entity_id, kind, actor, message,"
                    " data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,NULL,?,?)", batch)
            batch = []
    db.execute_sql("ANALYZE")
    close_db()
    t2 = time.perf_counter()
    print(f"built {orders:,} orders in {t1 - t0:.1f} s and {events:,} audit events in "
          f"{t2 - t1:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")


async def measure(path: Path) -> dict[str, float]:
    from tests.tui.helpers import settle
    from tui.app import make_app
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.orders import OrdersScreen

    marks: dict[str, float] = {}
    shown_dashboard = DashboardScreen.show
    shown_orders = OrdersScreen.show_first

    def dash(self, board):  # type: ignore[no-untyped-def]
        marks.setdefault("dashboard", time.perf_counter())
        shown_dashboard(self, board)

    filters: dict[str, object] = {}

    def orders(self, flt, page):  # type: ignore[no-untyped-def]
        marks[f"orders:{flt}"] = time.perf_counter()
        filters["last"] = flt
        shown_orders(self, flt, page)

    DashboardScreen.show = dash  # type: ignore[method-assign]
    OrdersScreen.show_first = orders  # type: ignore[method-assign]
    t0 = time.perf_counter()
    app = make_app(path, poll_interval=None)
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        out["first paint (s)"] = marks["dashboard"] - t0
        await pilot.press("2")
        await settle(pilot)
        for label, text in (("customer name", "olivia"), ("order number", "10500"),
                            ("sku", "sku:MUG-RED-M"), ("no match (full scan)", "zzz")):
            await pilot.press("slash")
            app.screen.query_one("#text-filter").value = text[:-1]
            await settle(pilot)
            start = time.perf_counter()
            await pilot.press(text[-1])  # the keystroke that completes the filter
            while not any(k.startswith("orders:") and v > start for k, v in marks.items()):
                await pilot.pause()
            done = max(v for k, v in marks.items() if k.startswith("orders:"))
            out[f"keystroke: {label} (ms)"] = (done - start) * 1000
            filters[label] = filters["last"]
            await settle(pilot)
            await pilot.press("escape")
    out["peak memory (MB)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Baseline, same run: the page query alone for each filter (no UI), best of 3. The
    # difference to the keystroke figure is what the console adds on top of SQLite.
    from core import queries
    from core.store.db import database

    with database.connection_context():
        for label, flt in filters.items():
            if label == "last":
                continue
            best = min(_timed(queries.order_page, flt) for _ in range(3))
            out[f"  baseline: query alone, {label} (ms)"] = best * 1000
    return out


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/ml-connector-bench/console.db"))
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        for key, value in asyncio.run(measure(args.db)).items():
            print(f"{key:50} {value:8.1f}")
        return 0
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        build(args.db, args.orders, args.events)
    # A fresh process: its peak memory is the console's, not the builder's.
    return subprocess.call([sys.executable, __file__, "--db", str(args.db), "--measure-only"])


if __name__ == "__main__":
    sys.exit(main())
