"""The fake server's HTTP face: a Starlette app whose routes mirror the spec's path table.

Each API group's module (``GROUPS``) declares its ``ROUTES``: operation, handler, request
body model, success status. This module mounts them and does what every operation shares:
it authenticates, parses the request body with the strict converter, calls the handler
under the store's lock and serializes its answer with the shared converter. The client's
models carry both contracts' fields; with ``api="seed"`` a body using a newest-only field
or variant is a 400 (``_latest.newest_only``). A :class:`FakeApiError` becomes an
``ApiErrorResponse`` body ``{code, message}`` (``api="latest"``: ``{code, error,
requestId}``); so do Starlette's own 404/405. Bodies that do not parse, have unknown keys,
explicit ``null`` for optional fields or values of the wrong JSON type are 400
``MALFORMED_REQUEST``. Beyond the spec it serves ``GET /v1/jobs/{jobId}`` and the
signed-URL blob store under ``/_fake/blobs/``.

Choices where the spec is silent or loose:

* Unknown body keys are refused although the spec's schemas do not say
  ``additionalProperties: false``: a key the API does not know is a client bug.
* Numbers must be finite: ``NaN``/``Infinity`` are not JSON, and ``1e400`` overflows a double;
  both are 400. ``format: int64`` fields (timestamps, category ids, ``bbox``, ``keypoints``)
  above 2**63-1 are 400, and so are integer query parameters not written as plain digits.
* Patterns match the whole value, as ECMA-262 ones do (``"abc\\n"`` is no tag name).
* A query parameter takes its default only when absent: ``mode=`` (empty) is a 400.
* A method a path does not have is 405 with an ``Allow`` header listing all of its methods,
  ``BAD_REQUEST`` in the body. A literal path is its own resource even where a template
  also matches it: ``GET .../tags/initial`` is 405, not a ``GET .../tags/{tagId}``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any, Final
from urllib.parse import parse_qsl

import attrs
from cattrs import BaseValidationError, transform_error
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lightly_async._convert import camel_case, get_converter
from lightly_async.testing import (
    _datasets,
    _datasources,
    _docker,
    _predictions,
    _samples,
    _sampling,
    _tags,
)
from lightly_async.testing import _latest as L
from lightly_async.testing._context import Handler, RequestContext
from lightly_async.testing._faults import FaultInjector, Faults
from lightly_async.testing._state import FakeApiError
from lightly_async.testing._store import FakeStore

__all__ = ["Call", "CallRecorder", "create_app"]

GROUPS: Final = (_samples, _sampling, _datasources, _predictions, _tags, _datasets, _docker)
"""The API groups' modules, each with its operations and their ``ROUTES``."""

Endpoint = Callable[[Request], Awaitable[Response]]

BLOBS: Final = "/_fake/blobs/{key:path}"
"""The fake's own signed-URL blob store (no token: the signature is the credential)."""


def create_app(store: FakeStore, faults: Faults, calls: list[Call]) -> Starlette:
    """The ASGI app serving ``store``, with ``faults`` applied and ``calls`` recorded.

    Each API group's ``ROUTES`` are mounted at their operations' paths in the store's
    dialect (``_operations`` declares both); an operation the dialect lacks is not routed,
    so it answers 404 as the real server does. Where the dialects differ in shape (the
    samples) a group routes each its own handler.
    """
    served = [route for group in GROUPS for route in group.ROUTES
              if route.api in (None, store.api)]
    table: list[tuple[str, str, Endpoint]] = [
        (template, route.operation.method, _op(route.handler, route.body, status=route.status))
        for route in served if (template := route.operation.template(store.api)) is not None]
    # a literal path before a template that would match it too: ``/samples/partial`` before
    # ``/samples/{sampleId}``, ``/tags/initial`` before ``/tags/{tagId}``
    table.sort(key=lambda row: _templated_segments(row[0]))
    # Beyond the API: the signed-URL blob store
    table += [(BLOBS, "GET", _read_blob), (BLOBS, "PUT", _write_blob)]
    app = Starlette(
        routes=_resources(table),
        exception_handlers={FakeApiError: _api_error, HTTPException: _http_error},
        middleware=[
            Middleware(CallRecorder, calls=calls),
            Middleware(FaultInjector, faults=faults, error_body=_error_body(store)),
        ],
    )
    app.state.store = store
    return app


