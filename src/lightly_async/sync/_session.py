"""The synchronous LightlySession: its construction, lifecycle and the handles it builds; its
forwarders to the async session are generated (``_generated.LightlySession``)."""

from __future__ import annotations

import contextlib
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any

from lightly_async import NOT_GIVEN
from lightly_async.sync import _generated
from lightly_async.sync._dataset import Dataset
from lightly_async.sync._portal import Runner, close_at_exit, finalize_unclosed

if TYPE_CHECKING:
    from lightly_async import _http
    from lightly_async._config import SessionConfig
    from lightly_async._retry import RetryPolicy
    from lightly_async._send import RateBudget
    from lightly_async._session import LightlySession as AsyncSession
    from lightly_async._session import NotGiven, TimeoutArg
    from lightly_async.models.datasets import DatasetData

__all__ = ["LightlySession"]


class LightlySession(_generated.LightlySession):
    """A blocking session with the Lightly API; use it as ``with``.

    Takes the arguments of :class:`lightly_async.LightlySession` (unset ones keep that
    class's defaults; newer keyword arguments pass through ``**options``) plus ``backend``:
    the event loop the async core runs on in this session's own thread (``"asyncio"`` or
    ``"trio"``). A ``rate_budget`` (:class:`~lightly_async.RateBudget`) is awaited on that
    loop: its methods are coroutines as for the async session. Every call blocks until its
    result is there, from a plain script, from any thread, and from code that already runs
    an event loop (a Jupyter cell).

    The loop thread does not survive ``fork()``: in a forked child, any call raises
    :class:`~lightly_async.WrongContextError` (open a new session there); ``close()`` there
    just forgets the parent's session.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        bearer_token: str | NotGiven | None = NOT_GIVEN,
        base_url: str | NotGiven | None = NOT_GIVEN,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry: RetryPolicy | NotGiven | None = NOT_GIVEN,
        concurrency: int | NotGiven | None = NOT_GIVEN,
        max_response_size: int | NotGiven | None = NOT_GIVEN,
        http_client: _http.AnyClient | NotGiven | None = NOT_GIVEN,
        transport: _http.AnyTransport | NotGiven | None = NOT_GIVEN,
        allow_insecure_http: bool | NotGiven = NOT_GIVEN,
        api: str | NotGiven | None = NOT_GIVEN,
        rate_budget: RateBudget | NotGiven | None = NOT_GIVEN,
        backend: str = "asyncio",
        **options: Any,
    ) -> None:
        given = {"bearer_token": bearer_token, "base_url": base_url, "timeout": timeout,
                 "deadline": deadline, "max_retries": max_retries, "retry": retry,
                 "concurrency": concurrency, "max_response_size": max_response_size,
                 "http_client": http_client, "transport": transport,
                 "allow_insecure_http": allow_insecure_http, "api": api,
                 "rate_budget": rate_budget}
        kwargs = {k: v for k, v in given.items() if v is not NOT_GIVEN} | options
        runner = Runner(backend)
        try:
            # Built on the session's loop: the async session's limiter belongs to that loop.
            aio = runner.call(_open_async_session, token, kwargs)
        except BaseException:
            runner.stop()
            raise
        self._init(runner, aio, owns_runner=True)
        self._finalizer = weakref.finalize(self, finalize_unclosed, runner, repr(self))
        self._finalizer.atexit = False  # at exit, close_at_exit closes it (silently)
        close_at_exit(self)

    @classmethod
    def from_config(cls, config: SessionConfig, /, *, backend: str = "asyncio",
                    **overrides: Any) -> LightlySession:
        """A session opened from a :class:`~lightly_async.SessionConfig`, as
        :meth:`lightly_async.LightlySession.from_config` (plus ``backend``)."""
        from lightly_async._config import session_arguments

        effective, kwargs = session_arguments(config, overrides)
        token = kwargs.pop("token", None)
        session = cls(token, backend=backend, **kwargs)
        session._aio._config_source = effective
        return session

    def _init(self, runner: Runner, aio: AsyncSession, *, owns_runner: bool) -> None:
        self._runner = runner
        self._aio = aio
        self._owns_runner = owns_runner

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> LightlySession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool and stop this session's event loop thread."""
        if self._runner.is_stopped:
            return
        if self._runner.forked:  # a child after fork(): the pool is the parent's
            self._runner.stop()
            if self._owns_runner:
                self._finalizer.detach()
            return
        self._runner.call(self._aio.aclose)
        if self._owns_runner:
            self._runner.stop()
            self._finalizer.detach()

    def _close_quietly(self, *, timeout: float) -> None:
        """``close()`` bounded by ``timeout`` seconds, without a word (at interpreter exit)."""
        runner = self._runner
        if runner.is_stopped or runner.forked:
            return
        portal = runner._portal
        if portal is None:
            return
        future = portal.start_task_soon(self._aio.aclose)
        with contextlib.suppress(Exception):
            future.result(timeout)
        runner.stop_soon()
        self._finalizer.detach()

    def __repr__(self) -> str:
        return repr(self._aio).replace("<LightlySession", "<lightly_async.sync.LightlySession")

    # -- what is more than a forwarder ------------------------------------------------------
    @property
    def async_session(self) -> AsyncSession:
        """The async session underneath (usable only on this session's own loop)."""
        return self._aio

    def dataset(self, dataset_id: str | DatasetData) -> Dataset:
        """A handle on a dataset (by id or ``DatasetData``); no I/O happens until one of its
        methods is called."""
        return Dataset(self, self._runner, self._aio.dataset(dataset_id))

    def with_options(
        self,
        *,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry: RetryPolicy | NotGiven = NOT_GIVEN,
        max_response_size: int | NotGiven | None = NOT_GIVEN,
    ) -> LightlySession:
        """A view with other defaults that shares this session's pool and thread."""
        view = object.__new__(LightlySession)
        view._init(self._runner, self._aio.with_options(
            timeout=timeout, deadline=deadline, max_retries=max_retries, retry=retry,
            max_response_size=max_response_size), owns_runner=False)
        return view


async def _open_async_session(token: str | None, kwargs: dict[str, Any]) -> AsyncSession:
    from lightly_async._session import LightlySession as AsyncSession

    return AsyncSession(token, **kwargs)
