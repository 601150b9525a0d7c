"""Datasets, embeddings and mappings in the fake (beyond the seeds; lightly 1.5.20 shapes).

Serves the operations of ``spec/beyond-seeds.yaml``: dataset create/get/list/query by
name/update/delete, a dataset's embeddings, and its sample mappings, with their
``ROUTES``.

Guesses about the real service made here (the spec says nothing):

* Dataset names are unique per user: creating or renaming to a name the user already has is
  409 ``DATASET_NAME_EXISTS`` (a code of the newest ``ApiErrorCode``). ``FakeLightly.
  create_dataset`` skips that check, so duplicates can be set up on purpose.
* ``GET /v1/datasets`` lists the user's datasets in creation order. Nothing is shared in the
  fake and there are no teams: ``shared=true`` and ``getAssetsOfTeam=true`` list nothing,
  ``getAssetsOfTeamInclusiveSelf=true`` the user's own; ``excludePlayground`` changes
  nothing. ``pageOffset`` skips that many datasets, ``pageSize`` bounds the page (absent:
  all the rest). ``query/name/{name}`` filters by exact name with ``exact=true``, by name
  prefix otherwise.
* ``DatasetData``: ``nSamples`` counts the samples, ``sizeInBytes`` sums their metadata's
  ``sizeInBytes``, ``lastModifiedAt`` moves on a rename; ``datasourceProcessedUntilTimestamp``
  is reported once a datasource is configured.
* ``DELETE`` removes the dataset with its samples, tags, predictions, embeddings, datasource
  and stored blobs. A dataset that is another dataset's ``parentDatasetId`` is 400
  ``ILLEGAL_ACTION_RESOURCE_IN_USE`` unless ``force=true``, which deletes the children too.
* Embeddings are listed newest first (lightly's client takes "the first entry as the API
  returns newest first", ``api_workflow_upload_embeddings.py``); all are processed, not 2d.
* ``mappings?field=fileName|_id`` lists that field of every sample in index order, samples
  added later included; another ``field`` is 400; paged like the dataset listing.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Final

import attrs

from lightly_async import _operations as op
from lightly_async._constraints import DATASET_NAME
from lightly_async.models import (
    CreateEntityResponse,
    DatasetCreator,
    DatasetData,
    DatasetEmbeddingData,
    DatasetType,
    DatasetUpdateRequest,
    ImageType,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import Dataset, FakeApiError, User, check

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "DatasetCreateBody", "DatasetOps"]

MAPPING_FIELDS: Final = ("fileName", "_id")


@attrs.frozen(kw_only=True)
class DatasetCreateBody:
    """``DatasetCreateRequest`` as the fake parses it: ``type`` may be absent (Images)."""

    name: str
    dataset_type: str | None = attrs.field(default=None, metadata={"wire": "type"})
    img_type: str | None = None
    creator: str | None = None
    parent_dataset_id: str | None = None


class DatasetOps:
    """The Datasets, Embeddings and Mappings operations over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def create(self, user: User, body: DatasetCreateBody) -> CreateEntityResponse:
        """``POST /v1/datasets``."""
        name = check(body.name, DATASET_NAME, "dataset name")
        kind = _enum(body.dataset_type or DatasetType.IMAGES.value, DatasetType, "type")
        img_type = None if body.img_type is None else _enum(body.img_type, ImageType, "imgType")
        if body.creator is not None:
            _enum(body.creator, DatasetCreator, "creator")
        if body.parent_dataset_id is not None:
            self._store.dataset(user, body.parent_dataset_id)
        self._check_unique(user, name)
        dataset_id = self._store.create_dataset(name, owner_token=user.token)
        dataset = self._store.datasets[dataset_id]
        dataset.type, dataset.img_type = kind, img_type
        dataset.parent_id = body.parent_dataset_id
        return CreateEntityResponse(id=dataset_id)

    def get(self, user: User, dataset_id: str) -> DatasetData:
        """``GET /v1/datasets/{datasetId}``."""
        return dataset_data(self._store.dataset(user, dataset_id))

    def list(
        self, user: User, *, shared: bool, team: bool, team_and_self: bool,
        offset: int, size: int | None,
    ) -> builtins.list[DatasetData]:
        """``GET /v1/datasets``: one page of the user's datasets."""
        if shared or (team and not team_and_self):
            return []
        return _page([dataset_data(d) for d in self._owned(user)], offset, size)

    def query_by_name(
        self, user: User, name: str, *, exact: bool, shared: bool, team: bool,
        team_and_self: bool, offset: int, size: int | None,
    ) -> builtins.list[DatasetData]:
        """``GET /v1/datasets/query/name/{datasetName}``."""
        if not name:
            raise FakeApiError.of("MALFORMED_REQUEST", "datasetName must not be empty")
        if shared or (team and not team_and_self):
            return []
        found = [d for d in self._owned(user)
                 if (d.name == name if exact else d.name.startswith(name))]
        return _page([dataset_data(d) for d in found], offset, size)

    def update(self, user: User, dataset_id: str, body: DatasetUpdateRequest) -> None:
        """``PUT /v1/datasets/{datasetId}``: rename."""
        dataset = self._store.dataset(user, dataset_id)
        name = check(body.name, DATASET_NAME, "dataset name")
        if name != dataset.name:
            self._check_unique(user, name)
        dataset.name = name
        dataset.last_modified_at = self._store.now_ms()

    def delete(self, user: User, dataset_id: str, *, force: bool) -> None:
        """``DELETE /v1/datasets/{datasetId}``."""
        dataset = self._store.dataset(user, dataset_id)
        children = [d for d in self._store.datasets.values() if d.parent_id == dataset.id]
        if children and not force:
            raise FakeApiError.of(
                "ILLEGAL_ACTION_RESOURCE_IN_USE",
                f"dataset {dataset_id} has {len(children)} child dataset(s); pass force=true")
        for child in children:
            self.delete(user, child.id, force=True)
        del self._store.datasets[dataset.id]
        prefix = f"{dataset.id}/"
        for key in [k for k in self._store.blobs if k.startswith(prefix)]:
            del self._store.blobs[key]

    def embeddings(self, user: User, dataset_id: str) -> builtins.list[DatasetEmbeddingData]:
        """``GET /v1/datasets/{datasetId}/embeddings``, newest first."""
        dataset = self._store.dataset(user, dataset_id)
        return [
            DatasetEmbeddingData(id=e.id, name=e.name, is_processed=True,
                                 created_at=e.created_at, is2d=False)
            for e in reversed(dataset.embeddings.values())
        ]

    def mappings(
        self, user: User, dataset_id: str, field: str | None, *, offset: int, size: int | None
    ) -> builtins.list[str]:
        """``GET /v1/datasets/{datasetId}/mappings?field=``, in sample (bitmask) order."""
        dataset = self._store.dataset(user, dataset_id)
        if field not in MAPPING_FIELDS:
            raise FakeApiError.of(
                "MALFORMED_REQUEST", f"field must be fileName or _id, got {field!r}")
        # sliced first: a page of a million-sample dataset builds only its own rows
        stop = None if size is None else offset + size
        rows = dataset.samples[offset:stop]
        return [s.file_name if field == "fileName" else s.id for s in rows]

    def _owned(self, user: User) -> builtins.list[Dataset]:
        return [d for d in self._store.datasets.values() if d.owner_id == user.id]

    def _check_unique(self, user: User, name: str) -> None:
        if any(d.name == name for d in self._owned(user)):
            raise FakeApiError.of("DATASET_NAME_EXISTS", f"a dataset named {name!r} exists")


