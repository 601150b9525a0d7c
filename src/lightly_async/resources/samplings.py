"""Samplings: trigger a selection of samples into a new tag (a server-side job)."""

from __future__ import annotations

from typing import Any

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._constants import JOB_WAIT_TIMEOUT
from lightly_async.errors import DecodeError, InvalidInputError
from lightly_async.models.common import AsyncTaskData
from lightly_async.models.embeddings import DatasetEmbeddingData
from lightly_async.models.samplings import (
    SamplingConfig,
    SamplingConfigStoppingCondition,
    SamplingCreateRequest,
    SamplingMethod,
)
from lightly_async.models.tags import TagData
from lightly_async.resources._base import DatasetResource

__all__ = ["Samplings"]


class Samplings(DatasetResource):
    """``dataset.samplings``: samplings on a dataset's embedding."""

    __slots__ = ()

    async def trigger(
        self,
        embedding_id: str | DatasetEmbeddingData,
        *,
        new_tag_name: str,
        method: SamplingMethod | str,
        config: SamplingConfig | None = None,
        preselected_tag_id: str | None = None,
        query_tag_id: str | None = None,
        score_type: str | None = None,
        row_count: float | None = None,
    ) -> AsyncTaskData:
        """Start a sampling on an embedding (its id or a ``DatasetEmbeddingData``); poll the
        returned job with ``session.jobs``.

        Not retried once sent: a replay could start a second sampling.
        """
        body = self._dump(_sampling_request(
            new_tag_name=new_tag_name, method=method, config=config,
            preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count))
        given = embedding_id.id if isinstance(embedding_id, DatasetEmbeddingData) else embedding_id
        embedding_id = check.object_id("embedding_id", given)
        return await self._call(op.TRIGGER_SAMPLING_BY_ID, cast=AsyncTaskData, json_body=body,
                                replay_safe=False, embeddingId=embedding_id)

    async def run(
        self,
        embedding_id: str | DatasetEmbeddingData | None = None,
        *,
        new_tag_name: str,
        method: SamplingMethod | str,
        config: SamplingConfig | None = None,
        preselected_tag_id: str | None = None,
        query_tag_id: str | None = None,
        score_type: str | None = None,
        row_count: float | None = None,
        timeout: float | None = JOB_WAIT_TIMEOUT,
    ) -> TagData:
        """Trigger a sampling, wait for its job (honouring ``waitTimeTillNextPoll``, within
        ``timeout`` seconds; cancellable) and return the new tag.

        Left out, the embedding is the dataset's newest (``embeddings.latest()``) and
        ``row_count`` the first listed tag's ``tot_size``, as lightly 1.5.20's
        ``selection()`` sets them.
        """
        # the arguments checked before the defaults are looked up
        _sampling_request(
            new_tag_name=new_tag_name, method=method, config=config,
            preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count)
        if embedding_id is not None and not isinstance(embedding_id, DatasetEmbeddingData):
            check.object_id("embedding_id", embedding_id)
        dataset = self._session.dataset(self._dataset_id)
        if embedding_id is None:
            embedding_id = await dataset.embeddings.latest()
        if row_count is None:
            tags = await dataset.tags.list()
            row_count = tags[0].tot_size if tags else None
        task = await self.trigger(
            embedding_id, new_tag_name=new_tag_name, method=method, config=config,
            preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count)
        job = await self._session.jobs.wait(task.job_id, timeout=timeout)
        tag_id = job.result.data if job.result is not None else None
        if not isinstance(tag_id, str):
            raise DecodeError(f"finished sampling job {job.id} carries no new tag id")
        tag: TagData = await self._call(op.GET_TAG_BY_TAG_ID, cast=TagData,
                                        tagId=check.object_id("result.data", tag_id))
        return tag


def _sampling_request(
    *, new_tag_name: str, method: SamplingMethod | str, config: SamplingConfig | None,
    preselected_tag_id: str | None, query_tag_id: str | None, score_type: str | None,
    row_count: float | None,
) -> SamplingCreateRequest:
    config = SamplingConfig() if config is None else config
    if not isinstance(config, SamplingConfig):
        raise InvalidInputError("config", f"must be a SamplingConfig, got {config!r}")
    _check_stopping_condition(config.stopping_condition)
    if row_count is not None and (isinstance(row_count, bool)
                                  or not isinstance(row_count, int | float) or row_count < 0):
        raise InvalidInputError("row_count", f"must be a number >= 0, got {row_count!r}")
    return SamplingCreateRequest(
        new_tag_name=check.tag_name("new_tag_name", new_tag_name),
        method=check.enum_value("method", method, SamplingMethod),
        config=config,
        preselected_tag_id=_opt_id("preselected_tag_id", preselected_tag_id),
        query_tag_id=_opt_id("query_tag_id", query_tag_id),
        score_type=None if score_type is None else check.score_type("score_type", score_type),
        row_count=row_count,
    )


def _check_stopping_condition(cond: SamplingConfigStoppingCondition | None) -> None:
    if cond is None:
        return
    for name in ("n_samples", "min_distance"):
        value: Any = getattr(cond, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidInputError(f"config.stopping_condition.{name}",
                                    f"must be a number, got {value!r}")
    n = cond.n_samples
    if n is not None and n < 0 and n != -1:
        raise InvalidInputError("config.stopping_condition.n_samples",
                                f"must be a fraction in 0-1, a count >= 1, or -1, got {n}")


def _opt_id(field: str, value: str | None) -> str | None:
    return None if value is None else check.object_id(field, value)
