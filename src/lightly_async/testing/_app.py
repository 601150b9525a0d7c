"""The fake server's HTTP face: a Starlette app whose routes mirror the spec's path table.

Handlers only authenticate, parse (request bodies with the strict converter), call the store
under its lock and serialize with the shared converter. The client's models carry both
contracts' fields; with ``api="seed"`` a body using a newest-only field or variant is a 400
(``_latest.newest_only``). A :class:`FakeApiError` becomes an ``ApiErrorResponse`` body
``{code, message}`` (``api="latest"``: ``{code, error, requestId}``); so do Starlette's own
404/405. Bodies that do
not parse, have unknown keys, explicit ``null`` for optional fields or values of the wrong
JSON type are 400 ``MALFORMED_REQUEST``. Beyond the spec it serves ``GET /v1/jobs/{jobId}``
and the signed-URL blob store under ``/_fake/blobs/``.

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
from typing import Any, Final, overload
from urllib.parse import parse_qsl

import attrs
from cattrs import BaseValidationError, transform_error
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lightly_async import _operations as op
from lightly_async._constraints import OneOf
from lightly_async._convert import get_converter
from lightly_async._operation import Operation
from lightly_async.models import (
    DatasourceConfig,
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    InitialTagCreateRequest,
    InlineObject,
    PredictionSingleton,
    PredictionTaskSchema,
    SampleUpdateRequest,
    SamplingCreateRequest,
    TagArithmeticsRequest,
    TagCreateRequest,
    TagUpdateRequest,
    TagUpsizeRequest,
)
from lightly_async.testing import _latest as L
from lightly_async.testing._datasets import ROUTES as DATASET_ROUTES
from lightly_async.testing._docker import ROUTES as DOCKER_ROUTES
from lightly_async.testing._faults import FaultInjector, Faults
from lightly_async.testing._state import INT64_MAX, FakeApiError, User, check
from lightly_async.testing._store import FakeStore
from lightly_async.testing._tags import ExportOptions

__all__ = ["Call", "CallRecorder", "create_app"]

_INTEGER: Final = re.compile(r"-?[0-9]+")
BLOBS: Final = "/_fake/blobs/{key:path}"
"""The fake's own signed-URL blob store (no token: the signature is the credential)."""


