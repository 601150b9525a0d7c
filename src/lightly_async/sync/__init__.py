"""A synchronous facade over the async client, for plain scripts, threads and notebooks.

::

    from lightly_async.sync import LightlySession

    with LightlySession() as session:                 # LIGHTLY_TOKEN, LIGHTLY_SERVER_LOCATION
        ds = session.dataset("5f0c1c6e2a9b4c1d8e7f6a5b")
        for tag in ds.tags.list():
            print(tag.name, tag.bit_mask_data.count())
        for row in ds.datasource.list_raw_samples(from_=0):   # a plain iterator
            print(row.file_name)
        for dataset in session.datasets.list():               # so is this one
            print(dataset.name)

Every class here is an explicit twin of an async one, with the same method names, arguments
and models (the forwarders are generated from the async resources' source by
``nox -s generate``); pagers (``list_raw_samples()``, ``datasets.list()``) are plain iterators,
``new_raw_samples()`` is a ``with`` block, and the bulk helpers return the same
``BulkResult`` (with the same progress bars). Each session runs the
async core on an event loop in a thread of its own, started with the session and stopped by
``close()`` (or the end of the ``with`` block), so calls block correctly even where the calling
thread already runs an event loop (a Jupyter cell). Inside ``async`` code prefer the async
API: a blocking call there stalls that code's own loop while it waits.
"""

from lightly_async.resources.datasource import RawSamplesShard
from lightly_async.resources.runs import RunInfo
from lightly_async.sync._base import OffsetPager, Pager
from lightly_async.sync._dataset import Dataset
from lightly_async.sync._datasource import Datasource, RawSamplesBatch
from lightly_async.sync._generated import (
    AllRuns,
    DatasetPager,
    Datasets,
    Embeddings,
    Jobs,
    Mappings,
    Predictions,
    RunPager,
    Samples,
    Samplings,
    Workers,
)
from lightly_async.sync._session import LightlySession
from lightly_async.sync._tags import Tags
from lightly_async.sync._worker import Runs

__all__ = [
    "AllRuns",
    "Dataset",
    "DatasetPager",
    "Datasets",
    "Datasource",
    "Embeddings",
    "Jobs",
    "LightlySession",
    "Mappings",
    "OffsetPager",
    "Pager",
    "Predictions",
    "RawSamplesBatch",
    "RawSamplesShard",
    "RunInfo",
    "RunPager",
    "Runs",
    "Samples",
    "Samplings",
    "Tags",
    "Workers",
]
