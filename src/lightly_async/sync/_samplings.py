"""``dataset.samplings``, synchronously."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightly_async.sync._base import Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.models.common import AsyncTaskData
    from lightly_async.models.embeddings import DatasetEmbeddingData
    from lightly_async.models.samplings import SamplingConfig, SamplingMethod
    from lightly_async.models.tags import TagData

__all__ = ["Samplings"]


class Samplings(Resource):
    """``dataset.samplings``: samplings on a dataset's embedding."""

    __slots__ = ()
    _aio: aio.Samplings

    def trigger(
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
        returned job with ``session.jobs``. Not retried once sent."""
        return self._runner.call(
            self._aio.trigger, embedding_id, new_tag_name=new_tag_name, method=method,
            config=config, preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count)

    def run(
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
        timeout: float | None = 600.0,
    ) -> TagData:
        """Trigger a sampling on an embedding (its id or a ``DatasetEmbeddingData``), wait
        for its job (within ``timeout`` seconds) and return the new tag."""
        return self._runner.call(
            self._aio.run, embedding_id, new_tag_name=new_tag_name, method=method,
            config=config, preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count, timeout=timeout)