def create_app(store: FakeStore, faults: Faults, calls: list[Call]) -> Starlette:
    """The ASGI app serving ``store``, with ``faults`` applied and ``calls`` recorded.

    Each operation is routed at its path in the store's dialect (``_operations`` declares
    both); an operation the dialect lacks is not routed, so it answers 404 as the real
    server does. The samples also changed shape between the dialects: each has its handlers.
    """
    latest = store.latest
    served: list[tuple[Operation, Endpoint]] = [
        # Samples (``partial`` before ``{sampleId}``, which would match it too)
        (op.GET_SAMPLES_BY_DATASET_ID, _op(_list_samples_v1) if latest else _op(_list_samples)),
        (op.GET_SAMPLES_PARTIAL_BY_DATASET_ID, _op(_list_samples_partial)),
        (op.GET_SAMPLE_BY_ID, _op(_get_sample_v1) if latest else _op(_get_sample)),
        (op.UPDATE_SAMPLE_BY_ID, _op(_update_sample_v1, SampleUpdateRequest) if latest
         else _op(_update_sample, InlineObject)),
        (op.GET_SAMPLE_IMAGE_READ_URL_BY_ID, _op(_read_url)),
        (op.GET_SAMPLE_IMAGE_WRITE_URL_BY_ID, _op(_write_url_v1) if latest else _op(_write_url)),
        # Samplings
        (op.TRIGGER_SAMPLING_BY_ID, _op(_trigger_sampling, SamplingCreateRequest)),
        # Datasources
        (op.GET_DATASOURCE_BY_DATASET_ID, _op(_get_datasource)),
        (op.UPDATE_DATASOURCE_BY_DATASET_ID, _op(_put_datasource, DatasourceConfig)),
        (op.GET_DATASOURCE_PROCESSED_UNTIL_TIMESTAMP_BY_DATASET_ID, _op(_get_processed)),
        (op.UPDATE_DATASOURCE_PROCESSED_UNTIL_TIMESTAMP_BY_DATASET_ID,
         _op(_put_processed, DatasourceProcessedUntilTimestampRequest)),
        (op.GET_LIST_OF_RAW_SAMPLES_FROM_DATASOURCE_BY_DATASET_ID, _op(_list_raw)),
        (op.VERIFY_DATASOURCE_BY_DATASET_ID, _op(_verify_datasource)),
        # Predictions
        (op.CREATE_OR_UPDATE_PREDICTION_BY_SAMPLE_ID,
         _op(_upsert_singletons, list[PredictionSingleton], status=201)),
        (op.GET_PREDICTIONS_BY_SAMPLE_ID, _op(_get_singletons)),
        (op.GET_PREDICTIONS_BY_DATASET_ID, _op(_list_singletons)),
        (op.CREATE_OR_UPDATE_PREDICTION_TASK_SCHEMA_BY_DATASET_ID,
         _op(_upsert_task_schema, PredictionTaskSchema, status=201)),
        (op.GET_PREDICTION_TASK_SCHEMAS_BY_DATASET_ID, _op(_list_task_schemas)),
        (op.GET_PREDICTION_TASK_SCHEMA_BY_TASK_NAME, _op(_get_task_schema)),
        # Tags (the literal paths come before ``/tags/{tagId}``, which would match them too)
        (op.GET_TAGS_BY_DATASET_ID, _op(_list_tags)),
        (op.CREATE_TAG_BY_DATASET_ID, _op(_create_tag, TagCreateRequest, status=201)),
        (op.CREATE_INITIAL_TAG_BY_DATASET_ID,
         _op(_create_initial_tag, InitialTagCreateRequest, status=201)),
        (op.PERFORM_TAG_ARITHMETICS, _op(_arithmetics, TagArithmeticsRequest)),
        (op.PERFORM_TAG_ARITHMETICS_BITMASK, _op(_arithmetics_bitmask, TagArithmeticsRequest)),
        (op.UPSIZE_TAGS_BY_DATASET_ID, _op(_upsize, TagUpsizeRequest, status=201)),
        (op.GET_TAG_BY_TAG_ID, _op(_get_tag)),
        (op.UPDATE_TAG_BY_TAG_ID, _op(_update_tag, TagUpdateRequest)),
        (op.DELETE_TAG_BY_TAG_ID, _op(_delete_tag)),
        (op.GET_FILENAMES_BY_TAG_ID, _op(_filenames)),
        (op.EXPORT_TAG_TO_LABEL_BOX_DATA_ROWS, _op(_export_label_box)),
        (op.EXPORT_TAG_TO_LABEL_BOX_V4_DATA_ROWS, _op(_export_label_box_v4)),
        (op.EXPORT_TAG_TO_LABEL_STUDIO_TASKS, _op(_export_label_studio)),
        # Beyond the seeds: datasets, embeddings, mappings (testing/_datasets.py), jobs
        *[(operation, _op(handler, body, status=status))
          for operation, handler, body, status in [*DATASET_ROUTES, *DOCKER_ROUTES]],
        (op.GET_JOB_STATUS_BY_ID, _op(_get_job)),
    ]
    table: list[tuple[str, str, Endpoint]] = [
        (template, operation.method, endpoint) for operation, endpoint in served
        if (template := operation.template(store.api)) is not None]
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


