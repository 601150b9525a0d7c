"""Samples in the fake: list, get, update and the image read/write URLs, in both dialects.

The seed era serves them under ``/users/datasets/{datasetId}/samples`` (``SampleData`` with
``_id``, ``InlineObject`` updates, ``{signedWriteUrl}``); the newest API under
``/v1/datasets/{datasetId}/samples`` (lightly 1.5.20's ``SampleData``, paged lists,
``SampleUpdateRequest``, a bare write URL). ``ROUTES`` gives each dialect its handlers.

Guesses about the real service made here (NOTES.md marks them unspecified):

* Samples get a deterministic ``SampleMetaData`` and ``thumbName`` ``<stem>_thumb.webp``
  (``FakeStore.add_samples``).
* Seed ``PUT`` merges the fields given in ``sample`` (partial update); an ``_id`` different
  from the path's is a 400. ``filename`` filters by exact match, ``mode=ids`` answers only
  ``_id``. Newest ``PUT`` sets the fields given and answers nothing.
* The write URL for ``fileName`` X stores the blob the read URL finds when X is the sample's
  file name (``type=full``) or its ``thumbName`` (``type=thumbnail``); the newest API's write
  URL is for the sample's own file name (or its thumbnail's, ``isThumbnail=true``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async._constraints import OneOf
from lightly_async._convert import get_converter
from lightly_async.models import (
    InlineObject,
    InlineResponse200,
    SampleData,
    SampleDataV2,
    SampleUpdateRequest,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import (
    FakeApiError,
    Sample,
    User,
    check,
    sample_blob_key,
    sample_v2,
)

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "SAMPLE_PARTIAL_MODES", "SAMPLE_SORT_BY", "SampleOps"]

SAMPLE_SORT_BY: Final = OneOf("SampleSortBy", ("_id", "index"))
SAMPLE_PARTIAL_MODES: Final = OneOf("SamplePartialMode", ("ids", "fileNames", "full"))


class SampleOps:
    """The Samples operations over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    # -- the seed era (``/users/datasets/{id}/samples``) ------------------------------------------
    def list_samples(
        self, user: User, dataset_id: str, *, mode: str = "full", filename: str | None = None
    ) -> list[SampleData]:
        """``GET /users/datasets/{id}/samples``."""
        dataset = self._store.dataset(user, dataset_id)
        if mode not in ("full", "ids"):
            raise FakeApiError.of("MALFORMED_REQUEST", f"mode must be full or ids, got {mode!r}")
        rows = [s for s in dataset.samples if filename is None or s.file_name == filename]
        if mode == "ids":
            return [SampleData(id=s.id) for s in rows]
        return [_sample_data(s) for s in rows]

    def get_sample(self, user: User, dataset_id: str, sample_id: str) -> SampleData:
        """``GET /users/datasets/{id}/samples/{sampleId}``."""
        return _sample_data(self._store.dataset(user, dataset_id).sample(sample_id))

    def update_sample(
        self, user: User, dataset_id: str, sample_id: str, body: InlineObject
    ) -> SampleData:
        """``PUT /users/datasets/{id}/samples/{sampleId}``: merge the fields given."""
        sample = self._store.dataset(user, dataset_id).sample(sample_id)
        given = body.sample
        if given is not None:
            if given.id != sample.id:
                raise FakeApiError.of(
                    "MALFORMED_REQUEST", f"sample._id {given.id!r} differs from the path's"
                )
            if given.is_thumbnail is not None:
                sample.is_thumbnail = given.is_thumbnail
            if given.thumb_name is not None:
                sample.thumb_name = given.thumb_name
            if given.meta is not None:
                sample.meta = given.meta
        return _sample_data(sample)

    def read_url(
        self, user: User, dataset_id: str, sample_id: str, *, type_: str, base_url: str
    ) -> str:
        """``GET .../readurl``: a signed URL for the full image or its thumbnail."""
        sample = self._store.dataset(user, dataset_id).sample(sample_id)
        if type_ not in ("full", "thumbnail"):
            raise FakeApiError.of("MALFORMED_REQUEST", f"type must be full or thumbnail: {type_!r}")
        name = sample.file_name if type_ == "full" else sample.thumb_name
        return self._store.signed_url(base_url, sample_blob_key(dataset_id, sample.id, name), "GET")

    def write_url(
        self, user: User, dataset_id: str, sample_id: str, *, file_name: str, base_url: str
    ) -> InlineResponse200:
        """``GET .../writeurl?fileName=``: a signed URL to PUT the bytes to."""
        sample = self._store.dataset(user, dataset_id).sample(sample_id)
        if not file_name:
            raise FakeApiError.of("MALFORMED_REQUEST", "fileName must not be empty")
        key = sample_blob_key(dataset_id, sample.id, file_name)
        return InlineResponse200(signed_write_url=self._store.signed_url(base_url, key, "PUT"))

    # -- the newest API (``/v1/datasets/{id}/samples``) -------------------------------------------
    def list_samples_v1(
        self, user: User, dataset_id: str, *, file_name: str | None, sort_by: str | None,
        page_size: int | None, page_offset: int | None,
    ) -> list[SampleDataV2]:
        """``GET /v1/datasets/{id}/samples``: every sample, sorted, one page of them."""
        dataset = self._store.dataset(user, dataset_id)
        rows = _page_of_samples(dataset.samples, file_name, sort_by, page_size, page_offset)
        return [sample_v2(dataset.id, s) for s in rows]

    def list_samples_partial(
        self, user: User, dataset_id: str, *, mode: str, file_name: str | None,
        page_size: int | None, page_offset: int | None,
    ) -> list[dict[str, Any]]:
        """``GET /v1/datasets/{id}/samples/partial``: ``SampleDataModes`` of one page."""
        dataset = self._store.dataset(user, dataset_id)
        check(mode, SAMPLE_PARTIAL_MODES, "mode")
        rows = _page_of_samples(dataset.samples, file_name, None, page_size, page_offset)
        if mode == "ids":
            return [{"id": s.id} for s in rows]
        if mode == "fileNames":
            return [{"id": s.id, "fileName": s.file_name} for s in rows]
        return [get_converter().unstructure(sample_v2(dataset.id, s)) for s in rows]

    def get_sample_v1(self, user: User, dataset_id: str, sample_id: str) -> SampleDataV2:
        """``GET /v1/datasets/{id}/samples/{sampleId}``."""
        dataset = self._store.dataset(user, dataset_id)
        return sample_v2(dataset.id, dataset.sample(sample_id))

    def update_sample_v1(
        self, user: User, dataset_id: str, sample_id: str, body: SampleUpdateRequest
    ) -> None:
        """``PUT /v1/datasets/{id}/samples/{sampleId}``: set the fields given (no answer)."""
        sample = self._store.dataset(user, dataset_id).sample(sample_id)
        if body.file_name is not None:
            if not body.file_name:
                raise FakeApiError.of("MALFORMED_REQUEST", "fileName must not be empty")
            sample.file_name = body.file_name
        if body.thumb_name is not None:
            sample.thumb_name = body.thumb_name
        if body.exif is not None:
            sample.exif = body.exif
        if body.meta_data is not None:
            sample.meta_data = body.meta_data
        if body.custom_meta_data is not None:
            sample.custom_meta_data = body.custom_meta_data
        sample.last_modified_at = self._store.now_ms()

    def write_url_v1(
        self, user: User, dataset_id: str, sample_id: str, *, is_thumbnail: bool, base_url: str
    ) -> str:
        """``GET /v1/.../writeurl?isThumbnail=``: a signed URL for the sample's own file name
        (or its thumbnail's)."""
        sample = self._store.dataset(user, dataset_id).sample(sample_id)
        name = sample.thumb_name if is_thumbnail else sample.file_name
        return self._store.signed_url(base_url, sample_blob_key(dataset_id, sample.id, name), "PUT")


