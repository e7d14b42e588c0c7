"""OAuth 1.0a, one-legged, as WooCommerce checks it over plain HTTP.

Over plain HTTP WordPress ignores Basic credentials; only a signed request works. The parameters
travel in an `Authorization: OAuth ...` header, never in the query string, so the consumer key
does not end up in `Link` URLs or access logs. Every request (every retry, every page) is signed
afresh with a new nonce: the server refuses a nonce it has seen within 15 minutes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Generator, Iterable
from urllib.parse import quote

import httpx

SIGNATURE_METHODS = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA1": hashlib.sha1}


def _enc(text: str) -> str:
    """RFC 3986 percent-encoding, like PHP's rawurlencode."""
    return quote(text, safe="-._~")


def base_string(method: str, base_url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature base string: pairs sorted by raw key (then value), each pair encoded again
    as a whole and joined with a literal %26, exactly as WooCommerce rebuilds it."""
    pairs = sorted(params)
    joined = "%26".join(_enc(_enc(k) + "=" + _enc(v)) for k, v in pairs)
    return f"{method.upper()}&{_enc(base_url)}&{joined}"


def signature(method: str, base_url: str, params: Iterable[tuple[str, str]],
              consumer_secret: str, sig_method: str = "HMAC-SHA256") -> str:
    algo = SIGNATURE_METHODS[sig_method]
    text = base_string(method, base_url, params)
    mac = hmac.new((consumer_secret + "&").encode(), text.encode(), algo).digest()
    return base64.b64encode(mac).decode()


def oauth_params(consumer_key: str, *, timestamp: int, nonce: str,
                 sig_method: str = "HMAC-SHA256") -> dict[str, str]:
    return {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce,
        "oauth_signature_method": sig_method,
        "oauth_timestamp": str(timestamp),
    }


def authorization_header(params: dict[str, str]) -> str:
    return "OAuth " + ", ".join(f'{_enc(k)}="{_enc(v)}"' for k, v in sorted(params.items()))


class OAuth1Auth(httpx.Auth):
    """httpx auth flow that signs each request just before it is sent."""

    requires_request_body = True

    def __init__(self, consumer_key: str, consumer_secret: str, *,
                 now: Callable[[], float], sig_method: str = "HMAC-SHA256") -> None:
        self._key = consumer_key
        self._secret = consumer_secret
        self._now = now
        self._sig_method = sig_method

    def __repr__(self) -> str:
        return "OAuth1Auth(****)"

    def sign(self, request: httpx.Request) -> None:
        url = request.url
        base_url = str(url.copy_with(query=None, fragment=None))
        params = list(url.params.multi_items())
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            # Form fields are signed too (JSON bodies are not).
            params += list(httpx.QueryParams(request.content.decode()).multi_items())
        oauth = oauth_params(self._key, timestamp=int(self._now()), nonce=secrets.token_hex(16),
                             sig_method=self._sig_method)
        oauth["oauth_signature"] = signature(request.method, base_url,
                                             params + list(oauth.items()), self._secret,
                                             self._sig_method)
        request.headers["Authorization"] = authorization_header(oauth)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request
