"""The local API Gateway: an HTTP server that routes requests to the Lambda handlers by
the routes in template.yaml, as a REST API (v1 proxy integration) would.

For each request: match a route (none -> the API's MISSING_AUTHENTICATION_TOKEN gateway
response, for an unknown path and for a known path with another method alike, as API
Gateway does); run the route's Lambda authorizer (missing identity source or
"Unauthorized" -> UNAUTHORIZED, a policy that does not allow the method ARN ->
ACCESS_DENIED); invoke the function with the proxy event, the authorizer's context in
``requestContext.authorizer``; turn its result into the HTTP answer. Gateway responses
come from the template's ``GatewayResponses``, so the bodies match the deployed API.

A method that needs an API key (``ApiKeyRequired``) gets it from the authorizer's
``usageIdentifierKey`` (``ApiKeySourceType: AUTHORIZER``) or the X-API-Key header; none ->
INVALID_API_KEY. With a ``Throttle``, each method's MethodSettings bucket and each key's
usage plan bucket are drained as on API Gateway; an empty one -> THROTTLED (429, with
Retry-After). Keys are not registered locally: any key the authorizer names is in the plan.

Also served, and never deployed: ``/_local/*`` (local_api.py), ``GET /swagger``
(the API function's Swagger UI, without authorization) and the Lambda Invoke API
(lambda_api.py) that functions reach through ``AWS_ENDPOINT_URL_LAMBDA``.
"""

from __future__ import annotations

import base64
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from remit_local.apigw import authorizer_event, method_arn, proxy_event
from remit_local.lambda_api import LambdaApi, is_invoke
from remit_local.local_api import LocalEndpoints
from remit_local.messages import HttpRequest, HttpResponse, error_response
from remit_local.policy import allows
from remit_local.restapi import Authorizer, GatewayResponse, RestApi
from remit_local.routes import Route, path_exists, resolve
from remit_local.throttle import Throttle, limit_for, retry_after
from remit_local.workers import FunctionError, FunctionPools

log = logging.getLogger("remit_local.gateway")

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
# Set by the server for the bytes it actually sends; a Lambda's own copy would be wrong.
_HOP_BY_HOP = {"content-length", "connection", "transfer-encoding", "keep-alive"}


