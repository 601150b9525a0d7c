"""Embedding CSVs in the fake (lightly 1.5.20's ``EmbeddingsApi``): signed write and read
URLs for an embedding's CSV and its 2d views, with their ``ROUTES``. (The listing of a
dataset's embeddings is in ``_datasets.py``.)

Guesses about the real service made here (the spec says nothing):

* ``GET .../embeddings/writeCSVUrl?name=`` creates the embedding at once (listed, newest
  first) and answers a signed PUT URL for its CSV; ``name`` is required and non-empty.
* The CSV PUT there is stored byte for byte (the read URL gives exactly those bytes back).
  When it parses (a ``filenames`` column, ``embedding_<n>`` number columns, one row per
  sample of the dataset) its rows become the embedding's vectors in sample order, which
  samplings use; otherwise the embedding has no vectors.
* ``GET .../embeddings/{embeddingId}/readCSVUrl`` signs a GET of that CSV. An embedding
  added with ``FakeLightly.add_embedding`` gets a CSV rendered from its vectors
  (``filenames,embedding_0,...,labels``, labels 0) on first read. An embedding whose CSV
  was never written answers a URL whose GET is 404.
* ``POST .../trigger2dEmbeddingsJob`` records the method asked for (``PCA``, ``TSNE``,
  ``UMAP``) and answers 200 with no body; no job is created.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async.models import (
    DimensionalityReductionMethod,
    Trigger2dEmbeddingJobRequest,
    WriteCSVUrlData,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import (
    Dataset,
    Embedding,
    FakeApiError,
    User,
    check_object_id,
)

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "EmbeddingOps", "embedding_csv_key"]

_EMBEDDING_COLUMN: Final = re.compile(r"embedding_\d+")


def embedding_csv_key(dataset_id: str, embedding_id: str) -> str:
    """Where the bytes of an embedding's CSV are stored."""
    return f"{dataset_id}/embeddings/{embedding_id}.csv"


class EmbeddingOps:
    """The embedding CSV operations over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def write_url(self, user: User, dataset_id: str, name: str | None,
                  base_url: str) -> WriteCSVUrlData:
        """``GET /v1/datasets/{datasetId}/embeddings/writeCSVUrl``."""
        dataset = self._store.dataset(user, dataset_id)
        if not name:
            raise FakeApiError.of("MALFORMED_REQUEST", "query parameter name is required")
        embedding = Embedding(id=self._store.new_id(), name=name, vectors=[],
                              created_at=self._store.now_ms())
        dataset.embeddings[embedding.id] = embedding
        key = embedding_csv_key(dataset.id, embedding.id)

        def written(data: bytes) -> None:
            embedding.csv_key = key
            embedding.vectors = _vectors(dataset, data)

        self._store.blob_hooks[key] = written
        return WriteCSVUrlData(signed_write_url=self._store.signed_url(base_url, key, "PUT"),
                               embedding_id=embedding.id)

    def read_url(self, user: User, dataset_id: str, embedding_id: str, base_url: str) -> str:
        """``GET /v1/datasets/{datasetId}/embeddings/{embeddingId}/readCSVUrl``."""
        dataset = self._store.dataset(user, dataset_id)
        embedding = _embedding(dataset, embedding_id)
        key = embedding_csv_key(dataset.id, embedding.id)
        if embedding.csv_key is None and key not in self._store.blob_hooks:
            self._store.blobs[key] = _render(dataset, embedding)  # add_embedding's vectors
            embedding.csv_key = key
        return self._store.signed_url(base_url, key, "GET")

    def trigger_2d(self, user: User, dataset_id: str, embedding_id: str,
                   body: Trigger2dEmbeddingJobRequest) -> None:
        """``POST /v1/datasets/{datasetId}/embeddings/{embeddingId}/trigger2dEmbeddingsJob``."""
        embedding = _embedding(self._store.dataset(user, dataset_id), embedding_id)
        method = str(getattr(body.dimensionality_reduction_method, "value",
                             body.dimensionality_reduction_method))
        allowed = [m.value for m in DimensionalityReductionMethod]
        if method not in allowed:
            raise FakeApiError.of("MALFORMED_REQUEST",
                                  f"dimensionalityReductionMethod must be one of {allowed}")
        embedding.views_2d.append(method)


def _embedding(dataset: Dataset, embedding_id: str) -> Embedding:
    check_object_id(embedding_id, "embeddingId")
    found = dataset.embeddings.get(embedding_id)
    if found is None:
        raise FakeApiError.of("EMBEDDING_UNKNOWN", f"no embedding {embedding_id}")
    return found


def _render(dataset: Dataset, embedding: Embedding) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    dim = len(embedding.vectors[0]) if embedding.vectors else 0
    writer.writerow(["filenames", *(f"embedding_{i}" for i in range(dim)), "labels"])
    for sample, vector in zip(dataset.samples, embedding.vectors, strict=False):
        writer.writerow([sample.file_name, *vector, 0])
    return out.getvalue().encode()


def _vectors(dataset: Dataset, data: bytes) -> list[list[float]]:
    """The CSV's vectors in sample order, or none when it does not cover the samples."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        header = rows[0]
        names = header.index("filenames")
        columns = [i for i, h in enumerate(header) if _EMBEDDING_COLUMN.fullmatch(h)]
        by_name = {row[names]: [float(row[i]) for i in columns] for row in rows[1:] if row}
        return [by_name[s.file_name] for s in dataset.samples]
    except (UnicodeDecodeError, csv.Error, IndexError, KeyError, ValueError):
        return []


def _write_url(c: RequestContext) -> Any:
    return EmbeddingOps(c.store).write_url(c.user, c.ds, c.query("name"), c.base_url)


def _read_url(c: RequestContext) -> Any:
    return EmbeddingOps(c.store).read_url(c.user, c.ds, c.path("embeddingId"), c.base_url)


def _trigger_2d(c: RequestContext) -> Any:
    return EmbeddingOps(c.store).trigger_2d(c.user, c.ds, c.path("embeddingId"), c.body)


ROUTES: Final = [
    OperationRoute(op.GET_EMBEDDINGS_CSV_WRITE_URL_BY_ID, _write_url),
    OperationRoute(op.GET_EMBEDDINGS_CSV_READ_URL_BY_ID, _read_url),
    OperationRoute(op.TRIGGER2D_EMBEDDINGS_JOB, _trigger_2d, Trigger2dEmbeddingJobRequest),
]
"""The embedding CSV routes, as ``_app.py`` mounts them."""
