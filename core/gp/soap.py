"""zeep over httpx for GP's Web Services legacy endpoint (SOAP 1.1, NTLM at the HTTP layer).

zeep's own sync transport is built on `requests`; ours posts with the gateway's pooled
`httpx.Client` (one NTLM-authenticated connection) and hands zeep a `requests.Response`, the way
zeep's AsyncTransport converts httpx responses. The service address always comes from
configuration (`create_service(binding, soap_url)`): the WSDL names the server's own host.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.transports import Transport

from core.errors import (
    ConfigError,
    GPError,
    GPRefused,
    GPTransient,
    GPUnknownOutcome,
    gp_unanswered,
)
from core.gp.errors import FaultTranslator, validation_messages
from core.gp.gateway import CompanyInfo, GPUnsupported
from core.gp.http import GPHttp, TransportFailure, failure_to_error, status_error
from core.gp.soap_render import NotPrepared, RequestRenderer
from core.gp.wsdl_cache import WsdlCache, resolve_location
from core.text import plain, unsendable_fields

GP_NS = "http://schemas.microsoft.com/dynamics/gp/2006/01"
DYN_NS = "http://schemas.microsoft.com/dynamics/2006/01"
SEC_NS = "http://schemas.microsoft.com/dynamics/security/2006/01"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA_NS = "http://www.w3.org/2005/08/addressing"

# zeep logs whole SOAP bodies (customers' names, addresses) at DEBUG: never let that through.
logging.getLogger("zeep.transports").setLevel(logging.INFO)
log = logging.getLogger(__name__)

POLICY_TTL_S = 300.0  # how long a read policy is used before GP is asked again
RequestHook = Callable[[str, bytes, float, int], None]  # (operation, body, elapsed ms, status)


class BareResponse(Exception):
    """GP (or something in front of it) answered without a SOAP envelope."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class CutOffReply(Exception):
    """GP's SOAP answer stopped before its envelope closed (a dropped connection, a proxy)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


class HttpxTransport(Transport):
    """zeep Transport whose every byte goes through GPHttp (NTLM, TLS, classification)."""

    def __init__(self, http: GPHttp, cache: WsdlCache) -> None:
        super().__init__(cache=cache)
        self.http = http
        self.hooks: list[RequestHook] = []

    def _load_remote_data(self, url: str) -> bytes:
        sent = self.http.send("GET", url)
        if sent.response.status_code != 200:
            raise status_error(sent.response, write=False, what=f"GET {url}")
        return sent.response.content

    def fetch(self, url: str) -> bytes:
        try:
            return self._load_remote_data(url)
        except TransportFailure as exc:
            raise failure_to_error(exc, write=False, what="loading the WSDL") from None

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> Any:
        body = message.encode("utf-8") if isinstance(message, str) else message
        sent = self.http.send("POST", address, content=body, headers=dict(headers))
        action = headers.get("SOAPAction", "").strip('"').rsplit("/", 1)[-1]
        for hook in self.hooks:
            hook(action, body, sent.elapsed_ms, sent.response.status_code)
        if not sent.response.content.lstrip()[:1] == b"<":
            # No SOAP envelope at all (a bare 500/503, an IIS page): zeep would choke on it.
            raise BareResponse(sent.response)
        if not sent.response.content.rstrip().endswith(b"Envelope>"):
            # Cut off mid-envelope: a half-read list would look like "GP has no such company".
            raise CutOffReply(len(sent.response.content))
        resp = requests.Response()
        resp._content = sent.response.content
        resp.status_code = sent.response.status_code
        resp.headers.update(sent.response.headers)
        resp.encoding = sent.response.encoding
        resp.url = str(sent.response.url)
        return resp

    def get(self, address: str, params: Any, headers: dict[str, str]) -> Any:  # pragma: no cover
        raise GPError("GP SOAP GET is not used")


class Types:
    """Typed zeep objects where the schema needs an xsi:type (abstract Amount, OrganizationKey)."""

    def __init__(self, client: zeep.Client) -> None:
        self._client = client
        self._cache: dict[str, Any] = {}

    def __call__(self, name: str, ns: str = GP_NS) -> Any:
        key = f"{{{ns}}}{name}"
        if key not in self._cache:
            self._cache[key] = self._client.get_type(key)
        return self._cache[key]


class NoAddressing(zeep.Plugin):
    """Drop the WS-Addressing headers zeep adds because the portType carries wsaw:Action.

    The legacy endpoint is a BasicHttpBinding (no addressing); GP's own .NET proxies send none,
    and zeep's wsa:To would carry the WSDL's host name, which is not the configured address.
    """

    def egress(self, envelope: Any, http_headers: Any, operation: Any,
               binding_options: Any) -> tuple[Any, Any]:
        header = envelope.find(f"{{{SOAP_ENV}}}Header")
        if header is not None:
            for el in list(header):
                if isinstance(el.tag, str) and el.tag.startswith(f"{{{WSA_NS}}}"):
                    header.remove(el)
            if len(header) == 0:
                envelope.remove(header)
        return envelope, http_headers


def load_client(location: str, transport: Transport) -> zeep.Client:
    # strict (zeep's default): GP's answers are read as the real WSDL says, never leniently, so
    # a server (or stand-in) that leaves out a required element is an error, not a silent None.
    settings = zeep.Settings(strict=True, xml_huge_tree=True, forbid_dtd=True,
                             forbid_entities=True, forbid_external=True)
    try:
        return zeep.Client(location, transport=transport, settings=settings,
                           plugins=[NoAddressing()])
    except (etree.XMLSyntaxError, zeep.exceptions.Error, ValueError) as exc:
        raise GPError(f"GP's WSDL at {location} cannot be read ({type(exc).__name__}); "
                      "refresh it with `ml-connector check --refresh-wsdl`") from None


def find_binding(client: zeep.Client) -> str:
    """The SOAP 1.1 binding of the legacy endpoint (`LegacyDynamicsGP` in GP's WSDL)."""
    names = [str(q) for q in client.wsdl.bindings]
    for name in names:
        if name.endswith("}LegacyDynamicsGP"):
            return name
    for qname, binding in client.wsdl.bindings.items():
        if type(binding).__name__ == "Soap11Binding":
            return str(qname)
    raise ConfigError("GP's WSDL has no SOAP 1.1 binding: is [gp] soap_url the legacy endpoint "
                      "(.../DynamicsGPWebServices/DynamicsGPService.asmx)?")


class SoapClient:
    """Context, policies, company and the call wrapper every SOAP operation goes through."""

    def __init__(self, http: GPHttp, *, soap_url: str, company: str, cache: WsdlCache,
                 wsdl_override: str = "", refresh_wsdl: bool = False, role: str = "") -> None:
        self.http = http
        self.soap_url = soap_url
        self.company_setting = company.strip()
        self.role = role
        self.transport = HttpxTransport(http, cache)
        location = resolve_location(override=wsdl_override, soap_url=soap_url, cache=cache,
                                    refresh=refresh_wsdl, fetch=self.transport.fetch)
        self.wsdl_location = location
        try:
            self.client = load_client(location, self.transport)
        except TransportFailure as exc:
            raise failure_to_error(exc, write=False, what="loading the WSDL") from None
        self.service = self.client.create_service(find_binding(self.client), soap_url)
        self.t = Types(self.client)
        self._faults = FaultTranslator(
            self._resolve_log, lambda: self._company.name if self._company else "")
        self._policies: dict[str, tuple[float, Any]] = {}  # operation -> (read at, policy)
        self._lock = threading.Lock()
        self._company: CompanyInfo | None = None
        self._renderer = RequestRenderer()

    # --- context -------------------------------------------------------------------------
    def context(self, *, with_company: bool = True) -> Any:
        ctx: dict[str, Any] = {"CurrencyType": "Transactional"}
        if with_company:
            ctx["OrganizationKey"] = self.t("CompanyKey", DYN_NS)(Id=self.company().key)
        if self.role:
            ctx["RoleKey"] = {"Id": self.role}
        return self.t("Context", DYN_NS)(**ctx)

    def companies(self) -> list[CompanyInfo]:
        result = self.call("GetCompanyList", write=False, what="the company list",
                           with_company=False,
                           criteria={"Id": {"From": -32768, "To": 32767}})
        out = []
        for c in _items(result, "Company"):
            key = getattr(getattr(c, "Key", None), "Id", None)
            if key is not None:
                out.append(CompanyInfo(int(key), str(getattr(c, "Name", "") or "").strip()))
        return out

    def company(self) -> CompanyInfo:
        """The configured company, by name (case-insensitive) or numeric id; cached."""
        if self._company is not None:
            return self._company
        wanted = self.company_setting
        if not wanted:
            raise ConfigError("[gp] company is empty: set it to the GP company name (or id)")
        companies = self.companies()
        for c in companies:
            if c.name.lower() == wanted.lower() or str(c.key) == wanted:
                self._company = c
                return c
        names = ", ".join(f"{c.name} ({c.key})" for c in companies) or "none"
        raise ConfigError(f"[gp] company {wanted!r} is not a GP company this account can use; "
                          f"GP lists: {names}")

    def policy(self, operation: str) -> Any:
        """GetPolicyByOperation, re-read every POLICY_TTL_S: every write passes its policy back,
        and an administrator's change (a new policy instance for the role) reaches a running
        worker without a restart."""
        now = time.monotonic()
        with self._lock:
            cached = self._policies.get(operation)
        if cached is not None and now - cached[0] < POLICY_TTL_S:
            return cached[1]
        pol = self.call("GetPolicyByOperation", write=False, what=f"the {operation} policy",
                        operation=operation)
        if pol is None:
            raise GPError(f"GP returned no policy for {operation}")
        with self._lock:
            self._policies[operation] = (now, pol)
        return pol

    # --- calls ---------------------------------------------------------------------------
    def use_company(self, company: CompanyInfo) -> None:
        """Skip the GetCompanyList lookup (the company is already known)."""
        self._company = company

    def call(self, op: str, *, write: bool, what: str, with_company: bool = True,
             policy: bool = False, raw: bool = False, **kwargs: Any) -> Any:
        """Run one operation; every failure comes out as GPError / GPAuthError. `raw`: return
        GP's 200 answer as bytes, unparsed (reads that take a few fields with lxml); a fault
        still goes through zeep's reply processing and raises as it would otherwise."""
        if "context" not in kwargs:
            kwargs["context"] = self.context(with_company=with_company)
        if policy:
            kwargs["policy"] = self.policy(op)
        # WooCommerce text (names, addresses, notes) may carry control characters and escape
        # sequences XML cannot hold: removed by core.text's documented rule, never retried.
        kwargs = plain(kwargs)
        try:
            if raw:
                return self._send_raw(op, kwargs)
            return self._send(op, kwargs)
        except zeep.exceptions.Fault as fault:
            raise self._faults.translate(fault, op=op, write=write, what=what) from None
        except TransportFailure as exc:
            raise failure_to_error(exc, write=write, what=f"{op} for {what}") from None
        except CutOffReply as exc:
            raise gp_unanswered(f"GP's answer to {op} for {what} was cut off after {exc.size} "
                                "bytes (the connection dropped, or a proxy cut it); retrying",
                                write=write) from None
        except BareResponse as exc:
            if exc.response.status_code < 400:
                raise gp_unanswered(f"GP's answer to {op} for {what} is not SOAP",
                                    write=write) from None
            raise status_error(exc.response, write=write, what=f"{op} for {what}") from None
        except zeep.exceptions.TransportError as exc:
            raise _status_to_error(exc, write=write, what=f"{op} for {what}") from None
        except zeep.exceptions.ValidationError as exc:
            # Raised while building the message: nothing was sent; our document is incomplete.
            raise GPRefused(f"{what} cannot be sent to GP: {exc}", messages=[str(exc)]) from None
        except (etree.XMLSyntaxError, zeep.exceptions.XMLParseError) as exc:
            raise gp_unanswered(f"GP's answer to {op} for {what} is not readable XML ({exc})",
                                write=write) from None
        except ValueError as exc:
            # lxml refused to build the message ("All strings must be XML compatible"): nothing
            # was sent, and sending it again cannot help. A refusal naming the field, at once.
            fields = ", ".join(unsendable_fields(kwargs)) or "a value"
            raise GPRefused(f"{what} cannot be sent to GP: {fields} holds characters GP's XML "
                            f"cannot carry ({type(exc).__name__}); correct it in WooCommerce, "
                            "then replay",
                            messages=[f"{fields}: characters XML cannot carry"]) from None

    def _post(self, op: str, kwargs: dict[str, Any]) -> Any:
        """Build `op`'s request (prepared when it can be, else by zeep) and post it; the
        answer as zeep's transport returns it."""
        try:
            getattr(self.service, op)
        except AttributeError:
            raise GPUnsupported(f"this GP server's WSDL offers no {op}") from None
        envelope, headers = self.envelope(op, kwargs)
        return self.client.transport.post_xml(self.service._binding_options["address"],
                                              envelope, headers)

    def envelope(self, op: str, kwargs: dict[str, Any]) -> tuple[Any, dict[str, str]]:
        """(envelope, HTTP headers): the prepared renderer's (core.gp.soap_render), or zeep's
        own with its plugins when the request is outside what that renders."""
        binding = self.service._binding
        try:
            return self._renderer.envelope(binding, op, kwargs)
        except NotPrepared:
            envelope, headers = binding._create(op, (), dict(kwargs), client=self.client,
                                                options=self.service._binding_options)
            return envelope, headers

    def _send(self, op: str, kwargs: dict[str, Any]) -> Any:
        response = self._post(op, kwargs)
        binding = self.service._binding
        return binding.process_reply(self.client, binding.get(op), response)

    def _send_raw(self, op: str, kwargs: dict[str, Any]) -> bytes:
        response = self._post(op, kwargs)
        if response.status_code == 200:
            return bytes(response.content)
        binding = self.service._binding
        binding.process_reply(self.client, binding.get(op), response)  # raises the Fault
        raise zeep.exceptions.TransportError(status_code=response.status_code)

    def message(self, op: str, kwargs: dict[str, Any]) -> Any:
        """The envelope `op` would send (lxml element), built offline by zeep: contract tests."""
        return self.client.create_message(self.service, op, **kwargs)

    def _resolve_log(self, log_id: str) -> list[str]:
        result = self.call("GetLoggedValidationResultByKey", write=False,
                           what=f"validation log {log_id}", logId=log_id)
        return validation_messages(result)


def _status_to_error(exc: zeep.exceptions.TransportError, *, write: bool, what: str) -> GPError:
    code = exc.status_code or 0
    if code >= 500 or code == 0:
        msg = (f"GP answered HTTP {code} without a SOAP answer to {what}")
        if write:
            return GPUnknownOutcome(msg + ": it may or may not have been created; the connector "
                                    "reads GP back before any new attempt", status=code or None)
        return GPTransient(msg, status=code or None)
    if code in (408, 429):
        return GPTransient(f"GP answered HTTP {code} to {what}; will retry", status=code or None)
    return GPError(f"GP answered HTTP {code} to {what}", status=code or None)


def _items(result: Any, name: str) -> list[Any]:
    """Entries of a GP `ArrayOfX` result: zeep gives None for an empty list, an object with
    the entries under `name`, or (for an unwrapped result) the list itself."""
    if result is None:
        return []
    if isinstance(result, list):
        return result
    inner = getattr(result, name, None)
    if inner is None:
        try:
            inner = result[name]
        except (KeyError, TypeError, IndexError):
            return []
    return list(inner or [])