def _templated_segments(path: str) -> list[bool]:
    """Sorts a path before every template that matches it (per segment: literal first)."""
    return [segment.startswith("{") for segment in path.split("/")]


METHOD_NOT_ALLOWED: Final = "method-not-allowed"
"""The name of the routes answering 405 for the methods a path does not have."""

_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _resources(table: list[tuple[str, str, Endpoint]]) -> list[Route]:
    """One route per path dispatching on the method, then a 405 route for its other methods.

    The 405 route matters where a literal path (``/tags/initial``) is also matched by a
    template (``/tags/{tagId}``): ``GET .../tags/initial`` is 405 with ``Allow: POST``, not
    a ``GET .../tags/{tagId}`` with a malformed id. Every 405 lists all methods of the path.
    """
    by_path: dict[str, dict[str, Endpoint]] = {}
    for path, method, endpoint in table:
        by_path.setdefault(path, {})[method] = endpoint
    routes = []
    for path, endpoints in by_path.items():
        allowed = list(endpoints) + (["HEAD"] if "GET" in endpoints else [])
        routes.append(Route(path, _dispatch(endpoints), methods=list(endpoints)))
        others = [m for m in _METHODS if m not in allowed]
        routes.append(Route(path, _not_allowed(allowed), methods=others, name=METHOD_NOT_ALLOWED))
    return routes


