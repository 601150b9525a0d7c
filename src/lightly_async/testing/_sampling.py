"""Samplings and jobs of the fake: the selection methods and ``GET /v1/jobs/{jobId}``.

Guesses about the real service made here (NOTES.md 5 marks them unspecified or inferred):

* The request is checked when it is triggered: unknown embedding 404 ``EMBEDDING_UNKNOWN``;
  no initial tag 400 ``TAG_NO_TAG_IN_DATASET``; unknown query/preselected tag 400
  ``TAG_QUERYTAG_NOT_IN_DATASET``/``TAG_PRESELECTEDTAG_NOT_IN_DATASET``; taken
  ``newTagName`` 409 ``TAG_NAME_EXISTS``; ``ACTIVE_LEARNING`` without scores of
  ``scoreType`` (see ``FakeLightly.add_scores``) 400 ``TAG_NO_SCORES_AVAILABLE``.
* The pool is the query tag's samples (the initial tag when none) minus the preselected ones.
  ``nSamples``: absent or negative = no limit; ``0 <= n < 1`` a fraction of the pool plus the
  preselected samples (rounded); ``n >= 1`` an absolute count (so exactly ``1`` is one sample).
  The count includes the preselected samples, which are always in the result.
* ``RANDOM`` draws from the seeded RNG. ``CORESET`` is greedy farthest-point selection on the
  embedding (Euclidean), seeded from the preselected samples or a random pool sample, stopping
  early when the farthest distance falls below ``minDistance`` (> 0). ``CORAL`` is treated as
  ``CORESET``. ``ACTIVE_LEARNING`` picks the highest scores. Samples without an embedding row
  are not candidates for CORESET/CORAL.
* The new tag: named ``newTagName``, ``prevTagId`` the preselected tag or the initial tag,
  ``queryTagId``/``preselectedTagId`` as sent, creator ``SAMPLER_<METHOD>``, ``totSize`` the
  dataset size. It is created when the job finishes.
* Jobs report the states of ``FakeLightly.job_steps`` (default ``WAITING``, ``RUNNING``), one per
  poll, then ``FINISHED`` with ``result {type: SAMPLING, data: <tag id>}`` (or ``FAILED`` with
  ``error`` if ``FakeLightly.fail_job`` was called or the name got taken meanwhile). With no
  steps, the tag is created at once. ``waitTimeTillNextPoll`` is ``job_poll_interval`` (0).
  ``createdAt``/``finishedAt`` are in ms; another user's job is 403.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async._constraints import SCORE_TYPE
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    AsyncTaskData,
    JobResultType,
    JobStatusData,
    JobStatusDataResult,
    SamplingCreateRequest,
    SamplingMethod,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import (
    Dataset,
    FakeApiError,
    Job,
    Tag,
    User,
    check,
    check_object_id,
)
from lightly_async.testing._tags import check_tag_name

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["DEFAULT_JOB_STEPS", "ROUTES", "SamplingOps"]

DEFAULT_JOB_STEPS = ("WAITING", "RUNNING")


class SamplingOps:
    """The Samplings API and the jobs endpoint over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.reset()

    def reset(self) -> None:
        """Forget every job and restore the default job progression."""
        self.jobs: dict[str, Job] = {}
        self.job_steps: tuple[str, ...] = DEFAULT_JOB_STEPS
        self.poll_interval = 0

    def trigger(
        self, user: User, dataset_id: str, embedding_id: str, body: SamplingCreateRequest
    ) -> AsyncTaskData:
        """``POST .../embeddings/{embeddingId}/sampling``: start a sampling job."""
        store = self._store
        dataset = store.dataset(user, dataset_id)
        check_object_id(embedding_id, "embeddingId")
        embedding = dataset.embeddings.get(embedding_id)
        if embedding is None:
            raise FakeApiError.of("EMBEDDING_UNKNOWN", f"no embedding {embedding_id}")
        name = check_tag_name(body.new_tag_name)
        if body.method not in {m.value for m in SamplingMethod}:
            raise FakeApiError.of("MALFORMED_REQUEST", f"unknown method {body.method!r}")
        method = SamplingMethod(body.method)
        if body.score_type is not None:
            check(body.score_type, SCORE_TYPE, "scoreType")
        initial = dataset.initial_tag()
        if initial is None:
            raise FakeApiError.of("TAG_NO_TAG_IN_DATASET", "sampling needs the initial tag")
        preselected = query = None
        if body.preselected_tag_id is not None:
            preselected = dataset.tag(body.preselected_tag_id, "TAG_PRESELECTEDTAG_NOT_IN_DATASET")
        if body.query_tag_id is not None:
            query = dataset.tag(body.query_tag_id, "TAG_QUERYTAG_NOT_IN_DATASET")
        _check_name_free(dataset, name)

        n = len(dataset.samples)
        chosen = {i for i in preselected.bit_mask.indices() if i < n} if preselected else set()
        pool = [i for i in (query or initial).bit_mask.indices() if i < n and i not in chosen]
        stop = body.config.stopping_condition
        target = _target(stop.n_samples if stop else None, len(pool) + len(chosen))
        k = max(0, min(target - len(chosen), len(pool)))
        min_distance = stop.min_distance if stop and stop.min_distance else 0.0

        if method is SamplingMethod.RANDOM:
            picks = store.rng.sample(pool, k)
        elif method is SamplingMethod.ACTIVE_LEARNING:
            scores = dataset.scores.get(body.score_type or "")
            if scores is None:
                raise FakeApiError.of(
                    "TAG_NO_SCORES_AVAILABLE",
                    f"no active-learning scores of type {body.score_type!r} for this dataset",
                )
            ranked = sorted((i for i in pool if i < len(scores)), key=lambda i: (-scores[i], i))
            picks = ranked[:k]
        else:  # CORESET, and CORAL treated like it
            vectors = embedding.vectors
            picks = _farthest_points(
                vectors,
                [i for i in pool if i < len(vectors)],
                [i for i in sorted(chosen) if i < len(vectors)],
                k,
                min_distance,
                first=lambda candidates: candidates[store.rng.randrange(len(candidates))],
            )

        tag = Tag(
            id="",
            name=name,
            prev_tag_id=(preselected or initial).id,
            bit_mask=BitMask.from_indices(chosen | set(picks), n),
            tot_size=n,
            created_at=0,
            creator=f"SAMPLER_{method.value}",
            query_tag_id=body.query_tag_id,
            preselected_tag_id=body.preselected_tag_id,
        )
        job = Job(
            id=store.new_id(),
            owner_id=user.id,
            dataset_id=dataset.id,
            created_at=store.now_ms(),
            steps=list(self.job_steps),
            pending_tag=tag,
        )
        self.jobs[job.id] = job
        if not job.steps:
            self._finish(job)
        return AsyncTaskData(job_id=job.id)

    def get_job(self, user: User, job_id: str) -> JobStatusData:
        """``GET /v1/jobs/{jobId}``: one step further on every poll."""
        job = self.jobs.get(job_id)
        if job is None:
            raise FakeApiError.of("JOB_UNKNOWN", f"no job {job_id}")
        if job.owner_id != user.id:
            raise FakeApiError.of("FORBIDDEN", f"job {job_id} belongs to another user")
        if job.polls < len(job.steps):
            status = job.steps[job.polls]
            job.polls += 1
            return JobStatusData(
                id=job.id,
                status=status,
                created_at=job.created_at,
                wait_time_till_next_poll=self.poll_interval,
                dataset_id=job.dataset_id,
            )
        self._finish(job)
        return JobStatusData(
            id=job.id,
            status="FAILED" if job.error is not None else "FINISHED",
            created_at=job.created_at,
            wait_time_till_next_poll=self.poll_interval,
            dataset_id=job.dataset_id,
            finished_at=job.finished_at,
            error=job.error,
            result=None
            if job.result is None
            else JobStatusDataResult(type=JobResultType.SAMPLING, data=job.result),
        )

    def fail_job(self, job_id: str, error: str) -> None:
        """Make a job end ``FAILED`` with ``error`` instead of creating its tag."""
        job = self.jobs[job_id]
        if job.finished_at is not None:
            raise ValueError(f"job {job_id} has already finished")
        job.error = error

    def _finish(self, job: Job) -> None:
        if job.finished_at is not None:
            return
        store = self._store
        job.finished_at = store.now_ms()
        dataset = store.datasets.get(job.dataset_id)
        tag = job.pending_tag
        if job.error is None and (dataset is None or tag is None):
            job.error = "the dataset is gone"
        if job.error is not None or dataset is None or tag is None:
            return
        if any(t.name == tag.name for t in dataset.tags.values()):
            job.error = f"a tag named {tag.name!r} already exists"
            return
        created = store.tags.add(
            dataset,
            name=tag.name,
            prev_tag_id=tag.prev_tag_id,
            bit_mask=tag.bit_mask,
            tot_size=tag.tot_size,
            creator=tag.creator,
            query_tag_id=tag.query_tag_id,
            preselected_tag_id=tag.preselected_tag_id,
            entry={"sampler": {"method": tag.creator.removeprefix("SAMPLER_")}},
            user_id=job.owner_id,
        )
        job.result = created.id


