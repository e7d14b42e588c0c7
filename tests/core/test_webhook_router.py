"""The receiver of every pair on SQLite (issue 18): three pairs, each its own shop URL, webhook
secret, key and state.db; one receiver over real loopback HTTP routes each delivery by its
X-WC-Webhook-Source, verifies it with that pair's secrets only and commits it in that pair's
state before the 200 (or spools it beside that pair's state.db while it is locked)."""
from __future__ import annotations

import apsw
import pytest

from core.config import KEY_HOME_ENV, Workspace
from core.errors import ConfigError
from core.intake import router as router_module
from core.intake.router import open_router
from core.secrets.keys import ENV_VAR, pair_key_var
from tests.core import router_scenarios as scenario
from tests.core.router_env import Pair, accepted_ids, key_texts, make_pair, post, serving

SHOPS = {"default": "https://retail.example.test", "wholesale": "https://Wholesale.example.test",
         "outlet": "https://outlet.example.test/shop"}


@pytest.fixture
def pairs(tmp_path, monkeypatch) -> list[Pair]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return [make_pair(tmp_path / "ws", name, shop, f"Secret-of-{name}-0123456789")
            for name, shop in SHOPS.items()]


def test_each_pairs_deliveries_land_in_its_own_state_and_become_its_orders(tmp_path, pairs):
    scenario.each_pairs_deliveries_land_in_its_own_state_and_become_its_orders(
        tmp_path / "ws", pairs)


def test_cross_signed_unknown_and_unsigned_deliveries_are_refused(tmp_path, pairs):
    scenario.cross_signed_unknown_and_unsigned_deliveries_are_refused(tmp_path / "ws", pairs)


def test_a_locked_pair_state_spools_its_deliveries_the_others_are_stored_at_once(tmp_path,
                                                                                 pairs):
    locked = pairs[1]

    def take():
        holder = apsw.Connection(str(locked.ws.db_path))
        holder.execute("BEGIN IMMEDIATE")  # another process's long write: the lock is taken

        def give_back() -> None:
            holder.execute("ROLLBACK")
            holder.close()
        return give_back

    scenario.deliveries_spooled_while_a_state_is_unavailable_are_imported_after(
        tmp_path / "ws", pairs, take, [locked])


def test_rotating_one_pairs_key_leaves_the_others_and_no_key_is_in_a_state_file(tmp_path,
                                                                                pairs):
    def dump(pair: Pair) -> bytes:
        files = [pair.ws.db_path.with_name(pair.ws.db_path.name + suffix)
                 for suffix in ("", "-wal", "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())

    scenario.rotating_one_pairs_key_leaves_the_others_and_no_key_is_in_a_database(
        tmp_path / "ws", pairs, dump)


def test_a_host_with_each_pairs_key_in_the_environment_and_no_key_folder_receives_for_all(
        tmp_path, pairs, monkeypatch):
    keys = {p.name: key_texts(p)[0].decode() for p in pairs}
    monkeypatch.setenv(KEY_HOME_ENV, str(tmp_path / "another-host-keys"))  # no key folder here
    monkeypatch.setenv(ENV_VAR, keys["default"])
    monkeypatch.setenv(pair_key_var("wholesale"), keys["wholesale"])
    monkeypatch.setenv(pair_key_var("outlet"), keys["outlet"])
    with serving(tmp_path / "ws") as (http, _router):
        assert [post(http, p, 60 + n).status_code for n, p in enumerate(pairs)] == [200] * 3
    assert [accepted_ids(p) for p in pairs] == [[60], [61], [62]]
    # A pair whose own key is missing is never read with another pair's key: it is left out,
    # said in /healthz, its shop answered 503; the others are served; its key back, it is too.
    monkeypatch.delenv(pair_key_var("outlet"))
    monkeypatch.setattr(router_module, "LOOK_FOR_PAIRS_S", 0.0)
    with serving(tmp_path / "ws") as (http, router):
        assert [r.name for r in router.routes] == ["default", "wholesale"]
        health = http.get("/healthz")
        assert health.status_code == 503
        assert "cannot be decrypted" in health.json()["pairs"]["outlet"]["cannot_receive"]
        assert post(http, pairs[2], 70).status_code == 503
        assert post(http, pairs[1], 71).status_code == 200
        monkeypatch.setenv(pair_key_var("outlet"), keys["outlet"])
        assert post(http, pairs[2], 72).status_code == 200
        assert http.get("/healthz").status_code == 200
    assert [accepted_ids(p) for p in pairs] == [[60], [61, 71], [62, 72]]
    # No pair able to receive: the start fails with the first one's reason.
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.delenv(pair_key_var("wholesale"))
    monkeypatch.delenv(pair_key_var("outlet"))
    with pytest.raises(ConfigError, match="no encryption key"):
        open_router(Workspace.at(tmp_path / "ws"))


def test_a_pair_added_while_the_receiver_runs_is_received_for_without_a_restart(tmp_path,
                                                                                pairs):
    folder = tmp_path / "ws"
    with serving(folder) as (http, router):
        assert post(http, pairs[0], 1).status_code == 200
        late = make_pair(folder, "late", "https://late.example.test", "Secret-of-late-012345")
        assert post(http, late, 2).status_code == 200  # looked for pairs added since: found
        assert [r.name for r in router.routes][-1] == "late"
        stranger = post(http, late, 3, source="https://stranger.example.test/")
        assert stranger.status_code == 403  # and no new look within LOOK_FOR_PAIRS_S
    assert accepted_ids(late) == [2]
    assert accepted_ids(pairs[0]) == [1]


def test_two_pairs_on_one_shop_each_get_the_deliveries_their_own_secret_signed(tmp_path,
                                                                              monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    folder = tmp_path / "ws"
    usd = make_pair(folder, "default", "https://one.example.test", "Secret-usd-0123456789")
    eur = make_pair(folder, "eur", "https://one.example.test", "Secret-eur-0123456789")
    with serving(folder) as (http, _router):
        assert post(http, usd, 1).status_code == 200
        assert post(http, eur, 2).status_code == 200
        assert post(http, eur, 3, secret="Secret-of-nobody-0123").status_code == 401
    assert accepted_ids(usd) == [1] and accepted_ids(eur) == [2]
