"""What every dataset sub-resource shares: its session, dataset id and converter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lightly_async._convert import get_converter

if TYPE_CHECKING:
    from lightly_async._session import LightlySession


class DatasetResource:
    """Base of the sub-resources: holds the session and the dataset's id."""

    __slots__ = ("_dataset_id", "_session")

    def __init__(self, session: LightlySession, dataset_id: str) -> None:
        self._session = session
        self._dataset_id = dataset_id

    @property
    def dataset_id(self) -> str:
        """The id of the dataset this resource belongs to."""
        return self._dataset_id

    def _path(self, prefix: str, *parts: str) -> str:
        return "/".join((f"{prefix}/datasets/{self._dataset_id}", *parts))

    def _v1(self, *parts: str) -> str:
        return self._path("/v1", *parts)

    @staticmethod
    def _dump(obj: Any, as_type: Any = None) -> Any:
        return get_converter().unstructure(obj, unstructure_as=as_type)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of dataset {self._dataset_id}>"
