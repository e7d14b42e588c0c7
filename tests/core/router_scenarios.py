"""What the receiver of every pair promises, written once and run on SQLite (tests/core) and on
PostgreSQL with the pairs as schemas of one database (tests/postgres)."""
from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path

from core.clock import SYSTEM_CLOCK
from core.intake import known_webhooks
from core.intake.router import UNKNOWN_SOURCE
from core.intake.service import IntakeService
from core.intake.spool import spool_dir_for
from core.secrets.keys import key_id
from core.secrets.vault import WEBHOOK_SECRET, open_pair_vault, open_vault
from core.store.db import close_db, init_db
from core.worker.status import webhook_health
from tests.core.router_env import (
    PATH,
    Pair,
    accepted_ids,
    delivery_errors,
    key_texts,
    order_ids,
    post,
    refusals,
    serving,
    signed_headers,
)
from tests.sandbox.demo_support import wait_for
from tui.cli import main as cli_main


def _open(pair: Pair) -> None:
    init_db(pair.location, home=pair.ws.db_path)


def each_pairs_deliveries_land_in_its_own_state_and_become_its_orders(
        folder: Path, pairs: list[Pair]) -> None:
    sent = {p.name: [1000 * (i + 1) + k for k in range(3)] for i, p in enumerate(pairs)}
    with serving(folder) as (http, _router):
        for pair in pairs:
            answers = [post(http, pair, woo_id).status_code for woo_id in sent[pair.name]]
            assert answers == [200, 200, 200]
        for pair in pairs:  # committed before the 200: there at once, and only there
            assert accepted_ids(pair) == sent[pair.name]
        broken = b'{"id": 4242, "status": "processing", '  # signed, but not JSON: alone
        answer = http.post(PATH, content=broken, headers=signed_headers(
            broken, pairs[0].secret, pairs[0].shop + "/"))
        assert answer.status_code == 200
        # The pair's worker (webhooks elsewhere: no receiver of its own, nothing wakes it)
        # turns them into its orders; the last pair's deliveries arrive while it runs.
        for pair in pairs:
            _open(pair)
            intake = IntakeService(pair.ws.load(), open_vault(pair.ws, at=_at(pair)),
                                   SYSTEM_CLOCK, poll=False, webhooks_elsewhere=True)
            intake.start()
            try:
                late = 9000 + len(order_ids(pair))
                began = time.monotonic()
                assert post(http, pair, late).status_code == 200
                expected = set(sent[pair.name]) | {late}
                assert wait_for(lambda p=pair, e=expected: order_ids(p) == e, 30)
                print(f"pair {pair.name}: a routed delivery became an order in "
                      f"{time.monotonic() - began:.2f} s")
            finally:
                intake.stop()
                close_db()
    every = set().union(*(set(s) for s in sent.values()))
    for pair in pairs:  # no order of another shop in any pair
        assert order_ids(pair) & every == set(sent[pair.name])
    assert [error is not None for error in delivery_errors(pairs[0])] == [False] * 3 + [
        True, False]  # the broken one is shown with its error; its neighbours became orders


def _at(pair: Pair) -> str | None:
    return None if isinstance(pair.location, Path) else str(pair.location)


