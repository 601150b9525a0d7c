"""``session.datasets``, synchronously: the dataset listing is a plain iterator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightly_async.models.datasets import DatasetCreator, DatasetData, DatasetType
from lightly_async.resources.datasets import DEFAULT_DATASET_PAGE_SIZE
from lightly_async.sync._base import OffsetPager

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.models.tags import ImageType
    from lightly_async.sync._portal import Runner

__all__ = ["DatasetPager", "Datasets"]

DatasetPager = OffsetPager[DatasetData]
"""What ``session.datasets.list()`` returns: ``for d in pager``, ``pages()``, ``collect()``."""


class Datasets:
    """``session.datasets``: the user's datasets."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: aio.Datasets) -> None:
        self._runner = runner
        self._aio = aio

    def create(
        self,
        name: str,
        *,
        type: DatasetType | str = DatasetType.IMAGES,
        img_type: ImageType | str | None = None,
        creator: DatasetCreator | str = DatasetCreator.USER_PIP,
        parent_dataset_id: str | None = None,
    ) -> DatasetData:
        """Create a dataset and return it as the server reports it (not retried once sent)."""
        return self._runner.call(self._aio.create, name, type=type, img_type=img_type,
                                 creator=creator, parent_dataset_id=parent_dataset_id)

    def get(self, dataset_id: str) -> DatasetData:
        """One dataset."""
        return self._runner.call(self._aio.get, dataset_id)

    def get_by_name(self, name: str, *, shared: bool | None = False) -> DatasetData:
        """The dataset called exactly ``name`` (``shared=True``: among those shared with the
        user, ``None``: among all the user can access).

        Raises:
            NameNotFoundError: no such dataset.
            AmbiguousNameError: several datasets have that name (``ids``).
        """
        return self._runner.call(self._aio.get_by_name, name, shared=shared)

    def list(
        self, *, page_size: int = DEFAULT_DATASET_PAGE_SIZE, shared: bool | None = False
    ) -> DatasetPager:
        """Every dataset the user owns (``shared=True``: those shared with the user,
        ``None``: both), page by page: ``for`` yields datasets, ``.pages()`` whole pages,
        ``.collect()`` a list. Input is checked at once; nothing is requested until
        iteration starts."""
        return OffsetPager(self._runner, self._aio.list(page_size=page_size, shared=shared))

    def update(self, dataset_id: str, *, name: str) -> None:
        """Rename a dataset."""
        self._runner.call(self._aio.update, dataset_id, name=name)

    def delete(self, dataset_id: str, *, force: bool = False) -> None:
        """Delete a dataset with its samples, tags, predictions and embeddings
        (``force=True`` is sent as ``?force=true``)."""
        self._runner.call(self._aio.delete, dataset_id, force=force)

    def __repr__(self) -> str:
        return "<lightly_async.sync.Datasets>"