def _page_of_samples(
    samples: list[Sample], file_name: str | None, sort_by: str | None,
    page_size: int | None, page_offset: int | None,
) -> list[Sample]:
    rows = [s for s in samples if file_name is None or s.file_name == file_name]
    if sort_by is not None:
        check(sort_by, SAMPLE_SORT_BY, "sortBy")
        rows.sort(key=(lambda s: s.id) if sort_by == "_id" else (lambda s: s.index))
    start = page_offset or 0
    return rows[start:] if page_size is None else rows[start:start + page_size]


def _sample_data(sample: Sample) -> SampleData:
    return SampleData(
        id=sample.id,
        is_thumbnail=sample.is_thumbnail,
        thumb_name=sample.thumb_name,
        meta=sample.meta,
    )


# -- HTTP handlers ---------------------------------------------------------------------------
def _list_samples(c: RequestContext) -> Any:
    mode = c.query("mode", "full")
    return c.store.samples.list_samples(c.user, c.ds, mode=mode, filename=c.query("filename"))


def _get_sample(c: RequestContext) -> Any:
    return c.store.samples.get_sample(c.user, c.ds, c.path("sampleId"))


def _update_sample(c: RequestContext) -> Any:
    return c.store.samples.update_sample(c.user, c.ds, c.path("sampleId"), c.body)


