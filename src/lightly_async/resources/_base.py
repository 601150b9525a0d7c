"""What every resource shares: its session and the bound verb that sends an operation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from lightly_async._convert import get_converter

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from lightly_async._operation import Operation
    from lightly_async._session import LightlySession
    from lightly_async._transfer import IfExists, TransferTimeout

T = TypeVar("T")


class Resource:
    """Base of the resources: holds the session and sends declared operations through it."""

    __slots__ = ("_session",)

    def __init__(self, session: LightlySession) -> None:
        self._session = session

    def _path_params(self) -> dict[str, str]:
        """Path parameters every operation of this resource takes (``datasetId``, …)."""
        return {}

    @overload
    async def _call(
        self, op: Operation, *, cast: type[T], params: Mapping[str, Any] | None = ...,
        json_body: Any = ..., replay_safe: bool | None = ...,
        **path: str,
    ) -> T: ...

    @overload
    async def _call(
        self, op: Operation, *, cast: None = ..., params: Mapping[str, Any] | None = ...,
        json_body: Any = ..., replay_safe: bool | None = ...,
        **path: str,
    ) -> None: ...

    @overload
    async def _call(
        self, op: Operation, *, cast: Any, params: Mapping[str, Any] | None = ...,
        json_body: Any = ..., replay_safe: bool | None = ...,
        **path: str,
    ) -> Any: ...

    async def _call(
        self,
        op: Operation,
        *,
        cast: Any = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        replay_safe: bool | None = None,
        **path: str,
    ) -> Any:
        """Send ``op`` (its path filled from ``path`` and this resource's own parameters, in
        the session's dialect) and decode the answer into ``cast``."""
        session = self._session
        url = op.path_for(session.api, **self._path_params(), **path)
        return await session._request(op.method, url, cast=cast, params=params,
                                      json_body=json_body, replay_safe=replay_safe)

    async def _upload_to(self, url: str, source: bytes | str | os.PathLike[str], *,
                      transfer_timeout: TransferTimeout) -> None:
        """PUT ``source`` to a signed URL, through the session's retry loop."""
        await self._session._upload(url, source, transfer_timeout=transfer_timeout)

    async def _download_from(self, url: str, dest: Path, *, if_exists: IfExists,
                        transfer_timeout: TransferTimeout, max_size: int | None = None,
                        ) -> str | None:
        """Stream a signed URL to ``dest``, through the session's retry loop."""
        return await self._session._download(url, dest, if_exists=if_exists,
                                             transfer_timeout=transfer_timeout,
                                             max_size=max_size)

    @staticmethod
    def _dump(obj: Any, as_type: Any = None) -> Any:
        return get_converter().unstructure(obj, unstructure_as=as_type)


class DatasetResource(Resource):
    """Base of the dataset sub-resources: holds the session and the dataset's id."""

    __slots__ = ("_dataset_id",)

    def __init__(self, session: LightlySession, dataset_id: str) -> None:
        super().__init__(session)
        self._dataset_id = dataset_id

    @property
    def dataset_id(self) -> str:
        """The id of the dataset this resource belongs to."""
        return self._dataset_id

    def _path_params(self) -> dict[str, str]:
        return {"datasetId": self._dataset_id}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of dataset {self._dataset_id}>"
