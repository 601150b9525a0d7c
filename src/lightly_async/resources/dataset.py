"""Dataset: a handle on one dataset; its sub-resources are created lazily, without I/O."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from lightly_async.resources.collaboration import Collaboration
from lightly_async.resources.datasource import Datasource
from lightly_async.resources.embeddings import Embeddings
from lightly_async.resources.mappings import Mappings
from lightly_async.resources.metadata import Metadata
from lightly_async.resources.predictions import Predictions
from lightly_async.resources.runs import Runs
from lightly_async.resources.samples import Samples
from lightly_async.resources.samplings import Samplings
from lightly_async.resources.tags import Tags

if TYPE_CHECKING:
    from lightly_async._session import LightlySession

__all__ = ["Dataset"]


class Dataset:
    """A dataset of the Lightly platform: ``tags``, ``samples``, ``predictions``,
    ``datasource`` and ``samplings``. Get one with ``session.dataset(dataset_id)``."""

    def __init__(self, session: LightlySession, dataset_id: str) -> None:
        self._session = session
        self._id = dataset_id

    @property
    def id(self) -> str:
        """The dataset's ObjectId."""
        return self._id

    @property
    def session(self) -> LightlySession:
        """The session this handle talks through."""
        return self._session

    @cached_property
    def tags(self) -> Tags:
        """Tags: named sample subsets, arithmetic and exports."""
        return Tags(self._session, self._id)

    @cached_property
    def samples(self) -> Samples:
        """Samples: metadata, signed image URLs, bulk upload and download."""
        return Samples(self._session, self._id)

    @cached_property
    def predictions(self) -> Predictions:
        """Predictions and their task schemas, versioned by timestamp."""
        return Predictions(self._session, self._id)

    @cached_property
    def datasource(self) -> Datasource:
        """The dataset's datasource: config, verification and raw-file listing."""
        return Datasource(self._session, self._id)

    @cached_property
    def samplings(self) -> Samplings:
        """Samplings: select a subset of samples into a new tag."""
        return Samplings(self._session, self._id)

    @cached_property
    def embeddings(self) -> Embeddings:
        """Embeddings uploaded for the dataset (what samplings run on)."""
        return Embeddings(self._session, self._id)

    @cached_property
    def mappings(self) -> Mappings:
        """The sample order: file names and sample ids in bitmask order."""
        return Mappings(self._session, self._id)

    @cached_property
    def metadata(self) -> Metadata:
        """Custom metadata of the samples and its configurations."""
        return Metadata(self._session, self._id)

    @cached_property
    def collaboration(self) -> Collaboration:
        """Whom the dataset is shared with."""
        return Collaboration(self._session, self._id)

    @cached_property
    def runs(self) -> Runs:
        """Lightly Worker runs on the dataset: schedule, follow, wait, cancel."""
        return Runs(self._session, self._id)

    def __repr__(self) -> str:
        return f"<Dataset {self._id}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return self._id == other._id and self._session is other._session

    def __hash__(self) -> int:
        return hash(self._id)
