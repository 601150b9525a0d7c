"""The synchronous Dataset: a handle whose sub-resources are the sync twins of the async ones.

Every sync resource class holds no logic: each method hands the async method and its
arguments to the session's :class:`~lightly_async.sync._portal.Runner` and returns the very
same model. The forwarders are generated (``_generated.py``, by ``nox -s generate``) from
the async resources' source; adding an async resource means a property below, adding an
async method means running the generator (``tests/client/test_sync_twins.py`` fails until
both are done).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightly_async.sync._datasource import Datasource
from lightly_async.sync._generated import (
    Collaboration,
    Embeddings,
    Mappings,
    Metadata,
    Predictions,
    Samples,
    Samplings,
)
from lightly_async.sync._tags import Tags
from lightly_async.sync._worker import Runs

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.sync._portal import Runner
    from lightly_async.sync._session import LightlySession

__all__ = ["Dataset"]


class Dataset:
    """A dataset: ``tags``, ``samples``, ``predictions``, ``datasource``, ``samplings``,
    ``embeddings`` and ``mappings``. Get one with ``session.dataset(dataset_id)`` (an id or
    a ``DatasetData``)."""

    def __init__(self, session: LightlySession, runner: Runner, aio: aio.Dataset) -> None:
        self._session = session
        self._runner = runner
        self._aio = aio

    @property
    def id(self) -> str:
        """The dataset's ObjectId."""
        return self._aio.id

    @property
    def session(self) -> LightlySession:
        """The session this handle talks through."""
        return self._session

    @property
    def tags(self) -> Tags:
        """Tags: named sample subsets, arithmetic and exports."""
        return Tags(self._runner, self._aio.tags)

    @property
    def runs(self) -> Runs:
        """Lightly Worker runs on the dataset: schedule, follow, wait, cancel."""
        return Runs(self._runner, self._aio.runs)

    @property
    def samples(self) -> Samples:
        """Samples: metadata, signed image URLs, bulk upload and download."""
        return Samples(self._runner, self._aio.samples)

    @property
    def predictions(self) -> Predictions:
        """Predictions and their task schemas, versioned by timestamp."""
        return Predictions(self._runner, self._aio.predictions)

    @property
    def datasource(self) -> Datasource:
        """The dataset's datasource: config, verification and raw-file listing."""
        return Datasource(self._runner, self._aio.datasource)

    @property
    def samplings(self) -> Samplings:
        """Samplings: select a subset of samples into a new tag."""
        return Samplings(self._runner, self._aio.samplings)

    @property
    def embeddings(self) -> Embeddings:
        """Embeddings uploaded for the dataset (what samplings run on)."""
        return Embeddings(self._runner, self._aio.embeddings)

    @property
    def mappings(self) -> Mappings:
        """The sample order: file names and sample ids in bitmask order."""
        return Mappings(self._runner, self._aio.mappings)

    @property
    def metadata(self) -> Metadata:
        """Custom metadata of the samples and its configurations."""
        return Metadata(self._runner, self._aio.metadata)

    @property
    def collaboration(self) -> Collaboration:
        """Whom the dataset is shared with."""
        return Collaboration(self._runner, self._aio.collaboration)

    def __repr__(self) -> str:
        return f"<lightly_async.sync.Dataset {self.id}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return self._aio == other._aio

    def __hash__(self) -> int:
        return hash(self._aio)
