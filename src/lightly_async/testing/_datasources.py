"""A dataset's datasource in the fake: its config, verify, the bookmark and the raw listing.

Guesses about the real service made here (NOTES.md marks them unspecified):

* Datasource: none until ``PUT`` (or ``FakeLightly.add_raw_files``/``set_datasource``);
  before that GET/verify/list/processedUntilTimestamp are 404 ``DATASET_DATASOURCE_UNKNOWN``.
  GET echoes the config as stored, secrets included. ``verify`` answers all true unless
  changed with ``FakeLightly.set_verify``. ``processedUntilTimestamp`` starts at 0.
* Raw listing: files sorted by (creation second, file name), ``from <= created <= to``; the
  cursor is url-safe base64 of ``{"o": offset, "f": from, "t": to}``; ``from``/``to`` are
  ignored when a cursor is given; the last page has ``hasMore: false`` and a cursor pointing
  past the end. Page size ``FakeLightly.page_size`` (default 100). The read URLs are signed
  URLs of the fake's blob store, as the sample URLs are.
* Lightly's own files live in the same bucket under ``.lightly/`` (``FakeLightly.add_raw_files``
  with such names): the raw listing leaves them out. ``.../predictions/list?taskName=T`` lists
  the files under ``.lightly/predictions/T/`` and ``.../metadata/list`` those under
  ``.lightly/metadata/`` (``schema.json`` and ``tasks.json`` left out in both), each row's
  ``fileName`` the path from the bucket's root, paged and filtered by ``from``/``to`` as the
  raw listing is; with ``relevantFilenamesFileName`` only the files whose path (below the
  folder, without its extension) is a listed file name without its extension.
* ``.../{predictions,metadata,embeddings}/file?fileName=F`` answer (a JSON string) the signed
  read URL of ``.lightly/<folder>/F``, whether or not the file exists (as lightly 1.5.20 says
  of the real API); reading a missing one is the blob store's 404.
* ``.../datasource/all`` lists the configured datasource (an empty list: none).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import posixpath
from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async._constraints import S3_REGIONS, TIMESTAMP
from lightly_async._convert import get_converter
from lightly_async.models import (
    DatasourceConfig,
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigS3,
    DatasourceConfigVerifyData,
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    DatasourceRawSamplesData,
    DatasourceRawSamplesDataRow,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._latest import (
    DATASOURCE_PURPOSES,
    DEFAULT_PURPOSE,
    datasource_json,
    verify_json,
)
from lightly_async.testing._state import Dataset, FakeApiError, User, check, raw_blob_key

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "DatasourceOps"]


class DatasourceOps:
    """The Datasources operations over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(
        self, user: User, dataset_id: str, *, purpose: str | None = None
    ) -> DatasourceConfig | dict[str, Any]:
        """``GET /v1/datasets/{id}/datasource`` (newest API: with ``purpose``)."""
        config = _configured(self._store.dataset(user, dataset_id))
        if not self._store.latest:
            return config
        stored = getattr(config, "purpose", None)
        if purpose is not None and purpose != (stored or DEFAULT_PURPOSE):
            raise FakeApiError.of(
                "DATASET_DATASOURCE_UNKNOWN", f"dataset {dataset_id} has no {purpose} datasource"
            )
        seed = get_converter().unstructure(config)
        return datasource_json({**seed, "type": config.type}, stored)

    def put(self, user: User, dataset_id: str, config: DatasourceConfig) -> None:
        """``PUT /v1/datasets/{id}/datasource``."""
        dataset = self._store.dataset(user, dataset_id)
        _check_datasource(config)
        purpose = getattr(config, "purpose", None)
        if purpose is not None:
            check(purpose, DATASOURCE_PURPOSES, "purpose")
        dataset.datasource = config

    def verify(self, user: User, dataset_id: str) -> DatasourceConfigVerifyData | dict[str, Any]:
        """``GET .../datasource/verify`` (newest API: with ``canOverwrite``, ``errors``)."""
        dataset = self._store.dataset(user, dataset_id)
        _configured(dataset)
        if self._store.latest:
            return verify_json(dataset.verify)
        can_read, can_write, can_list, _ = dataset.verify
        return DatasourceConfigVerifyData(can_read=can_read, can_write=can_write, can_list=can_list)

    def get_processed_until(self, user: User, dataset_id: str) -> int:
        """``GET .../datasource/processedUntilTimestamp`` (seconds)."""
        dataset = self._store.dataset(user, dataset_id)
        _configured(dataset)
        return dataset.processed_until

    def set_processed_until(self, user: User, dataset_id: str, timestamp: int) -> None:
        """``PUT .../datasource/processedUntilTimestamp``."""
        dataset = self._store.dataset(user, dataset_id)
        _configured(dataset)
        dataset.processed_until = check(timestamp, TIMESTAMP, "processedUntilTimestamp")

    def list_raw(
        self,
        user: User,
        dataset_id: str,
        *,
        from_: int | None,
        to: int | None,
        cursor: str | None,
        base_url: str,
        relevant: str | None = None,
        folder: str | None = None,
    ) -> DatasourceRawSamplesData:
        """``GET .../datasource/list``: one page of raw files (with ``relevant``, the name of
        a file in the bucket listing file names one per line: only those). With ``folder``
        (``.lightly/predictions/<task>/``, ``.lightly/metadata/``) the files below it: the
        predictions and metadata listings."""
        store = self._store
        dataset = store.dataset(user, dataset_id)
        _configured(dataset)
        offset = 0
        if cursor is not None:
            offset, from_, to = _decode_cursor(cursor)
        if folder is None:
            if dataset.raw_order is None:  # sorted once, not per page (a million files page fast)
                ordered = sorted((f for f in dataset.raw_files.values()
                                  if not f.file_name.startswith(LIGHTLY_FOLDER)),
                                 key=lambda f: (f.created_at, f.file_name))
                dataset.raw_order = (ordered, [f.created_at for f in ordered])
            ordered, created = dataset.raw_order
        else:  # Lightly's own files: few, sorted per page
            ordered = sorted((f for f in dataset.raw_files.values()
                              if f.file_name.startswith(folder)
                              and posixpath.basename(f.file_name) not in _NOT_LISTED),
                             key=lambda f: (f.created_at, f.file_name))
            created = [f.created_at for f in ordered]
        if relevant is not None:
            listed = store.blobs.get(raw_blob_key(dataset_id, relevant))
            if relevant not in dataset.raw_files or listed is None:
                raise FakeApiError.of("NOT_FOUND", f"relevant filenames file {relevant!r} is not "
                                                   "in the datasource")
            names = {line.strip() for line in listed.decode("utf-8", "replace").splitlines()}
            if folder is None:
                ordered = [f for f in ordered if f.file_name in names]
            else:
                stems = {posixpath.splitext(n)[0] for n in names}
                ordered = [f for f in ordered if posixpath.splitext(
                    f.file_name[len(folder):])[0] in stems]
            created = [f.created_at for f in ordered]
        first = 0 if from_ is None else bisect.bisect_left(created, from_)
        stop = len(ordered) if to is None else bisect.bisect_right(created, to)
        start = min(first + offset, stop)
        page = ordered[start : min(start + store.page_size, stop)]
        end = offset + len(page)
        return DatasourceRawSamplesData(
            has_more=first + end < stop,
            cursor=_encode_cursor(end, from_, to),
            data=[
                DatasourceRawSamplesDataRow(
                    file_name=f.file_name,
                    read_url=store.signed_url(base_url, raw_blob_key(dataset_id, f.file_name),
                                              "GET"),
                )
                for f in page
            ],
        )


    def list_all(self, user: User, dataset_id: str) -> list[Any]:
        """``GET .../datasource/all``: the configured datasource, or none."""
        dataset = self._store.dataset(user, dataset_id)
        if dataset.datasource is None:
            return []
        return [self.get(user, dataset_id)]

    def file_read_url(self, user: User, dataset_id: str, folder: str, file_name: str,
                      base_url: str) -> str:
        """``GET .../datasource/<folder>/file``: a read URL of ``.lightly/<folder>/<name>``."""
        dataset = self._store.dataset(user, dataset_id)
        _configured(dataset)
        key = raw_blob_key(dataset_id, f"{LIGHTLY_FOLDER}{folder}/{file_name}")
        return self._store.signed_url(base_url, key, "GET")


