"""Lightly Worker runs: scheduled on a dataset (``ds.runs``), read for the user
(``session.runs``), watched until they end, and their artifacts fetched.

A run is first a *scheduled run* (``DockerRunScheduledData``: ``OPEN`` until a worker takes
it); the worker then creates the *run* (``DockerRunData``) and moves it through its states to
``COMPLETED``, ``FAILED``, ``CRASHED`` or ``ABORTED``. ``ds.runs.info`` resolves the two
into one ``RunInfo`` as lightly 1.5.20's ``get_compute_worker_run_info`` did.
"""

from __future__ import annotations

import builtins
import errno
import json
import math
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, Final

import anyio
import attrs

from lightly_async import _operations as op
from lightly_async import _transfer
from lightly_async import _validate as check
from lightly_async._offset_pager import OffsetPager
from lightly_async._transfer import DEFAULT_TRANSFER_TIMEOUT, IfExists, TransferTimeout
from lightly_async.bulk import SKIPPED, BulkResult, OnResult, run_bulk
from lightly_async.errors import APITimeoutError, InvalidInputError, NotFoundError, RunFailedError
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.docker import (
    Creator,
    DockerRunArtifactData,
    DockerRunArtifactType,
    DockerRunData,
    DockerRunScheduledCreateRequest,
    DockerRunScheduledData,
    DockerRunScheduledPriority,
    DockerRunScheduledState,
    DockerRunState,
)
from lightly_async.models.tags import TagData
from lightly_async.progress import ProgressArg
from lightly_async.resources._base import DatasetResource, Resource
from lightly_async.resources.workers import (
    LightlyConfigArg,
    SelectionConfigArg,
    WorkerConfigArg,
    Workers,
    _labels,
)

__all__ = [
    "CANCELED_OR_NOT_EXISTING",
    "DEFAULT_RUN_PAGE_SIZE",
    "OPEN",
    "AllRuns",
    "RunInfo",
    "RunPager",
    "Runs",
]

OPEN: Final = "OPEN"
"""``RunInfo.state`` while the run is scheduled but no worker has taken it."""
CANCELED_OR_NOT_EXISTING: Final = "CANCELED_OR_NOT_EXISTING"
"""``RunInfo.state`` when neither a run nor a scheduled run has the id (canceled, or never)."""
DEFAULT_RUN_PAGE_SIZE: Final = 5000

#: The states after which a run never changes.
END_STATES: Final = frozenset({DockerRunState.COMPLETED, DockerRunState.FAILED,
                               DockerRunState.CRASHED, DockerRunState.ABORTED,
                               CANCELED_OR_NOT_EXISTING})

RunPager = OffsetPager[DockerRunData]
"""What ``session.runs.list()`` returns: ``async for run in pager``, or
``await pager.collect()``."""


@attrs.frozen(kw_only=True)
class RunInfo:
    """Where a scheduled run stands.

    ``state`` is a ``DockerRunState`` once a worker took the run, ``"OPEN"`` before, and
    ``"CANCELED_OR_NOT_EXISTING"`` when nothing has the id; a state newer than this client
    is its wire string. ``run`` is the ``DockerRunData`` (``None`` before a worker took it).
    """

    state: DockerRunState | str
    message: str | None
    run: DockerRunData | None = None

    @property
    def in_end_state(self) -> bool:
        """Whether the run has ended (completed, failed, crashed, aborted or canceled)."""
        return self.state in END_STATES

    @property
    def ended_successfully(self) -> bool:
        """Whether the run ended in ``COMPLETED`` (``False`` while it is still going)."""
        return self.state == DockerRunState.COMPLETED


