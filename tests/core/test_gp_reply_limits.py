"""GP's answers are bounded and complete (issue 14 item 10): an answer over the size cap is refused
while it streams (never read whole into memory), and a SOAP answer cut off mid-envelope is a
transient, retried "cut off" error, never "not a GP company this account can use"."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from core.gp.http import GPHttp, TransportFailure
from core.gp.soap import CutOffReply, HttpxTransport
from core.gp.wsdl_cache import WsdlCache

ENVELOPE = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            b'<GetCompanyListResponse xmlns="http://schemas.microsoft.com/dynamics/gp/2010/01">'
            b'<GetCompanyListResult><CompanySummary><Key><Id>1</Id></Key><Name>Fabrikam</Name>'
            b'</CompanySummary></GetCompanyListResult></GetCompanyListResponse></s:Body>'
            b'</s:Envelope>')


class Handler(BaseHTTPRequestHandler):
    sent = 0

    def log_message(self, *_: object) -> None:
        return

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("content-type", "text/xml")
            self.end_headers()  # no length: streamed until the client stops reading
            chunk = b"<x>" + b"a" * 65_530 + b"</x>"
            try:
                for _ in range(80 * 16):  # 80 MB
                    self.wfile.write(chunk)
                    Handler.sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        body = ENVELOPE[: len(ENVELOPE) // 2] if self.path == "/cut" else ENVELOPE
        self.send_response(200)
        self.send_header("content-type", "text/xml")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_answer_over_the_cap_is_refused_while_streaming(server):
    Handler.sent = 0
    http = GPHttp(httpx.Client(timeout=30), "CONTOSO\\svc", max_response_bytes=2 * 1024 * 1024)
    with pytest.raises(TransportFailure, match="larger than 2 MB"):
        http.send("POST", f"{server}/huge", content=b"<q/>")
    assert Handler.sent < 40 * 1024 * 1024  # stopped long before the 80 MB were sent
    assert http.send("POST", f"{server}/ok", content=b"<q/>").response.content == ENVELOPE


def test_a_cut_off_envelope_is_reported_as_cut_off(server, tmp_path):
    transport = HttpxTransport(GPHttp(httpx.Client(timeout=30), "CONTOSO\\svc"),
                               WsdlCache(tmp_path))
    with pytest.raises(CutOffReply):
        transport.post(f"{server}/cut", b"<q/>", {"SOAPAction": '"x/GetCompanyList"'})
    assert transport.post(f"{server}/ok", b"<q/>", {"SOAPAction": "x"}).content == ENVELOPE
