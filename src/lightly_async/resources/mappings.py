"""The dataset's sample order (beyond the seeds): ``GET /v1/datasets/{datasetId}/mappings``.

Every bitmask's bit ``i`` is the ``i``-th entry of this order (lightly 1.5.20's
``MappingsApi``: "List index is the index of the sample2bitmask mapping"). It is paged by
``pageSize``/``pageOffset``; lightly's own client asks 25000 at a time.
"""

from __future__ import annotations

import builtins

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._constants import DEFAULT_MAPPING_PAGE_SIZE
from lightly_async._offset_pager import OffsetPager
from lightly_async.errors import InvalidInputError
from lightly_async.resources._base import DatasetResource

__all__ = ["DEFAULT_MAPPING_PAGE_SIZE", "Mappings"]


class Mappings(DatasetResource):
    """``dataset.mappings``: sample fields listed in index (bitmask) order."""

    __slots__ = ()

    async def file_names(
        self, *, page_size: int = DEFAULT_MAPPING_PAGE_SIZE
    ) -> builtins.list[str]:
        """Every sample's file name; entry ``i`` is bit ``i`` of every tag's bitmask."""
        return await self._field("fileName", page_size)

    async def sample_ids(
        self, *, page_size: int = DEFAULT_MAPPING_PAGE_SIZE
    ) -> builtins.list[str]:
        """Every sample's id, in the same order as :meth:`file_names`."""
        return await self._field("_id", page_size)

    async def _field(self, field: str, page_size: int) -> builtins.list[str]:
        size = check.non_negative_int("page_size", page_size)
        if size < 1:
            raise InvalidInputError("page_size", "must be >= 1")

        async def page(offset: int, limit: int) -> builtins.list[str]:
            return await self._call(
                op.GET_SAMPLE_MAPPINGS_BY_DATASET_ID, cast=builtins.list[str],
                params={"field": field, "pageSize": limit, "pageOffset": offset})

        return await OffsetPager(page, size).collect()
