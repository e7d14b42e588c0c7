"""The worker starts while GP is down: it says so, keeps intake running, retries GP with backoff,
then posts what waited, with [posting] concurrency GP connections (one per posting thread)."""
from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from core.store.db import close_db
from core.store.models import Job, Order
from core.worker import gp_link
from core.worker.components import Components, build_components
from core.worker.options import WorkerOptions
from core.worker.service import Worker
from tests.ports import port_for_later
from tests.sandbox.demo_support import wait_for
from tui.demo.setup import DemoEndpoints, prepare_workspace


class _Lines(logging.Handler):
    def __init__(self, needle: str) -> None:
        super().__init__(logging.INFO)
        self.needle = needle
        self.seen = threading.Event()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        self.messages.append(msg)
        if self.needle in msg:
            self.seen.set()


@pytest.fixture
def stand_ins(tmp_path):
    from sandbox.gp import GPStandIn
    from sandbox.woo import WooStandIn

    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)  # the allow_http warning
    shop = WooStandIn(tmp_path / "woo", seed=5, orders=0, webhook_delay=0)
    shop.start()
    gp = GPStandIn(tmp_path / "gp", seed=5)  # not started: GP is down
    yield shop, gp
    shop.stop()
    gp.stop()
    close_db()


def test_worker_waits_for_gp_then_posts_in_parallel(tmp_path, stand_ins, monkeypatch,
                                                    caplog) -> None:
    shop, gp = stand_ins
    monkeypatch.setattr(gp_link, "RETRY_FIRST_S", 0.2)
    monkeypatch.setattr(gp_link, "RETRY_MAX_S", 0.4)
    port = port_for_later()
    url = f"http://127.0.0.1:{port}/DynamicsGPWebServices/DynamicsGPService.asmx"
    ep = DemoEndpoints(woo_url=shop.url, woo_key=shop.consumer_key,
                       woo_secret=shop.consumer_secret, gp_soap_url=url,
                       gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password,
                       gp_company=gp.company)
    ws, settings = prepare_workspace(tmp_path / "ws", ep)
    settings.posting.concurrency = 4
    settings.gp.timeout_s = 5.0
    built: list[Components] = []

    def build(*args: Any, **kw: Any) -> Components:
        built.append(build_components(*args, **kw))
        return built[-1]

    caplog.set_level(logging.INFO, logger="ml_connector.worker")
    lines = _Lines("GP is not reachable at")
    logger = logging.getLogger("ml_connector.worker")
    logger.addHandler(lines)
    worker = Worker(ws, settings, WorkerOptions(receiver=False, products=False,
                                                watch_config=False), components=build)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(worker.run()), daemon=True)
    thread.start()
    try:
        assert worker.started.wait(30), f"the worker did not start (exit {codes})"
        assert lines.seen.wait(30)
        warning = next(m for m in lines.messages if "GP is not reachable at" in m)
        assert url in warning and "retrying in" in warning
        # Intake runs without GP: new orders are polled, recorded and queued for posting.
        import httpx

        httpx.post(f"{shop.url}/_sandbox/activity", json={"orders": 12},
                   timeout=30).raise_for_status()
        worker.polled.clear()
        assert worker.polled.wait(30)
        assert wait_for(lambda: Order.select().count() == 12, timeout_s=30), (
            worker.state.last_poll_error, worker.state.last_poll_orders, Order.select().count())
        assert thread.is_alive() and not codes
        assert Job.select().where(Job.status == "queued").count() > 0
        assert not Order.select().where(Order.state.in_(("posted", "verified"))).exists()
        link = built[0].gp_link
        assert link is not None and not link.opened.is_set() and link.failures >= 1

        gp.start(port=port)  # GP comes up
        assert link.opened.wait(30), link.last_error
        worker.wake()

        def everything_posted() -> bool:
            waiting = Job.select().where(Job.status.in_(("queued", "leased"))).count()
            return waiting == 0 and Order.select().where(
                Order.state.in_(("posted", "verified"))).exists()

        assert wait_for(everything_posted, timeout_s=60)
        assert gp.state()["invoices"], "invoices reached GP"
        # A GP connection per posting thread: the first one plus concurrency - 1 more.
        assert link.extra_opened == settings.posting.concurrency - 1
        assert any("GP is reachable at" in m for m in lines.messages)
    finally:
        logger.removeHandler(lines)
        worker.request_stop("test over")
        thread.join(30)
    assert codes == [0]