class Runs(DatasetResource):
    """``ds.runs``: schedule Lightly Worker runs on the dataset and follow them."""

    __slots__ = ()

    async def schedule(
        self,
        *,
        worker_config: WorkerConfigArg = None,
        lightly_config: LightlyConfigArg = None,
        selection_config: SelectionConfigArg = None,
        priority: DockerRunScheduledPriority | str = DockerRunScheduledPriority.MID,
        runs_on: Iterable[str] = (),
    ) -> str:
        """Store the config and schedule a run of it; returns the scheduled run's id.

        The configs are models or snake_case dicts (see ``session.workers.create_config``);
        ``runs_on`` are the labels a worker needs to take the run. Everything is checked
        before the first request.
        """
        level = check.enum_value("priority", priority, DockerRunScheduledPriority)
        labels = _labels("runs_on", runs_on)
        workers = Workers(self._session)
        config_id = await workers.create_config(worker_config, lightly_config, selection_config)
        body = DockerRunScheduledCreateRequest(config_id=config_id, priority=level,
                                               runs_on=labels, creator=Creator.USER_PIP)
        created = await self._call(op.CREATE_DOCKER_RUN_SCHEDULED_BY_DATASET_ID,
                                   cast=CreateEntityResponse, json_body=self._dump(body),
                                   replay_safe=False)
        return created.id

    async def scheduled(
        self, state: DockerRunScheduledState | str | None = None,
    ) -> builtins.list[DockerRunScheduledData]:
        """The dataset's scheduled runs; without ``state``, those not yet done or canceled
        (the server's default)."""
        params = {} if state is None else {
            "state": check.enum_value("state", state, DockerRunScheduledState).value}
        return await self._call(op.GET_DOCKER_RUNS_SCHEDULED_BY_DATASET_ID,
                                cast=builtins.list[DockerRunScheduledData], params=params)

    async def cancel(self, scheduled_id: str) -> None:
        """Cancel a scheduled run that no worker has taken yet."""
        await self._call(op.CANCEL_SCHEDULED_DOCKER_RUN_STATE_BY_ID,
                         scheduledId=check.object_id("scheduled_id", scheduled_id))

    async def info(self, scheduled_id: str) -> RunInfo:
        """Where the scheduled run stands: the run's state once a worker took it, ``"OPEN"``
        while it waits, ``"CANCELED_OR_NOT_EXISTING"`` when neither exists."""
        scheduled_id = check.object_id("scheduled_id", scheduled_id)
        try:
            run = await self._call(op.GET_DOCKER_RUN_BY_SCHEDULED_ID, cast=DockerRunData,
                                   scheduledId=scheduled_id)
        except NotFoundError:
            pass
        else:
            return RunInfo(state=run.state, message=run.message, run=run)
        waiting = await self._call(op.GET_DOCKER_RUNS_SCHEDULED_BY_DATASET_ID,
                                   cast=builtins.list[DockerRunScheduledData])
        if any(entry.id == scheduled_id for entry in waiting):
            return RunInfo(state=OPEN, message=(
                "Waiting for pickup by a Lightly Worker: make sure one is running with your "
                "token (and the run's runs_on labels)."))
        return RunInfo(state=CANCELED_OR_NOT_EXISTING, message=(
            f"No run or scheduled run has the id {scheduled_id}: it was canceled before a "
            "worker took it, or never existed."))

    def watch(self, scheduled_id: str, *, poll_interval: float = 30.0) -> AsyncIterator[RunInfo]:
        """Poll the run every ``poll_interval`` seconds, yielding a ``RunInfo`` each time its
        state or message changes (the first one at once); ends after an end state."""
        scheduled_id = check.object_id("scheduled_id", scheduled_id)
        _interval(poll_interval)
        return _Watch(self, scheduled_id, poll_interval)

    async def wait(
        self,
        scheduled_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 30.0,
        progress: Callable[[RunInfo], Any] | None = None,
    ) -> DockerRunData:
        """Wait for the run to end; returns it on ``COMPLETED``.

        ``progress`` is called with each new ``RunInfo`` (a state this client does not know
        is shown and waited through: newer workers add intermediate states).

        Raises:
            RunFailedError: it ended in ``FAILED``, ``CRASHED`` or ``ABORTED``, or was
                canceled (or never existed).
            APITimeoutError: ``timeout`` seconds passed first (the run goes on).
        """
        if timeout is not None and not timeout > 0:
            raise InvalidInputError("timeout", f"must be > 0 or None, got {timeout!r}")
        last: RunInfo | None = None
        try:
            with anyio.fail_after(math.inf if timeout is None else timeout):
                async for info in self.watch(scheduled_id, poll_interval=poll_interval):
                    last = info
                    if progress is not None:
                        progress(info)
        except TimeoutError:
            raise APITimeoutError(
                f"run {scheduled_id} did not end within {timeout}s", method="GET",
                url=op.GET_DOCKER_RUN_BY_SCHEDULED_ID.path_for(
                    "latest", scheduledId=scheduled_id)) from None
        assert last is not None  # the watch yields at least once, last in an end state
        if last.state == DockerRunState.COMPLETED and last.run is not None:
            return last.run
        raise RunFailedError(_wire(last.state), last.message, last.run)


