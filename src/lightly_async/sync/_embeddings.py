"""``dataset.embeddings``, synchronously."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from lightly_async.sync._base import Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.models.embeddings import DatasetEmbeddingData

__all__ = ["Embeddings"]


class Embeddings(Resource):
    """``dataset.embeddings``: the embeddings uploaded for a dataset."""

    __slots__ = ()
    _aio: aio.Embeddings

    def list(self) -> builtins.list[DatasetEmbeddingData]:
        """Every embedding of the dataset."""
        return self._runner.call(self._aio.list)

    def get(self, embedding_id: str) -> DatasetEmbeddingData:
        """One embedding, by id (picked from the listing); :class:`NameNotFoundError` if
        the dataset has none with that id."""
        return self._runner.call(self._aio.get, embedding_id)

    def get_by_name(self, name: str) -> DatasetEmbeddingData:
        """The embedding called exactly ``name``.

        Raises:
            NameNotFoundError: no embedding of the dataset has that name.
            AmbiguousNameError: several have it (``ids``); pass one by id instead.
        """
        return self._runner.call(self._aio.get_by_name, name)
