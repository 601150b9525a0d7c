"""Samples of the 2021 API: get, list, update and the signed image URLs."""

from __future__ import annotations

import builtins

from lightly_async import _validate as check
from lightly_async.errors import DecodeError, InvalidInputError
from lightly_async.models.samples import (
    ImageUrlType,
    InlineObject,
    InlineResponse200,
    SampleData,
    SampleListMode,
)
from lightly_async.resources._base import DatasetResource

__all__ = ["Samples"]


class Samples(DatasetResource):
    """``dataset.samples``: the dataset's samples (``/users/datasets/{id}/samples``)."""

    __slots__ = ()

    def _samples(self, *parts: str) -> str:
        return self._path("/users", "samples", *parts)

    async def get(self, sample_id: str) -> SampleData:
        """One sample."""
        sample_id = check.object_id("sample_id", sample_id)
        return await self._session._request("GET", self._samples(sample_id), cast=SampleData)

    async def list(
        self, *, mode: SampleListMode | str = SampleListMode.FULL, filename: str | None = None
    ) -> builtins.list[SampleData]:
        """Every sample; ``mode="ids"`` fills only ``id``; ``filename`` filters by name."""
        mode = check.enum_value("mode", mode, SampleListMode)
        if filename is not None and not isinstance(filename, str):
            raise InvalidInputError("filename", f"must be a string, got {filename!r}")
        return await self._session._request(
            "GET", self._samples(), cast=builtins.list[SampleData],
            params={"mode": mode.value, "filename": filename})

    async def update(self, sample_id: str, sample: SampleData) -> SampleData:
        """Update a sample; returns the sample as stored."""
        sample_id = check.object_id("sample_id", sample_id)
        if not isinstance(sample, SampleData):
            raise InvalidInputError("sample", f"must be a SampleData, got {sample!r}")
        body = self._dump(InlineObject(sample=sample))
        return await self._session._request(
            "PUT", self._samples(sample_id), cast=SampleData, json_body=body)

    async def read_url(self, sample_id: str, *, type: ImageUrlType | str = "full") -> str:
        """A signed URL to read the full image or its thumbnail."""
        sample_id = check.object_id("sample_id", sample_id)
        kind = check.enum_value("type", type, ImageUrlType)
        return await self._session._request(
            "GET", self._samples(sample_id, "readurl"), cast=str, params={"type": kind.value})

    async def write_url(self, sample_id: str, file_name: str) -> str:
        """A signed URL to PUT the image (or ``<stem>_thumb.webp`` thumbnail) to."""
        sample_id = check.object_id("sample_id", sample_id)
        if not isinstance(file_name, str) or not file_name:
            raise InvalidInputError("file_name", f"must be a non-empty string, got "
                                          f"{file_name!r}")
        answer = await self._session._request(
            "GET", self._samples(sample_id, "writeurl"), cast=InlineResponse200,
            params={"fileName": file_name})
        if not answer.signed_write_url:
            raise DecodeError("write URL answer carries no signedWriteUrl", method="GET")
        return answer.signed_write_url
