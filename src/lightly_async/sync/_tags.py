"""``dataset.tags``, synchronously: the generated twin, and the two methods that warn.

A warning raised by the async method would point into this package (or, for a coroutine,
at the session's thread); these say it at the caller's line.
"""

from __future__ import annotations

import builtins
import warnings
from typing import TYPE_CHECKING

from lightly_async._constants import EXPORT_PAGE_SIZE
from lightly_async.sync import _generated
from lightly_async.sync._base import OffsetPager

if TYPE_CHECKING:
    from lightly_async.models.tags import LabelBoxDataRow, TagData

__all__ = ["Tags"]


class Tags(_generated.Tags):
    """``dataset.tags``: the dataset's tags."""

    __slots__ = ()

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

    def file_names(self, tag: TagData | str) -> builtins.list[str]:
        """Deprecated alias of :meth:`file_names_from_bitmask`."""
        warnings.warn(
            "Tags.file_names() is deprecated: use Tags.file_names_from_bitmask() (decoded "
            "locally) or Tags.filenames(tag_id) (the API operation)",
            DeprecationWarning, stacklevel=2)
        return self._runner.call(self._aio.file_names_from_bitmask, tag)
