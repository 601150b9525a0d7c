"""``dataset.tags``, synchronously."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lightly_async.models.tags import ImageType, TagCreator
from lightly_async.resources.tags import EXPORT_PAGE_SIZE
from lightly_async.sync._base import OffsetPager, Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.bitmask import BitMask
    from lightly_async.models.common import CreateEntityResponse
    from lightly_async.models.tags import (
        LabelBoxDataRow,
        LabelBoxV4DataRow,
        LabelStudioTask,
        TagArithmeticsOperation,
        TagArithmeticsResponse,
        TagBitMaskResponse,
        TagData,
    )

__all__ = ["Tags"]


class Tags(Resource):
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
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[LabelBoxDataRow]:
        """The tag's samples as LabelBox (v3) data rows with signed image URLs: ``for``
        yields rows, ``.collect()`` a list. Deprecated by the newest API (it warns): use
        :meth:`export_label_box_v4`."""
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", DeprecationWarning)
            pager = self._aio.export_label_box(
                tag_id, expires_in=expires_in, preview_example=preview_example,
                access_control=access_control, page_size=page_size)
        for warning in said:  # said again, pointing at the caller's line
            warnings.warn(warning.message, warning.category, stacklevel=2)
        return OffsetPager(self._runner, pager)

    def export_label_box_v4(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        access_control: str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[LabelBoxV4DataRow]:
        """The tag's samples as LabelBox v4 data rows (the newest API only): a pager."""
        return OffsetPager(self._runner, self._aio.export_label_box_v4(
            tag_id, expires_in=expires_in, access_control=access_control, page_size=page_size))

    def export_label_studio(
        self,
        tag_id: str,
        *,
        expires_in: int | None = None,
        preview_example: bool | None = None,
        access_control: str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> OffsetPager[LabelStudioTask]:
        """The tag's samples as LabelStudio tasks with signed image URLs: ``for`` yields
        tasks, ``.collect()`` a list (the newest API pages the export)."""
        return OffsetPager(self._runner, self._aio.export_label_studio(
            tag_id, expires_in=expires_in, preview_example=preview_example,
            access_control=access_control, page_size=page_size))

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