class Gateway:
    def __init__(
        self,
        routes: list[Route],
        apis: Mapping[str, RestApi],
        pools: FunctionPools,
        local: LocalEndpoints | None = None,
        lambda_api: LambdaApi | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.routes = routes
        # None: nothing is throttled (the tests' default: they must not depend on timing).
        self.throttle = throttle
        self.lambda_api = lambda_api
        self.apis = apis
        self.pools = pools
        self.local = local
        # Unknown paths get the gateway responses of the API that serves most routes, and
        # /swagger is that API's function (the one serving most of its routes).
        main = Counter(r.api for r in routes).most_common(1)
        self.main_api = self._api(main[0][0] if main else None)
        functions = Counter(r.function for r in routes if r.api == self.main_api.name).most_common(1)
        self.swagger_function = functions[0][0] if functions else None

    @property
    def functions(self) -> set[str]:
        """Every function a request can reach: the routes' and their authorizers'."""
        reachable = {r.function for r in self.routes}
        for route in self.routes:
            authorizer = self._api(route.api).authorizer(route.authorizer) if route.authorized else None
            if authorizer is not None:
                reachable.add(authorizer.function)
        return reachable

    def _api(self, name: str | None) -> RestApi:
        return self.apis.get(name or "") or RestApi(name or "ServerlessRestApi")

    def handle(self, request: HttpRequest) -> HttpResponse:
        if self.local is not None and (request.path == "/_local" or request.path.startswith("/_local/")):
            return self.local.handle(request)
        if self.lambda_api is not None and is_invoke(request):
            return self.lambda_api.handle(request)
        if request.method == "GET" and request.path == "/swagger" and self.swagger_function:
            return self._invoke(self.main_api, self.swagger_function, self._event(request, None, {}, None))
        found = resolve(self.routes, request.method, request.path)
        if found is None:
            # API Gateway answers an unknown method on a known path exactly like an
            # unknown path: both are MISSING_AUTHENTICATION_TOKEN.
            known = "known path, another method" if path_exists(self.routes, request.path) else "unknown path"
            log.debug("%s %s: %s", request.method, request.path, known)
            return _reply(self.main_api.gateway_response("MISSING_AUTHENTICATION_TOKEN"))
        route, params = found
        api = self._api(route.api)
        throttled = self._throttle_method(api, route)
        if throttled is not None:
            return throttled
        context: dict[str, Any] | None = None
        usage_key: str | None = None
        authorizer = api.authorizer(route.authorizer) if route.authorized else None
        if authorizer is not None:
            outcome = self._authorize(api, authorizer, request, route, params)
            if isinstance(outcome, HttpResponse):
                return outcome
            context, usage_key = outcome
        required = api.api_key_required if route.api_key_required is None else route.api_key_required
        if required:
            key = usage_key if api.api_key_source == "AUTHORIZER" else request.header("x-api-key")
            if not key:
                return _reply(api.gateway_response("INVALID_API_KEY"))
            throttled = self._throttle_key(api, key)
            if throttled is not None:
                return throttled
        return self._invoke(api, route.function, self._event(request, route, params, context))

    # -- throttling ---------------------------------------------------------------------

    def _throttle_method(self, api: RestApi, route: Route) -> HttpResponse | None:
        found = limit_for(api.method_limits, route.resource, route.method) if self.throttle else None
        if self.throttle is None or found is None:
            return None
        # Each method has a bucket of its own, shared by every caller, as on API Gateway.
        wait = self.throttle.take(("method", api.name, route.resource, route.method), found[1])
        return None if wait is None else self._throttled(api, wait)

    def _throttle_key(self, api: RestApi, key: str) -> HttpResponse | None:
        if self.throttle is None or api.usage_plan is None:
            return None
        wait = self.throttle.take(("key", api.name, key), api.usage_plan)
        return None if wait is None else self._throttled(api, wait)

    def _throttled(self, api: RestApi, wait: float) -> HttpResponse:
        response = _reply(api.gateway_response("THROTTLED"))
        # The template's own Retry-After (a fixed one) wins; else how long the bucket needs.
        if not any(name.lower() == "retry-after" for name, _ in response.headers):
            response.headers.append(("Retry-After", retry_after(wait)))
        return response

    # -- authorization ------------------------------------------------------------------

    def _authorize(
        self, api: RestApi, authorizer: Authorizer, request: HttpRequest, route: Route, params: dict[str, str]
    ) -> tuple[dict[str, Any], str | None] | HttpResponse:
        """The authorizer's context (plus principalId) and usageIdentifierKey, or the
        response refusing the call."""
        unauthorized = _reply(api.gateway_response("UNAUTHORIZED"))
        # Without its identity sources API Gateway refuses the call without asking.
        if any(not request.header(h) for h in authorizer.headers):
            return unauthorized
        if any(q not in request.multi_query for q in authorizer.query_strings):
            return unauthorized
        arn = method_arn(request.method, request.path)
        if authorizer.payload == "TOKEN":
            token = request.header(authorizer.headers[0]) or ""
            if authorizer.validation and not authorizer.validation.fullmatch(token):
                return unauthorized
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        else:
            event = authorizer_event(request.method, route.resource, request.path, request.single_headers)
            multi_query = request.multi_query
            event |= {
                "multiValueHeaders": request.multi_headers,
                "queryStringParameters": {k: v[-1] for k, v in multi_query.items()},
                "multiValueQueryStringParameters": multi_query,
                "pathParameters": params,
            }
        try:
            result = self.pools.invoke(authorizer.function, event, secrets.token_hex(16))
        except FunctionError as exc:
            if exc.message == "Unauthorized":
                return unauthorized
            log.error("authorizer %s failed: %s", authorizer.name, exc)
            return _reply(api.gateway_response("AUTHORIZER_FAILURE"))
        if not (isinstance(result, dict) and "principalId" in result and "policyDocument" in result):
            log.error("authorizer %s returned no principalId and policyDocument", authorizer.name)
            return _reply(api.gateway_response("AUTHORIZER_CONFIGURATION_ERROR"))
        if not allows(result["policyDocument"], arn):
            return _reply(api.gateway_response("ACCESS_DENIED"))
        key = result.get("usageIdentifierKey")
        context = {**(result.get("context") or {}), "principalId": result["principalId"]}
        return context, str(key) if key else None

    # -- integration --------------------------------------------------------------------

    def _event(
        self,
        request: HttpRequest,
        route: Route | None,
        params: dict[str, str],
        authorizer: dict[str, Any] | None,
    ) -> dict[str, Any]:
        event = proxy_event(
            request.method,
            request.path,
            resource=route.resource if route else request.path,
            path_parameters=params,
            query=request.query,
            headers=request.single_headers,
            body=request.body,
            authorizer=authorizer,
            source_ip=request.source_ip,
        )
        event["multiValueHeaders"] = request.multi_headers or None
        # The local URL has no stage prefix (like a custom domain), and Powertools builds
        # links (the Swagger UI's server URL) from requestContext.path.
        event["requestContext"]["path"] = request.path
        return event

    def _invoke(self, api: RestApi, function: str, event: dict[str, Any]) -> HttpResponse:
        request_id = event["requestContext"]["requestId"]
        try:
            result = self.pools.invoke(function, event, secrets.token_hex(16))
        except FunctionError as exc:
            log.error("%s failed: %s\n%s", function, exc, exc.trace)
            kind = "INTEGRATION_TIMEOUT" if exc.error_type == "Sandbox.Timedout" else "INTEGRATION_FAILURE"
            return _reply(api.gateway_response(kind), request_id)
        response = _from_proxy_result(result)
        if response is None:
            log.error("%s returned a malformed proxy response: %r", function, result)
            return _reply(api.gateway_response("INTEGRATION_FAILURE"), request_id)
        response.headers.append(("x-amzn-RequestId", request_id))
        return response


def _reply(response: GatewayResponse, request_id: str | None = None) -> HttpResponse:
    headers = list(response.headers.items())
    if request_id:
        headers.append(("x-amzn-RequestId", request_id))
    return HttpResponse(response.status, response.body, headers)


def _from_proxy_result(result: Any) -> HttpResponse | None:
    """A Lambda proxy result (statusCode, headers, multiValueHeaders, body,
    isBase64Encoded) as an HTTP response; None when it is not one."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return None
    try:
        status = int(result["statusCode"])
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    except (TypeError, ValueError):
        return None
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name, str(v)) for v in values]
    for name, value in (result.get("headers") or {}).items():
        if (name, str(value)) not in headers:
            headers.append((name, str(value)))
    return HttpResponse(status, raw, [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP])


# -- the HTTP server -----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    server: _Server

    def _serve(self) -> None:
        started = time.monotonic()
        body = self._read_body()
        if body is None:
            response = error_response(413, "request_too_large", "the request body is over 10 MB")
        else:
            url = urlsplit(self.path)
            request = HttpRequest(
                method=self.command,
                path=unquote(url.path) or "/",
                query=url.query,
                headers=tuple(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            try:
                response = self.server.gateway.handle(request)
            except Exception:
                log.exception("the local gateway failed on %s %s", self.command, self.path)
                response = error_response(500, "internal_error", "the local gateway failed")
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        log.info(
            "%s %s -> %d (%.0f ms)",
            self.command,
            self.path,
            response.status,
            (time.monotonic() - started) * 1000,
        )

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()  # the blank line after the last chunk (no trailers)
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            data = b"".join(chunks)
            return data if len(data) <= MAX_BODY else None
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True  # the unread body would poison the next request
            return None
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, PROPFIND ...) reaches the routes too, as on API Gateway,
        # which answers it like an unknown route rather than with a 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)


class GatewayServer:
    """The gateway on ``host:port`` (port 0: any free port), served from a thread."""

    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> None:
        self.httpd = _Server((host, port), gateway)
        self.host = host
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="remit-gateway", daemon=True)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> GatewayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
