"""The Lightly Worker, synchronously: ``session.workers``, ``dataset.runs``, ``session.runs``.

Twins of :mod:`lightly_async.resources.workers` and :mod:`lightly_async.resources.runs`; the
run listing is a plain iterator, ``watch`` a plain iterator of ``RunInfo``.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lightly_async._transfer import DEFAULT_TRANSFER_TIMEOUT
from lightly_async.models.docker import DockerRunData, DockerRunScheduledPriority
from lightly_async.resources.runs import DEFAULT_RUN_PAGE_SIZE
from lightly_async.sync._base import OffsetPager, Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async._transfer import IfExists, TransferTimeout
    from lightly_async.bulk import BulkResult
    from lightly_async.models.docker import (
        DockerRunArtifactType,
        DockerRunScheduledData,
        DockerRunScheduledState,
        DockerWorkerConfigVXData,
        DockerWorkerRegistryEntryData,
    )
    from lightly_async.models.tags import TagData
    from lightly_async.progress import ProgressArg
    from lightly_async.resources.runs import RunInfo
    from lightly_async.resources.workers import (
        LightlyConfigArg,
        SelectionConfigArg,
        WorkerConfigArg,
    )
    from lightly_async.sync._portal import Runner

__all__ = ["AllRuns", "RunPager", "Runs", "Workers"]

RunPager = OffsetPager[DockerRunData]
"""What ``session.runs.list()`` returns: ``for run in pager``, ``pages()``, ``collect()``."""


class Workers:
    """``session.workers``: register, list, get and delete workers; store run configs."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: aio.Workers) -> None:
        self._runner = runner
        self._aio = aio

    def register(self, name: str, *, labels: Iterable[str] = ()) -> str:
        """Register a worker; returns its id (an existing name gives the existing id)."""
        return self._runner.call(self._aio.register, name, labels=labels)

    def list(self) -> builtins.list[DockerWorkerRegistryEntryData]:
        """Every worker registered by the user."""
        return self._runner.call(self._aio.list)

    def get(self, worker_id: str) -> DockerWorkerRegistryEntryData:
        """One registered worker."""
        return self._runner.call(self._aio.get, worker_id)

    def delete(self, worker_id: str) -> None:
        """Remove a worker from the registry."""
        return self._runner.call(self._aio.delete, worker_id)

    def create_config(
        self,
        worker_config: WorkerConfigArg = None,
        lightly_config: LightlyConfigArg = None,
        selection_config: SelectionConfigArg = None,
    ) -> str:
        """Store a worker config (V4); see :meth:`lightly_async.Workers.create_config`."""
        return self._runner.call(self._aio.create_config, worker_config, lightly_config,
                                 selection_config)

    def get_config(self, config_id: str) -> DockerWorkerConfigVXData:
        """A stored config, whatever its version."""
        return self._runner.call(self._aio.get_config, config_id)


class Runs(Resource):
    """``dataset.runs``: schedule Lightly Worker runs on the dataset and follow them."""

    __slots__ = ()
    _aio: aio.Runs

    def schedule(
        self,
        *,
        worker_config: WorkerConfigArg = None,
        lightly_config: LightlyConfigArg = None,
        selection_config: SelectionConfigArg = None,
        priority: DockerRunScheduledPriority | str = DockerRunScheduledPriority.MID,
        runs_on: Iterable[str] = (),
    ) -> str:
        """Store the config and schedule a run of it; returns the scheduled run's id."""
        return self._runner.call(self._aio.schedule, worker_config=worker_config,
                                 lightly_config=lightly_config,
                                 selection_config=selection_config, priority=priority,
                                 runs_on=runs_on)

    def scheduled(
        self, state: DockerRunScheduledState | str | None = None,
    ) -> builtins.list[DockerRunScheduledData]:
        """The dataset's scheduled runs (by default those not yet done or canceled)."""
        return self._runner.call(self._aio.scheduled, state)

    def cancel(self, scheduled_id: str) -> None:
        """Cancel a scheduled run that no worker has taken yet."""
        return self._runner.call(self._aio.cancel, scheduled_id)

    def info(self, scheduled_id: str) -> RunInfo:
        """Where the scheduled run stands (see :meth:`lightly_async.Runs.info`)."""
        return self._runner.call(self._aio.info, scheduled_id)

    def watch(self, scheduled_id: str, *, poll_interval: float = 30.0) -> Iterator[RunInfo]:
        """A ``RunInfo`` each time the run's state or message changes; ends after an end
        state."""
        return self._runner.iterate(self._aio.watch(scheduled_id, poll_interval=poll_interval))

    def wait(
        self,
        scheduled_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 30.0,
        progress: Callable[[RunInfo], Any] | None = None,
    ) -> DockerRunData:
        """Wait for the run to end; returns it on ``COMPLETED``, raises ``RunFailedError``
        on a failure."""
        return self._runner.call(self._aio.wait, scheduled_id, timeout=timeout,
                                 poll_interval=poll_interval, progress=progress)


class AllRuns:
    """``session.runs``: the user's Lightly Worker runs, their tags and artifacts."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: aio.AllRuns) -> None:
        self._runner = runner
        self._aio = aio

    def get(self, run_id: str) -> DockerRunData:
        """One run."""
        return self._runner.call(self._aio.get, run_id)

    def from_scheduled(self, scheduled_id: str) -> DockerRunData:
        """The run a worker made of a scheduled run."""
        return self._runner.call(self._aio.from_scheduled, scheduled_id)

    def list(self, dataset_id: str | None = None, *,
             page_size: int = DEFAULT_RUN_PAGE_SIZE) -> RunPager:
        """Every run of the user (of one dataset with ``dataset_id``), as a plain iterator."""
        return OffsetPager(self._runner, self._aio.list(dataset_id, page_size=page_size))

    def tags(self, run_id: str, dataset_id: str | None = None) -> builtins.list[TagData]:
        """The tags the run created, newest first."""
        return self._runner.call(self._aio.tags, run_id, dataset_id)

    def artifact_read_url(
        self, run: DockerRunData | str, artifact_type: DockerRunArtifactType | str,
    ) -> str:
        """A signed URL to read the run's artifact of that type."""
        return self._runner.call(self._aio.artifact_read_url, run, artifact_type)

    def download_artifact(
        self,
        run: DockerRunData | str,
        artifact_type: DockerRunArtifactType | str,
        path: str | os.PathLike[str],
        *,
        if_exists: IfExists = "error",
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> Path:
        """Stream the run's artifact of that type to ``path``."""
        return self._runner.call(self._aio.download_artifact, run, artifact_type, path,
                                 if_exists=if_exists, transfer_timeout=transfer_timeout)

    def download_artifacts(
        self,
        run: DockerRunData | str,
        dest_dir: str | os.PathLike[str],
        *,
        if_exists: IfExists = "error",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> BulkResult[str, Path]:
        """Stream every artifact of the run into ``dest_dir``."""
        return self._runner.call(self._aio.download_artifacts, run, dest_dir,
                                 if_exists=if_exists, concurrency=concurrency,
                                 fail_fast=fail_fast, progress=progress,
                                 transfer_timeout=transfer_timeout)

    def report(self, run: DockerRunData | str) -> dict[str, Any]:
        """The run's report (the v2 JSON report artifact), parsed."""
        return self._runner.call(self._aio.report, run)
