"""TCP_NODELAY on both ends of every loopback exchange.

Without it a response written in two pieces (headers, then body) waits for the peer's delayed
ACK: ~40 ms per request. The stand-ins must set it on the connections they accept (asyncio does
so only when the listening socket was made with proto IPPROTO_TCP), and the connector's own httpx
clients must set it on the connections they open (httpcore's sync backend does).
"""
from __future__ import annotations

import logging
import socket
import ssl
from typing import Any

import httpx
import pytest

from core.config import GPSettings
from core.gp.auth import make_client
from core.woo.client import WooClient
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn


def _nodelay(sock: Any) -> bool:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def _accepted(server: Any) -> list[Any]:
    """The server-side sockets of the connections uvicorn holds open right now."""
    socks = [proto.transport.get_extra_info("socket")
             for proto in list(server.server_state.connections)]
    assert socks, "the kept-alive connection should still be open on the server"
    return socks


def _client_socks(client: httpx.Client) -> list[Any]:
    transport = client._transport
    transport = getattr(transport, "inner", transport)  # under the timing wrapper
    pool = transport._pool  # type: ignore[attr-defined]
    socks = [conn._connection._network_stream.get_extra_info("socket")
             for conn in pool.connections if conn._connection is not None]
    assert socks, "the client should keep its connection alive"
    return socks


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory):
    s = WooStandIn(tmp_path_factory.mktemp("shop"), seed=2, https=True, webhook_delay=0)
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gp(tmp_path_factory: pytest.TempPathFactory):
    g = GPStandIn(tmp_path_factory.mktemp("gp"), seed=2)
    g.start()
    yield g
    g.stop()


def test_woo_standin_accepts_connections_with_nodelay(shop: WooStandIn) -> None:
    verify: Any
    for (server, _thread), url, verify in ((shop._servers[0], shop.url, True),
                                           (shop._servers[1], shop.https_url,
                                            ssl.create_default_context(cafile=str(shop.ca_file)))):
        with httpx.Client(verify=verify) as c:
            assert c.get(f"{url}/_sandbox/state").status_code == 200
            assert all(_nodelay(s) for s in _accepted(server)), url


def test_gp_standin_accepts_connections_with_nodelay(gp: GPStandIn) -> None:
    with httpx.Client() as c:
        assert c.get(f"{gp.control_url}/state").status_code == 200
        assert gp._server is not None
        assert all(_nodelay(s) for s in _accepted(gp._server))


@pytest.mark.parametrize("https", [False, True], ids=["http-oauth1", "https-basic"])
def test_woo_client_opens_connections_with_nodelay(shop: WooStandIn, https: bool) -> None:
    url = shop.https_url if https else shop.url
    assert url is not None
    with WooClient(url, shop.consumer_key, shop.consumer_secret,
                   ca_bundle=str(shop.ca_file) if https else "") as client:
        assert client.list_orders(None, per_page=1).total >= 0
        assert all(_nodelay(s) for s in _client_socks(client._http))


def test_gp_client_opens_connections_with_nodelay(gp: GPStandIn) -> None:
    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)  # the allow_http warning
    settings = GPSettings(soap_url=gp.soap_url, user=f"{gp.domain}\\{gp.user}",
                          company=gp.company, allow_http=True, timeout_s=10.0)
    with make_client(settings, gp.password, urls=[gp.soap_url]) as client:
        assert client.get(gp.wsdl_url).status_code == 200  # through the NTLM handshake
        assert all(_nodelay(s) for s in _client_socks(client))