def dataset_data(dataset: Dataset) -> DatasetData:
    """The wire view of a stored dataset."""
    return DatasetData(
        id=dataset.id,
        name=dataset.name,
        user_id=dataset.owner_id,
        type=dataset.type,
        img_type=dataset.img_type,
        n_samples=len(dataset.samples),
        size_in_bytes=sum(s.meta.size_in_bytes for s in dataset.samples if s.meta is not None),
        created_at=dataset.created_at,
        last_modified_at=dataset.last_modified_at,
        datasource_processed_until_timestamp=(
            dataset.processed_until if dataset.datasource is not None else None),
        parent_dataset_id=dataset.parent_id,
    )


def _enum(value: str, enum_cls: Any, what: str) -> str:
    allowed = [m.value for m in enum_cls]
    if value not in allowed:
        raise FakeApiError.of("MALFORMED_REQUEST", f"{what} must be one of {allowed}: {value!r}")
    return value


def _page(rows: list[Any], offset: int, size: int | None) -> list[Any]:
    return rows[offset:] if size is None else rows[offset : offset + size]


# -- HTTP handlers ---------------------------------------------------------------------------
def _ops(c: RequestContext) -> DatasetOps:
    return DatasetOps(c.store)


def _paging(c: RequestContext) -> dict[str, Any]:
    offset = c.query_int("pageOffset")
    return {"offset": offset or 0, "size": c.query_int("pageSize", minimum=1)}


def _visibility(c: RequestContext) -> dict[str, bool]:
    c.query_bool("excludePlayground")  # validated; there are no playgrounds
    return {
        "shared": c.query_bool("shared"),
        "team": c.query_bool("getAssetsOfTeam"),
        "team_and_self": c.query_bool("getAssetsOfTeamInclusiveSelf"),
    }


def _create(c: RequestContext) -> Any:
    return _ops(c).create(c.user, c.body)


def _list(c: RequestContext) -> Any:
    return _ops(c).list(c.user, **_visibility(c), **_paging(c))


def _query_by_name(c: RequestContext) -> Any:
    return _ops(c).query_by_name(
        c.user, c.path("datasetName"), exact=c.query_bool("exact"), **_visibility(c),
        **_paging(c))


def _get(c: RequestContext) -> Any:
    return _ops(c).get(c.user, c.ds)


def _update(c: RequestContext) -> Any:
    return _ops(c).update(c.user, c.ds, c.body)


def _delete(c: RequestContext) -> Any:
    return _ops(c).delete(c.user, c.ds, force=c.query_bool("force"))


def _embeddings(c: RequestContext) -> Any:
    return _ops(c).embeddings(c.user, c.ds)


def _mappings(c: RequestContext) -> Any:
    return _ops(c).mappings(c.user, c.ds, c.query("field"), **_paging(c))


ROUTES: Final = [
    OperationRoute(op.GET_DATASETS, _list),
    OperationRoute(op.CREATE_DATASET, _create, DatasetCreateBody, 201),
    OperationRoute(op.GET_DATASETS_QUERY_BY_NAME, _query_by_name),
    OperationRoute(op.GET_DATASET_BY_ID, _get),
    OperationRoute(op.UPDATE_DATASET_BY_ID, _update, DatasetUpdateRequest),
    OperationRoute(op.DELETE_DATASET_BY_ID, _delete),
    OperationRoute(op.GET_EMBEDDINGS_BY_DATASET_ID, _embeddings),
    OperationRoute(op.GET_SAMPLE_MAPPINGS_BY_DATASET_ID, _mappings),
]
"""The Datasets, Embeddings and Mappings routes, as ``_app.py`` mounts them."""
