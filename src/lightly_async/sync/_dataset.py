"""The synchronous Dataset and its sub-resources: one explicit, typed method per async method.

Each method validates nothing itself and holds no logic: it hands the async method and its
arguments to the session's :class:`Runner` and returns the very same model. Adding an async
method means adding its twin here (``tests/unit/test_sync_twins.py`` fails until then).
"""

from __future__ import annotations

import builtins
import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lightly_async.models.datasources import DatasourceRawSamplesData, DatasourceRawSamplesDataRow
from lightly_async.models.samples import ImageUrlType, SampleListMode
from lightly_async.models.tags import ImageType, TagCreator

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async._pager import Pager as AsyncPager
    from lightly_async.bitmask import BitMask
    from lightly_async.bulk import BulkResult
    from lightly_async.models.common import AsyncTaskData, CreateEntityResponse
    from lightly_async.models.datasources import DatasourceConfig, DatasourceConfigVerifyData
    from lightly_async.models.predictions import PredictionSingleton, PredictionTaskSchema
    from lightly_async.models.samples import SampleData
    from lightly_async.models.samplings import SamplingConfig, SamplingMethod
    from lightly_async.models.tags import (
        LabelBoxDataRow,
        LabelStudioTask,
        TagArithmeticsOperation,
        TagArithmeticsResponse,
        TagBitMaskResponse,
        TagData,
    )
    from lightly_async.progress import ProgressArg
    from lightly_async.resources.datasource import RawSamplesBatch as AsyncRawSamplesBatch
    from lightly_async.resources.samples import ImageSource
    from lightly_async.sync._portal import Runner
    from lightly_async.sync._session import LightlySession

__all__ = [
    "Dataset",
    "Datasource",
    "Pager",
    "Predictions",
    "RawSamplesBatch",
    "Samples",
    "Samplings",
    "Tags",
]

PageT = TypeVar("PageT")
RowT = TypeVar("RowT")
R = TypeVar("R")


class Dataset:
    """A dataset: ``tags``, ``samples``, ``predictions``, ``datasource`` and ``samplings``.
    Get one with ``session.dataset(dataset_id)``."""

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

    def __repr__(self) -> str:
        return f"<lightly_async.sync.Dataset {self.id}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return self._aio == other._aio

    def __hash__(self) -> int:
        return hash(self._aio)


