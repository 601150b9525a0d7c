"""Datasets (beyond the seeds): create, look up by id or name, list, rename and delete.

Operations of lightly 1.5.20's ``DatasetsApi`` (see ``spec/beyond-seeds.yaml``): create,
get, list (paged), query by name (``exact=true``, paged), update and delete.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable
from typing import Any, Final

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._constants import DEFAULT_DATASET_PAGE_SIZE
from lightly_async._offset_pager import OffsetPager
from lightly_async._operation import Operation
from lightly_async.errors import (
    AmbiguousNameError,
    ConflictError,
    InvalidInputError,
    NameNotFoundError,
    NotFoundError,
)
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.datasets import (
    DatasetCreateRequest,
    DatasetCreator,
    DatasetData,
    DatasetType,
    DatasetUpdateRequest,
)
from lightly_async.models.tags import ImageType
from lightly_async.resources._base import Resource

__all__ = ["DEFAULT_DATASET_PAGE_SIZE", "UNIQUE_NAME_ATTEMPTS", "DatasetPager", "Datasets"]

UNIQUE_NAME_ATTEMPTS: Final = 5
"""``create_unique`` tries this many names when another client takes each one first."""

DatasetPager = OffsetPager[DatasetData]
"""What ``session.datasets.list()`` returns: ``async for d in pager``, ``pages()``,
``await collect()``."""


class Datasets(Resource):
    """``session.datasets``: the user's datasets."""

    __slots__ = ()

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
        body = _create_request(name, type, img_type, creator, parent_dataset_id)
        created = await self._call(op.CREATE_DATASET, cast=CreateEntityResponse,
                                   json_body=self._dump(body), replay_safe=False)
        return await self.get(check.object_id("id (of the created dataset)", created.id))

    async def get(self, dataset_id: str) -> DatasetData:
        """One dataset."""
        dataset_id = check.object_id("dataset_id", dataset_id)
        return await self._call(op.GET_DATASET_BY_ID, cast=DatasetData, datasetId=dataset_id)

    async def get_by_name(self, name: str, *, shared: bool | None = False) -> DatasetData:
        """The dataset called exactly ``name``: by default among the user's own datasets;
        ``shared=True`` among those shared with the user (team datasets included),
        ``shared=None`` among all the user can access (as lightly 1.5.20's ``shared``).

        Raises:
            NameNotFoundError: no such dataset.
            AmbiguousNameError: several datasets have that name (``ids``).
        """
        name = check.dataset_name("name", name)
        pager = DatasetPager(
            _scopes(self, op.GET_DATASETS_QUERY_BY_NAME, _shared("shared", shared),
                    {"exact": True}, name),
            DEFAULT_DATASET_PAGE_SIZE)
        # exact=true is the server's filter; the comparison here keeps a looser server honest
        found = [d for d in await pager.collect() if d.name == name]
        if not found:
            raise NameNotFoundError("dataset", name)
        if len(found) > 1:
            raise AmbiguousNameError("dataset", name, [d.id for d in found])
        return found[0]

    async def create_unique(
        self,
        name: str,
        *,
        type: DatasetType | str = DatasetType.IMAGES,
        img_type: ImageType | str | None = None,
        creator: DatasetCreator | str = DatasetCreator.USER_PIP,
        parent_dataset_id: str | None = None,
    ) -> DatasetData:
        """Create a dataset called ``name``, or ``name_1``, ``name_2``, ... : the first of
        these the user does not own yet (lightly 1.5.20's
        ``create_new_dataset_with_unique_name``). Returns the created dataset.

        The names taken are looked up among the user's own datasets (a prefix query, as
        1.5.20 does). Should another client take the chosen name in between (409), the
        next free name is looked up again, up to :data:`UNIQUE_NAME_ATTEMPTS` times.
        """
        _create_request(name, type, img_type, creator, parent_dataset_id)  # checked up front
        options: dict[str, Any] = {"type": type, "img_type": img_type, "creator": creator,
                                   "parent_dataset_id": parent_dataset_id}
        for attempt in range(UNIQUE_NAME_ATTEMPTS):
            candidate = name
            if attempt or await self.name_exists(name, shared=False):
                taken = {d.name for d in await _by_name(self, name, exact=False)}
                counter = 1
                while f"{name}_{counter}" in taken:
                    counter += 1
                candidate = f"{name}_{counter}"
            try:
                return await self.create(candidate, **options)
            except ConflictError:
                if attempt == UNIQUE_NAME_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def exists(self, dataset_id: str) -> bool:
        """Whether the dataset exists (lightly 1.5.20's ``dataset_exists``): ``False`` on a
        404; any other failure (403 for another user's dataset, ...) raises."""
        try:
            await self.get(dataset_id)
        except NotFoundError:
            return False
        return True

    async def name_exists(self, name: str, shared: bool | None = None) -> bool:
        """Whether a dataset called exactly ``name`` exists (lightly 1.5.20's
        ``dataset_name_exists``): ``shared=False`` among the user's own datasets,
        ``True`` among those shared with the user (team datasets included), ``None`` (the
        default here; 1.5.20's is ``False``) among all the user can access."""
        name = check.dataset_name("name", name)
        pager = DatasetPager(
            _scopes(self, op.GET_DATASETS_QUERY_BY_NAME, _shared("shared", shared),
                    {"exact": True}, name),
            DEFAULT_DATASET_PAGE_SIZE)
        async for dataset in pager:
            if dataset.name == name:
                return True
        return False

    def list(
        self, *, page_size: int = DEFAULT_DATASET_PAGE_SIZE, shared: bool | None = False
    ) -> DatasetPager:
        """Every dataset the user owns, page by page (``async for``, or ``await
        .collect()`` for a list). Nothing is requested until iteration starts.

        ``shared=True`` lists the datasets shared with the user instead (team datasets
        included), ``shared=None`` both, each dataset once (as lightly 1.5.20's ``shared``).
        """
        size = check.non_negative_int("page_size", page_size)
        if size < 1:
            raise InvalidInputError("page_size", "must be >= 1")
        return DatasetPager(_scopes(self, op.GET_DATASETS, _shared("shared", shared), {}), size)

    async def update(self, dataset_id: str, *, name: str) -> None:
        """Rename a dataset."""
        dataset_id = check.object_id("dataset_id", dataset_id)
        body = DatasetUpdateRequest(name=check.dataset_name("name", name))
        await self._call(op.UPDATE_DATASET_BY_ID, json_body=self._dump(body),
                         datasetId=dataset_id)

    async def delete(self, dataset_id: str, *, force: bool = False) -> None:
        """Delete a dataset with its samples, tags, predictions and embeddings.

        ``force=True`` is sent as ``?force=true`` (the server's own rules for it apply).
        """
        dataset_id = check.object_id("dataset_id", dataset_id)
        if not isinstance(force, bool):
            raise InvalidInputError("force", f"must be a bool, got {force!r}")
        await self._call(op.DELETE_DATASET_BY_ID, params={"force": True if force else None},
                         datasetId=dataset_id)

    def __repr__(self) -> str:
        return "<Datasets>"