# -- the request context and the generic endpoint ------------------------------------------------
@attrs.frozen
class _Ctx:
    store: FakeStore
    user: User
    request: Request
    body: Any

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    @property
    def ds(self) -> str:
        return self.path("datasetId")

    @property
    def base_url(self) -> str:
        return str(self.request.base_url)

    @property
    def latest(self) -> bool:
        return self.store.latest

    @overload
    def query(self, name: str) -> str | None: ...

    @overload
    def query(self, name: str, default: str) -> str: ...

    def query(self, name: str, default: str | None = None) -> str | None:
        """The parameter, or ``default`` when it is absent (not when it is empty)."""
        return self.request.query_params.get(name, default)

    def query_int(
        self, name: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        raw = self.query(name)
        if raw is None:
            if required:
                raise FakeApiError.of("MALFORMED_REQUEST", f"query parameter {name} is required")
            return None
        if not _INTEGER.fullmatch(raw):  # int() would also take " 5", "1_000", "+5", "٣"
            raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be an integer")
        value = int(raw)
        if value < minimum:
            raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be <= {maximum}")
        return value

    def timestamp(self, name: str, *, required: bool = False) -> int | None:
        """A ``Timestamp`` query parameter: an int64 >= 0."""
        return self.query_int(name, required=required, maximum=INT64_MAX)

    def version(self) -> int | None:
        """``predictionUUIDTimestamp``: required by the seed; newest API: absent = newest."""
        return self.timestamp("predictionUUIDTimestamp", required=not self.latest)

    def query_bool(self, name: str) -> bool:
        raw = self.query(name)
        if raw is None or raw.lower() == "false":
            return False
        if raw.lower() == "true":
            return True
        raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be true or false")


Handler = Callable[[_Ctx], Any]
Endpoint = Callable[[Request], Awaitable[Response]]


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
            result = handler(_Ctx(store, user, request, parsed))
        if result is None:
            return Response(status_code=status)
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
            hint = ", ".join(f"{k!r} (the API's key is {_camel(k)!r})" for k in snake)
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


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


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


# -- samples --------------------------------------------------------------------------------------
def _list_samples(c: _Ctx) -> Any:
    mode = c.query("mode", "full")
    return c.store.list_samples(c.user, c.ds, mode=mode, filename=c.query("filename"))


def _get_sample(c: _Ctx) -> Any:
    return c.store.get_sample(c.user, c.ds, c.path("sampleId"))


def _update_sample(c: _Ctx) -> Any:
    return c.store.update_sample(c.user, c.ds, c.path("sampleId"), c.body)


def _read_url(c: _Ctx) -> Any:
    type_ = c.query("type", "full")
    return c.store.sample_read_url(
        c.user, c.ds, c.path("sampleId"), type_=type_, base_url=c.base_url
    )


def _write_url(c: _Ctx) -> Any:
    file_name = c.query("fileName")
    if file_name is None:
        raise FakeApiError.of("MALFORMED_REQUEST", "query parameter fileName is required")
    return c.store.sample_write_url(
        c.user, c.ds, c.path("sampleId"), file_name=file_name, base_url=c.base_url
    )


def _list_samples_v1(c: _Ctx) -> Any:
    return c.store.list_samples_v1(
        c.user, c.ds, file_name=c.query("fileName"), sort_by=c.query("sortBy"),
        page_size=c.query_int("pageSize", minimum=1), page_offset=c.query_int("pageOffset"))


def _list_samples_partial(c: _Ctx) -> Any:
    return c.store.list_samples_partial(
        c.user, c.ds, mode=c.query("mode", "full"), file_name=c.query("fileName"),
        page_size=c.query_int("pageSize", minimum=1), page_offset=c.query_int("pageOffset"))


def _get_sample_v1(c: _Ctx) -> Any:
    return c.store.get_sample_v1(c.user, c.ds, c.path("sampleId"))


def _update_sample_v1(c: _Ctx) -> Any:
    c.query_bool("enableDatasetUpdate")  # deprecated upstream and ignored, but must be a bool
    c.store.update_sample_v1(c.user, c.ds, c.path("sampleId"), c.body)


def _write_url_v1(c: _Ctx) -> Any:
    if c.query("isThumbnail") is None:
        raise FakeApiError.of("MALFORMED_REQUEST", "query parameter isThumbnail is required")
    return c.store.sample_write_url_v1(
        c.user, c.ds, c.path("sampleId"), is_thumbnail=c.query_bool("isThumbnail"),
        base_url=c.base_url)


# -- samplings and jobs ---------------------------------------------------------------------------
def _trigger_sampling(c: _Ctx) -> Any:
    return c.store.sampling.trigger(c.user, c.ds, c.path("embeddingId"), c.body)


def _get_job(c: _Ctx) -> Any:
    return c.store.sampling.get_job(c.user, c.path("jobId"))


# -- datasources ----------------------------------------------------------------------------------
def _get_datasource(c: _Ctx) -> Any:
    purpose = c.query("purpose") if c.latest else None
    if purpose is not None:
        check(purpose, L.DATASOURCE_PURPOSES, "purpose")
    return c.store.get_datasource(c.user, c.ds, purpose=purpose)


def _put_datasource(c: _Ctx) -> Any:
    return c.store.put_datasource(c.user, c.ds, c.body)


def _get_processed(c: _Ctx) -> Any:
    value = c.store.get_processed_until(c.user, c.ds)
    return DatasourceProcessedUntilTimestampResponse(processed_until_timestamp=value)


def _put_processed(c: _Ctx) -> Any:
    return c.store.set_processed_until(c.user, c.ds, c.body.processed_until_timestamp)


def _list_raw(c: _Ctx) -> Any:
    cursor = c.query("cursor")
    from_ = to = None
    if cursor is None:  # with a cursor, from/to are ignored (even malformed ones)
        from_, to = c.timestamp("from"), c.timestamp("to")
    relevant = None
    if c.latest:
        # the fake's read URLs are already unlimited: redirected ones would be the same
        c.query_bool("useRedirectedReadUrl")
        relevant = c.query("relevantFilenamesFileName")
        if relevant is not None and len(relevant) < 4:
            raise FakeApiError.of("MALFORMED_REQUEST",
                                  "relevantFilenamesFileName must have 4 characters or more")
    return c.store.list_raw(c.user, c.ds, from_=from_, to=to, cursor=cursor, base_url=c.base_url,
                            relevant=relevant)


def _verify_datasource(c: _Ctx) -> Any:
    return c.store.verify_datasource(c.user, c.ds)


# -- predictions ----------------------------------------------------------------------------------
def _upsert_singletons(c: _Ctx) -> Any:
    return c.store.predictions.upsert_singletons(
        c.user, c.ds, c.path("sampleId"), c.version(), c.body
    )


def _get_singletons(c: _Ctx) -> Any:
    return c.store.predictions.get_singletons(c.user, c.ds, c.path("sampleId"), c.version())


def _list_singletons(c: _Ctx) -> Any:
    rows = c.store.predictions.list_singletons(c.user, c.ds, c.version(), c.query("taskName"))
    if not c.latest:
        return rows
    # the newest API pages this list (pageOffset >= 0, pageSize >= 1, in sample order)
    offset = c.query_int("pageOffset") or 0
    size = c.query_int("pageSize", minimum=1)
    return rows[offset:] if size is None else rows[offset : offset + size]


def _upsert_task_schema(c: _Ctx) -> Any:
    return c.store.predictions.upsert_task_schema(c.user, c.ds, c.version(), c.body)


def _list_task_schemas(c: _Ctx) -> Any:
    version = c.timestamp("predictionUUIDTimestamp")
    return c.store.predictions.list_task_schemas(c.user, c.ds, version)


def _get_task_schema(c: _Ctx) -> Any:
    return c.store.predictions.get_task_schema(c.user, c.ds, c.path("taskName"), c.version())


# -- tags -----------------------------------------------------------------------------------------
def _list_tags(c: _Ctx) -> Any:
    return c.store.tags.list_tags(c.user, c.ds)


def _create_tag(c: _Ctx) -> Any:
    return c.store.tags.create_tag(c.user, c.ds, c.body)


def _create_initial_tag(c: _Ctx) -> Any:
    return c.store.tags.create_initial(c.user, c.ds, c.body)


def _arithmetics(c: _Ctx) -> Any:
    return c.store.tags.arithmetics(c.user, c.ds, c.body, create=True)


def _arithmetics_bitmask(c: _Ctx) -> Any:
    return c.store.tags.arithmetics(c.user, c.ds, c.body, create=False)


def _upsize(c: _Ctx) -> Any:
    return c.store.tags.upsize(c.user, c.ds, c.body)


def _get_tag(c: _Ctx) -> Any:
    return c.store.tags.get_tag(c.user, c.ds, c.path("tagId"))


def _update_tag(c: _Ctx) -> Any:
    return c.store.tags.update_tag(c.user, c.ds, c.path("tagId"), c.body)


def _delete_tag(c: _Ctx) -> Any:
    return c.store.tags.delete_tag(c.user, c.ds, c.path("tagId"))


def _export_options(c: _Ctx) -> ExportOptions:
    paged = c.latest  # the newest API pages exports; the seed era answers every row at once
    if paged:
        for name, allowed in (("fileNameFormat", _FILE_NAME_FORMATS), ("format", _FORMATS)):
            value = c.query(name)
            if value is not None:
                check(value, allowed, name)
        c.query_bool("includeMetaData")
    return ExportOptions(
        base_url=c.base_url,
        expires_in=c.query_int("expiresIn", minimum=1),
        preview_example=c.query_bool("previewExample"),
        access_control=c.query("accessControl", "default"),
        page_size=c.query_int("pageSize", minimum=1) if paged else None,
        page_offset=c.query_int("pageOffset") if paged else None,
    )


_FILE_NAME_FORMATS: Final = OneOf("FileNameFormat", ("NAME", "DATASOURCE_FULL",
                                                     "REDIRECTED_READ_URL"))
_FORMATS: Final = OneOf("FileOutputFormat", ("JSON", "PLAIN"))


def _export_label_box(c: _Ctx) -> Any:
    return c.store.tags.export_label_box(c.user, c.ds, c.path("tagId"), _export_options(c))


def _export_label_box_v4(c: _Ctx) -> Any:
    return c.store.tags.export_label_box_v4(c.user, c.ds, c.path("tagId"), _export_options(c))


def _export_label_studio(c: _Ctx) -> Any:
    return c.store.tags.export_label_studio(c.user, c.ds, c.path("tagId"), _export_options(c))


def _filenames(c: _Ctx) -> Any:
    return c.store.tags.filenames(c.user, c.ds, c.path("tagId"))


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
