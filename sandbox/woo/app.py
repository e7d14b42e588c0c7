"""The raw ASGI application: request parsing, WordPress's response headers, dispatch.

Raw ASGI (not a framework) because the headers' names, casing and order are part of what the
stand-in must reproduce. Handlers are synchronous and run in a worker thread (the state has one
lock; a webhook ping or injected latency must not stall the event loop).
"""
from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sandbox.woo.auth import ApiKey, Params, parse_php_params
from sandbox.woo.errors import NO_ROUTE, ApiError
from sandbox.woo.shop import Shop
from sandbox.woo.site_index import site_index
from sandbox.woo.wpjson import dumps

PREFIX = "/wp-json/wc/v3"
_COMMON_HEAD = [("Content-Type", "application/json; charset=UTF-8"), ("X-Robots-Tag", "noindex")]
_COMMON_TAIL = [("X-Content-Type-Options", "nosniff"),
                ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
                ("Access-Control-Allow-Headers",
                 "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type")]
_NOCACHE = [("Expires", "Wed, 11 Jan 1984 05:00:00 GMT"),
            ("Cache-Control", "no-cache, must-revalidate, max-age=0, no-store, private")]
_OUTAGE_HTML = (b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
                b"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
                b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
_CRITICAL = {"code": "internal_server_error",
             "message": "<p>There has been a critical error on this website.</p><p><a href="
                        "\"https://wordpress.org/documentation/article/faq-troubleshooting/\">"
                        "Learn more about troubleshooting WordPress.</a></p>",
             "data": {"status": 500}, "additional_errors": []}


@dataclass
class Req:
    method: str
    https: bool
    host: str
    path: str
    query_pairs: list[tuple[str, str]]
    query: Params
    headers: dict[str, str]
    body: bytes
    client: str
    json: Any = None
    form: Params = field(default_factory=dict)
    key: ApiKey | None = None

    def param(self, name: str, default: Any = None) -> Any:
        """WordPress merges query, form and JSON body parameters (body wins)."""
        if isinstance(self.json, dict) and name in self.json:
            return self.json[name]
        if name in self.form:
            return self.form[name]
        return self.query.get(name, default)


@dataclass
class Resp:
    status: int
    body: Any
    total: int | None = None
    pages: int | None = None
    link: str | None = None
    location: str | None = None
    raw: bool = False  # body is already bytes (stored JSON)


Handler = Callable[[Req, "re.Match[str]"], Resp]


@dataclass
class Route:
    pattern: re.Pattern[str]
    allow: str
    methods: dict[str, Handler]
    kind: str  # "list" | "item" (which unauthenticated message to use)


def _header_list(resp: Resp | None, *, route: Route | None, authed: bool, method: str,
                 api_link: str) -> list[tuple[str, str]]:
    api = ("Link", f'<{api_link}>; rel="https://api.w.org/"')
    if resp is not None and resp.link:
        out = [*_COMMON_HEAD, *_COMMON_TAIL]
    else:
        out = [*_COMMON_HEAD, api, *_COMMON_TAIL]
    if not authed:
        # rest_send_cors_headers: anonymous GETs vary on Origin; no no-cache headers
        return out + ([("Vary", "Origin")] if method in ("GET", "HEAD") else [])
    if resp is not None and resp.total is not None:
        out += [("X-WP-Total", str(resp.total)), ("X-WP-TotalPages", str(resp.pages))]
    if resp is not None and resp.link:
        out.append(("Link", resp.link))
    if resp is not None and resp.location:
        out.append(("Location", resp.location))
    if route is not None:
        out.append(("Allow", route.allow))
    return out + _NOCACHE


class WooApp:
    def __init__(self, shop: Shop, routes: list[Route],
                 control: Callable[[Req], Awaitable[tuple[int, Any]]]) -> None:
        self.shop, self.routes, self.control = shop, routes, control

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any],
                       send: Callable[..., Any]) -> None:
        if scope["type"] != "http":  # served with lifespan="off": nothing else comes
            return
        body = b""
        while True:
            msg = await receive()
            body += msg.get("body", b"")
            if not msg.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").split("?")[0]
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        req = Req(method=scope["method"].upper(), https=scope["scheme"] == "https",
                  host=headers.get("host", ""), path=path, query_pairs=pairs,
                  query=parse_php_params(pairs), headers=headers, body=body,
                  client=(scope.get("client") or ("", 0))[0])
        if path.startswith("/_sandbox/"):
            status, payload = await self.control(req)
            await self._send(send, status, dumps(payload),
                             [("Content-Type", "application/json; charset=UTF-8")])
            return
        status, out, hdrs = await asyncio.to_thread(self.handle, req)
        await self._send(send, status, out, hdrs)

    @staticmethod
    async def _send(send: Callable[..., Any], status: int, body: bytes,
                    headers: list[tuple[str, str]]) -> None:
        hdrs = [(k.encode(), v.encode()) for k, v in headers]
        hdrs.append((b"Content-Length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": hdrs})
        await send({"type": "http.response.body", "body": body})

    # -- synchronous part ----------------------------------------------------------------------
    def handle(self, req: Req) -> tuple[int, bytes, list[tuple[str, str]]]:
        shop = self.shop
        faults = shop.faults
        if faults.get("outage"):
            return 503, _OUTAGE_HTML, [("Content-Type", "text/html")]
        if faults.get("latency_ms"):
            time.sleep(float(faults["latency_ms"]) / 1000)  # a slow PHP worker
        if faults.get("error_rate") and shop.fault_rng.random() < float(faults["error_rate"]):
            return 500, dumps(_CRITICAL), [*_COMMON_HEAD, *_COMMON_TAIL]
        api_link = f"{shop.home}/wp-json/"
        method = "GET" if req.method == "HEAD" else req.method
        ctype = req.headers.get("content-type", "")
        if req.body and "application/x-www-form-urlencoded" in ctype:
            req.form = parse_php_params(parse_qsl(req.body.decode("utf-8", "replace"),
                                                  keep_blank_values=True))
        elif req.body:
            try:
                req.json = json.loads(req.body)
            except ValueError:
                err = ApiError(400, "rest_invalid_json", "Invalid JSON body passed.",
                               {"status": 400, "json_error_code": 4,
                                "json_error_message": "Syntax error"})
                return err.status, dumps(err.body()), _header_list(
                    None, route=None, authed=True, method=method, api_link=api_link)
        if req.path in ("/wp-json", "/wp-json/") and method == "GET":
            # WordPress's own index: public, and not a wc/ route, so WooCommerce's key
            # authentication never runs on it (credentials sent along are ignored).
            index = site_index(shop.home, shop.clock())
            return 200, dumps(index), _header_list(None, route=None, authed=False,
                                                   method=method, api_link=api_link)
        # WooCommerce authenticates only pretty-permalink REST URLs (`/?rest_route=` is anonymous)
        authed_route = req.path.startswith("/wp-json/")
        if authed_route:
            scheme = "https" if req.https else "http"
            key, auth_err = shop.auth.authenticate(
                method=method, https=req.https, base_url=f"{scheme}://{req.host}{req.path}",
                query=req.query, form=req.form, authorization=req.headers.get("authorization", ""))
            if auth_err is not None:
                return auth_err.status, dumps(auth_err.body()), _header_list(
                    None, route=None, authed=False, method=method, api_link=api_link)
            req.key = key
        route, match = self._match(req)
        if req.key is None:
            err = self._anonymous_error(route, method)
            return err.status, dumps(err.body()), _header_list(
                None, route=None, authed=False, method=method, api_link=api_link)
        if route is None or match is None or method not in route.methods:
            return 404, dumps(NO_ROUTE.body()), _header_list(
                None, route=None, authed=True, method=method, api_link=api_link)
        try:
            resp = route.methods[method](req, match)
        except ApiError as e:
            return e.status, dumps(e.body()), _header_list(
                None, route=route, authed=True, method=method, api_link=api_link)
        body = resp.body if resp.raw else dumps(resp.body)
        return resp.status, body, _header_list(resp, route=route, authed=True, method=method,
                                               api_link=api_link)

    def _match(self, req: Req) -> tuple[Route | None, re.Match[str] | None]:
        path = req.path
        if path.startswith("/wp-json"):
            path = path[len("/wp-json"):]
        elif path in ("/", "") and isinstance(req.query.get("rest_route"), str):
            path = str(req.query["rest_route"])
        else:
            return None, None
        path = path.rstrip("/") or "/"
        for route in self.routes:
            m = route.pattern.fullmatch(path)
            if m:
                return route, m
        return None, None

    @staticmethod
    def _anonymous_error(route: Route | None, method: str) -> ApiError:
        if route is None or method not in route.methods:
            return NO_ROUTE
        if method == "GET":
            msg = ("Sorry, you cannot list resources." if route.kind == "list"
                   else "Sorry, you cannot view this resource.")
            return ApiError(401, "woocommerce_rest_cannot_view", msg)
        if route.kind == "batch":
            return ApiError(401, "woocommerce_rest_cannot_batch",
                            "Sorry, you are not allowed to batch manipulate this resource.")
        if method == "POST" and route.kind == "list":
            return ApiError(401, "woocommerce_rest_cannot_create",
                            "Sorry, you are not allowed to create resources.")
        if method == "DELETE":
            return ApiError(401, "woocommerce_rest_cannot_delete",
                            "Sorry, you are not allowed to delete this resource.")
        return ApiError(401, "woocommerce_rest_cannot_edit",
                        "Sorry, you are not allowed to edit this resource.")
