"""Embeddings of a dataset (beyond the seeds): ``GET /v1/datasets/{datasetId}/embeddings``.

lightly 1.5.20's ``EmbeddingsApi`` has no single-embedding GET: ``get`` and ``get_by_name``
pick from the listing, as lightly's own ``get_embedding_data_by_name`` does.
"""

from __future__ import annotations

import builtins

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async.errors import AmbiguousNameError, InvalidInputError, NameNotFoundError
from lightly_async.models.embeddings import DatasetEmbeddingData
from lightly_async.resources._base import DatasetResource

__all__ = ["Embeddings"]


class Embeddings(DatasetResource):
    """``dataset.embeddings``: the embeddings uploaded for a dataset."""

    __slots__ = ()

    async def list(self) -> builtins.list[DatasetEmbeddingData]:
        """Every embedding of the dataset."""
        return await self._call(op.GET_EMBEDDINGS_BY_DATASET_ID,
                                cast=builtins.list[DatasetEmbeddingData])

    async def get(self, embedding_id: str) -> DatasetEmbeddingData:
        """One embedding, by id (picked from the listing); :class:`NameNotFoundError` if
        the dataset has none with that id."""
        embedding_id = check.object_id("embedding_id", embedding_id)
        for embedding in await self.list():
            if embedding.id == embedding_id:
                return embedding
        raise NameNotFoundError("embedding", embedding_id, by="with id")

    async def get_by_name(self, name: str) -> DatasetEmbeddingData:
        """The embedding called exactly ``name``.

        Raises:
            NameNotFoundError: no embedding of the dataset has that name.
            AmbiguousNameError: several have it (``ids``); pass one by id instead.
        """
        if not isinstance(name, str) or not name:
            raise InvalidInputError("name", f"must be a non-empty string, got {name!r}")
        embeddings = await self.list()
        found = [e for e in embeddings if e.name == name]
        if not found:
            # Lightly Worker names embeddings like ``default_20230522_10h15m50s``: show them
            raise NameNotFoundError("embedding", name, known=[e.name for e in embeddings])
        if len(found) > 1:
            raise AmbiguousNameError("embedding", name, [e.id for e in found])
        return found[0]