def _check_name_free(dataset: Dataset, name: str) -> None:
    if any(t.name == name for t in dataset.tags.values()):
        raise FakeApiError.of("TAG_NAME_EXISTS", f"a tag named {name!r} already exists")


def _target(n_samples: float | None, universe: int) -> int:
    if n_samples is None or n_samples < 0:
        return universe
    if n_samples < 1:
        return round(n_samples * universe)
    return int(n_samples)


def _farthest_points(
    vectors: list[list[float]],
    pool: list[int],
    centers: list[int],
    k: int,
    min_distance: float,
    *,
    first: Callable[[list[int]], int],
) -> list[int]:
    """Greedy k-center: repeatedly take the pool sample farthest from everything chosen."""
    remaining = list(pool)
    picks: list[int] = []
    if k <= 0 or not remaining:
        return picks
    distance = dict.fromkeys(remaining, math.inf)
    if not centers:
        start = first(remaining)
        picks.append(start)
        remaining.remove(start)
        centers = [start]
    for center in centers:
        for i in remaining:
            distance[i] = min(distance[i], math.dist(vectors[i], vectors[center]))
    while len(picks) < k and remaining:
        best = max(remaining, key=lambda i: (distance[i], -i))
        if min_distance > 0 and distance[best] < min_distance:
            break
        picks.append(best)
        remaining.remove(best)
        for i in remaining:
            distance[i] = min(distance[i], math.dist(vectors[i], vectors[best]))
    return picks


# -- HTTP handlers ---------------------------------------------------------------------------
def _trigger_sampling(c: RequestContext) -> Any:
    return c.store.sampling.trigger(c.user, c.ds, c.path("embeddingId"), c.body)


def _get_job(c: RequestContext) -> Any:
    return c.store.sampling.get_job(c.user, c.path("jobId"))


ROUTES: Final = [
    OperationRoute(op.TRIGGER_SAMPLING_BY_ID, _trigger_sampling, SamplingCreateRequest),
    OperationRoute(op.GET_JOB_STATUS_BY_ID, _get_job),  # beyond the spec
]
"""The Samplings and jobs routes, as ``_app.py`` mounts them."""
