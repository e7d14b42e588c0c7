"""The one HTTP channel to GP, shared by the SOAP and SBA routes of a gateway.

Why a lock: NTLM authenticates the TCP connection that carried the handshake. If two threads
shared the pool, httpx could hand the second leg of one handshake to another connection and GP
would answer 401 forever. One exchange at a time per gateway keeps every handshake on one
connection (open one gateway per worker thread for parallel reads); GP itself prefers creates to
be sequential per company (gp.md §20.3).

Why the classification: a request that may have reached GP and committed must never be reported
as "failed" - that is how duplicates are born. Every transport failure says whether the request
can have been delivered (`maybe_sent`), and the caller turns that into `unknown_outcome` for
writes.
"""
from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass

import httpx

from core.errors import GPAuthError, GPError, GPTransient, GPUnknownOutcome


@dataclass
class Sent:
    """What one exchange produced, with its timing (for `check`'s latency figures)."""

    response: httpx.Response
    elapsed_ms: float


class TransportFailure(Exception):
    """The exchange failed below HTTP; `maybe_sent` tells whether GP may have received it."""

    def __init__(self, message: str, *, maybe_sent: bool, transient: bool = True) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent
        self.transient = transient


def _is_tls_trust_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(cur):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


class GPHttp:
    """Serialised access to the pooled client, with failures classified."""

    def __init__(self, client: httpx.Client, user: str) -> None:
        self.client = client
        self.user = user
        self._lock = threading.Lock()

    def send(self, method: str, url: str, *, content: bytes | None = None,
             headers: dict[str, str] | None = None, json: object = None) -> Sent:
        start = time.perf_counter()
        with self._lock:
            try:
                response = self.client.request(method, url, content=content, headers=headers,
                                               json=json)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
                    httpx.UnsupportedProtocol, httpx.ProxyError) as exc:
                if _is_tls_trust_failure(exc):
                    raise TransportFailure(
                        f"GP's TLS certificate at {httpx.URL(url).host} is not trusted: set "
                        "[gp] ca_bundle to the PEM file of the CA that issued it",
                        maybe_sent=False, transient=False) from None
                raise TransportFailure(
                    f"cannot connect to GP at {httpx.URL(url).host}:{httpx.URL(url).port or ''} "
                    f"({type(exc).__name__})", maybe_sent=False) from None
            except httpx.TimeoutException as exc:
                raise TransportFailure(
                    f"GP did not answer in time ({type(exc).__name__})", maybe_sent=True
                ) from None
            except httpx.TransportError as exc:
                raise TransportFailure(
                    f"the connection to GP broke ({type(exc).__name__})", maybe_sent=True
                ) from None
        elapsed = (time.perf_counter() - start) * 1000.0
        if response.status_code == 401:
            raise GPAuthError(
                f"GP refused the Windows account {self.user} (HTTP 401): check [gp] user "
                "(DOMAIN\\user) and the password stored with `ml-connector credentials`, and "
                "that the account may use Dynamics GP Web Services")
        if response.status_code == 403:
            raise GPAuthError(
                f"GP accepted the Windows account {self.user} but refused access (HTTP 403): "
                "its Dynamics GP Web Services role does not allow this")
        return Sent(response, elapsed)


def failure_to_error(exc: TransportFailure, *, write: bool, what: str) -> GPError:
    """Turn a transport failure into the GPError the pipeline acts on."""
    if write and exc.maybe_sent:
        return GPUnknownOutcome(
            f"{exc} while sending {what}: GP may or may not have created it; the connector "
            "reads GP back before any new attempt")
    if exc.transient:
        return GPTransient(f"{exc} ({what})")
    return GPError(f"{exc} ({what})")


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    return None


def status_error(response: httpx.Response, *, write: bool, what: str) -> GPError:
    """An HTTP error status without a SOAP fault (proxy, outage, IIS error page)."""
    code = response.status_code
    wait = retry_after_seconds(response)
    if code >= 500 and write:
        return GPUnknownOutcome(
            f"GP answered HTTP {code} after {what} was sent: it may or may not have been "
            "created; the connector reads GP back before any new attempt", status=code,
            retry_after=wait)
    if code >= 500 or code in (408, 429):
        return GPTransient(f"GP answered HTTP {code} to {what}; will retry", status=code,
                           retry_after=wait)
    return GPError(f"GP answered HTTP {code} to {what}", status=code)