def cross_signed_unknown_and_unsigned_deliveries_are_refused(
        folder: Path, pairs: list[Pair]) -> None:
    first, second = pairs[0], pairs[1]
    _open(second)
    try:
        known_webhooks.remember([55], actor="test")
    finally:
        close_db()
    with serving(folder) as (http, router):
        # signed with the first shop's secret, claiming the second shop as its source
        forged = post(http, second, 1, secret=first.secret)
        assert forged.status_code == 401
        stranger = post(http, first, 2, source="https://stranger.example.test/")
        assert stranger.status_code == 403
        assert stranger.json()["source"] == "https://stranger.example.test/"
        more = [post(http, first, 3 + i, source="https://stranger.example.test/").status_code
                for i in range(5)]
        assert more == [403] * 5
        unsigned = http.post(PATH, content=b'{"id":1}', headers={
            "X-WC-Webhook-Source": second.shop + "/"})
        assert unsigned.status_code == 401
        ping = http.post(PATH, content=b"webhook_id=55", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert ping.status_code == 200  # the second pair knows webhook 55
        stranger_ping = http.post(PATH, content=b"webhook_id=56")
        assert stranger_ping.status_code == 401
        for route in router.routes:
            assert route.receiver.writer.flush()
    for pair in pairs:
        assert accepted_ids(pair) == []
    seen_first = refusals(first)
    unknown = [source for reason, source in seen_first if reason == UNKNOWN_SOURCE]
    assert unknown == ["https://stranger.example.test/"]  # the first of the minute, then
    rolled = [reason for reason, _ in seen_first if reason.startswith(UNKNOWN_SOURCE + ": ")]
    assert rolled and rolled[0].startswith(f"{UNKNOWN_SOURCE}: 5 more refused since")
    assert ("bad signature", second.shop + "/") in refusals(second)
    assert not any(reason == "bad signature" for reason, _ in seen_first)
    _open(first)  # what `ml-connector status` shows the operator for the first pair
    try:
        shown = webhook_health()
    finally:
        close_db()
    assert shown["accepted_24h"] == 0 and shown["rejected_24h"] >= 3
    assert shown["last_refused"].startswith(f"{UNKNOWN_SOURCE}: 5 more refused since")


def deliveries_spooled_while_a_state_is_unavailable_are_imported_after(
        folder: Path, pairs: list[Pair], take: Callable[[], Callable[[], None]],
        blocked: list[Pair]) -> None:
    """`take()` makes the `blocked` pairs' state unavailable and returns what gives it back."""
    sent = {p.name: [5000 + 10 * i + k for k in range(3)] for i, p in enumerate(pairs)}
    with serving(folder, busy_wait_ms=300) as (http, _router):
        give_back = take()
        try:
            for pair in pairs:
                answers = [post(http, pair, woo_id).status_code for woo_id in sent[pair.name]]
                assert answers == [200, 200, 200]  # on disk somewhere before each 200
            health = http.get("/healthz")
            assert health.status_code == 503
            assert http.get("/livez").status_code == 200  # a load balancer keeps sending
            for pair in blocked:
                assert health.json()["pairs"][pair.name]["spooled"] == 3
                assert len(list(spool_dir_for(pair.ws.db_path).glob("*.delivery"))) == 3
        finally:
            give_back()
        assert wait_for(lambda: http.get("/healthz").status_code == 200, 30)
    for pair in pairs:
        assert accepted_ids(pair) == sent[pair.name]  # every one, in order, in its own pair
        assert not list(spool_dir_for(pair.ws.db_path).glob("*.delivery"))


def rotating_one_pairs_key_leaves_the_others_and_no_key_is_in_a_database(
        folder: Path, pairs: list[Pair], dump: Callable[[Pair], bytes]) -> None:
    """`dump(pair)`: everything the pair's database holds, as bytes to search."""
    first, others = pairs[0], pairs[1:]
    before = {p.name: key_texts(p) for p in pairs}
    with serving(folder) as (http, _router):
        assert post(http, first, 1).status_code == 200
        assert cli_main(["--workspace", str(folder), "--pair", first.name, "credentials",
                         "rotate-key"]) == 0
        close_db()
        after = key_texts(first)
        assert key_id(after[0]) != key_id(before[first.name][0]) and len(after) == 1
        for pair in others:  # untouched, and their secrets decrypt with their own key
            assert key_texts(pair) == before[pair.name]
            db = pair.open()
            try:
                assert open_pair_vault(pair.ws, db).get(WEBHOOK_SECRET) == pair.secret
            finally:
                db.close()
            assert post(http, pair, 2).status_code == 200
        # the rotated pair: its secret decrypts with the new key; the running receiver still
        # verifies, and a secret set after the rotation is read with the new key
        db = first.open()
        try:
            assert open_pair_vault(first.ws, db).get(WEBHOOK_SECRET) == first.secret
        finally:
            db.close()
        assert post(http, first, 3).status_code == 200
        _open(first)
        try:
            open_vault(first.ws, at=_at(first)).set(WEBHOOK_SECRET, "Rotated-Secret-0123456789",
                                                     "test")
        finally:
            close_db()
        assert post(http, first, 4, secret="Rotated-Secret-0123456789").status_code == 200
    assert accepted_ids(first) == [1, 3, 4]
    for pair in pairs:
        held = dump(pair)
        assert key_id(key_texts(pair)[0]).encode() in held  # the dump does read the secrets
        for key in before[pair.name] + key_texts(pair):
            assert key not in held
            assert base64.urlsafe_b64decode(key) not in held


__all__ = [
    "cross_signed_unknown_and_unsigned_deliveries_are_refused",
    "deliveries_spooled_while_a_state_is_unavailable_are_imported_after",
    "each_pairs_deliveries_land_in_its_own_state_and_become_its_orders",
    "rotating_one_pairs_key_leaves_the_others_and_no_key_is_in_a_database",
]
