"""Models of the Embeddings API (beyond the seeds; lightly 1.5.20's ``EmbeddingsApi``)."""

from __future__ import annotations

import attrs

__all__ = ["DatasetEmbeddingData"]


@attrs.frozen(kw_only=True)
class DatasetEmbeddingData:
    """An embedding uploaded for a dataset: pass it (or its ``id``) to a sampling."""

    id: str
    name: str
    is_processed: bool
    created_at: int
    is2d: bool | None = None
