"""The Lightly Worker in the fake: the Docker API and a simulated worker that runs the runs.

Serves the worker registry, the worker configs (``vX``: V2, V3, V4 stored and read back as
sent), scheduled runs, runs, their tags and their artifacts. ``FakeLightly.add_worker``
registers a *simulated* worker; ``ROUTES`` are this group's routes, as ``_app.py`` mounts them.

The simulation, so that a polling client sees every stage without waiting:

* A read advances what it reads by one step, *after* answering: ``GET .../runs/{runId}``
  and ``GET .../runs/schedule/{scheduledId}`` advance that run (the latter is 404 while no
  worker took the scheduled run); ``GET /v1/datasets/{id}/docker/worker/schedule`` advances
  every scheduled run it lists (a pick-up when no worker took it yet, else its run). So
  lightly 1.5.20's ``get_compute_worker_run_info`` (the run, else the listing) and
  ``ds.runs.info`` see ``OPEN``, then every state in turn. Nothing advances on its own.
* A pick-up: the first simulated worker of the owner (in registration order) that takes
  runs (``picks_up=True``) and has every label of ``runsOn`` locks the scheduled run
  (``OPEN`` -> ``LOCKED``) and creates its run in ``STARTED``. A run then goes through
  :data:`RUN_STATES` to ``COMPLETED``; when it would enter the worker's ``fail_at`` state it
  ends in ``fail_as`` (``FAILED``, ``CRASHED`` or ``ABORTED``) instead, with a message. At the
  end the scheduled run is ``DONE``.
* On entering ``SAVING_RESULTS`` the run selects: the pool is every sample, narrowed by each
  ``THRESHOLD`` strategy (on ``METADATA`` keys, ``SCORES`` or ``PREDICTIONS``); the target is
  ``nSamples`` (``proportionSamples`` of the pool without it; everything without both); the
  first other strategy orders the pool: ``DIVERSITY`` on ``EMBEDDINGS`` is greedy
  farthest-point on the dataset's newest embedding (random when it has none), ``WEIGHTS``
  takes the highest values of its input (``RANDOM`` input: a shuffle by ``randomSeed``), any
  other strategy a seeded shuffle. The run creates the dataset's ``initial-tag`` if it has
  none and a tag ``selected-run-<n>`` of the selection (creator ``USER_WORKER``, ``runId``
  the run's), and stores its artifacts (a small PDF report, the v2 JSON report, a log and a
  checkpoint; also a memory log, the old JSON report, the corruptness check and sequence
  information) as blobs behind signed URLs. A failed run stores only its log.
* Registering a name the user already has returns the existing worker's id (as the real
  service does for lightly 1.5.20's ``register_compute_worker``). Scheduled runs are listed
  oldest first, without ``state`` those neither ``DONE`` nor ``CANCELED``. Runs are listed
  newest first, paged by ``pageOffset``/``pageSize``. Canceling a scheduled run a worker took
  is 400; canceling a done one is 400 too.
"""

from __future__ import annotations

import builtins
import json
import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import attrs