LIGHTLY_FOLDER: Final = ".lightly/"
"""Where Lightly keeps its own files in a datasource (predictions, metadata, embeddings)."""
_NOT_LISTED: Final = frozenset({"schema.json", "tasks.json"})


def _configured(dataset: Dataset) -> DatasourceConfig:
    if dataset.datasource is None:
        raise FakeApiError.of(
            "DATASET_DATASOURCE_UNKNOWN", f"dataset {dataset.id} has no datasource configured"
        )
    return dataset.datasource


def _check_datasource(config: DatasourceConfig) -> None:
    problems = []
    if isinstance(config, DatasourceConfigS3):
        region_problem = S3_REGIONS.problem(config.s3_region)
        if region_problem:
            problems.append(f"s3Region {region_problem}")
        if not config.s3_access_key_id or not config.s3_secret_access_key:
            problems.append("s3AccessKeyId and s3SecretAccessKey must not be empty")
    elif isinstance(config, DatasourceConfigGCS) and not config.gcs_project_id:
        problems.append("gcsProjectId must not be empty")
    elif isinstance(config, DatasourceConfigAzure) and (
        not config.account_name or not config.account_key
    ):
        problems.append("accountName and accountKey must not be empty")
    if problems:
        raise FakeApiError.of("MALFORMED_REQUEST", "; ".join(problems))