def _read_url(c: RequestContext) -> Any:
    return c.store.samples.read_url(
        c.user, c.ds, c.path("sampleId"), type_=c.query("type", "full"), base_url=c.base_url)


def _write_url(c: RequestContext) -> Any:
    file_name = c.required_query("fileName")
    return c.store.samples.write_url(
        c.user, c.ds, c.path("sampleId"), file_name=file_name, base_url=c.base_url)


def _list_samples_v1(c: RequestContext) -> Any:
    return c.store.samples.list_samples_v1(
        c.user, c.ds, file_name=c.query("fileName"), sort_by=c.query("sortBy"),
        page_size=c.query_int("pageSize", minimum=1), page_offset=c.query_int("pageOffset"))


def _list_samples_partial(c: RequestContext) -> Any:
    return c.store.samples.list_samples_partial(
        c.user, c.ds, mode=c.query("mode", "full"), file_name=c.query("fileName"),
        page_size=c.query_int("pageSize", minimum=1), page_offset=c.query_int("pageOffset"))


def _get_sample_v1(c: RequestContext) -> Any:
    return c.store.samples.get_sample_v1(c.user, c.ds, c.path("sampleId"))


def _update_sample_v1(c: RequestContext) -> Any:
    c.query_bool("enableDatasetUpdate")  # deprecated upstream and ignored, but must be a bool
    c.store.samples.update_sample_v1(c.user, c.ds, c.path("sampleId"), c.body)


def _write_url_v1(c: RequestContext) -> Any:
    c.required_query("isThumbnail")
    return c.store.samples.write_url_v1(
        c.user, c.ds, c.path("sampleId"), is_thumbnail=c.query_bool("isThumbnail"),
        base_url=c.base_url)


ROUTES: Final = [
    OperationRoute(op.GET_SAMPLES_BY_DATASET_ID, _list_samples, api="seed"),
    OperationRoute(op.GET_SAMPLES_BY_DATASET_ID, _list_samples_v1, api="latest"),
    OperationRoute(op.GET_SAMPLES_PARTIAL_BY_DATASET_ID, _list_samples_partial),
    OperationRoute(op.GET_SAMPLE_BY_ID, _get_sample, api="seed"),
    OperationRoute(op.GET_SAMPLE_BY_ID, _get_sample_v1, api="latest"),
    OperationRoute(op.UPDATE_SAMPLE_BY_ID, _update_sample, InlineObject, api="seed"),
    OperationRoute(op.UPDATE_SAMPLE_BY_ID, _update_sample_v1, SampleUpdateRequest, api="latest"),
    OperationRoute(op.GET_SAMPLE_IMAGE_READ_URL_BY_ID, _read_url),
    OperationRoute(op.GET_SAMPLE_IMAGE_WRITE_URL_BY_ID, _write_url, api="seed"),
    OperationRoute(op.GET_SAMPLE_IMAGE_WRITE_URL_BY_ID, _write_url_v1, api="latest"),
]
"""The Samples routes, as ``_app.py`` mounts them."""