class _Watch:
    # A plain iterator class, not an async generator: abandoning one needs no finalizer.
    def __init__(self, runs: Runs, scheduled_id: str, poll_interval: float) -> None:
        self._runs = runs
        self._id = scheduled_id
        self._interval = poll_interval
        self._last: tuple[str, str | None] | None = None
        self._done = False

    def __aiter__(self) -> _Watch:
        return self

    async def __anext__(self) -> RunInfo:
        sleep = self._runs._session.retry_policy.sleep
        while not self._done:
            if self._last is not None:
                await sleep(self._interval)
            info = await self._runs.info(self._id)
            key = (_wire(info.state), info.message)
            changed = key != self._last
            self._last = key
            if info.in_end_state:
                self._done = True
            if changed:
                return info
        raise StopAsyncIteration


class AllRuns(Resource):
    """``session.runs``: the user's Lightly Worker runs, their tags and artifacts."""

    __slots__ = ()

    async def get(self, run_id: str) -> DockerRunData:
        """One run."""
        return await self._call(op.GET_DOCKER_RUN_BY_ID, cast=DockerRunData,
                                runId=check.object_id("run_id", run_id))

    async def from_scheduled(self, scheduled_id: str) -> DockerRunData:
        """The run a worker made of a scheduled run (:class:`NotFoundError` before)."""
        return await self._call(op.GET_DOCKER_RUN_BY_SCHEDULED_ID, cast=DockerRunData,
                                scheduledId=check.object_id("scheduled_id", scheduled_id))

    def list(self, dataset_id: str | None = None, *,
             page_size: int = DEFAULT_RUN_PAGE_SIZE) -> RunPager:
        """Every run of the user (of one dataset with ``dataset_id``), page by page."""
        size = check.positive_int("page_size", page_size)
        if dataset_id is None:
            async def fetch(offset: int, size: int) -> builtins.list[DockerRunData]:
                return await self._call(op.GET_DOCKER_RUNS, cast=builtins.list[DockerRunData],
                                        params={"pageSize": size, "pageOffset": offset})
        else:
            dataset_id = check.object_id("dataset_id", dataset_id)

            async def fetch(offset: int, size: int) -> builtins.list[DockerRunData]:
                return await self._call(op.GET_DOCKER_RUNS_QUERY_BY_DATASET_ID,
                                        cast=builtins.list[DockerRunData],
                                        params={"pageSize": size, "pageOffset": offset},
                                        datasetId=dataset_id)
        return RunPager(fetch, size)

    async def tags(self, run_id: str, dataset_id: str | None = None) -> builtins.list[TagData]:
        """The tags the run created, newest first (of one dataset with ``dataset_id``)."""
        tags = await self._call(op.GET_DOCKER_RUN_TAGS, cast=builtins.list[TagData],
                                runId=check.object_id("run_id", run_id))
        if dataset_id is not None:
            dataset_id = check.object_id("dataset_id", dataset_id)
            tags = [t for t in tags if t.dataset_id == dataset_id]
        return sorted(tags, key=lambda t: t.created_at, reverse=True)

    async def artifact_read_url(
        self, run: DockerRunData | str, artifact_type: DockerRunArtifactType | str,
    ) -> str:
        """A signed URL to read the run's artifact of that type."""
        run = await self._run(run)
        return await self._read_url(run, _artifact(run, artifact_type))

    async def download_artifact(
        self,
        run: DockerRunData | str,
        artifact_type: DockerRunArtifactType | str,
        path: str | os.PathLike[str],
        *,
        if_exists: IfExists = "error",
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> Path:
        """Stream the run's artifact of that type to ``path`` (which appears only once
        complete; an existing file is kept unless ``if_exists="overwrite"``)."""
        _check_if_exists(if_exists)
        run = await self._run(run)
        artifact = _artifact(run, artifact_type)
        dest = Path(path)
        await self._download(run, artifact, dest, if_exists=if_exists,
                             transfer_timeout=transfer_timeout)
        return dest

    async def download_artifacts(
        self,
        run: DockerRunData | str,
        dest_dir: str | os.PathLike[str],
        *,
        if_exists: IfExists = "error",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
        on_result: OnResult | None = None,
    ) -> BulkResult[str, Path]:
        """Stream every artifact of the run into ``dest_dir`` (keyed by artifact id, each
        file under its own file name); ``if_exists="skip"`` resumes an interrupted run.
        ``on_result`` receives each outcome as it ends (see :mod:`lightly_async.bulk`)."""
        _check_if_exists(if_exists)
        directory = Path(dest_dir)
        if not await anyio.Path(directory).is_dir():
            raise InvalidInputError("dest_dir", f"{directory} is not an existing directory")
        run = await self._run(run)
        plan: dict[str, tuple[DockerRunArtifactData, Path]] = {}
        names: set[str] = set()
        for artifact in run.artifacts or []:
            name = Path(artifact.file_name).name
            if name in ("", ".", "..") or name in names:
                name = f"{artifact.id}-{name.strip('.') or 'artifact'}"
            names.add(name)
            plan[artifact.id] = (artifact, directory / name)
        download = partial(self._download, run, if_exists=if_exists,
                           transfer_timeout=transfer_timeout, bulk=True)
        return await run_bulk(
            self._session, [(key, partial(download, artifact, dest))
                            for key, (artifact, dest) in plan.items()],
            concurrency=concurrency, fail_fast=fail_fast, progress=progress,
            description="artifacts", on_result=on_result)

    async def report(self, run: DockerRunData | str) -> dict[str, Any]:
        """The run's report (the v2 JSON report artifact), parsed."""
        run = await self._run(run)
        artifact = _artifact(run, DockerRunArtifactType.REPORT_V2_JSON)
        directory = Path(await anyio.to_thread.run_sync(tempfile.mkdtemp))
        try:
            dest = directory / "report.json"
            await self._download(run, artifact, dest, if_exists="error",
                                 transfer_timeout=DEFAULT_TRANSFER_TIMEOUT)
            text = await anyio.Path(dest).read_text(encoding="utf-8")
        finally:
            await anyio.to_thread.run_sync(partial(shutil.rmtree, directory, ignore_errors=True))
        parsed = json.loads(text)
        if not isinstance(parsed, dict):
            raise InvalidInputError("run", "its REPORT_V2_JSON artifact is not a JSON object")
        return parsed

    async def _run(self, run: DockerRunData | str) -> DockerRunData:
        return run if isinstance(run, DockerRunData) else await self.get(run)

    async def _read_url(self, run: DockerRunData, artifact: DockerRunArtifactData) -> str:
        return await self._call(op.GET_DOCKER_RUN_ARTIFACT_READ_URL_BY_ID, cast=str,
                                runId=run.id, artifactId=artifact.id)

    async def _download(
        self, run: DockerRunData, artifact: DockerRunArtifactData, dest: Path, *,
        if_exists: IfExists, transfer_timeout: TransferTimeout, bulk: bool = False,
    ) -> Path:
        if if_exists != "overwrite" and await anyio.to_thread.run_sync(os.path.lexists, dest):
            if if_exists == "skip" and bulk:
                return SKIPPED  # type: ignore[return-value]  # counted as skipped
            raise FileExistsError(errno.EEXIST, f"destination exists (if_exists={if_exists!r})",
                                  str(dest))
        url = await self._read_url(run, artifact)
        await self._download_from(url, dest, if_exists=if_exists, transfer_timeout=transfer_timeout)
        return dest


def _artifact(run: DockerRunData, artifact_type: DockerRunArtifactType | str
              ) -> DockerRunArtifactData:
    kind = check.enum_value("artifact_type", artifact_type, DockerRunArtifactType)
    for artifact in run.artifacts or []:
        if artifact.type == kind:
            return artifact
    have = ", ".join(sorted({_wire(a.type) for a in run.artifacts or []})) or "none"
    raise InvalidInputError("artifact_type", f"run {run.id} has no {kind.value} artifact "
                                             f"(it has: {have})")


def _check_if_exists(if_exists: str) -> None:
    if if_exists not in _transfer.IF_EXISTS_CHOICES:
        raise InvalidInputError("if_exists", f"must be one of "
                                f"{', '.join(_transfer.IF_EXISTS_CHOICES)}, got {if_exists!r}")


def _interval(value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InvalidInputError("poll_interval", f"must be a number >= 0, got {value!r}")


def _wire(state: Any) -> str:
    return str(getattr(state, "value", state))

