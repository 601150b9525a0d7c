"""Datasets (beyond the seeds): create, look up by id or name, list, rename and delete.

Operations of lightly 1.5.20's ``DatasetsApi`` (see ``spec/beyond-seeds.yaml``):
``POST /v1/datasets``, ``GET /v1/datasets`` (paged), ``GET /v1/datasets/query/name/{name}``
(``exact=true``, paged), ``GET``/``PUT``/``DELETE /v1/datasets/{datasetId}``.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from lightly_async import _validate as check
from lightly_async._convert import get_converter
from lightly_async._offset_pager import OffsetPager
from lightly_async.errors import AmbiguousNameError, InvalidInputError, NameNotFoundError
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.datasets import (
    DatasetCreateRequest,
    DatasetCreator,
    DatasetData,
    DatasetType,
    DatasetUpdateRequest,
)
from lightly_async.models.tags import ImageType

if TYPE_CHECKING:
    from lightly_async._session import LightlySession

__all__ = ["DEFAULT_DATASET_PAGE_SIZE", "DatasetPager", "Datasets"]

DEFAULT_DATASET_PAGE_SIZE: Final = 5000
"""Datasets asked for per page (what lightly's ``paginate_endpoint`` uses)."""

DatasetPager = OffsetPager[DatasetData]
"""What ``session.datasets.list()`` returns: ``async for d in pager``, ``pages()``,
``await collect()``."""


class Datasets:
    """``session.datasets``: the user's datasets."""

    __slots__ = ("_session",)

    def __init__(self, session: LightlySession) -> None:
        self._session = session

    async def create(
        self,
        name: str,
        *,
        type: DatasetType | str = DatasetType.IMAGES,
        img_type: ImageType | str | None = None,
        creator: DatasetCreator | str = DatasetCreator.USER_PIP,
        parent_dataset_id: str | None = None,
    ) -> DatasetData:
        """Create a dataset and return it as the server reports it (a second request).

        Not retried once sent: a replay could create a second dataset.
        """
        body = DatasetCreateRequest(
            name=check.dataset_name("name", name),
            type=check.enum_value("type", type, DatasetType),
            img_type=None if img_type is None else check.enum_value("img_type", img_type,
                                                                    ImageType),
            creator=check.enum_value("creator", creator, DatasetCreator),
            parent_dataset_id=None if parent_dataset_id is None else check.object_id(
                "parent_dataset_id", parent_dataset_id))
        created = await self._session._request(
            "POST", "/v1/datasets", cast=CreateEntityResponse,
            json_body=get_converter().unstructure(body), replay_safe=False)
        return await self.get(check.object_id("id (of the created dataset)", created.id))

    async def get(self, dataset_id: str) -> DatasetData:
        """One dataset."""
        dataset_id = check.object_id("dataset_id", dataset_id)
        return await self._session._request("GET", f"/v1/datasets/{dataset_id}",
                                            cast=DatasetData)

    async def get_by_name(self, name: str) -> DatasetData:
        """The user's dataset called exactly ``name``.

        Raises:
            NameNotFoundError: the user owns no dataset of that name.
            AmbiguousNameError: several of the user's datasets have that name (``ids``).
        """
        name = check.dataset_name("name", name)
        pager = DatasetPager(lambda offset, size: self._query_by_name(name, offset, size),
                             DEFAULT_DATASET_PAGE_SIZE)
        # exact=true is the server's filter; the comparison here keeps a looser server honest
        found = [d for d in await pager.collect() if d.name == name]
        if not found:
            raise NameNotFoundError("dataset", name)
        if len(found) > 1:
            raise AmbiguousNameError("dataset", name, [d.id for d in found])
        return found[0]

    def list(self, *, page_size: int = DEFAULT_DATASET_PAGE_SIZE) -> DatasetPager:
        """Every dataset the user owns, page by page (``async for``, or ``await
        .collect()`` for a list). Nothing is requested until iteration starts."""
        size = check.non_negative_int("page_size", page_size)
        if size < 1:
            raise InvalidInputError("page_size", "must be >= 1")
        return DatasetPager(self._list_page, size)

    async def update(self, dataset_id: str, *, name: str) -> None:
        """Rename a dataset."""
        dataset_id = check.object_id("dataset_id", dataset_id)
        body = DatasetUpdateRequest(name=check.dataset_name("name", name))
        await self._session._request("PUT", f"/v1/datasets/{dataset_id}",
                                     json_body=get_converter().unstructure(body))

    async def delete(self, dataset_id: str, *, force: bool = False) -> None:
        """Delete a dataset with its samples, tags, predictions and embeddings.

        ``force=True`` is sent as ``?force=true`` (the server's own rules for it apply).
        """
        dataset_id = check.object_id("dataset_id", dataset_id)
        if not isinstance(force, bool):
            raise InvalidInputError("force", f"must be a bool, got {force!r}")
        await self._session._request("DELETE", f"/v1/datasets/{dataset_id}",
                                     params={"force": True if force else None})

    # -- pages -------------------------------------------------------------------------------
    async def _list_page(self, offset: int, size: int) -> builtins.list[DatasetData]:
        return await self._session._request(
            "GET", "/v1/datasets", cast=builtins.list[DatasetData],
            params={"shared": False, "pageSize": size, "pageOffset": offset})

    async def _query_by_name(
        self, name: str, offset: int, size: int
    ) -> builtins.list[DatasetData]:
        return await self._session._request(
            "GET", f"/v1/datasets/query/name/{quote(name, safe='')}",
            cast=builtins.list[DatasetData],
            params={"exact": True, "shared": False, "pageSize": size, "pageOffset": offset})

    def __repr__(self) -> str:
        return "<Datasets>"