from lightly_async import _operations as op
from lightly_async._convert.wire_names import wire_name
from lightly_async.bitmask import BitMask
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.docker import (
    CreateDockerWorkerRegistryEntryRequest,
    DockerRunArtifactData,
    DockerRunArtifactStorageLocation,
    DockerRunData,
    DockerRunScheduledCreateRequest,
    DockerRunScheduledData,
    DockerRunScheduledPriority,
    DockerRunScheduledState,
    DockerWorkerConfigOmniV2CreateRequest,
    DockerWorkerConfigOmniV3CreateRequest,
    DockerWorkerConfigOmniV4CreateRequest,
    DockerWorkerConfigOmniVXCreateRequest,
    DockerWorkerConfigV2Data,
    DockerWorkerConfigV3Data,
    DockerWorkerConfigV4Data,
    DockerWorkerRegistryEntryData,
    DockerWorkerState,
    DockerWorkerType,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import Dataset, FakeApiError, User, check_object_id

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["FAIL_STATES", "ROUTES", "RUN_STATES", "DockerOps"]

RUN_STATES: Final = ("STARTED", "INITIALIZING", "LOADING_DATASET", "EMBEDDING", "SAMPLING",
                     "SAVING_RESULTS", "GENERATING_REPORT", "UPLOADING_ARTIFACTS", "COMPLETED")
"""The states a simulated run goes through, one per read."""
FAIL_STATES: Final = ("FAILED", "CRASHED", "ABORTED")
DOCKER_VERSION: Final = "2.11.0-fake"
#: A tiny valid PDF: the report a run stores.
PDF: Final = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
              b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass
class Worker:
    id: str
    owner_id: str
    name: str
    labels: list[str]
    created_at: int
    simulated: bool = False
    picks_up: bool = True
    fail_at: str | None = None
    fail_as: str = "FAILED"


@dataclass
class Scheduled:
    id: str
    owner_id: str
    dataset_id: str
    config_id: str
    priority: str
    runs_on: list[str]
    created_at: int
    last_modified_at: int
    state: str = "OPEN"
    run_id: str | None = None


@dataclass
class Run:
    id: str
    owner_id: str
    dataset_id: str
    config_id: str
    scheduled_id: str
    worker: Worker
    created_at: int
    last_modified_at: int
    state: str = RUN_STATES[0]
    message: str | None = None
    artifacts: list[DockerRunArtifactData] = field(default_factory=list)


class DockerOps:
    """The Docker API and the simulated workers over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.reset()

    def reset(self) -> None:
        """Forget every worker, config, scheduled run and run."""
        self.workers: dict[str, Worker] = {}
        self.configs: dict[str, tuple[str, Any, int]] = {}  # id -> (owner id, body, created)
        self.scheduled: dict[str, Scheduled] = {}
        self.runs: dict[str, Run] = {}

    # -- workers ----------------------------------------------------------------------------------
    def add_worker(self, user: User, name: str, *, labels: builtins.list[str],
                   picks_up: bool, fail_at: str | None, fail_as: str) -> str:
        """A simulated worker (``FakeLightly.add_worker``)."""
        if fail_as not in FAIL_STATES:
            raise ValueError(f"fail_as must be one of {FAIL_STATES}, got {fail_as!r}")
        if fail_at is not None and fail_at not in RUN_STATES:
            raise ValueError(f"fail_at must be one of {RUN_STATES}, got {fail_at!r}")
        worker = self._named(user, name) or self._new_worker(user, name, labels)
        worker.simulated, worker.picks_up = True, picks_up
        worker.fail_at, worker.fail_as, worker.labels = fail_at, fail_as, list(labels)
        return worker.id

    def register(self, user: User, body: CreateDockerWorkerRegistryEntryRequest
                 ) -> CreateEntityResponse:
        """``POST /v1/docker/worker``: an existing name gives the existing id."""
        name = body.name
        if not isinstance(name, str) or len(name) < 3:
            raise FakeApiError.of("MALFORMED_REQUEST", "name must have 3 or more characters")
        _enum(body.worker_type, DockerWorkerType, "workerType")
        found = self._named(user, name)
        if found is None:
            found = self._new_worker(user, name, list(body.labels or []))
        return CreateEntityResponse(id=found.id)

    def list_workers(self, user: User) -> builtins.list[DockerWorkerRegistryEntryData]:
        return [self._entry(w) for w in self.workers.values() if w.owner_id == user.id]

    def get_worker(self, user: User, worker_id: str) -> DockerWorkerRegistryEntryData:
        return self._entry(self._worker(user, worker_id))

    def delete_worker(self, user: User, worker_id: str) -> None:
        del self.workers[self._worker(user, worker_id).id]

    # -- configs ----------------------------------------------------------------------------------
    def create_config(self, user: User, body: DockerWorkerConfigOmniVXCreateRequest
                      ) -> CreateEntityResponse:
        """``POST /v1/docker/worker/config/vX``: stored as sent."""
        config_id = self._store.new_id()
        self.configs[config_id] = (user.id, body, self._store.now_ms())
        return CreateEntityResponse(id=config_id)

    def get_config(self, user: User, config_id: str) -> Any:
        """``GET /v1/docker/worker/config/vX/{configId}``."""
        _, body, created = self._config(user, config_id)
        if isinstance(body, DockerWorkerConfigOmniV4CreateRequest):
            return DockerWorkerConfigV4Data(id=config_id, created_at=created, config=body.config)
        if isinstance(body, DockerWorkerConfigOmniV3CreateRequest):
            return DockerWorkerConfigV3Data(id=config_id, created_at=created, config=body.config)
        assert isinstance(body, DockerWorkerConfigOmniV2CreateRequest)
        return DockerWorkerConfigV2Data(id=config_id, created_at=created, config=body.config)

    # -- scheduled runs ---------------------------------------------------------------------------
    def schedule(self, user: User, dataset_id: str, body: DockerRunScheduledCreateRequest
                 ) -> CreateEntityResponse:
        """``POST /v1/datasets/{datasetId}/docker/worker/schedule``."""
        self._store.dataset(user, dataset_id)
        self._config(user, body.config_id)
        priority = _enum(body.priority, DockerRunScheduledPriority, "priority")
        now = self._store.now_ms()
        entry = Scheduled(id=self._store.new_id(), owner_id=user.id, dataset_id=dataset_id,
                          config_id=body.config_id, priority=priority,
                          runs_on=list(body.runs_on or []), created_at=now,
                          last_modified_at=now)
        self.scheduled[entry.id] = entry
        return CreateEntityResponse(id=entry.id)

    def list_scheduled(self, user: User, dataset_id: str, state: str | None
                       ) -> builtins.list[DockerRunScheduledData]:
        """``GET .../docker/worker/schedule``: answers, then advances each listed run."""
        self._store.dataset(user, dataset_id)
        if state is not None:
            _enum(state, DockerRunScheduledState, "state")
        listed = [s for s in self.scheduled.values() if s.dataset_id == dataset_id and (
            s.state == state if state is not None else s.state in ("OPEN", "LOCKED"))]
        answer = [_scheduled_data(s) for s in listed]
        for entry in listed:
            self._advance_scheduled(entry)
        return answer

    def cancel(self, user: User, dataset_id: str, scheduled_id: str) -> None:
        """``PUT .../docker/worker/schedule/{scheduledId}``."""
        self._store.dataset(user, dataset_id)
        entry = self._scheduled(user, scheduled_id)
        if entry.dataset_id != dataset_id:
            raise FakeApiError.of("NOT_FOUND", f"no scheduled run {scheduled_id} in {dataset_id}")
        if entry.state != "OPEN":
            raise FakeApiError.of("MALFORMED_REQUEST",
                                  f"scheduled run {scheduled_id} is {entry.state}, not OPEN")
        entry.state = "CANCELED"
        entry.last_modified_at = self._store.now_ms()

    # -- runs -------------------------------------------------------------------------------------
    def run_by_scheduled(self, user: User, scheduled_id: str) -> DockerRunData:
        """``GET /v1/docker/runs/schedule/{scheduledId}``: answers, then advances."""
        entry = self._scheduled(user, scheduled_id)
        run = self.runs.get(entry.run_id) if entry.run_id else None
        if run is None:  # picked up only by a listing (see the module docstring)
            raise FakeApiError.of("NOT_FOUND", f"no worker took scheduled run {scheduled_id} yet")
        answer = self._run_data(run)
        self._advance_run(run)
        return answer

    def get_run(self, user: User, run_id: str) -> DockerRunData:
        """``GET /v1/docker/runs/{runId}``: answers, then advances."""
        run = self._run(user, run_id)
        answer = self._run_data(run)
        self._advance_run(run)
        return answer

    def list_runs(self, user: User, dataset_id: str | None, offset: int, size: int | None
                  ) -> builtins.list[DockerRunData]:
        """``GET /v1/docker/runs`` (or ``.../query/datasetId/{datasetId}``), newest first."""
        if dataset_id is not None:
            self._store.dataset(user, dataset_id)
        runs = [r for r in reversed(self.runs.values()) if r.owner_id == user.id
                and (dataset_id is None or r.dataset_id == dataset_id)]
        page = runs[offset:] if size is None else runs[offset:offset + size]
        return [self._run_data(r) for r in page]

    def run_tags(self, user: User, run_id: str) -> builtins.list[Any]:
        """``GET /v1/docker/runs/{runId}/tags``: the tags the run created."""
        run = self._run(user, run_id)
        dataset = self._store.datasets.get(run.dataset_id)
        if dataset is None:
            return []
        return [self._store.tags.view(dataset, t) for t in reversed(dataset.tags.values())
                if t.run_id == run.id]

    def artifact_read_url(self, user: User, run_id: str, artifact_id: str, base_url: str
                          ) -> str:
        """``GET /v1/docker/runs/{runId}/artifacts/{artifactId}/readurl``."""
        run = self._run(user, run_id)
        check_object_id(artifact_id, "artifactId")
        for artifact in run.artifacts:
            if artifact.id == artifact_id:
                return self._store.signed_url(base_url, _blob_key(run, artifact), "GET")
        raise FakeApiError.of("NOT_FOUND", f"run {run_id} has no artifact {artifact_id}")

    # -- the simulation ---------------------------------------------------------------------------
    def _advance_scheduled(self, entry: Scheduled) -> None:
        if entry.state == "OPEN":
            worker = self._taker(entry)
            if worker is None:
                return
            now = self._store.now_ms()
            run = Run(id=self._store.new_id(), owner_id=entry.owner_id,
                      dataset_id=entry.dataset_id, config_id=entry.config_id,
                      scheduled_id=entry.id, worker=worker, created_at=now,
                      last_modified_at=now)
            self.runs[run.id] = run
            entry.state, entry.run_id, entry.last_modified_at = "LOCKED", run.id, now
        elif entry.run_id is not None and entry.run_id in self.runs:
            self._advance_run(self.runs[entry.run_id])

    def _taker(self, entry: Scheduled) -> Worker | None:
        for worker in self.workers.values():
            if (worker.owner_id == entry.owner_id and worker.simulated and worker.picks_up
                    and set(entry.runs_on) <= set(worker.labels)):
                return worker
        return None

    def _advance_run(self, run: Run) -> None:
        if run.state not in RUN_STATES or run.state == "COMPLETED":
            return
        following = RUN_STATES[RUN_STATES.index(run.state) + 1]
        run.last_modified_at = self._store.now_ms()
        if following == run.worker.fail_at:
            run.state = run.worker.fail_as
            run.message = f"the worker stopped while {following.lower().replace('_', ' ')}"
            self._store_artifacts(run, failed=True)
            self._finish(run)
            return
        run.state = following
        run.message = None
        try:
            if following == "SAVING_RESULTS":
                run.message = self._select(run)
            elif following == "UPLOADING_ARTIFACTS":
                self._store_artifacts(run, failed=False)
        except FakeApiError as exc:  # e.g. the dataset was deleted meanwhile
            run.state, run.message = "FAILED", exc.message
            self._finish(run)
            return
        if following == "COMPLETED":
            run.message = "the run completed"
            self._finish(run)

    def _finish(self, run: Run) -> None:
        entry = self.scheduled.get(run.scheduled_id)
        if entry is not None:
            entry.state, entry.last_modified_at = "DONE", self._store.now_ms()

    def _select(self, run: Run) -> str:
        dataset = self._store.datasets.get(run.dataset_id)
        if dataset is None:
            raise FakeApiError.of("DATASET_UNKNOWN", f"dataset {run.dataset_id} was deleted")
        selection = _selection_of(self.configs.get(run.config_id, ("", None, 0))[1])
        picked = select(dataset, selection, random.Random(f"{self._store.seed}:run:{run.id}"))
        n = len(dataset.samples)
        tags = self._store.tags
        initial = dataset.initial_tag()
        if initial is None:
            initial = tags.add(dataset, name=_free_name(dataset, "initial-tag"), prev_tag_id=None,
                               bit_mask=BitMask.full(n), tot_size=n, creator="USER_WORKER",
                               entry={"initial": {"runId": run.id}}, run_id=run.id)
            initial.is_initial = True
        number = sum(1 for r in self.runs.values() if r.dataset_id == dataset.id)
        tags.add(dataset, name=_free_name(dataset, f"selected-run-{number}"),
                 prev_tag_id=initial.id, bit_mask=BitMask.from_indices(picked, n), tot_size=n,
                 creator="USER_WORKER", entry={"sampler": {"method": "WORKER"}}, run_id=run.id)
        return f"selected {len(picked)} of {n} samples"

    def _store_artifacts(self, run: Run, *, failed: bool) -> None:
        log = (f"run {run.id} on worker {run.worker.name}\n"
               f"state {run.state}\n").encode()
        contents: builtins.list[tuple[str, str, bytes]] = [("LOG", "log.txt", log)]
        if not failed:
            dataset = self._store.datasets.get(run.dataset_id)
            tags = [t for t in (dataset.tags.values() if dataset else []) if t.run_id == run.id]
            selected = [t for t in tags if not t.is_initial]
            report = {"version": 2, "run": {"id": run.id, "datasetId": run.dataset_id},
                      "selection": {"nSelected": selected[-1].bit_mask.count() if selected else 0,
                                    "nInput": selected[-1].tot_size if selected else 0,
                                    "tag": selected[-1].name if selected else None}}
            samples = [s.file_name for s in dataset.samples] if dataset else []
            contents += [
                ("MEMLOG", "memlog.txt", b"time,ram_mb\n0,512\n"),
                ("REPORT_PDF", "report.pdf", PDF),
                ("REPORT_JSON", "report.json", json.dumps({"nSamples": len(samples)}).encode()),
                ("REPORT_V2_JSON", "report_v2.json", json.dumps(report).encode()),
                ("CHECKPOINT", "checkpoint.ckpt", b"fake-checkpoint:" + run.id.encode()),
                ("CORRUPTNESS_CHECK_INFORMATION", "corruptness_check_information.json",
                 json.dumps({"corrupt_samples": []}).encode()),
                ("SEQUENCE_INFORMATION", "sequence_information.json",
                 json.dumps([{"video_name": "", "frame_names": samples}]).encode()),
            ]
        now = self._store.now_ms()
        for kind, file_name, data in contents:
            artifact = DockerRunArtifactData(
                id=self._store.new_id(), type=kind, file_name=file_name, created_at=now,
                storage_location=DockerRunArtifactStorageLocation.LIGHTLY)
            run.artifacts.append(artifact)
            self._store.blobs[_blob_key(run, artifact)] = data

    # -- lookups ----------------------------------------------------------------------------------
    def _new_worker(self, user: User, name: str, labels: builtins.list[str]) -> Worker:
        worker = Worker(id=self._store.new_id(), owner_id=user.id, name=name, labels=labels,
                        created_at=self._store.now_ms())
        self.workers[worker.id] = worker
        return worker

    def _named(self, user: User, name: str) -> Worker | None:
        return next((w for w in self.workers.values()
                     if w.owner_id == user.id and w.name == name), None)

    def _worker(self, user: User, worker_id: str) -> Worker:
        check_object_id(worker_id, "workerId")
        worker = self.workers.get(worker_id)
        if worker is None or worker.owner_id != user.id:
            raise FakeApiError.of("NOT_FOUND", f"no worker {worker_id}")
        return worker

    def _config(self, user: User, config_id: str) -> tuple[str, Any, int]:
        check_object_id(config_id, "configId")
        found = self.configs.get(config_id)
        if found is None or found[0] != user.id:
            raise FakeApiError.of("NOT_FOUND", f"no worker config {config_id}")
        return found

    def _scheduled(self, user: User, scheduled_id: str) -> Scheduled:
        check_object_id(scheduled_id, "scheduledId")
        entry = self.scheduled.get(scheduled_id)
        if entry is None or entry.owner_id != user.id:
            raise FakeApiError.of("NOT_FOUND", f"no scheduled run {scheduled_id}")
        return entry

    def _run(self, user: User, run_id: str) -> Run:
        check_object_id(run_id, "runId")
        run = self.runs.get(run_id)
        if run is None or run.owner_id != user.id:
            raise FakeApiError.of("NOT_FOUND", f"no run {run_id}")
        return run

    def _entry(self, worker: Worker) -> DockerWorkerRegistryEntryData:
        busy = any(r.worker is worker and r.state in RUN_STATES[:-1] for r in self.runs.values())
        return DockerWorkerRegistryEntryData(
            id=worker.id, user_id=worker.owner_id, name=worker.name,
            worker_type=DockerWorkerType.FULL,
            state=DockerWorkerState.BUSY if busy else (
                DockerWorkerState.IDLE if worker.simulated else DockerWorkerState.OFFLINE),
            created_at=worker.created_at, last_modified_at=worker.created_at,
            labels=list(worker.labels), docker_version=DOCKER_VERSION if worker.simulated else None)

    def _run_data(self, run: Run) -> DockerRunData:
        return DockerRunData(
            id=run.id, user_id=run.owner_id, docker_version=DOCKER_VERSION, state=run.state,
            dataset_id=run.dataset_id, config_id=run.config_id, scheduled_id=run.scheduled_id,
            created_at=run.created_at, last_modified_at=run.last_modified_at,
            message=run.message, artifacts=list(run.artifacts) or None)


def select(dataset: Dataset, selection: Any, rng: random.Random) -> builtins.list[int]:
    """The sample indices a run selects (see the module docstring)."""
    pool = list(range(len(dataset.samples)))
    strategies = list(getattr(selection, "strategies", None) or [])
    ordering = None
    for entry in strategies:
        kind = _value(entry.strategy.type)
        if kind == "THRESHOLD":
            pool = [i for i in pool if _passes(_input_value(dataset, entry.input, i),
                                               entry.strategy)]
        elif ordering is None:
            ordering = entry
    n_samples = getattr(selection, "n_samples", None)
    proportion = getattr(selection, "proportion_samples", None)
    if n_samples is not None and n_samples >= 0:
        target = min(n_samples, len(pool))
    elif proportion is not None:
        target = round(proportion * len(pool))
    else:
        target = len(pool)
    if ordering is None:
        return sorted(rng.sample(pool, target))
    kind, source = _value(ordering.strategy.type), _value(ordering.input.type)
    if kind == "DIVERSITY" and source == "EMBEDDINGS" and dataset.embeddings:
        vectors = list(dataset.embeddings.values())[-1].vectors
        return sorted(_farthest(vectors, pool, target, rng))
    if kind == "WEIGHTS" and source != "RANDOM":
        weighted = [(v, i) for i in pool
                    if (v := _input_value(dataset, ordering.input, i)) is not None]
        return sorted(i for _, i in sorted(weighted, key=lambda p: (-p[0], p[1]))[:target])
    seed = getattr(ordering.input, "random_seed", None)
    shuffler = random.Random(seed) if seed is not None else rng
    return sorted(shuffler.sample(pool, target))


def _farthest(vectors: builtins.list[builtins.list[float]], pool: builtins.list[int], k: int,
              rng: random.Random) -> builtins.list[int]:
    remaining = [i for i in pool if i < len(vectors)]
    if k <= 0 or not remaining:
        return []
    picks = [rng.choice(remaining)]
    remaining.remove(picks[0])
    distance = {i: math.dist(vectors[i], vectors[picks[0]]) for i in remaining}
    while len(picks) < k and remaining:
        best = max(remaining, key=lambda i: (distance[i], -i))
        picks.append(best)
        remaining.remove(best)
        for i in remaining:
            distance[i] = min(distance[i], math.dist(vectors[i], vectors[best]))
    return picks


def _input_value(dataset: Dataset, source: Any, index: int) -> float | None:
    """The number a strategy sees for sample ``index``: metadata, score or predictions."""
    kind = _value(source.type)
    sample = dataset.samples[index]
    if kind == "METADATA" and source.key:
        head, _, rest = source.key.partition(".")
        if head == "lightly" and sample.meta is not None:
            found: Any = next((getattr(sample.meta, a.name) for a in attrs.fields(
                type(sample.meta)) if wire_name(a) == rest), None)
        else:
            found = sample.custom_meta_data or {}
            for part in source.key.split("."):
                found = found.get(part) if isinstance(found, dict) else None
        return float(found) if isinstance(found, int | float) and not isinstance(
            found, bool) else None
    if kind == "SCORES" and source.score:
        scores = dataset.scores.get(source.score)
        return scores[index] if scores is not None and index < len(scores) else None
    if kind == "PREDICTIONS" and source.task and dataset.predictions:
        newest = dataset.predictions[max(dataset.predictions)]
        found_singletons = newest.get(sample.id)
        if found_singletons is None:
            return None
        return float(sum(1 for s in found_singletons[1]
                         if getattr(s, "task_name", None) == source.task))
    return None


def _passes(value: float | None, strategy: Any) -> bool:
    if value is None or strategy.threshold is None:
        return False
    operation = _value(strategy.operation) or "BIGGER"
    threshold = float(strategy.threshold)
    return {"SMALLER": value < threshold, "SMALLER_EQUAL": value <= threshold,
            "BIGGER": value > threshold, "BIGGER_EQUAL": value >= threshold}.get(
        operation, False)


def _selection_of(body: Any) -> Any:
    config = getattr(body, "config", None)
    return getattr(config, "selection", None)


def _value(member: Any) -> Any:
    return getattr(member, "value", member)


def _free_name(dataset: Dataset, name: str) -> str:
    taken = {t.name for t in dataset.tags.values()}
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _blob_key(run: Run, artifact: DockerRunArtifactData) -> str:
    return f"{run.dataset_id}/_runs/{run.id}/{artifact.id}/{artifact.file_name}"


def _scheduled_data(entry: Scheduled) -> DockerRunScheduledData:
    return DockerRunScheduledData(
        id=entry.id, dataset_id=entry.dataset_id, user_id=entry.owner_id,
        config_id=entry.config_id, priority=entry.priority, runs_on=list(entry.runs_on),
        state=entry.state, created_at=entry.created_at, last_modified_at=entry.last_modified_at,
        owner=entry.owner_id)


def _enum(value: Any, enum_cls: Any, what: str) -> str:
    raw = _value(value)
    allowed = [m.value for m in enum_cls]
    if raw not in allowed:
        raise FakeApiError.of("MALFORMED_REQUEST", f"{what} must be one of {allowed}: {raw!r}")
    return str(raw)


# -- HTTP handlers (mounted by _app.py) ----------------------------------------------------------
def _ops(c: RequestContext) -> DockerOps:
    return c.store.docker


def _paging(c: RequestContext) -> dict[str, Any]:
    return {"offset": c.query_int("pageOffset") or 0, "size": c.query_int("pageSize", minimum=1)}


def _register(c: RequestContext) -> Any:
    return _ops(c).register(c.user, c.body)


def _list_workers(c: RequestContext) -> Any:
    return _ops(c).list_workers(c.user)


def _get_worker(c: RequestContext) -> Any:
    return _ops(c).get_worker(c.user, c.path("workerId"))


def _delete_worker(c: RequestContext) -> Any:
    return _ops(c).delete_worker(c.user, c.path("workerId"))


def _create_config(c: RequestContext) -> Any:
    return _ops(c).create_config(c.user, c.body)


def _get_config(c: RequestContext) -> Any:
    return _ops(c).get_config(c.user, c.path("configId"))


def _schedule(c: RequestContext) -> Any:
    return _ops(c).schedule(c.user, c.ds, c.body)


def _list_scheduled(c: RequestContext) -> Any:
    return _ops(c).list_scheduled(c.user, c.ds, c.query("state"))


def _cancel(c: RequestContext) -> Any:
    return _ops(c).cancel(c.user, c.ds, c.path("scheduledId"))


def _run_by_scheduled(c: RequestContext) -> Any:
    return _ops(c).run_by_scheduled(c.user, c.path("scheduledId"))


def _get_run(c: RequestContext) -> Any:
    return _ops(c).get_run(c.user, c.path("runId"))


def _list_runs(c: RequestContext) -> Any:
    return _ops(c).list_runs(c.user, None, **_paging(c))


def _list_dataset_runs(c: RequestContext) -> Any:
    return _ops(c).list_runs(c.user, c.ds, **_paging(c))


def _run_tags(c: RequestContext) -> Any:
    return _ops(c).run_tags(c.user, c.path("runId"))


def _artifact_read_url(c: RequestContext) -> Any:
    return _ops(c).artifact_read_url(c.user, c.path("runId"), c.path("artifactId"), c.base_url)


ROUTES: Final = [
    # the literal paths are routed before the templates by _app.py
    OperationRoute(op.GET_DOCKER_WORKER_REGISTRY_ENTRIES, _list_workers),
    OperationRoute(op.REGISTER_DOCKER_WORKER, _register, CreateDockerWorkerRegistryEntryRequest,
                   201),
    OperationRoute(op.CREATE_DOCKER_WORKER_CONFIG_VX, _create_config,
                   DockerWorkerConfigOmniVXCreateRequest, 201),
    OperationRoute(op.GET_DOCKER_WORKER_CONFIG_VXBY_ID, _get_config),
    OperationRoute(op.GET_DOCKER_WORKER_REGISTRY_ENTRY_BY_ID, _get_worker),
    OperationRoute(op.DELETE_DOCKER_WORKER_REGISTRY_ENTRY_BY_ID, _delete_worker),
    OperationRoute(op.CREATE_DOCKER_RUN_SCHEDULED_BY_DATASET_ID, _schedule,
                   DockerRunScheduledCreateRequest, 201),
    OperationRoute(op.GET_DOCKER_RUNS_SCHEDULED_BY_DATASET_ID, _list_scheduled),
    OperationRoute(op.CANCEL_SCHEDULED_DOCKER_RUN_STATE_BY_ID, _cancel),
    OperationRoute(op.GET_DOCKER_RUNS, _list_runs),
    OperationRoute(op.GET_DOCKER_RUNS_QUERY_BY_DATASET_ID, _list_dataset_runs),
    OperationRoute(op.GET_DOCKER_RUN_BY_SCHEDULED_ID, _run_by_scheduled),
    OperationRoute(op.GET_DOCKER_RUN_BY_ID, _get_run),
    OperationRoute(op.GET_DOCKER_RUN_TAGS, _run_tags),
    OperationRoute(op.GET_DOCKER_RUN_ARTIFACT_READ_URL_BY_ID, _artifact_read_url),
]
"""The routes of this module, as ``_app.py`` mounts them."""