def _create_request(
    name: str, type: DatasetType | str, img_type: ImageType | str | None,
    creator: DatasetCreator | str, parent_dataset_id: str | None,
) -> DatasetCreateRequest:
    return DatasetCreateRequest(
        name=check.dataset_name("name", name),
        type=check.enum_value("type", type, DatasetType),
        img_type=None if img_type is None else check.enum_value("img_type", img_type,
                                                                ImageType),
        creator=check.enum_value("creator", creator, DatasetCreator),
        parent_dataset_id=None if parent_dataset_id is None else check.object_id(
            "parent_dataset_id", parent_dataset_id))


async def _by_name(datasets: Datasets, name: str, *, exact: bool) -> builtins.list[DatasetData]:
    """The user's own datasets called ``name`` (``exact``) or whose name starts with it."""
    pager = DatasetPager(_scopes(datasets, op.GET_DATASETS_QUERY_BY_NAME, (_OWN,),
                                 {"exact": exact}, name), DEFAULT_DATASET_PAGE_SIZE)
    return await pager.collect()


# -- listing scopes ---------------------------------------------------------------------------
_OWN: Final = {"shared": False}
_SHARED: Final = ({"shared": True}, {"getAssetsOfTeam": True})  # shared with me; my team's


def _shared(field: str, shared: object) -> tuple[dict[str, bool], ...]:
    """The listings (query parameters) ``shared=`` stands for, as lightly 1.5.20 has them."""
    if shared is None:
        return (_OWN, *_SHARED)
    if not isinstance(shared, bool):
        raise InvalidInputError(field, f"must be True, False or None, got {shared!r}")
    return _SHARED if shared else (_OWN,)


def _scopes(
    datasets: Datasets, listing: Operation, scopes: tuple[dict[str, bool], ...],
    params: dict[str, object], name: str | None = None,
) -> Callable[[int, int], Awaitable[builtins.list[DatasetData]]]:
    """A pager's fetch that lists ``listing`` in each scope in turn, each dataset once.

    The pager asks for ``size`` rows from ``offset``; the scopes are listed one after the
    other, a short page of one followed by the next one's first pages, so that only the
    last page of the last scope is short. Listing again (offset 0) starts afresh.
    """
    state: dict[str, Any] = {}

    async def page_of(scope: dict[str, bool], offset: int, size: int
                      ) -> builtins.list[DatasetData]:
        query = {**params, **scope, "pageSize": size, "pageOffset": offset}
        if name is None:
            return await datasets._call(listing, cast=builtins.list[DatasetData], params=query)
        return await datasets._call(listing, cast=builtins.list[DatasetData], params=query,
                                    datasetName=name)

    async def fetch(offset: int, size: int) -> builtins.list[DatasetData]:
        if offset == 0 or not state:
            state.update(scope=0, at=0, seen=set())
        out: builtins.list[DatasetData] = []
        while len(out) < size and state["scope"] < len(scopes):
            got = await page_of(scopes[state["scope"]], state["at"], size)
            state["at"] += len(got)
            if len(got) < size:
                state["scope"], state["at"] = state["scope"] + 1, 0
            for dataset in got:
                if dataset.id not in state["seen"]:
                    state["seen"].add(dataset.id)
                    out.append(dataset)
        return out

    return fetch
