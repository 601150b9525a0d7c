"""The synchronous LightlySession and ``session.jobs``: thin, typed twins of the async ones."""

from __future__ import annotations

import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any

from lightly_async import NOT_GIVEN
from lightly_async.sync._dataset import Dataset
from lightly_async.sync._datasets import Datasets
from lightly_async.sync._portal import Runner, finalize_unclosed
from lightly_async.sync._worker import AllRuns, Workers

if TYPE_CHECKING:
    from lightly_async import _http
    from lightly_async._retry import RetryPolicy
    from lightly_async._session import LightlySession as AsyncSession
    from lightly_async._session import NotGiven, SessionStats, TimeoutArg
    from lightly_async.models.common import JobStatusData
    from lightly_async.models.datasets import DatasetData
    from lightly_async.resources.jobs import Jobs as AsyncJobs

__all__ = ["Jobs", "LightlySession"]


class LightlySession:
    """A blocking session with the Lightly API; use it as ``with``.

    Takes the arguments of :class:`lightly_async.LightlySession` (unset ones keep that
    class's defaults; newer keyword arguments pass through ``**options``) plus ``backend``:
    the event loop the async core runs on in this session's own thread (``"asyncio"`` or
    ``"trio"``). Every call blocks until its result is there, from a plain script, from any
    thread, and from code that already runs an event loop (a Jupyter cell).
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
        backend: str = "asyncio",
        **options: Any,
    ) -> None:
        given = {"bearer_token": bearer_token, "base_url": base_url, "timeout": timeout,
                 "deadline": deadline, "max_retries": max_retries, "retry": retry,
                 "concurrency": concurrency, "max_response_size": max_response_size,
                 "http_client": http_client, "transport": transport,
                 "allow_insecure_http": allow_insecure_http, "api": api}
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
        self._finalizer.atexit = False  # at exit the daemon thread simply ends

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
        self._runner.call(self._aio.aclose)
        if self._owns_runner:
            self._runner.stop()
            self._finalizer.detach()

    def __repr__(self) -> str:
        return repr(self._aio).replace("<LightlySession", "<lightly_async.sync.LightlySession")

    # -- the async session's API -------------------------------------------------------------
    @property
    def is_closed(self) -> bool:
        """True once ``close()`` ran (or the ``with`` block was left)."""
        return self._aio.is_closed

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._aio.base_url

    @property
    def api(self) -> str:
        """The API dialect spoken: ``"latest"`` (the default) or ``"seed"``."""
        return self._aio.api

    @property
    def transport_name(self) -> str:
        """What carries the requests: ``"aiohttp"``, ``"httpx2"``, …"""
        return self._aio.transport_name

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._aio.retry_policy

    @property
    def max_response_size(self) -> int | None:
        """The cap on an API answer's body, in bytes (``None``: no cap)."""
        return self._aio.max_response_size

    @property
    def deadline(self) -> float | None:
        """Seconds bounding one API call with its retries (``None``: no bound)."""
        return self._aio.deadline

    @property
    def concurrency(self) -> int:
        """The ceiling of bulk requests in flight (see ``concurrency=``)."""
        return self._aio.concurrency

    @property
    def stats(self) -> SessionStats:
        """Counters shared by this session and its views (requests, retries, …)."""
        return self._aio.stats

    @property
    def async_session(self) -> AsyncSession:
        """The async session underneath (usable only on this session's own loop)."""
        return self._aio

    def dataset(self, dataset_id: str | DatasetData) -> Dataset:
        """A handle on a dataset (by id or ``DatasetData``); no I/O happens until one of its
        methods is called."""
        return Dataset(self, self._runner, self._aio.dataset(dataset_id))

    @property
    def datasets(self) -> Datasets:
        """The user's datasets: ``create``, ``get``, ``get_by_name``, ``list``, ``update``,
        ``delete``."""
        return Datasets(self._runner, self._aio.datasets)

    @property
    def jobs(self) -> Jobs:
        """Server-side jobs (sampling runs): ``get`` and ``wait``."""
        return Jobs(self._runner, self._aio.jobs)

    @property
    def workers(self) -> Workers:
        """Lightly Workers: ``register``, ``list``, ``get``, ``delete``, ``create_config``."""
        return Workers(self._runner, self._aio.workers)

    @property
    def runs(self) -> AllRuns:
        """The user's Lightly Worker runs: ``get``, ``from_scheduled``, ``list``, ``tags``,
        artifacts and ``report``."""
        return AllRuns(self._runner, self._aio.runs)

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


class Jobs:
    """``session.jobs``: read and wait for server-side jobs."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: AsyncJobs) -> None:
        self._runner = runner
        self._aio = aio

    def get(self, job_id: str) -> JobStatusData:
        """The job's current status."""
        return self._runner.call(self._aio.get, job_id)

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = 600.0,
        min_poll_interval: float = 0.0,
        max_poll_interval: float = 30.0,
    ) -> JobStatusData:
        """Poll until the job finishes; see :meth:`lightly_async.Jobs.wait`."""
        return self._runner.call(self._aio.wait, job_id, timeout=timeout,
                                 min_poll_interval=min_poll_interval,
                                 max_poll_interval=max_poll_interval)


async def _open_async_session(token: str | None, kwargs: dict[str, Any]) -> AsyncSession:
    from lightly_async._session import LightlySession as AsyncSession

    return AsyncSession(token, **kwargs)
