"""What a service can see of a session's API calls: hooks and OpenTelemetry spans.

* **Hooks** (``LightlySession(on_request=..., on_response=..., on_retry=...)``): each gets a
  :class:`CallEvent` per attempt, of API calls and of signed-URL transfers (operations
  ``transfer.download`` / ``transfer.upload``). A hook may be a plain function or a
  coroutine function.
* **Spans**: when ``opentelemetry-api`` is installed and a tracer provider is set, each API
  call (all its attempts) is one ``CLIENT`` span named ``lightly.<operation>``, a child of
  the caller's current span, with the method, the redacted URL, the final status, the
  retries and the request id. Nothing is imported for this before the first API call, and
  without a provider no span is started.

Nothing here carries a secret: URLs are the session's display URLs (no token, no signed
query) and errors are lightly_async's own (redacted).

The operation is named after the resource method that made the call (``tags.get``,
``samples.read_url``): found from the calling frames, only when something observes.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any, Final

__all__ = ["CallEvent", "Hook", "Observer", "Watch", "operation_name", "tracer"]

#: A hook: called with the event; may return an awaitable, which is awaited.
Hook = Callable[["CallEvent"], Any]
_RESOURCES: Final = "lightly_async.resources"


class CallEvent:
    """One attempt of an API call, as the hooks see it (read-only).

    Attributes:
        method: ``GET``, ``POST``, …
        operation: the resource method that made the call, e.g. ``"tags.get"``.
        url: the redacted URL (no token; query parameters otherwise kept).
        attempt: 1 for the first attempt, 2 for the first retry, …
        status: the answer's status (``None`` before it, or when no answer came).
        elapsed: seconds the attempt took (``None`` in ``on_request``).
        error: what the attempt failed with (a :class:`LightlyError`), if it failed.
        wait: seconds before the next attempt (``on_retry`` only).
        request_id: the server's request id, when its answer carried one.
    """

    # A plain class, not attrs: generating one costs milliseconds at `import lightly_async`.
    __slots__ = _FIELDS = ("method", "operation", "url", "attempt", "status", "elapsed",
                           "error", "wait", "request_id")

    method: str
    operation: str
    url: str
    attempt: int
    status: int | None
    elapsed: float | None
    error: BaseException | None
    wait: float | None
    request_id: str | None

    def __init__(self, *, method: str, operation: str, url: str, attempt: int,
                 status: int | None = None, elapsed: float | None = None,
                 error: BaseException | None = None, wait: float | None = None,
                 request_id: str | None = None) -> None:
        setter = object.__setattr__
        for name, value in zip(self._FIELDS, (method, operation, url, attempt, status, elapsed,
                                              error, wait, request_id), strict=True):
            setter(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"CallEvent is read-only (cannot set {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CallEvent):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._FIELDS)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._FIELDS)
        return f"CallEvent({shown})"


class Observer:
    """The hooks of one session (shared with its views)."""

    __slots__ = ("on_request", "on_response", "on_retry")

    def __init__(self, on_request: Hook | None, on_response: Hook | None,
                 on_retry: Hook | None) -> None:
        for name, hook in (("on_request", on_request), ("on_response", on_response),
                           ("on_retry", on_retry)):
            if hook is not None and not callable(hook):
                from lightly_async.errors import InvalidInputError

                raise InvalidInputError(name, f"must be callable, got {type(hook).__name__}")
        self.on_request = on_request
        self.on_response = on_response
        self.on_retry = on_retry

    @property
    def active(self) -> bool:
        return bool(self.on_request or self.on_response or self.on_retry)


async def call_hook(hook: Hook | None, event: CallEvent) -> None:
    """Run ``hook`` (awaiting what it returns, if awaitable)."""
    if hook is None:
        return
    result = hook(event)
    if hasattr(result, "__await__"):  # a coroutine hook (inspect is slow to import)
        await result


class Watch:
    """One observed API call: its hooks, its span's tracer and what the span reports."""

    __slots__ = ("display", "method", "observer", "operation", "request_id", "retries",
                 "status", "tracer")

    def __init__(self, observer: Observer | None, tracer: Any, operation: str, method: str,
                 display: Callable[[], str]) -> None:
        self.observer = observer
        self.tracer = tracer
        self.operation = operation
        self.method = method
        self.display = display
        self.status: int | None = None
        self.request_id: str | None = None
        self.retries = 0

    def event(self, attempt: int, **fields: Any) -> CallEvent:
        return CallEvent(method=self.method, operation=self.operation, url=self.display(),
                         attempt=attempt, **fields)

    async def request(self, attempt: int) -> None:
        if self.observer is not None and self.observer.on_request is not None:
            await call_hook(self.observer.on_request, self.event(attempt))

    async def response(self, attempt: int, status: int | None, elapsed: float,
                       error: BaseException | None, request_id: str | None) -> None:
        self.status = status
        self.request_id = request_id or self.request_id
        if self.observer is not None and self.observer.on_response is not None:
            await call_hook(self.observer.on_response, self.event(
                attempt, status=status, elapsed=elapsed, error=error, request_id=request_id))

    async def retry(self, attempt: int, wait: float, error: BaseException) -> None:
        self.retries += 1
        if self.observer is not None and self.observer.on_retry is not None:
            await call_hook(self.observer.on_retry, self.event(
                attempt, status=self.status, error=error, wait=wait,
                request_id=self.request_id))


