"""WooCommerce REST authentication, as `WC_REST_Authentication` does it.

Over HTTPS: HTTP Basic, else `consumer_key`/`consumer_secret` in the query string. Over plain
HTTP those are ignored and only OAuth 1.0a (one-legged, HMAC-SHA1/SHA256, ±15 min timestamp,
nonce remembered per key *keyed by timestamp*) is tried. An unknown Basic key is "not
authenticated" (cannot_view), a known key with a wrong secret is an authentication error.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, unquote_plus

from sandbox.woo.errors import ApiError

WINDOW = 15 * 60
_OAUTH_REQUIRED = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature",
                   "oauth_signature_method")
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')
Params = dict[str, "str | dict[str, str]"]


@dataclass
class ApiKey:
    consumer_key: str
    consumer_secret: str
    permissions: str            # read | write | read_write
    user_id: int = 1
    nonces: dict[int, str] = field(default_factory=dict)


def auth_error(message: str) -> ApiError:
    return ApiError(401, "woocommerce_rest_authentication_error", message)


def enc(s: str) -> str:
    """`wc_rest_urlencode_rfc3986`: PHP rawurlencode (RFC 3986 unreserved kept)."""
    return quote(s, safe="-._~")


def signature_base_string(method: str, base_url: str, params: Params) -> str:
    """The string WooCommerce signs; `params` excludes oauth_signature, values decoded.

    Keys are sorted by raw key (strcmp); each `key=value` is rawurlencoded once per part and
    then once more as a whole (`join_with_equals_sign`), so reserved characters end up double
    encoded; array values sign as `key%255B0%255D%3D...`.
    """
    pairs: list[str] = []
    for k in sorted(params):
        v = params[k]
        if isinstance(v, dict):
            for ik, iv in v.items():
                pairs.append(enc(f"{enc(k)}%5B{enc(ik)}%5D={enc(iv)}"))
        else:
            pairs.append(enc(f"{enc(k)}={enc(v)}"))
    return f"{method.upper()}&{enc(base_url)}&{'%26'.join(pairs)}"


def sign(method: str, base_url: str, params: Params, consumer_secret: str,
         signature_method: str = "HMAC-SHA256") -> str:
    base = signature_base_string(method, base_url, params)
    algo = hashlib.sha1 if signature_method == "HMAC-SHA1" else hashlib.sha256
    mac = hmac.new(f"{consumer_secret}&".encode(), base.encode(), algo).digest()
    return base64.b64encode(mac).decode()


def parse_php_params(pairs: list[tuple[str, str]]) -> Params:
    """$_GET semantics: `a[]=x&a[]=y` and `a[0]=x` become arrays; a later scalar wins."""
    out: Params = {}
    for k, v in pairs:
        m = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", k)
        if m:
            name, idx = m.group(1), m.group(2)
            cur = out.get(name)
            arr = cur if isinstance(cur, dict) else {}
            arr[idx if idx else str(len(arr))] = v
            out[name] = arr
        else:
            out[k] = v
    return out


class Authenticator:
    def __init__(self, keys: list[ApiKey], clock: Callable[[], float]) -> None:
        self.keys = {k.consumer_key: k for k in keys}
        self.clock = clock  # unix seconds, injectable so the recorded vectors' 2026 dates pass

    def authenticate(self, *, method: str, https: bool, base_url: str,
                     query: Params, form: Params, authorization: str,
                     ) -> tuple[ApiKey | None, ApiError | None]:
        error: ApiError | None = None
        if https:
            ck, cs = self._basic(authorization, query)
            if ck:
                key = self.keys.get(ck)
                if key is not None:
                    if hmac.compare_digest(key.consumer_secret.encode(), cs.encode()):
                        return self._check_permissions(key, method)
                    error = auth_error("Consumer secret is invalid.")
        params = self._oauth_params(query, form, authorization)
        if params:
            missing = [n for n in _OAUTH_REQUIRED if not params.get(n)]
            if missing:
                noun = "parameter" if len(missing) == 1 else "parameters"
                return None, ApiError(401, "woocommerce_rest_authentication_missing_parameter",
                                      f"Missing OAuth {noun} {', '.join(missing)}")
            key = self.keys.get(str(params["oauth_consumer_key"]))
            if key is None:
                return None, auth_error("Consumer key is invalid.")
            err = self._check_signature(key, method, base_url, params)
            if err is None:
                err = self._check_timestamp_and_nonce(key, str(params["oauth_timestamp"]),
                                                      str(params["oauth_nonce"]))
            if err is not None:
                return None, err
            return self._check_permissions(key, method)
        return None, error

    @staticmethod
    def _basic(authorization: str, query: Params) -> tuple[str, str]:
        if authorization[:6].lower() == "basic ":
            try:
                user, _, pw = base64.b64decode(authorization[6:].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, pw = "", ""
            if user and pw:
                return user, pw
        ck, cs = query.get("consumer_key"), query.get("consumer_secret")
        if isinstance(ck, str) and isinstance(cs, str) and ck and cs:
            return ck, cs
        return "", ""

    @staticmethod
    def _oauth_params(query: Params, form: Params, authorization: str) -> Params:
        merged: Params = {**query, **form}
        header = authorization.strip()
        if header[:6] == "OAuth ":
            for m in _HEADER_PARAM.finditer(header):
                merged[m.group(1)] = unquote_plus(m.group(3) or m.group(4) or "")
        if not any(merged.get(n) for n in _OAUTH_REQUIRED):
            return {}  # no OAuth at all: the request is simply anonymous
        return merged

    @staticmethod
    def _check_signature(key: ApiKey, method: str, base_url: str, params: Params,
                         ) -> ApiError | None:
        given = unquote(str(params["oauth_signature"]).replace(" ", "+"))
        signed = {k: v for k, v in params.items() if k != "oauth_signature"}
        sig_method = str(params["oauth_signature_method"])
        if sig_method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return auth_error("Invalid signature - signature method is invalid.")
        expected = sign(method, base_url, signed, key.consumer_secret, sig_method)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            return auth_error("Invalid signature - provided signature does not match.")
        return None

    def _check_timestamp_and_nonce(self, key: ApiKey, timestamp: str, nonce: str,
                                   ) -> ApiError | None:
        now = int(self.clock())
        try:
            ts = int(timestamp)
        except ValueError:
            return auth_error("Invalid timestamp.")
        if ts < now - WINDOW or ts > now + WINDOW:
            return auth_error("Invalid timestamp.")
        if nonce in key.nonces.values():
            return auth_error("Invalid nonce - nonce has already been used.")
        key.nonces[ts] = nonce  # keyed by timestamp: same-second requests overwrite (real quirk)
        for old in [t for t in key.nonces if t < now - WINDOW]:
            del key.nonces[old]
        return None

    @staticmethod
    def _check_permissions(key: ApiKey, method: str) -> tuple[ApiKey | None, ApiError | None]:
        m = method.upper()
        if m in ("GET", "HEAD") and key.permissions not in ("read", "read_write"):
            return None, auth_error("The API key provided does not have read permissions.")
        if m in ("POST", "PUT", "PATCH", "DELETE") and key.permissions not in (
                "write", "read_write"):
            return None, auth_error("The API key provided does not have write permissions.")
        return key, None
