"""Test support for the GP stand-in: zeep on GP's REAL WSDL over httpx + httpx-ntlm.

The transport is the one gp.md §2.4 sketches: zeep's sync Transport with post() sent through one
pooled httpx.Client carrying NTLM (never requests-ntlm), so the handshake binds to one connection.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import zeep
from httpx_ntlm import HttpNtlmAuth
from zeep.transports import Transport

from sandbox.gp import GPStandIn
from tests.conftest import shared_path

GP = "http://schemas.microsoft.com/dynamics/gp/2006/01"
DYN = "http://schemas.microsoft.com/dynamics/2006/01"


class HttpxTransport(Transport):
    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self.client = client

    def post(self, address: str, message: bytes | str,
             headers: dict[str, str]) -> requests.Response:
        r = self.client.post(address, content=message, headers=headers)
        resp = requests.Response()
        resp._content = r.content
        resp.status_code = r.status_code
        resp.headers.update(r.headers)
        resp.encoding = r.encoding
        return resp

    def load(self, url: str) -> bytes:
        if url.startswith(("http://", "https://")):  # the stand-in serves its WSDL behind NTLM
            r = self.client.get(url)
            r.raise_for_status()
            return r.content
        return super().load(url)


_DOCUMENTS: dict[str, Any] = {}


def _real_wsdl_document(path: Path) -> Any:
    """GP's 1.7 MB WSDL parses in about a second: parse a local file once per process."""
    key = str(path)
    if key not in _DOCUMENTS:
        from zeep.wsdl import Document

        _DOCUMENTS[key] = Document(key, Transport(),
                                   settings=zeep.Settings(strict=True, xml_huge_tree=True))
    return _DOCUMENTS[key]


class SpnegoAuth(httpx.Auth):
    """NTLM through pyspnego with TLS channel bindings (what httpx-ntlm never sends)."""

    def __init__(self, username: str, password: str, cbt_data: bytes | None) -> None:
        self.username, self.password, self.cbt_data = username, password, cbt_data

    def auth_flow(self, request: httpx.Request) -> Any:
        import base64

        import spnego
        from spnego.channel_bindings import GssChannelBindings

        response = yield request
        if response.status_code != 401:
            return
        bindings = (GssChannelBindings(application_data=self.cbt_data)
                    if self.cbt_data is not None else None)
        ctx = spnego.client(self.username, self.password, protocol="ntlm",
                            channel_bindings=bindings)
        request.headers["Authorization"] = "NTLM " + base64.b64encode(ctx.step()).decode()
        response = yield request
        challenge = response.headers.get("www-authenticate", "").split(" ", 1)[-1]
        token = ctx.step(base64.b64decode(challenge))
        request.headers["Authorization"] = "NTLM " + base64.b64encode(token).decode()
        yield request


