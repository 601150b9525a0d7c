"""Models of the Embeddings API (beyond the seeds; lightly 1.5.20's ``EmbeddingsApi``)."""

from __future__ import annotations

from enum import Enum

import attrs

from lightly_async._redact import url_repr

__all__ = [
    "DatasetEmbeddingData",
    "DimensionalityReductionMethod",
    "Trigger2dEmbeddingJobRequest",
    "WriteCSVUrlData",
]


@attrs.frozen(kw_only=True)
class DatasetEmbeddingData:
    """An embedding uploaded for a dataset: pass it (or its ``id``) to a sampling."""

    id: str
    name: str
    is_processed: bool
    created_at: int
    is2d: bool | None = None


@attrs.frozen(kw_only=True)
class WriteCSVUrlData:
    """Answer of ``GET .../embeddings/writeCSVUrl``: the new embedding's id and where to PUT
    its CSV (the signed URL is kept out of the repr)."""

    signed_write_url: str = attrs.field(repr=url_repr)
    embedding_id: str


class DimensionalityReductionMethod(str, Enum):
    """How a 2d view of an embedding is computed."""

    PCA = "PCA"
    TSNE = "TSNE"
    UMAP = "UMAP"


@attrs.frozen(kw_only=True)
class Trigger2dEmbeddingJobRequest:
    """Request body of ``POST .../embeddings/{embeddingId}/trigger2dEmbeddingsJob``."""

    dimensionality_reduction_method: DimensionalityReductionMethod | str
