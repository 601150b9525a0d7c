"""The fake server's state: ids, users and auth, the clock, signed URLs and blobs, datasets.

:class:`FakeStore` holds the state containers (users, datasets, blobs) and the admin methods
``FakeLightly`` builds on; the operations live in one module per API group, each over the
store: samples ``_samples.py``, samplings/jobs ``_sampling.py``, datasources
``_datasources.py``, predictions ``_predictions.py``, tags ``_tags.py`` and datasets,
embeddings and mappings (beyond the seeds) ``_datasets.py``. Every operation takes the
authenticated :class:`User` and typed arguments (request bodies already parsed into models)
and returns models; failures raise :class:`FakeApiError`. The HTTP layer (``_app.py``) only
parses, dispatches and serializes.

Guesses about the real service made here (NOTES.md marks them unspecified):

* Auth: the API token (``?token=``) and a bearer JWT are interchangeable credentials; a missing
  or unknown one is 401 ``UNAUTHORIZED``; another user's dataset is 403 ``FORBIDDEN``. Checks
  run in the order: credential, path-id format (400), existence (404), ownership (403), body.
  A missing token is 401 on every operation, also on ``POST .../predictions/tasks``, whose
  seed lists no 401 (NOTES 3): the seed's list is taken as an omission, not as a rule.
* Signed URLs (read/write, raw files, exports) point at ``<base>/_fake/blobs/<key>`` on the
  base URL the request came in on; they carry an HMAC and an expiry and need no token.
  Reading a blob never written is 404. A signed URL without ``expiresIn`` never expires.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePosixPath
from typing import Final
from urllib.parse import quote

from lightly_async.models import DatasourceConfigLIGHTLY, SampleMetaData
from lightly_async.testing._datasources import DatasourceOps
from lightly_async.testing._docker import DockerOps
from lightly_async.testing._latest import check_api
from lightly_async.testing._predictions import PredictionOps
from lightly_async.testing._samples import SampleOps
from lightly_async.testing._sampling import SamplingOps
from lightly_async.testing._state import (
    Dataset,
    Embedding,
    FakeApiError,
    RawFile,
    Sample,
    User,
    check_object_id,
    new_object_id,
    raw_blob_key,
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
        # the operations of the API groups (datasets: ``_datasets.DatasetOps``, stateless,
        # made per request, since ``self.datasets`` holds the datasets themselves)
        self.samples = SampleOps(self)
        self.sampling = SamplingOps(self)
        self.docker = DockerOps(self)
        self.datasources = DatasourceOps(self)
        self.predictions = PredictionOps(self)
        self.tags = TagOps(self)
        self.reset()

    # -- lifecycle and admin --------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: users (but the default token), datasets, jobs, blobs."""
        with self.lock:
            self.ids = random.Random(f"{self.seed}:ids")
            self.request_ids = random.Random(f"{self.seed}:requests")
            self.rng = random.Random(f"{self.seed}:sampling")
            self._secret = hashlib.sha256(f"{self.seed}:signing".encode()).digest()
            # keyed once: each signature copies it (cheaper than keying anew per URL)
            self._mac = hmac.new(self._secret, digestmod="sha256")
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
                self.blobs[raw_blob_key(dataset_id, name)] = data
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

    # -- signed blobs -----------------------------------------------------------------------------
    def signed_url(self, base_url: str, key: str, verb: str, *, expires: int = 0) -> str:
        """``<base>/_fake/blobs/<key>?expires=..&sig=..``; ``expires`` 0 = never."""
        # an int and a hex digest need no encoding (what urlencode would write, cheaper: a
        # raw-file page signs one URL per row)
        query = f"expires={int(expires)}&sig={self._sign(verb, key, expires)}"
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
        mac = self._mac.copy()
        mac.update(f"{verb}\n{key}\n{expires}".encode())
        return mac.hexdigest()[:32]

    def _check_signature(self, verb: str, key: str, expires: str, sig: str) -> None:
        try:
            deadline = int(expires)
        except ValueError:
            raise FakeApiError.of("FORBIDDEN", "malformed signed URL") from None
        if not hmac.compare_digest(self._sign(verb, key, deadline), sig):
            raise FakeApiError.of("FORBIDDEN", "signature does not match")
        if deadline and self.clock() > deadline:
            raise FakeApiError.of("FORBIDDEN", "signed URL expired")