class GPClient:
    """zeep service bound to a stand-in, plus the Context/Policy plumbing every call needs."""

    def __init__(self, wsdl: Path | str, soap_url: str, username: str, password: str,
                 verify: Any = True, timeout: float = 30.0) -> None:
        self.http = httpx.Client(auth=HttpNtlmAuth(username, password), verify=verify,
                                 timeout=timeout)
        source = wsdl if isinstance(wsdl, str) else _real_wsdl_document(wsdl)
        self.client = zeep.Client(source, transport=HttpxTransport(self.http),
                                  settings=zeep.Settings(strict=True, xml_huge_tree=True))
        self.service = self.client.create_service(f"{{{GP}}}LegacyDynamicsGP", soap_url)
        self.gp = self.client.type_factory(GP)
        self.dyn = self.client.type_factory(DYN)

    def close(self) -> None:
        self.http.close()

    def context(self, company: int | None = -1) -> Any:
        org = self.dyn.CompanyKey(Id=company) if company is not None else None
        return self.dyn.Context(OrganizationKey=org, CurrencyType="Transactional")

    def policy(self, operation: str) -> Any:
        return self.service.GetPolicyByOperation(operation, self.context())

    def money(self, value: str) -> Any:
        return self.gp.MoneyAmount(Value=Decimal(value), DecimalDigits=2, Currency="USD")

    def quantity(self, value: str) -> Any:
        return self.gp.Quantity(Value=Decimal(value), DecimalDigits=0)

    def customer(self, cid: str, name: str = "Test Customer", **extra: Any) -> Any:
        skip = zeep.xsd.SkipValue
        address = self.gp.CustomerAddress(
            Key=self.gp.CustomerAddressKey(CustomerKey=self.gp.CustomerKey(Id=cid), Id="PRIMARY"),
            Line1="1 Test St", City="Portland", State="OR", PostalCode="97205",
            CreatedDate=skip, ModifiedDate=skip)
        return self.gp.Customer(
            Key=self.gp.CustomerKey(Id=cid), Name=name,
            PostResultsTo="Receivables/Discount Account",
            CreatedDate=skip, ModifiedDate=skip, LastModifiedDate=skip,
            DefaultAddressKey=self.gp.CustomerAddressKey(Id="PRIMARY"),
            Addresses=self.gp.ArrayOfCustomerAddress(CustomerAddress=[address]), **extra)

    def invoice(self, number: str, customer: str, lines: list[tuple[str, str, str]], *,
                batch: str = "WEB20240601", po: str = "1001", freight: str = "0",
                total: str | None = None, **extra: Any) -> Any:
        """lines: (item, quantity, unit price). TotalAmount defaults to GP's arithmetic."""
        gp_lines = []
        subtotal = Decimal(0)
        for item, q, price in lines:
            extended = (Decimal(q) * Decimal(price)).quantize(Decimal("0.01"))
            subtotal += extended
            gp_lines.append(self.gp.SalesInvoiceLine(
                ItemKey=self.gp.ItemKey(Id=item), Quantity=self.quantity(q), UofM="Each",
                UnitPrice=self.money(price), TotalAmount=self.money(str(extended))))
        computed = subtotal + Decimal(freight)
        return self.gp.SalesInvoice(
            Key=self.gp.SalesDocumentKey(Id=number),
            DocumentTypeKey=self.gp.SalesDocumentTypeKey(Type="Invoice", Id="STDINV"),
            BatchKey=self.gp.BatchKey(Id=batch, CreatedDateTime=zeep.xsd.SkipValue),
            CustomerKey=self.gp.CustomerKey(Id=customer), CustomerPONumber=po,
            Date=datetime(2024, 6, 1, tzinfo=UTC), FreightAmount=self.money(freight),
            TotalAmount=self.money(total if total is not None else str(computed)),
            Lines=self.gp.ArrayOfSalesInvoiceLine(SalesInvoiceLine=gp_lines), **extra)

    def find_invoice(self, number: str) -> Any:
        state = self.gp.ListRestrictionOfNullableOfSalesTransactionState(
            EqualValue=zeep.xsd.SkipValue, NotEqualValue=zeep.xsd.SkipValue,
            Items=self.gp.ArrayOfSalesTransactionState(SalesTransactionState=["Work", "History"]))
        criteria = self.gp.SalesInvoiceCriteria(
            DocumentId=self.gp.LikeRestrictionOfString(EqualValue=number), TransactionState=state,
            Scope="Return All")
        return self.service.GetSalesInvoiceList(criteria, self.context())


def log_id(fault: zeep.exceptions.Fault) -> str | None:
    """gp.md §20.1: the validation log GUID is the text of a node named Message in <detail>."""
    if fault.detail is None:
        return None
    for el in fault.detail.iter():
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "Message":
            return (el.text or "").strip()
    return None


# The fixtures most GP stand-in tests share (tests/sandbox and tests/contract import them in their
# conftest.py): a configured stand-in under tmp_path, and a strict zeep client over NTLM reading
# either the WSDL the stand-in serves or Microsoft's own (../shared/gp/DynamicsGP.wsdl).
@pytest.fixture
def gp(tmp_path):
    standin = GPStandIn(tmp_path / "gp").start()
    yield standin
    standin.stop()


@pytest.fixture
def client(gp):
    c = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password)
    yield c
    c.close()


@pytest.fixture
def real_wsdl_client(gp):
    c = GPClient(shared_path("gp", "DynamicsGP.wsdl"), gp.soap_url, f"{gp.domain}\\{gp.user}",
                 gp.password)
    yield c
    c.close()