class _Resource:
    """Base of the sub-resources: the runner and the async twin."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: Any) -> None:
        self._runner = runner
        self._aio = aio

    @property
    def dataset_id(self) -> str:
        """The id of the dataset this resource belongs to."""
        dataset_id: str = self._aio.dataset_id
        return dataset_id

    def __repr__(self) -> str:
        return f"<lightly_async.sync.{type(self).__name__} of dataset {self.dataset_id}>"


class Pager(Generic[PageT, RowT]):
    """``for row in pager`` yields rows; ``for page in pager.pages()`` yields whole pages.

    One page is fetched at a time, on demand; rows are handed out from it without a further
    round trip to the session's loop.
    """

    def __init__(self, runner: Runner, pager: AsyncPager[Any, Any],
                 rows: Callable[[PageT], Sequence[RowT]]) -> None:
        self._runner = runner
        self._pager = pager
        self._rows = rows

    def pages(self) -> Iterator[PageT]:
        """Iterate over whole pages."""
        return self._runner.iterate(self._pager.pages())

    def __iter__(self) -> Iterator[RowT]:
        for page in self.pages():
            yield from self._rows(page)

    def __repr__(self) -> str:
        return f"<lightly_async.sync.Pager over {self._pager!r}>"


RawSamplesPager = Pager[DatasourceRawSamplesData, DatasourceRawSamplesDataRow]


class RawSamplesBatch:
    """The raw files new since the last processed batch; see ``Datasource.new_raw_samples``."""

    def __init__(self, runner: Runner, batch: AsyncRawSamplesBatch) -> None:
        self._runner = runner
        self._batch = batch

    def __iter__(self) -> Iterator[DatasourceRawSamplesDataRow]:
        return self._runner.iterate(aiter(self._batch))

    @property
    def from_(self) -> int | None:
        """First second listed (``None``: from the beginning)."""
        return self._batch.from_

    @property
    def to(self) -> int:
        """Last second listed; the bookmark moves here after a complete, clean pass."""
        return self._batch.to

    @property
    def rows_seen(self) -> int:
        """Rows handed out so far."""
        return self._batch.rows_seen

    @property
    def exhausted(self) -> bool:
        """True once the listing was read to its end."""
        return self._batch.exhausted

    def __repr__(self) -> str:
        return f"<lightly_async.sync.RawSamplesBatch from={self.from_} to={self.to} " \
               f"rows_seen={self.rows_seen}>"


class Tags(_Resource):
    """``dataset.tags``: the dataset's tags."""

    __slots__ = ()
    _aio: aio.Tags

    def list(self) -> builtins.list[TagData]:
        """Every tag of the dataset."""
        return self._runner.call(self._aio.list)

    def get(self, tag_id: str) -> TagData:
        """One tag."""
        return self._runner.call(self._aio.get, tag_id)

    def create_initial(
        self,
        *,
        img_type: ImageType | str = ImageType.FULL,
        name: str | None = None,
        creator: TagCreator | str | None = None,
    ) -> CreateEntityResponse:
        """Create the initial tag holding every sample (once per dataset)."""
        return self._runner.call(self._aio.create_initial, img_type=img_type, name=name,
                                 creator=creator)

    def create(
        self,
        *,
        name: str,
        prev_tag_id: str,
        bit_mask_data: BitMask | str,
        tot_size: int,
        query_tag_id: str | None = None,
        preselected_tag_id: str | None = None,
        creator: TagCreator | str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> CreateEntityResponse:
        """Create a tag from a bitmask over ``tot_size`` samples."""
        return self._runner.call(
            self._aio.create, name=name, prev_tag_id=prev_tag_id, bit_mask_data=bit_mask_data,
            tot_size=tot_size, query_tag_id=query_tag_id, preselected_tag_id=preselected_tag_id,
            creator=creator, changes=changes)

    def update(self, tag_id: str, *, name: str) -> None:
        """Rename a tag."""
        self._runner.call(self._aio.update, tag_id, name=name)

    def delete(self, tag_id: str) -> None:
        """Delete a leaf tag (never the initial tag)."""
        self._runner.call(self._aio.delete, tag_id)

    def filenames(self, tag_id: str) -> builtins.list[str]:
        """The file names of the tag's samples (the API operation)."""
        return self._runner.call(self._aio.filenames, tag_id)

    def export_label_box(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        preview_example: bool | None = None,
        access_control: str | None = None,
    ) -> builtins.list[LabelBoxDataRow]:
        """The tag's samples as LabelBox data rows with signed image URLs."""
        return self._runner.call(self._aio.export_label_box, tag_id, expires_in=expires_in,
                                 preview_example=preview_example, access_control=access_control)

    def export_label_studio(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        preview_example: bool | None = None,
        access_control: str | None = None,
    ) -> builtins.list[LabelStudioTask]:
        """The tag's samples as LabelStudio tasks with signed image URLs."""
        return self._runner.call(self._aio.export_label_studio, tag_id, expires_in=expires_in,
                                 preview_example=preview_example, access_control=access_control)

    def arithmetics(
        self,
        tag_id1: str,
        tag_id2: str,
        operation: TagArithmeticsOperation | str,
        *,
        new_tag_name: str | None = None,
        creator: TagCreator | str | None = None,
    ) -> TagArithmeticsResponse:
        """Combine two tags; with ``new_tag_name`` a tag is created, else the bitmask returned."""
        return self._runner.call(self._aio.arithmetics, tag_id1, tag_id2, operation,
                                 new_tag_name=new_tag_name, creator=creator)

    def arithmetics_bitmask(
        self, tag_id1: str, tag_id2: str, operation: TagArithmeticsOperation | str
    ) -> TagBitMaskResponse:
        """The bitmask of ``tag1 <operation> tag2``; never creates a tag."""
        return self._runner.call(self._aio.arithmetics_bitmask, tag_id1, tag_id2, operation)

    def upsize(
        self, *, upsize_tag_name: str, upsize_tag_creator: TagCreator | str = TagCreator.USER_PIP
    ) -> CreateEntityResponse:
        """After samples were added: grow every tag to the new size and tag the new samples."""
        return self._runner.call(self._aio.upsize, upsize_tag_name=upsize_tag_name,
                                 upsize_tag_creator=upsize_tag_creator)

    def get_by_name(self, name: str) -> TagData:
        """The tag called ``name``; raises :class:`NameNotFoundError` if there is none."""
        return self._runner.call(self._aio.get_by_name, name)

    def get_initial(self) -> TagData:
        """The dataset's initial tag (the one without a parent)."""
        return self._runner.call(self._aio.get_initial)

    def all_file_names(self) -> builtins.list[str]:
        """Every sample's file name in index order (the bitmask order)."""
        return self._runner.call(self._aio.all_file_names)

    def file_names_from_bitmask(self, tag: TagData | str) -> builtins.list[str]:
        """The file names of a tag's samples, decoded locally from its bitmask."""
        return self._runner.call(self._aio.file_names_from_bitmask, tag)

    def file_names(self, tag: TagData | str) -> builtins.list[str]:
        """Deprecated alias of :meth:`file_names_from_bitmask`."""
        import warnings

        warnings.warn(
            "Tags.file_names() is deprecated: use Tags.file_names_from_bitmask() (decoded "
            "locally) or Tags.filenames(tag_id) (the API operation)",
            DeprecationWarning, stacklevel=2)
        return self._runner.call(self._aio.file_names_from_bitmask, tag)

    def create_from_filenames(
        self,
        name: str,
        file_names: Iterable[str],
        *,
        parent: TagData | str | None = None,
        creator: TagCreator | str = TagCreator.USER_PIP,
    ) -> TagData:
        """Create a tag holding exactly ``file_names`` (a child of ``parent``, default the
        initial tag) and return it."""
        return self._runner.call(self._aio.create_from_filenames, name, file_names,
                                 parent=parent, creator=creator)


class Samples(_Resource):
    """``dataset.samples``: the dataset's samples."""

    __slots__ = ()
    _aio: aio.Samples

    def get(self, sample_id: str) -> SampleData:
        """One sample."""
        return self._runner.call(self._aio.get, sample_id)

    def list(
        self, *, mode: SampleListMode | str = SampleListMode.FULL, filename: str | None = None
    ) -> builtins.list[SampleData]:
        """Every sample; ``mode="ids"`` fills only ``id``; ``filename`` filters by name."""
        return self._runner.call(self._aio.list, mode=mode, filename=filename)

    def update(self, sample_id: str, sample: SampleData) -> SampleData:
        """Update a sample; returns the sample as stored."""
        return self._runner.call(self._aio.update, sample_id, sample)

    def read_url(self, sample_id: str, *, type: ImageUrlType | str = "full") -> str:
        """A signed URL to read the full image or its thumbnail."""
        return self._runner.call(self._aio.read_url, sample_id, type=type)

    def write_url(self, sample_id: str, file_name: str) -> str:
        """A signed URL to PUT the image (or its thumbnail) to."""
        return self._runner.call(self._aio.write_url, sample_id, file_name)

    def update_many(
        self,
        samples: Iterable[SampleData],
        *,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
    ) -> BulkResult[str, SampleData]:
        """Update many samples concurrently, keyed by sample id."""
        return self._runner.call(self._aio.update_many, samples, concurrency=concurrency,
                                 fail_fast=fail_fast, progress=progress)

    def upload_images(
        self,
        images: Mapping[str, ImageSource],
        *,
        thumbnail: bool = False,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
    ) -> BulkResult[str, str]:
        """Upload image files (or bytes) through signed write URLs, one per sample."""
        return self._runner.call(self._aio.upload_images, images, thumbnail=thumbnail,
                                 concurrency=concurrency, fail_fast=fail_fast, progress=progress)

    def download(
        self,
        sample_ids: Iterable[str] | Mapping[str, str],
        dest_dir: str | os.PathLike[str],
        *,
        type: ImageUrlType | str = "full",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
    ) -> BulkResult[str, Path]:
        """Stream images to ``dest_dir`` through signed read URLs, never whole in memory."""
        return self._runner.call(self._aio.download, sample_ids, dest_dir, type=type,
                                 concurrency=concurrency, fail_fast=fail_fast, progress=progress)


class Predictions(_Resource):
    """``dataset.predictions``: per-sample prediction singletons and task schemas."""

    __slots__ = ()
    _aio: aio.Predictions

    def upsert(
        self,
        sample_id: str,
        singletons: Sequence[PredictionSingleton],
        *,
        prediction_uuid_timestamp: int,
    ) -> CreateEntityResponse:
        """Set all of a sample's singletons for this prediction version (replace)."""
        return self._runner.call(self._aio.upsert, sample_id, singletons,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def upsert_many(
        self,
        predictions: Mapping[str, Sequence[PredictionSingleton]],
        *,
        prediction_uuid_timestamp: int,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
    ) -> BulkResult[str, CreateEntityResponse]:
        """Upsert many samples' singletons concurrently; every sample id is accounted for."""
        return self._runner.call(
            self._aio.upsert_many, predictions, prediction_uuid_timestamp=prediction_uuid_timestamp,
            concurrency=concurrency, fail_fast=fail_fast, progress=progress)

    def get(
        self, sample_id: str, *, prediction_uuid_timestamp: int
    ) -> builtins.list[PredictionSingleton]:
        """A sample's singletons for this prediction version."""
        return self._runner.call(self._aio.get, sample_id,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def list(
        self, *, prediction_uuid_timestamp: int, task_name: str | None = None
    ) -> builtins.list[builtins.list[PredictionSingleton]]:
        """One list of singletons per sample, in sample order; optionally one task's only."""
        return self._runner.call(self._aio.list,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp,
                                 task_name=task_name)

    def upsert_task_schema(
        self, schema: PredictionTaskSchema, *, prediction_uuid_timestamp: int
    ) -> CreateEntityResponse:
        """Create or update a task schema (by name) for this prediction version."""
        return self._runner.call(self._aio.upsert_task_schema, schema,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def get_task_schema(
        self, task_name: str, *, prediction_uuid_timestamp: int
    ) -> PredictionTaskSchema:
        """The task schema named ``task_name`` in this prediction version."""
        return self._runner.call(self._aio.get_task_schema, task_name,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def list_task_schemas(
        self, *, prediction_uuid_timestamp: int | None = None
    ) -> builtins.list[PredictionTaskSchema]:
        """Every task schema of a prediction version (default: the newest)."""
        return self._runner.call(self._aio.list_task_schemas,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)


class Datasource(_Resource):
    """``dataset.datasource``: where the dataset's raw files live."""

    __slots__ = ()
    _aio: aio.Datasource

    def get(self) -> DatasourceConfig:
        """The datasource config (one of the ``DatasourceConfig*`` classes, by ``type``)."""
        return self._runner.call(self._aio.get)

    def update(self, config: DatasourceConfig) -> None:
        """Replace the datasource config."""
        self._runner.call(self._aio.update, config)

    def verify(self) -> DatasourceConfigVerifyData:
        """Check that Lightly can read, write and list the datasource."""
        return self._runner.call(self._aio.verify)

    def get_processed_until(self) -> int:
        """The processed-until bookmark, in seconds (0: never processed)."""
        return self._runner.call(self._aio.get_processed_until)

    def set_processed_until(self, timestamp: int) -> None:
        """Move the processed-until bookmark (seconds)."""
        self._runner.call(self._aio.set_processed_until, timestamp)

    def list_raw_samples(
        self, *, from_: int | None = None, to: int | None = None, cursor: str | None = None
    ) -> RawSamplesPager:
        """Raw files created between ``from_`` and ``to`` (seconds, inclusive), lazily:
        ``for row in ...`` yields rows, ``.pages()`` whole pages. Input is checked at once."""
        return Pager(self._runner, self._aio.list_raw_samples(from_=from_, to=to, cursor=cursor),
                     _raw_rows)

    @contextlib.contextmanager
    def new_raw_samples(self) -> Iterator[RawSamplesBatch]:
        """Process raw files incrementally; the bookmark moves only after a clean, complete
        pass::

            with ds.datasource.new_raw_samples() as batch:
                for row in batch:
                    process(row)
        """
        with self._runner.enter(self._aio.new_raw_samples()) as batch:
            yield RawSamplesBatch(self._runner, batch)


class Samplings(_Resource):
    """``dataset.samplings``: samplings on a dataset's embedding."""

    __slots__ = ()
    _aio: aio.Samplings

    def trigger(
        self,
        embedding_id: str,
        *,
        new_tag_name: str,
        method: SamplingMethod | str,
        config: SamplingConfig | None = None,
        preselected_tag_id: str | None = None,
        query_tag_id: str | None = None,
        score_type: str | None = None,
        row_count: float | None = None,
    ) -> AsyncTaskData:
        """Start a sampling; poll the returned job with ``session.jobs``."""
        return self._runner.call(
            self._aio.trigger, embedding_id, new_tag_name=new_tag_name, method=method,
            config=config, preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count)

    def run(
        self,
        embedding_id: str,
        *,
        new_tag_name: str,
        method: SamplingMethod | str,
        config: SamplingConfig | None = None,
        preselected_tag_id: str | None = None,
        query_tag_id: str | None = None,
        score_type: str | None = None,
        row_count: float | None = None,
        timeout: float | None = 600.0,
    ) -> TagData:
        """Trigger a sampling, wait for its job and return the new tag."""
        return self._runner.call(
            self._aio.run, embedding_id, new_tag_name=new_tag_name, method=method,
            config=config, preselected_tag_id=preselected_tag_id, query_tag_id=query_tag_id,
            score_type=score_type, row_count=row_count, timeout=timeout)


def _raw_rows(page: DatasourceRawSamplesData) -> builtins.list[DatasourceRawSamplesDataRow]:
    return page.data