def _encode_cursor(offset: int, from_: int | None, to: int | None) -> str:
    raw = json.dumps({"o": offset, "f": from_, "t": to}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, int | None, int | None]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, from_, to = data["o"], data["f"], data["t"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise FakeApiError.of("MALFORMED_REQUEST", "invalid cursor") from None
    if (
        type(offset) is not int  # not a bool either
        or offset < 0
        or not all(v is None or type(v) is int for v in (from_, to))
    ):
        raise FakeApiError.of("MALFORMED_REQUEST", "invalid cursor")
    return offset, from_, to


# -- HTTP handlers ---------------------------------------------------------------------------
def _get_datasource(c: RequestContext) -> Any:
    purpose = c.query("purpose") if c.latest else None
    if purpose is not None:
        check(purpose, DATASOURCE_PURPOSES, "purpose")
    return c.store.datasources.get(c.user, c.ds, purpose=purpose)


def _put_datasource(c: RequestContext) -> Any:
    return c.store.datasources.put(c.user, c.ds, c.body)


def _get_processed(c: RequestContext) -> Any:
    value = c.store.datasources.get_processed_until(c.user, c.ds)
    return DatasourceProcessedUntilTimestampResponse(processed_until_timestamp=value)


def _put_processed(c: RequestContext) -> Any:
    return c.store.datasources.set_processed_until(
        c.user, c.ds, c.body.processed_until_timestamp)


def _list_raw(c: RequestContext) -> Any:
    cursor = c.query("cursor")
    from_ = to = None
    if cursor is None:  # with a cursor, from/to are ignored (even malformed ones)
        from_, to = c.timestamp("from"), c.timestamp("to")
    relevant = None
    if c.latest:
        # the fake's read URLs are already unlimited: redirected ones would be the same
        c.query_bool("useRedirectedReadUrl")
        relevant = c.query("relevantFilenamesFileName")
        if relevant is not None and len(relevant) < 4:
            raise FakeApiError.of("MALFORMED_REQUEST",
                                  "relevantFilenamesFileName must have 4 characters or more")
    return c.store.datasources.list_raw(
        c.user, c.ds, from_=from_, to=to, cursor=cursor, base_url=c.base_url, relevant=relevant)


def _list_files(c: RequestContext, folder: str) -> Any:
    cursor = c.query("cursor")
    from_ = to = None
    if cursor is None:
        from_, to = c.timestamp("from"), c.timestamp("to")
    c.query_bool("useRedirectedReadUrl")
    relevant = c.query("relevantFilenamesFileName")
    if relevant is not None and len(relevant) < 4:
        raise FakeApiError.of("MALFORMED_REQUEST",
                              "relevantFilenamesFileName must have 4 characters or more")
    return c.store.datasources.list_raw(
        c.user, c.ds, from_=from_, to=to, cursor=cursor, base_url=c.base_url, relevant=relevant,
        folder=folder)


def _list_predictions(c: RequestContext) -> Any:
    task = c.required_query("taskName")
    if not task or "/" in task or task in (".", ".."):
        raise FakeApiError.of("MALFORMED_REQUEST", f"taskName {task!r} is not a task name")
    return _list_files(c, f"{LIGHTLY_FOLDER}predictions/{task}/")


def _list_metadata(c: RequestContext) -> Any:
    return _list_files(c, f"{LIGHTLY_FOLDER}metadata/")


def _file_url(folder: str, min_length: int) -> Any:
    def handler(c: RequestContext) -> Any:
        name = c.required_query("fileName")
        if len(name) < min_length:
            raise FakeApiError.of("MALFORMED_REQUEST",
                                  f"fileName must have {min_length} characters or more")
        return c.store.datasources.file_read_url(c.user, c.ds, folder, name, c.base_url)

    handler.__name__ = f"_{folder}_file"
    return handler


def _list_all(c: RequestContext) -> Any:
    return c.store.datasources.list_all(c.user, c.ds)


def _verify_datasource(c: RequestContext) -> Any:
    return c.store.datasources.verify(c.user, c.ds)


ROUTES: Final = [
    OperationRoute(op.GET_DATASOURCE_BY_DATASET_ID, _get_datasource),
    OperationRoute(op.UPDATE_DATASOURCE_BY_DATASET_ID, _put_datasource, DatasourceConfig),
    OperationRoute(op.GET_DATASOURCE_PROCESSED_UNTIL_TIMESTAMP_BY_DATASET_ID, _get_processed),
    OperationRoute(op.UPDATE_DATASOURCE_PROCESSED_UNTIL_TIMESTAMP_BY_DATASET_ID, _put_processed,
                   DatasourceProcessedUntilTimestampRequest),
    OperationRoute(op.GET_LIST_OF_RAW_SAMPLES_FROM_DATASOURCE_BY_DATASET_ID, _list_raw),
    OperationRoute(op.VERIFY_DATASOURCE_BY_DATASET_ID, _verify_datasource),
    OperationRoute(op.GET_LIST_OF_RAW_SAMPLES_PREDICTIONS_FROM_DATASOURCE_BY_DATASET_ID,
                   _list_predictions),
    OperationRoute(op.GET_LIST_OF_RAW_SAMPLES_METADATA_FROM_DATASOURCE_BY_DATASET_ID,
                   _list_metadata),
    OperationRoute(op.GET_PREDICTION_FILE_READ_URL_FROM_DATASOURCE_BY_DATASET_ID,
                   _file_url("predictions", 4)),
    OperationRoute(op.GET_METADATA_FILE_READ_URL_FROM_DATASOURCE_BY_DATASET_ID,
                   _file_url("metadata", 5)),
    OperationRoute(op.GET_CUSTOM_EMBEDDING_FILE_READ_URL_FROM_DATASOURCE_BY_DATASET_ID,
                   _file_url("embeddings", 4)),
    OperationRoute(op.GET_DATASOURCES_BY_DATASET_ID, _list_all),
]
"""The Datasources routes, as ``_app.py`` mounts them."""
