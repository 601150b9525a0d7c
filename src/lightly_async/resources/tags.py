"""Tags: named subsets of a dataset's samples, their arithmetic and exports."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._concurrent import gather_first_error
from lightly_async._offset_pager import OffsetPager
from lightly_async._operation import Operation
from lightly_async._responses import PlainText
from lightly_async.bitmask import BitMask
from lightly_async.errors import DecodeError, InvalidInputError, NameNotFoundError
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.tags import (
    FileNameFormat,
    ImageType,
    InitialTagCreateRequest,
    LabelBoxDataRow,
    LabelBoxV4DataRow,
    LabelStudioTask,
    SamaTask,
    TagArithmeticsOperation,
    TagArithmeticsRequest,
    TagArithmeticsResponse,
    TagBitMaskResponse,
    TagCreateRequest,
    TagCreator,
    TagData,
    TagFileExport,
    TagUpdateRequest,
    TagUpsizeRequest,
)
from lightly_async.resources._base import DatasetResource
from lightly_async.resources.mappings import Mappings

__all__ = ["Tags"]

T = TypeVar("T")


EXPORT_PAGE_SIZE = 2500
"""Rows per request of a paged export (lightly 1.5.20's own exports ask for 2,500)."""


DEFAULT_EXPORT_FORMATS: tuple[str, ...] = ("NAME", "REDIRECTED_READ_URL", "DATASOURCE_FULL")
"""What :meth:`Tags.export_files` exports by default: every format."""

_EXPORT_FIELDS = {FileNameFormat.NAME: "file_name", FileNameFormat.REDIRECTED_READ_URL: "read_url",
                  FileNameFormat.DATASOURCE_FULL: "datasource_url"}

LABEL_BOX_V3_DEPRECATED = ("the LabelBox v3 export is deprecated by the Lightly API: use "
                           "Tags.export_label_box_v4()")


class Tags(DatasetResource):
    """``dataset.tags``: the dataset's tags."""

    __slots__ = ()

    async def list(self) -> builtins.list[TagData]:
        """Every tag of the dataset."""
        return await self._call(op.GET_TAGS_BY_DATASET_ID, cast=builtins.list[TagData])

    async def get(self, tag_id: str) -> TagData:
        """One tag."""
        tag_id = check.object_id("tag_id", tag_id)
        return await self._call(op.GET_TAG_BY_TAG_ID, cast=TagData, tagId=tag_id)

    async def create_initial(
        self,
        *,
        img_type: ImageType | str = ImageType.FULL,
        name: str | None = None,
        creator: TagCreator | str | None = None,
    ) -> CreateEntityResponse:
        """Create the initial tag holding every sample (once per dataset)."""
        body = InitialTagCreateRequest(
            img_type=check.enum_value("img_type", img_type, ImageType),
            name=None if name is None else check.tag_name("name", name),
            creator=_creator(creator))
        return await self._call(op.CREATE_INITIAL_TAG_BY_DATASET_ID, cast=CreateEntityResponse,
                                json_body=self._dump(body), replay_safe=False)

    async def create(
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
        size = check.non_negative_int("tot_size", tot_size)
        if changes is not None and not isinstance(changes, dict):
            raise InvalidInputError("changes", f"must be a dict, got {changes!r}")
        body = TagCreateRequest(
            name=check.tag_name("name", name),
            prev_tag_id=check.object_id("prev_tag_id", prev_tag_id),
            bit_mask_data=check.bitmask("bit_mask_data", bit_mask_data, size),
            tot_size=size,
            query_tag_id=_opt_id("query_tag_id", query_tag_id),
            preselected_tag_id=_opt_id("preselected_tag_id", preselected_tag_id),
            creator=_creator(creator),
            changes=changes)
        return await self._call(op.CREATE_TAG_BY_DATASET_ID, cast=CreateEntityResponse,
                                json_body=self._dump(body), replay_safe=False)

    async def update(self, tag_id: str, *, name: str) -> None:
        """Rename a tag."""
        tag_id = check.object_id("tag_id", tag_id)
        body = TagUpdateRequest(name=check.tag_name("name", name))
        await self._call(op.UPDATE_TAG_BY_TAG_ID, json_body=self._dump(body), tagId=tag_id)

    async def delete(self, tag_id: str) -> None:
        """Delete a leaf tag (never the initial tag)."""
        tag_id = check.object_id("tag_id", tag_id)
        await self._call(op.DELETE_TAG_BY_TAG_ID, tagId=tag_id)

    async def filenames(self, tag_id: str) -> builtins.list[str]:
        """The file names of the tag's samples."""
        tag_id = check.object_id("tag_id", tag_id)
        return await self._call(op.GET_FILENAMES_BY_TAG_ID, cast=builtins.list[str],
                                tagId=tag_id)

    def export_label_box(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        preview_example: bool | None = None,
        access_control: str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[LabelBoxDataRow]:
        """The tag's samples as LabelBox (v3) data rows with signed image URLs.

        A pager: ``await`` it (or ``.collect()``) for the list, ``async for`` for the rows.
        The newest API pages the export (``page_size`` rows a request) and marks it
        deprecated: calling it warns (``DeprecationWarning``); use
        :meth:`export_label_box_v4`. The seed era's API answers every row at once.
        """
        if self._session.api != "seed":
            warnings.warn(LABEL_BOX_V3_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self._export(tag_id, op.EXPORT_TAG_TO_LABEL_BOX_DATA_ROWS, LabelBoxDataRow,
                            expires_in, preview_example, access_control, page_size)

    def export_label_box_v4(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        access_control: str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[LabelBoxV4DataRow]:
        """The tag's samples as LabelBox v4 data rows with signed image URLs (the newest
        API only); a pager like :meth:`export_label_box`."""
        if self._session.api == "seed":
            raise InvalidInputError("export_label_box_v4", 'not in the seed API (api="seed")')
        return self._export(tag_id, op.EXPORT_TAG_TO_LABEL_BOX_V4_DATA_ROWS, LabelBoxV4DataRow,
                            expires_in, None, access_control, page_size)

    def export_label_studio(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        preview_example: bool | None = None,
        access_control: str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[LabelStudioTask]:
        """The tag's samples as LabelStudio tasks with signed image URLs.

        A pager: ``await`` it (or ``.collect()``) for the list, ``async for`` for the tasks.
        The newest API pages the export (``page_size`` tasks a request); the seed era's API
        answers every task at once.
        """
        return self._export(tag_id, op.EXPORT_TAG_TO_LABEL_STUDIO_TASKS, LabelStudioTask,
                            expires_in, preview_example, access_control, page_size)

    def export_sama(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        preview_example: bool | None = None,
        access_control: str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[SamaTask]:
        """The tag's samples as Sama tasks with signed image URLs; a pager like
        :meth:`export_label_studio` (paged by the newest API, one answer in the seed era's)."""
        return self._export(tag_id, op.EXPORT_TAG_TO_SAMA_TASKS, SamaTask, expires_in,
                            preview_example, access_control, page_size)

    async def export_files(
        self,
        tag: TagData | str,
        *,
        formats: Sequence[FileNameFormat | str] = DEFAULT_EXPORT_FORMATS,
        expires_in: int | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> builtins.list[TagFileExport]:
        """The tag's files, one :class:`TagFileExport` per file in the tag's order.

        Each format of ``formats`` (``NAME``: ``file_name``, ``REDIRECTED_READ_URL``:
        ``read_url``, ``DATASOURCE_FULL``: ``datasource_url``; other fields stay ``None``)
        is one paged listing of ``GET .../tags/{tagId}/export/basic/filenames`` with that
        ``fileNameFormat``, ``page_size`` files a request; the listings run concurrently
        and are joined by position, as lightly 1.5.20's
        ``export_filenames_and_read_urls_by_tag_id`` joins them (the API lists every format
        in the same order). Listings of different lengths are a :class:`DecodeError`.
        ``expires_in`` (seconds) bounds the read URLs; without it they do not expire.
        """
        tag_id = tag.id if isinstance(tag, TagData) else check.object_id("tag", tag)
        if isinstance(formats, str) or not isinstance(formats, Sequence) or not formats:
            raise InvalidInputError("formats", f"must be a non-empty sequence of "
                                               f"FileNameFormat values, got {formats!r}")
        chosen = [check.enum_value("formats", f, FileNameFormat) for f in formats]
        if len(set(chosen)) != len(chosen):
            raise InvalidInputError("formats", f"lists a format twice: {formats!r}")
        size = check.positive_int("page_size", page_size)
        if expires_in is not None and (check.non_negative_int("expires_in", expires_in) < 1):
            raise InvalidInputError("expires_in", f"must be >= 1 second, got {expires_in}")
        columns: dict[FileNameFormat, builtins.list[str]] = {}

        async def collect(file_format: FileNameFormat) -> None:
            columns[file_format] = await self._file_lines(tag_id, file_format, expires_in,
                                                          size).collect()

        await gather_first_error([partial(collect, f) for f in chosen])
        lengths = {f.value: len(columns[f]) for f in chosen}
        if len(set(lengths.values())) > 1:
            raise DecodeError(f"the tag's file listings differ in length: {lengths}")
        count = next(iter(lengths.values()))
        return [TagFileExport(**{_EXPORT_FIELDS[f]: columns[f][i] for f in chosen})
                for i in range(count)]

    def _file_lines(
        self, tag_id: str, file_format: FileNameFormat, expires_in: int | None, page_size: int,
    ) -> OffsetPager[str]:
        """One format's paged text listing, a line per file (an empty page: no files)."""
        params: dict[str, object] = {"fileNameFormat": file_format.value,
                                     "expiresIn": expires_in}

        async def fetch(offset: int, page: int) -> builtins.list[str]:
            text: str = await self._call(
                op.EXPORT_TAG_TO_BASIC_FILENAMES, cast=PlainText,
                params={**params, "pageSize": page, "pageOffset": offset}, tagId=tag_id)
            return text.split("\n") if text else []

        return OffsetPager(fetch, page_size)

    async def arithmetics(
        self,
        tag_id1: str,
        tag_id2: str,
        operation: TagArithmeticsOperation | str,
        *,
        new_tag_name: str | None = None,
        creator: TagCreator | str | None = None,
    ) -> TagArithmeticsResponse:
        """Combine two tags; with ``new_tag_name`` a tag is created (``{id}``), else the
        resulting bitmask is returned."""
        body = self._arithmetics_body(tag_id1, tag_id2, operation, new_tag_name, creator)
        result: TagArithmeticsResponse = await self._call(
            op.PERFORM_TAG_ARITHMETICS, cast=TagArithmeticsResponse, json_body=body,
            replay_safe=new_tag_name is None)
        return result

    async def arithmetics_bitmask(
        self, tag_id1: str, tag_id2: str, operation: TagArithmeticsOperation | str
    ) -> TagBitMaskResponse:
        """The bitmask of ``tag1 <operation> tag2``; never creates a tag."""
        body = self._arithmetics_body(tag_id1, tag_id2, operation, None, None)
        return await self._call(op.PERFORM_TAG_ARITHMETICS_BITMASK, cast=TagBitMaskResponse,
                                json_body=body, replay_safe=True)

    async def upsize(
        self, *, upsize_tag_name: str, upsize_tag_creator: TagCreator | str = TagCreator.USER_PIP
    ) -> CreateEntityResponse:
        """After samples were added: grow every tag to the new size and tag the new samples."""
        body = TagUpsizeRequest(
            upsize_tag_name=check.tag_name("upsize_tag_name", upsize_tag_name),
            upsize_tag_creator=check.enum_value("upsize_tag_creator", upsize_tag_creator,
                                                TagCreator))
        return await self._call(op.UPSIZE_TAGS_BY_DATASET_ID, cast=CreateEntityResponse,
                                json_body=self._dump(body), replay_safe=False)

    # -- workflows ---------------------------------------------------------------------------
    async def get_by_name(self, name: str) -> TagData:
        """The tag called ``name``; raises :class:`NameNotFoundError` if there is none."""
        check.tag_name("name", name)
        for tag in await self.list():
            if tag.name == name:
                return tag
        raise NameNotFoundError("tag", name)

    async def delete_by_name(self, name: str) -> None:
        """Delete the tag called ``name`` (a leaf, never the initial tag); raises
        :class:`NameNotFoundError` if there is none."""
        tag = await self.get_by_name(name)
        await self.delete(tag.id)

    async def get_initial(self) -> TagData:
        """The dataset's initial tag (the one without a parent)."""
        tags = await self.list()
        roots = [t for t in tags if t.prev_tag_id is None]
        if not roots:
            raise NameNotFoundError("tag", "initial-tag")
        return min(roots, key=lambda t: t.created_at)

    async def all_file_names(self) -> builtins.list[str]:
        """Every sample's file name in index order (the bitmask order), from the dataset's
        sample mapping: samples added after an upsize are included."""
        return await Mappings(self._session, self._dataset_id).file_names()

    async def file_names_from_bitmask(
        self, tag: TagData | str, *, exclude_parent: bool = False
    ) -> builtins.list[str]:
        """The file names of a tag's samples, decoded locally from its bitmask.

        Not the seed operation :meth:`filenames` (``GET .../tags/{tagId}/filenames``): this
        reads the tag and the dataset's sample order and picks the tag's indices.
        ``exclude_parent=True`` leaves out the samples of the tag's parent (its
        ``prev_tag_id``), asking the API for the difference's bitmask as lightly 1.5.20's
        ``get_filenames_in_tag(exclude_parent_tag=True)`` does; a tag without a parent (the
        initial tag) excludes nothing.
        """
        if not isinstance(exclude_parent, bool):
            raise InvalidInputError("exclude_parent", f"must be a bool, got {exclude_parent!r}")
        tag_data = tag if isinstance(tag, TagData) else await self.get(tag)
        mask = tag_data.bit_mask_data
        if exclude_parent and tag_data.prev_tag_id is not None:
            difference = await self.arithmetics_bitmask(
                tag_data.id, tag_data.prev_tag_id, TagArithmeticsOperation.DIFFERENCE)
            mask = difference.bit_mask_data
        names = await self.all_file_names()
        if not mask.fits(len(names)):
            raise DecodeError(
                f"tag {tag_data.name!r} has bits beyond the dataset's {len(names)} samples")
        return [names[i] for i in mask.indices()]

    async def file_names(self, tag: TagData | str) -> builtins.list[str]:
        """Deprecated alias of :meth:`file_names_from_bitmask` (easy to confuse with the seed
        operation :meth:`filenames`)."""
        warnings.warn(
            "Tags.file_names() is deprecated: use Tags.file_names_from_bitmask() (decoded "
            "locally) or Tags.filenames(tag_id) (the API operation)",
            DeprecationWarning, stacklevel=2)
        return await self.file_names_from_bitmask(tag)

    async def create_from_filenames(
        self,
        name: str,
        file_names: Iterable[str],
        *,
        parent: TagData | str | None = None,
        creator: TagCreator | str = TagCreator.USER_PIP,
    ) -> TagData:
        """Create a tag holding exactly ``file_names`` (a child of ``parent``, default the
        initial tag) and return it. Unknown names are an error that lists them."""
        check.tag_name("name", name)
        wanted = builtins.list(file_names)
        if not wanted:
            raise InvalidInputError("file_names", "must not be empty")
        parent_id = None if parent is None else (
            parent.id if isinstance(parent, TagData) else check.object_id("parent", parent))
        all_names = await self.all_file_names()
        index = {file_name: i for i, file_name in enumerate(all_names)}
        unknown = [n for n in wanted if n not in index]
        if unknown:
            shown = ", ".join(repr(n) for n in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise InvalidInputError(
                "file_names", f"{len(unknown)} not in the dataset: {shown}{more}")
        if parent_id is None:
            parent_id = (await self.get_initial()).id
        mask = BitMask.from_indices((index[n] for n in wanted), len(all_names))
        created = await self.create(name=name, prev_tag_id=parent_id, bit_mask_data=mask,
                                    tot_size=len(all_names), creator=creator)
        return await self.get(created.id)

    # -- helpers -----------------------------------------------------------------------------
    def _export(
        self, tag_id: str, export: Operation, row: type[T], expires_in: int | None,
        preview_example: bool | None, access_control: str | None, page_size: int,
    ) -> OffsetPager[T]:
        """A pager over an export (paged in the newest API, one answer in the seed era's)."""
        seed = self._session.api == "seed"
        if export.template(self._session.api) is None:
            raise InvalidInputError(export.name, 'not in the seed API (api="seed")')
        tag_id = check.object_id("tag_id", tag_id)
        size = check.positive_int("page_size", page_size)
        if expires_in is not None and (check.non_negative_int("expires_in", expires_in) < 1):
            raise InvalidInputError("expires_in", f"must be >= 1 second, got {expires_in}")
        if preview_example is not None and not isinstance(preview_example, bool):
            raise InvalidInputError("preview_example", f"must be a bool, got {preview_example!r}")
        if access_control is not None and not (isinstance(access_control, str) and access_control):
            raise InvalidInputError("access_control", "must be a non-empty string")
        params = {"expiresIn": expires_in, "previewExample": preview_example,
                  "accessControl": access_control}
        cast = builtins.list[row]  # type: ignore[valid-type]  # a type built at run time

        async def fetch(offset: int, page: int) -> builtins.list[T]:
            paging = {} if seed else {"pageSize": page, "pageOffset": offset}
            rows: builtins.list[T] = await self._call(
                export, cast=cast, params={**params, **paging}, tagId=tag_id)
            return rows

        return OffsetPager(fetch, size, paged=not seed)

    def _arithmetics_body(
        self, tag_id1: str, tag_id2: str, operation: TagArithmeticsOperation | str,
        new_tag_name: str | None, creator: TagCreator | str | None,
    ) -> Any:
        return self._dump(TagArithmeticsRequest(
            tag_id1=check.object_id("tag_id1", tag_id1),
            tag_id2=check.object_id("tag_id2", tag_id2),
            operation=check.enum_value("operation", operation, TagArithmeticsOperation),
            new_tag_name=None if new_tag_name is None else check.tag_name(
                "new_tag_name", new_tag_name),
            creator=_creator(creator)))


def _creator(value: TagCreator | str | None) -> TagCreator | None:
    return None if value is None else check.enum_value("creator", value, TagCreator)


def _opt_id(field: str, value: str | None) -> str | None:
    return None if value is None else check.object_id(field, value)
