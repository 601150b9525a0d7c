"""FakeLightly: the admin API of the fake server and the two ways to reach it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from lightly_async import _http
from lightly_async.models import DatasourceConfig, DatasourceConfigLIGHTLY, TagData
from lightly_async.testing._app import Call, create_app
from lightly_async.testing._faults import Faults
from lightly_async.testing._store import DEFAULT_TOKEN, FakeStore
from lightly_async.testing._tags import tag_data
from lightly_async.testing._transports import asgi_transport

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from lightly_async import LightlySession  # type: ignore[attr-defined,unused-ignore]

__all__ = ["FAKE_BASE_URL", "FakeLightly"]

FAKE_BASE_URL = "http://fake.lightly"
"""The base URL of sessions wired to the in-process transport."""


class FakeLightly:
    """An in-memory Lightly server for tests: admin methods plus an ASGI app.

    Args:
        token: the API token (or bearer JWT) accepted for the default user.
        seed: seeds ids, sample metadata, embeddings, RANDOM/CORESET samplings and faults.
        clock: seconds since the epoch (``time.time``); drives timestamps and URL expiry.
        api: which contract the HTTP face speaks: ``"latest"`` (default), the newest public
            API as served today (lightly 1.5.20's shapes), or ``"seed"``, the seed documents'
            contract (see docs/fake.md, "Two API dialects").
            ``serve()``, ``serve_in_thread()``, ``transport()`` and ``session()`` serve that mode.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        api: str = "latest",
    ) -> None:
        self.token = token
        self.seed = seed
        self.store = FakeStore(token=token, seed=seed, clock=clock, api=api)
        self.faults = Faults(seed)
        self.calls: list[Call] = []
        self.app: Starlette = create_app(self.store, self.faults, self.calls)

    @property
    def api(self) -> str:
        """The contract spoken: ``"seed"`` or ``"latest"``."""
        return self.store.api

    # -- data ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to a freshly constructed fake: no data, no faults, no calls, default settings."""
        self.store.reset()
        self.faults.reset()
        self.calls.clear()

    def add_worker(
        self,
        name: str,
        *,
        labels: Iterable[str] = (),
        picks_up: bool = True,
        fail_at: str | None = None,
        fail_as: str = "FAILED",
        owner_token: str | None = None,
    ) -> str:
        """Register a simulated Lightly Worker; returns its id (registering the same name
        through the API returns it too).

        It takes the owner's scheduled runs whose ``runsOn`` labels it all has (unless
        ``picks_up=False``) and moves each by one state per read of the run, its scheduled
        entry or the dataset's scheduled runs, through ``RUN_STATES`` of
        ``testing/_docker.py`` to ``COMPLETED``: selecting samples, creating the run's tags,
        storing its artifacts. With ``fail_at`` (one of those states) the run ends in
        ``fail_as`` (``FAILED``, ``CRASHED`` or ``ABORTED``) instead of entering it.
        """
        with self.store.lock:
            owner = self.store.users.get(owner_token) if owner_token else self.store.default_user
            if owner is None:
                raise ValueError(f"unknown owner token; call add_user({owner_token!r}) first")
            return self.store.docker.add_worker(owner, name, labels=list(labels),
                                                picks_up=picks_up, fail_at=fail_at,
                                                fail_as=fail_as)

    def add_user(self, token: str) -> str:
        """Accept another credential (token or JWT) as a separate user; returns the user id."""
        return self.store.add_user(token).id

    def create_dataset(
        self,
        name: str = "dataset",
        file_names: Sequence[str] = (),
        *,
        owner_token: str | None = None,
        img_type: str | None = None,
    ) -> str:
        """A dataset with samples in ``file_names`` order (indices 0..n-1); returns its id.

        Unlike ``POST /v1/datasets``, a name the owner already uses is allowed here, so that
        duplicate names can be set up on purpose. ``img_type`` (``"full"``, ``"thumbnail"``
        or ``"meta"``) is what ``DatasetData.img_type`` says; unset by default.
        """
        return self.store.create_dataset(name, file_names, owner_token=owner_token,
                                         img_type=img_type)

    def add_samples(self, dataset_id: str, file_names: Iterable[str]) -> list[str]:
        """Append samples at the next indices; returns their ids."""
        return self.store.add_samples(dataset_id, file_names)

    def sample_ids(self, dataset_id: str) -> list[str]:
        """The dataset's sample ids in index order."""
        with self.store.lock:
            return [s.id for s in self.store.admin_dataset(dataset_id).samples]

    def add_raw_files(
        self, dataset_id: str, files: Iterable[tuple[str, int] | tuple[str, int, bytes]]
    ) -> None:
        """Put ``(file_name, created_at_seconds[, bytes])`` files in the datasource bucket.

        A dataset without a datasource gets a ``LIGHTLY`` one.
        """
        self.store.add_raw_files(dataset_id, files)

    def add_embedding(
        self,
        dataset_id: str,
        vectors: Sequence[Sequence[float]] | None = None,
        *,
        name: str = "default",
        dim: int = 8,
    ) -> str:
        """An embedding with one vector per sample (seeded random when omitted); its id."""
        return self.store.add_embedding(dataset_id, vectors, name=name, dim=dim)

    def add_scores(self, dataset_id: str, score_type: str, scores: Sequence[float]) -> None:
        """Active-learning scores, one per sample index, enabling ``ACTIVE_LEARNING``."""
        with self.store.lock:
            self.store.admin_dataset(dataset_id).scores[score_type] = [float(s) for s in scores]

    def set_datasource(self, dataset_id: str, config: DatasourceConfig | None = None) -> None:
        """Configure the datasource directly (default: a ``LIGHTLY`` one)."""
        with self.store.lock:
            dataset = self.store.admin_dataset(dataset_id)
            dataset.datasource = config or DatasourceConfigLIGHTLY(
                full_path=f"lightly/{dataset_id}"
            )

    def set_verify(
        self,
        dataset_id: str,
        *,
        can_read: bool = True,
        can_write: bool = True,
        can_list: bool = True,
        can_overwrite: bool = True,
    ) -> None:
        """What ``GET .../datasource/verify`` answers (``canOverwrite``: ``api="latest"`` only)."""
        with self.store.lock:
            self.store.admin_dataset(dataset_id).verify = (
                can_read, can_write, can_list, can_overwrite)

    def tags(self, dataset_id: str) -> list[TagData]:
        """The dataset's tags as the API shows them."""
        with self.store.lock:
            dataset = self.store.admin_dataset(dataset_id)
            return [tag_data(dataset, t) for t in dataset.tags.values()]

    def tag_creator(self, dataset_id: str, tag_id: str) -> str:
        """Who created a tag (``TagData`` does not say)."""
        with self.store.lock:
            tag = self.store.admin_dataset(dataset_id).tags.get(tag_id)
            if tag is None:
                raise ValueError(f"no tag {tag_id!r} in dataset {dataset_id!r}")
            return tag.creator

    def blob(self, key: str) -> bytes | None:
        """What was PUT to a signed URL, by key (``<dataset>/samples/<sample>/<file name>``)."""
        with self.store.lock:
            return self.store.blobs.get(key)

    # -- settings -----------------------------------------------------------------------------
    @property
    def page_size(self) -> int:
        """Rows per page of the raw-file listing."""
        return self.store.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        if value < 1:
            raise ValueError("page_size must be >= 1")
        self.store.page_size = value

    def set_page_size(self, value: int) -> None:
        """Same as ``fake.page_size = value``."""
        self.page_size = value

    @property
    def job_steps(self) -> tuple[str, ...]:
        """States a job reports, one per poll, before it finishes (default WAITING, RUNNING)."""
        return self.store.sampling.job_steps

    @job_steps.setter
    def job_steps(self, value: Iterable[str]) -> None:
        self.store.sampling.job_steps = tuple(value)

    @property
    def job_poll_interval(self) -> int:
        """``waitTimeTillNextPoll`` of job answers, in seconds (default 0)."""
        return self.store.sampling.poll_interval

    @job_poll_interval.setter
    def job_poll_interval(self, value: int) -> None:
        self.store.sampling.poll_interval = value

    def fail_job(self, job_id: str, error: str = "sampling failed") -> None:
        """Make a running job end ``FAILED`` with ``error``."""
        with self.store.lock:
            self.store.sampling.fail_job(job_id, error)

    # -- reaching it --------------------------------------------------------------------------
    def transport(self) -> _http.AsyncBaseTransport:
        """An in-process httpx transport serving this fake (no sockets)."""
        return asgi_transport(self.app)

    @contextlib.asynccontextmanager
    async def session(self, **kwargs: Any) -> AsyncIterator[LightlySession]:
        """A ``LightlySession`` wired to this fake in-process; ``kwargs`` go to the session."""
        from lightly_async import LightlySession  # the client is imported lazily

        options: dict[str, Any] = {
            "token": self.token,
            "base_url": FAKE_BASE_URL,
            "transport": self.transport(),
            # The in-process transport never leaves the process: plain http is safe here.
            "allow_insecure_http": True,
            "api": self.api,  # the client speaks the fake's dialect
        }
        options.update(kwargs)
        async with LightlySession(**options) as session:
            yield session

    @contextlib.asynccontextmanager
    async def serve(
        self, *, log_level: str = "warning", host: str = "127.0.0.1", port: int = 0
    ) -> AsyncIterator[str]:
        """Serve over loopback (uvicorn in a thread); yields ``http://127.0.0.1:<port>``.

        ``port=0`` picks a free port; another ``host`` serves beyond loopback (plain HTTP).
        """
        from lightly_async.testing import _serve  # uvicorn only when serving over loopback

        async with _serve.serve(self.app, log_level=log_level, host=host, port=port) as base_url:
            yield base_url

    @contextlib.contextmanager
    def serve_in_thread(
        self, *, log_level: str = "warning", host: str = "127.0.0.1", port: int = 0
    ) -> Iterator[str]:
        """Like :meth:`serve`, for synchronous code."""
        from lightly_async.testing import _serve

        with _serve.serve_in_thread(self.app, log_level=log_level, host=host,
                                    port=port) as base_url:
            yield base_url
