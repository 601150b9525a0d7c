"""The fake server's in-memory state and the semantics of every operation; pure Python.

Every operation takes the authenticated :class:`User` and typed arguments (request bodies are
already parsed into models) and returns models; failures raise :class:`FakeApiError`. The
HTTP layer (``_app.py``) only parses, dispatches and serializes. Tags live in ``_tags.py``,
predictions in ``_predictions.py``, samplings/jobs in ``_sampling.py`` and datasets,
embeddings and mappings (beyond the seeds) in ``_datasets.py``.

Guesses about the real service made here (NOTES.md marks them unspecified):

* Auth: the API token (``?token=``) and a bearer JWT are interchangeable credentials; a missing
  or unknown one is 401 ``UNAUTHORIZED``; another user's dataset is 403 ``FORBIDDEN``. Checks
  run in the order: credential, path-id format (400), existence (404), ownership (403), body.
  A missing token is 401 on every operation, also on ``POST .../predictions/tasks``, whose
  seed lists no 401 (NOTES 3): the seed's list is taken as an omission, not as a rule.
* Samples get a deterministic ``SampleMetaData`` and ``thumbName`` ``<stem>_thumb.webp``.
  ``PUT`` merges the fields given in ``sample`` (partial update); an ``_id`` different from
  the path's is a 400. ``filename`` filters by exact match, ``mode=ids`` answers only ``_id``.
* Signed URLs (read/write, raw files, exports) point at ``<base>/_fake/blobs/<key>`` on the
  base URL the request came in on; they carry an HMAC and an expiry and need no token. The
  write URL for ``fileName`` X stores the blob the read URL finds when X is the sample's file
  name (``type=full``) or its ``thumbName`` (``type=thumbnail``). Reading a blob never written
  is 404. A signed URL without ``expiresIn`` never expires.
* Datasource: none until ``PUT`` (or ``FakeLightly.add_raw_files``/``set_datasource``);
  before that GET/verify/list/processedUntilTimestamp are 404 ``DATASET_DATASOURCE_UNKNOWN``.
  GET echoes the config as stored, secrets included. ``verify`` answers all true unless
  changed with ``FakeLightly.set_verify``. ``processedUntilTimestamp`` starts at 0.
* Raw listing: files sorted by (creation second, file name), ``from <= created <= to``; the
  cursor is url-safe base64 of ``{"o": offset, "f": from, "t": to}``; ``from``/``to`` are
  ignored when a cursor is given; the last page has ``hasMore: false`` and a cursor pointing
  past the end. Page size ``FakeLightly.page_size`` (default 100).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import quote, urlencode

from lightly_async._constraints import S3_REGIONS, TIMESTAMP, OneOf
from lightly_async._convert import get_converter
from lightly_async.models import (
    DatasourceConfig,
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLIGHTLY,
    DatasourceConfigS3,
    DatasourceConfigVerifyData,
    DatasourceRawSamplesData,
    DatasourceRawSamplesDataRow,
    InlineObject,
    InlineResponse200,
    SampleData,
    SampleDataV2,
    SampleMetaData,
    SampleUpdateRequest,
)
from lightly_async.testing._docker import DockerOps
from lightly_async.testing._latest import (
    DATASOURCE_PURPOSES,
    DEFAULT_PURPOSE,
    check_api,
    datasource_json,
    verify_json,
)
from lightly_async.testing._predictions import PredictionOps
from lightly_async.testing._sampling import SamplingOps
from lightly_async.testing._state import (
    Dataset,
    Embedding,
    FakeApiError,
    RawFile,
    Sample,
    User,
    check,
    check_object_id,
    new_object_id,
    sample_v2,
)
from lightly_async.testing._tags import TagOps

__all__ = ["DEFAULT_PAGE_SIZE", "DEFAULT_TOKEN", "FakeStore"]

DEFAULT_TOKEN: Final = "fake-token"
"""The API token a fresh :class:`FakeLightly` accepts (``FakeLightly(token=...)`` changes it)."""

DEFAULT_PAGE_SIZE: Final = 100


class FakeStore:
    """All state of one fake Lightly server; every method is safe to call from any thread."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        api: str = "latest",
    ) -> None:
        self.lock = threading.RLock()
        self.api = check_api(api)
        self.token = token
        self.seed = seed
        self.clock = clock
        self.tags = TagOps(self)
        self.predictions = PredictionOps(self)
        self.sampling = SamplingOps(self)
        self.docker = DockerOps(self)
        self.reset()

    # -- lifecycle and admin --------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: users (but the default token), datasets, jobs, blobs."""
        with self.lock:
            self.ids = random.Random(f"{self.seed}:ids")
            self.request_ids = random.Random(f"{self.seed}:requests")
            self.rng = random.Random(f"{self.seed}:sampling")
            self._secret = hashlib.sha256(f"{self.seed}:signing".encode()).digest()
            self.users: dict[str, User] = {}
            self.datasets: dict[str, Dataset] = {}
            self.blobs: dict[str, bytes] = {}
            self.page_size = DEFAULT_PAGE_SIZE
            self.sampling.reset()
            self.docker.reset()
            self.default_user = self.add_user(self.token)

    @property
    def latest(self) -> bool:
        """Does this fake speak the newest API (``api="latest"``) rather than the seed's?"""
        return self.api == "latest"

    def now_ms(self) -> int:
        """The fake clock in milliseconds (tag and sample timestamps)."""
        return int(self.clock() * 1000)

    def request_id(self) -> str:
        """A fresh id for an error answer's ``requestId`` (newest API)."""
        return new_object_id(self.request_ids)

    def new_id(self) -> str:
        """A fresh deterministic ObjectId."""
        return new_object_id(self.ids)

    def add_user(self, token: str) -> User:
        """Register a credential (token or bearer JWT); returns its user."""
        with self.lock:
            if token in self.users:
                return self.users[token]
            user = User(id=self.new_id(), token=token)
            self.users[token] = user
            return user

    def create_dataset(
        self, name: str, file_names: Sequence[str] = (), *, owner_token: str | None = None,
        img_type: str | None = None,
    ) -> str:
        """A new dataset owned by ``owner_token`` (default: the default token)."""
        with self.lock:
            owner = self.users.get(owner_token) if owner_token else self.default_user
            if owner is None:
                raise ValueError(f"unknown owner token; call add_user({owner_token!r}) first")
            now = self.now_ms()
            dataset = Dataset(id=self.new_id(), name=name, owner_id=owner.id, created_at=now,
                              last_modified_at=now, img_type=img_type)
            self.datasets[dataset.id] = dataset
            self.add_samples(dataset.id, file_names)
            return dataset.id

    def add_samples(self, dataset_id: str, file_names: Iterable[str]) -> list[str]:
        """Append samples (next indices) and return their ids."""
        with self.lock:
            dataset = self.admin_dataset(dataset_id)
            ids = []
            for file_name in file_names:
                index = len(dataset.samples)
                sample = Sample(
                    id=self.new_id(),
                    file_name=file_name,
                    index=index,
                    created_at=self.now_ms(),
                    thumb_name=f"{PurePosixPath(file_name).stem}_thumb.webp",
                    meta=self._meta_for(dataset_id, index),
                )
                dataset.samples.append(sample)
                ids.append(sample.id)
            return ids

    def add_raw_files(
        self, dataset_id: str, files: Iterable[tuple[str, int] | tuple[str, int, bytes]]
    ) -> None:
        """Put files in the dataset's bucket (``(name, created_at_seconds[, data])``)."""
        with self.lock:
            dataset = self.admin_dataset(dataset_id)
            if dataset.datasource is None:
                dataset.datasource = DatasourceConfigLIGHTLY(full_path=f"lightly/{dataset_id}")
            for entry in files:
                name, created_at = entry[0], int(entry[1])
                data = entry[2] if len(entry) == 3 else f"raw:{name}".encode()
                dataset.raw_files[name] = RawFile(file_name=name, created_at=created_at)
                self.blobs[_raw_key(dataset_id, name)] = data
            dataset.raw_order = None

    def add_embedding(
        self,
        dataset_id: str,
        vectors: Sequence[Sequence[float]] | None = None,
        *,
        name: str = "default",
        dim: int = 8,
    ) -> str:
        """An embedding of the dataset (seeded random vectors when ``vectors`` is None)."""
        with self.lock:
            dataset = self.admin_dataset(dataset_id)
            n = len(dataset.samples)
            if vectors is None:
                rng = random.Random(f"{self.seed}:embedding:{dataset_id}:{name}")
                rows = [[rng.gauss(0.0, 1.0) for _ in range(dim)] for _ in range(n)]
            else:
                rows = [[float(x) for x in row] for row in vectors]
                if len(rows) != n:
                    raise ValueError(f"need one vector per sample ({n}), got {len(rows)}")
            embedding = Embedding(id=self.new_id(), name=name, vectors=rows,
                                  created_at=self.now_ms())
            dataset.embeddings[embedding.id] = embedding
            return embedding.id

    def admin_dataset(self, dataset_id: str) -> Dataset:
        """The dataset for an admin method (no auth), or a ``ValueError`` naming the id."""
        dataset = self.datasets.get(dataset_id)
        if dataset is None:
            raise ValueError(
                f"unknown dataset {dataset_id!r}: this fake has no such dataset "
                "(create_dataset() returns the ids it knows)"
            )
        return dataset

    def _meta_for(self, dataset_id: str, index: int) -> SampleMetaData:
        rng = random.Random(f"{self.seed}:meta:{dataset_id}:{index}")
        mean = [round(rng.uniform(0.2, 0.8), 4) for _ in range(3)]
        return SampleMetaData(
            sharpness=round(rng.uniform(0.0, 100.0), 4),
            size_in_bytes=rng.randint(10_000, 500_000),
            snr=round(rng.uniform(0.5, 10.0), 4),
            mean=mean,
            shape=[480, 640, 3],
            std=[round(rng.uniform(0.05, 0.3), 4) for _ in range(3)],
            sum_of_squares=[round(m * m * 307_200, 2) for m in mean],
            sum_of_values=[round(m * 307_200, 2) for m in mean],
        )

    # -- auth -------------------------------------------------------------------------------------
    def authenticate(self, credential: str | None) -> User:
        """The user of a token or bearer JWT, or a 401."""
        user = self.users.get(credential) if credential else None
        if user is None:
            what = "invalid" if credential else "missing"
            raise FakeApiError.of("UNAUTHORIZED", f"{what} API token or bearer token")
        return user

    def dataset(self, user: User, dataset_id: str) -> Dataset:
        """The dataset, checked: id format (400), existence (404), ownership (403)."""
        check_object_id(dataset_id, "datasetId")
        dataset = self.datasets.get(dataset_id)
        if dataset is None:
            raise FakeApiError.of("DATASET_UNKNOWN", f"no dataset {dataset_id}")
        if dataset.owner_id != user.id:
            raise FakeApiError.of("FORBIDDEN", f"dataset {dataset_id} belongs to another user")
        return dataset

    # -- samples ----------------------------------------------------------------------------------
    def list_samples(
        self, user: User, dataset_id: str, *, mode: str = "full", filename: str | None = None
    ) -> list[SampleData]:
        """``GET /users/datasets/{id}/samples``."""
        dataset = self.dataset(user, dataset_id)
        if mode not in ("full", "ids"):
            raise FakeApiError.of("MALFORMED_REQUEST", f"mode must be full or ids, got {mode!r}")
        rows = [s for s in dataset.samples if filename is None or s.file_name == filename]
        if mode == "ids":
            return [SampleData(id=s.id) for s in rows]
        return [_sample_data(s) for s in rows]

    def get_sample(self, user: User, dataset_id: str, sample_id: str) -> SampleData:
        """``GET /users/datasets/{id}/samples/{sampleId}``."""
        return _sample_data(self.dataset(user, dataset_id).sample(sample_id))

    def update_sample(
        self, user: User, dataset_id: str, sample_id: str, body: InlineObject
    ) -> SampleData:
        """``PUT /users/datasets/{id}/samples/{sampleId}``: merge the fields given."""
        sample = self.dataset(user, dataset_id).sample(sample_id)
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

    def sample_read_url(
        self, user: User, dataset_id: str, sample_id: str, *, type_: str, base_url: str
    ) -> str:
        """``GET .../readurl``: a signed URL for the full image or its thumbnail."""
        sample = self.dataset(user, dataset_id).sample(sample_id)
        if type_ not in ("full", "thumbnail"):
            raise FakeApiError.of("MALFORMED_REQUEST", f"type must be full or thumbnail: {type_!r}")
        name = sample.file_name if type_ == "full" else sample.thumb_name
        return self.signed_url(base_url, _sample_key(dataset_id, sample.id, name), "GET")

    def sample_write_url(
        self, user: User, dataset_id: str, sample_id: str, *, file_name: str, base_url: str
    ) -> InlineResponse200:
        """``GET .../writeurl?fileName=``: a signed URL to PUT the bytes to."""
        sample = self.dataset(user, dataset_id).sample(sample_id)
        if not file_name:
            raise FakeApiError.of("MALFORMED_REQUEST", "fileName must not be empty")
        url = self.signed_url(base_url, _sample_key(dataset_id, sample.id, file_name), "PUT")
        return InlineResponse200(signed_write_url=url)

    # -- samples, the newest API (``/v1/datasets/{id}/samples``) -----------------------------
    def list_samples_v1(
        self, user: User, dataset_id: str, *, file_name: str | None, sort_by: str | None,
        page_size: int | None, page_offset: int | None,
    ) -> list[SampleDataV2]:
        """``GET /v1/datasets/{id}/samples``: every sample, sorted, one page of them."""
        dataset = self.dataset(user, dataset_id)
        rows = self._page_of_samples(dataset.samples, file_name, sort_by, page_size, page_offset)
        return [sample_v2(dataset.id, s) for s in rows]

    def list_samples_partial(
        self, user: User, dataset_id: str, *, mode: str, file_name: str | None,
        page_size: int | None, page_offset: int | None,
    ) -> list[dict[str, Any]]:
        """``GET /v1/datasets/{id}/samples/partial``: ``SampleDataModes`` of one page."""
        dataset = self.dataset(user, dataset_id)
        check(mode, SAMPLE_PARTIAL_MODES, "mode")
        rows = self._page_of_samples(dataset.samples, file_name, None, page_size, page_offset)
        if mode == "ids":
            return [{"id": s.id} for s in rows]
        if mode == "fileNames":
            return [{"id": s.id, "fileName": s.file_name} for s in rows]
        return [get_converter().unstructure(sample_v2(dataset.id, s)) for s in rows]

    def get_sample_v1(self, user: User, dataset_id: str, sample_id: str) -> SampleDataV2:
        """``GET /v1/datasets/{id}/samples/{sampleId}``."""
        dataset = self.dataset(user, dataset_id)
        return sample_v2(dataset.id, dataset.sample(sample_id))

    def update_sample_v1(
        self, user: User, dataset_id: str, sample_id: str, body: SampleUpdateRequest
    ) -> None:
        """``PUT /v1/datasets/{id}/samples/{sampleId}``: set the fields given (no answer)."""
        sample = self.dataset(user, dataset_id).sample(sample_id)
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
        sample.last_modified_at = self.now_ms()

    def sample_write_url_v1(
        self, user: User, dataset_id: str, sample_id: str, *, is_thumbnail: bool, base_url: str
    ) -> str:
        """``GET /v1/.../writeurl?isThumbnail=``: a signed URL for the sample's own file name
        (or its thumbnail's)."""
        sample = self.dataset(user, dataset_id).sample(sample_id)
        name = sample.thumb_name if is_thumbnail else sample.file_name
        return self.signed_url(base_url, _sample_key(dataset_id, sample.id, name), "PUT")

    @staticmethod
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

    def sample_image_url(self, dataset_id: str, sample: Sample, base_url: str, expires: int) -> str:
        """A signed read URL of a sample's full image (exports)."""
        key = _sample_key(dataset_id, sample.id, sample.file_name)
        return self.signed_url(base_url, key, "GET", expires=expires)

    # -- signed blobs -----------------------------------------------------------------------------
    def signed_url(self, base_url: str, key: str, verb: str, *, expires: int = 0) -> str:
        """``<base>/_fake/blobs/<key>?expires=..&sig=..``; ``expires`` 0 = never."""
        query = urlencode({"expires": expires, "sig": self._sign(verb, key, expires)})
        return f"{base_url.rstrip('/')}/_fake/blobs/{quote(key, safe='/')}?{query}"

    def read_blob(self, key: str, expires: str, sig: str) -> bytes:
        """The bytes behind a signed read URL (403 bad/expired signature, 404 never written)."""
        self._check_signature("GET", key, expires, sig)
        with self.lock:
            data = self.blobs.get(key)
        if data is None:
            raise FakeApiError.of("NOT_FOUND", f"no object at {key}")
        return data

    def write_blob(self, key: str, expires: str, sig: str, data: bytes) -> None:
        """Store the bytes PUT to a signed write URL."""
        self._check_signature("PUT", key, expires, sig)
        with self.lock:
            self.blobs[key] = data

    def _sign(self, verb: str, key: str, expires: int) -> str:
        message = f"{verb}\n{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def _check_signature(self, verb: str, key: str, expires: str, sig: str) -> None:
        try:
            deadline = int(expires)
        except ValueError:
            raise FakeApiError.of("FORBIDDEN", "malformed signed URL") from None
        if not hmac.compare_digest(self._sign(verb, key, deadline), sig):
            raise FakeApiError.of("FORBIDDEN", "signature does not match")
        if deadline and self.clock() > deadline:
            raise FakeApiError.of("FORBIDDEN", "signed URL expired")

    # -- datasource -------------------------------------------------------------------------------
    def get_datasource(
        self, user: User, dataset_id: str, *, purpose: str | None = None
    ) -> DatasourceConfig | dict[str, Any]:
        """``GET /v1/datasets/{id}/datasource`` (newest API: with ``purpose``)."""
        config = _configured(self.dataset(user, dataset_id))
        if not self.latest:
            return config
        stored = getattr(config, "purpose", None)
        if purpose is not None and purpose != (stored or DEFAULT_PURPOSE):
            raise FakeApiError.of(
                "DATASET_DATASOURCE_UNKNOWN", f"dataset {dataset_id} has no {purpose} datasource"
            )
        seed = get_converter().unstructure(config)
        return datasource_json({**seed, "type": config.type}, stored)

    def put_datasource(self, user: User, dataset_id: str, config: DatasourceConfig) -> None:
        """``PUT /v1/datasets/{id}/datasource``."""
        dataset = self.dataset(user, dataset_id)
        _check_datasource(config)
        purpose = getattr(config, "purpose", None)
        if purpose is not None:
            check(purpose, DATASOURCE_PURPOSES, "purpose")
        dataset.datasource = config

    def verify_datasource(
        self, user: User, dataset_id: str
    ) -> DatasourceConfigVerifyData | dict[str, Any]:
        """``GET .../datasource/verify`` (newest API: with ``canOverwrite``, ``errors``)."""
        dataset = self.dataset(user, dataset_id)
        _configured(dataset)
        if self.latest:
            return verify_json(dataset.verify)
        can_read, can_write, can_list, _ = dataset.verify
        return DatasourceConfigVerifyData(can_read=can_read, can_write=can_write, can_list=can_list)

    def get_processed_until(self, user: User, dataset_id: str) -> int:
        """``GET .../datasource/processedUntilTimestamp`` (seconds)."""
        dataset = self.dataset(user, dataset_id)
        _configured(dataset)
        return dataset.processed_until

    def set_processed_until(self, user: User, dataset_id: str, timestamp: int) -> None:
        """``PUT .../datasource/processedUntilTimestamp``."""
        dataset = self.dataset(user, dataset_id)
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
    ) -> DatasourceRawSamplesData:
        """``GET .../datasource/list``: one page of raw files (with ``relevant``, the name of
        a file in the bucket listing file names one per line: only those)."""
        dataset = self.dataset(user, dataset_id)
        _configured(dataset)
        offset = 0
        if cursor is not None:
            offset, from_, to = _decode_cursor(cursor)
        if dataset.raw_order is None:  # sorted once, not per page (a million files page fast)
            ordered = sorted(dataset.raw_files.values(), key=lambda f: (f.created_at, f.file_name))
            dataset.raw_order = (ordered, [f.created_at for f in ordered])
        ordered, created = dataset.raw_order
        if relevant is not None:
            listed = self.blobs.get(_raw_key(dataset_id, relevant))
            if relevant not in dataset.raw_files or listed is None:
                raise FakeApiError.of("NOT_FOUND", f"relevant filenames file {relevant!r} is not "
                                                   "in the datasource")
            names = {line.strip() for line in listed.decode("utf-8", "replace").splitlines()}
            ordered = [f for f in ordered if f.file_name in names]
            created = [f.created_at for f in ordered]
        first = 0 if from_ is None else bisect.bisect_left(created, from_)
        stop = len(ordered) if to is None else bisect.bisect_right(created, to)
        start = min(first + offset, stop)
        page = ordered[start : min(start + self.page_size, stop)]
        end = offset + len(page)
        return DatasourceRawSamplesData(
            has_more=first + end < stop,
            cursor=_encode_cursor(end, from_, to),
            data=[
                DatasourceRawSamplesDataRow(
                    file_name=f.file_name,
                    read_url=self.signed_url(base_url, _raw_key(dataset_id, f.file_name), "GET"),
                )
                for f in page
            ],
        )


SAMPLE_SORT_BY: Final = OneOf("SampleSortBy", ("_id", "index"))
SAMPLE_PARTIAL_MODES: Final = OneOf("SamplePartialMode", ("ids", "fileNames", "full"))


def _sample_data(sample: Sample) -> SampleData:
    return SampleData(
        id=sample.id,
        is_thumbnail=sample.is_thumbnail,
        thumb_name=sample.thumb_name,
        meta=sample.meta,
    )


def _sample_key(dataset_id: str, sample_id: str, name: str) -> str:
    return f"{dataset_id}/samples/{sample_id}/{name}"


def _raw_key(dataset_id: str, name: str) -> str:
    return f"{dataset_id}/raw/{name}"


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
