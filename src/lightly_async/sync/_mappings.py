"""``dataset.mappings``, synchronously: the sample order."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from lightly_async.resources.mappings import DEFAULT_MAPPING_PAGE_SIZE
from lightly_async.sync._base import Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio

__all__ = ["Mappings"]


class Mappings(Resource):
    """``dataset.mappings``: sample fields listed in index (bitmask) order."""

    __slots__ = ()
    _aio: aio.Mappings

    def file_names(self, *, page_size: int = DEFAULT_MAPPING_PAGE_SIZE) -> builtins.list[str]:
        """Every sample's file name; entry ``i`` is bit ``i`` of every tag's bitmask."""
        return self._runner.call(self._aio.file_names, page_size=page_size)

    def sample_ids(self, *, page_size: int = DEFAULT_MAPPING_PAGE_SIZE) -> builtins.list[str]:
        """Every sample's id, in the same order as :meth:`file_names`."""
        return self._runner.call(self._aio.sample_ids, page_size=page_size)