def _dispatch(endpoints: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return endpoint


def _not_allowed(allowed: list[str]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        raise HTTPException(405, headers={"Allow": ", ".join(allowed)})

    return endpoint


@attrs.frozen(kw_only=True)
class Call:
    """A request the fake received: ``query`` lacks the token; ``status`` None if dropped."""

    method: str
    path: str
    query: dict[str, str]
    status: int | None


class CallRecorder:
    """ASGI middleware appending a :class:`Call` per HTTP request to ``calls``."""

    def __init__(self, app: Any, calls: list[Call]) -> None:
        self.app = app
        self.calls = calls

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: int | None = None
        recorded = False

        def record(final_status: int | None) -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
            self.calls.append(
                Call(
                    method=scope["method"],
                    path=scope["path"],
                    query={k: v for k, v in query if k != "token"},
                    status=final_status,
                )
            )

        async def recording_send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # recorded before the last byte leaves: a client that has its answer
                # finds the call in ``fake.calls``, also over loopback
                record(status)
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            record(None)  # no complete answer: dropped or crashed


# -- the generic endpoint ------------------------------------------------------------------------
def _op(handler: Handler, body: Any = None, *, status: int = 200) -> Endpoint:
    """An endpoint parsing ``body`` (the client's models carry both contracts' fields)."""

    async def endpoint(request: Request) -> Response:
        store: FakeStore = request.app.state.store
        with store.lock:
            user = store.authenticate(_credential(request))
        parsed = await _parse_body(request, body) if body is not None else None
        newest = [] if store.latest else L.newest_only(parsed)
        if newest:
            raise FakeApiError.of(
                "MALFORMED_REQUEST",
                f"not in the seed contract: {', '.join(newest)} "
                '(FakeLightly(api="latest") speaks the newest API)',
            )
        with store.lock:
            result = handler(RequestContext(store, user, request, parsed))
        if result is None:
            return Response(status_code=status)
        if isinstance(result, Response):  # an answer that is not JSON (the text exports)
            return result
        return JSONResponse(get_converter().unstructure(result), status_code=status)

    endpoint.__name__ = handler.__name__.lstrip("_")
    return endpoint


def _credential(request: Request) -> str | None:
    token = request.query_params.get("token")
    if token:
        return token
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _parse_body(request: Request, model: Any) -> Any:
    try:
        raw = await request.body()
    except ClientDisconnect:
        # The client went away mid-body (cancelled, or a dropped connection):
        # nobody will read the answer, so end quietly instead of logging a crash.
        raise FakeApiError.of("MALFORMED_REQUEST", "the client disconnected") from None
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float)
    except _NonFiniteNumber as exc:
        raise FakeApiError.of("MALFORMED_REQUEST", str(exc)) from None
    except ValueError:
        raise FakeApiError.of("MALFORMED_REQUEST", "the body is not valid JSON") from None
    return _structure(data, model)


def _structure(data: Any, model: Any) -> Any:
    conv = get_converter(strict=True)
    try:
        value = conv.structure(data, model)
    except (BaseValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
        snake = sorted(set(_snake_case_keys(data)))
        if snake:  # one clear error, not "required field missing ... extra fields found"
            hint = ", ".join(f"{k!r} (the API's key is {camel_case(k)!r})" for k in snake)
            raise FakeApiError.of(
                "MALFORMED_REQUEST", f"body keys are camelCase; got snake_case {hint}"
            ) from None
        if isinstance(exc, BaseValidationError):
            message = "; ".join(transform_error(exc))
        else:
            message = f"invalid body: {exc!r}"
        raise FakeApiError.of("MALFORMED_REQUEST", message) from None
    if not _same_json(json.loads(json.dumps(conv.unstructure(value))), data):
        raise FakeApiError.of(
            "MALFORMED_REQUEST", "the body has values of the wrong type or explicit nulls"
        )
    return value


def _snake_case_keys(data: Any) -> list[str]:
    """Every snake_case key in a JSON body, at any depth (``_id`` is the API's own)."""
    if isinstance(data, list):
        return [k for item in data for k in _snake_case_keys(item)]
    if not isinstance(data, dict):
        return []
    found = [k for k in data if isinstance(k, str) and _SNAKE.fullmatch(k)]
    return found + [k for v in data.values() for k in _snake_case_keys(v)]


_SNAKE: Final = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


class _NonFiniteNumber(Exception):
    """A JSON number that is not a finite double."""


def _no_constant(name: str) -> Any:
    # ``NaN``/``Infinity``/``-Infinity`` are not JSON, though Python's parser takes them.
    raise _NonFiniteNumber(f"the body has {name}, which is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # e.g. 1e400: valid JSON, but no double holds it
        raise _NonFiniteNumber(f"the number {text} in the body is out of range")
    return value


def _same_json(ours: Any, theirs: Any) -> bool:
    """Did parsing keep the body as sent (no coercion, no dropped ``null``)?"""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if "_id" in theirs and "id" not in theirs:  # the seed era's sample id, parsed as ``id``
            theirs = {("id" if k == "_id" else k): v for k, v in theirs.items()}
        return ours.keys() == theirs.keys() and all(_same_json(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(map(_same_json, ours, theirs))
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, str) and isinstance(theirs, str) and ours.startswith("0x"):
        return theirs.startswith("0x") and int(ours, 16) == int(theirs, 16)
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return ours == theirs
    return type(ours) is type(theirs) and bool(ours == theirs)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FakeApiError)
    body = _error_body(request.app.state.store)(exc.code, exc.message)
    return JSONResponse(body, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = "NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
    body = _error_body(request.app.state.store)(
        code, f"{request.method} {request.url.path}: {exc.detail}"
    )
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _error_body(store: FakeStore) -> Callable[[str, str], dict[str, Any]]:
    """``ApiErrorResponse``: seed ``{code, message}``, newest ``{code, error, requestId}``."""

    def render(code: str, message: str) -> dict[str, Any]:
        if store.latest:
            return L.error_json(code, message, store.request_id())
        return {"code": code, "message": message}

    return render


# -- signed-URL blobs (no token: the signature is the credential) -------------------------------
async def _read_blob(request: Request) -> Response:
    store: FakeStore = request.app.state.store
    expires, sig = _signature(request)
    data = store.read_blob(request.path_params["key"], expires, sig)
    return Response(data, media_type="application/octet-stream")


async def _write_blob(request: Request) -> Response:
    store: FakeStore = request.app.state.store
    expires, sig = _signature(request)
    store.write_blob(request.path_params["key"], expires, sig, await request.body())
    return Response(status_code=200)


def _signature(request: Request) -> tuple[str, str]:
    return request.query_params.get("expires", ""), request.query_params.get("sig", "")