def operation_name(depth: int = 2) -> str:
    """``"tags.get"``: the resource method up the stack from ``Pipeline.request``.

    Called only for an observed call (hooks given, or a tracer set): an unobserved call
    never walks the stack. The name is the resource method's, not the operation's id
    (``get_tag_by_tag_id``), so that hooks and spans speak the caller's words.
    """
    frame = sys._getframe(depth)
    for _ in range(6):
        if frame is None:
            break
        if (frame.f_globals.get("__name__", "").startswith(_RESOURCES)
                and frame.f_code.co_qualname != "Resource._call"):  # the shared bound verb
            owner, _, rest = frame.f_code.co_qualname.partition(".")
            method = rest.partition(".")[0] or owner
            return f"{owner.lower()}.{method}" if rest else owner
        frame = frame.f_back  # type: ignore[assignment]
    return "api.call"


# -- OpenTelemetry: imported on the first API call, only if installed ------------------------
_otel: Any = None  # the opentelemetry.trace module, False when not installed
_UNKNOWN: Final = object()
_last: tuple[Any, Any] | None = None  # (provider, its tracer for us)


def tracer() -> Any:
    """A tracer when opentelemetry is installed and a real provider is set, else ``None``."""
    global _otel
    trace = _otel
    if trace is None:
        if "opentelemetry.trace" not in sys.modules:
            # Nobody set a tracer provider (that needs opentelemetry.trace): no span to make,
            # and importing it here would cost a process that traces nothing ~10 ms.
            return None
        if importlib.util.find_spec("opentelemetry") is None:
            trace = _otel = False
        else:
            try:
                from opentelemetry import trace as otel_trace
            except ImportError:  # pragma: no cover - a broken install
                trace = _otel = False
            else:
                trace = _otel = otel_trace
    if trace is False:
        return None
    # The global a provider is set in (``set_tracer_provider``): read directly, as
    # ``get_tracer_provider()`` looks at the environment on every call. Still None: nobody
    # collects spans, so none is made.
    provider: Any = getattr(trace, "_TRACER_PROVIDER", _UNKNOWN)
    if provider is None:
        return None
    if provider is _UNKNOWN:  # pragma: no cover - an opentelemetry-api without that global
        provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        return None
    global _last
    if _last is not None and _last[0] is provider:
        return _last[1]
    from lightly_async._version import __version__

    made = provider.get_tracer("lightly_async", __version__)
    _last = (provider, made)
    return made


def start_span(tracer_: Any, operation: str, method: str, url: str) -> Any:
    """The span of one API call, current for its duration (a context manager)."""
    return tracer_.start_as_current_span(
        f"lightly.{operation}", kind=_otel.SpanKind.CLIENT, record_exception=False,
        set_status_on_exception=False, attributes={
            "lightly.operation": operation, "http.request.method": method, "url.full": url})


def end_span(span: Any, *, status: int | None, retries: int, request_id: str | None,
             error: BaseException | None) -> None:
    """Record the outcome on ``span``."""
    span.set_attribute("lightly.retries", retries)
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if request_id:
        span.set_attribute("lightly.request_id", request_id)
    if error is not None:
        span.set_attribute("error.type", type(error).__name__)
        span.set_status(_otel.Status(_otel.StatusCode.ERROR, str(error)[:300]))

