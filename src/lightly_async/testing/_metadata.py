"""Custom metadata configurations in the fake (lightly 1.5.20's
``MetaDataConfigurationsApi``), with their ``ROUTES``.

The samples' custom metadata itself is set through the samples' ``PUT``
(``testing/_samples.py``). Guesses about the real service made here:

* A configuration's ``name`` and each entry's ``name`` and ``path`` are non-empty, and the
  entries' names are unique within it (400 otherwise); several configurations may share a
  name. ``defaultValue`` is stored as sent. Configurations are listed in creation order.
* ``PUT .../configuration/metadata/{configurationId}`` replaces its name and entries.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async.models import (
    ConfigurationData,
    ConfigurationSetRequest,
    ConfigurationValueDataType,
    CreateEntityResponse,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import Dataset, FakeApiError, User, check_object_id

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "MetadataConfigOps"]


class MetadataConfigOps:
    """The custom metadata configuration operations over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def create(self, user: User, dataset_id: str,
               body: ConfigurationSetRequest) -> CreateEntityResponse:
        """``POST /v1/datasets/{datasetId}/configuration/metadata``."""
        dataset = self._store.dataset(user, dataset_id)
        _check(body)
        now = self._store.now_ms()
        config = ConfigurationData(id=self._store.new_id(), name=body.name,
                                   configs=list(body.configs), created_at=now,
                                   last_modified_at=now)
        dataset.metadata_configs[config.id] = config
        return CreateEntityResponse(id=config.id)

    def list(self, user: User, dataset_id: str) -> builtins.list[ConfigurationData]:
        """``GET /v1/datasets/{datasetId}/configuration/metadata``."""
        return builtins.list(self._store.dataset(user, dataset_id).metadata_configs.values())

    def get(self, user: User, dataset_id: str, config_id: str) -> ConfigurationData:
        """``GET /v1/datasets/{datasetId}/configuration/metadata/{configurationId}``."""
        return _config(self._store.dataset(user, dataset_id), config_id)

    def update(self, user: User, dataset_id: str, config_id: str,
               body: ConfigurationSetRequest) -> None:
        """``PUT /v1/datasets/{datasetId}/configuration/metadata/{configurationId}``."""
        dataset = self._store.dataset(user, dataset_id)
        old = _config(dataset, config_id)
        _check(body)
        dataset.metadata_configs[config_id] = ConfigurationData(
            id=config_id, name=body.name, configs=list(body.configs),
            created_at=old.created_at, last_modified_at=self._store.now_ms())


def _config(dataset: Dataset, config_id: str) -> ConfigurationData:
    check_object_id(config_id, "configurationId")
    found: ConfigurationData | None = dataset.metadata_configs.get(config_id)
    if found is None:
        raise FakeApiError.of("METADATA_CONFIGURATION_UNKNOWN",
                              f"no metadata configuration {config_id}")
    return found


def _check(body: ConfigurationSetRequest) -> None:
    if not body.name:
        raise FakeApiError.of("MALFORMED_REQUEST", "name must not be empty")
    allowed = [t.value for t in ConfigurationValueDataType]
    seen: set[str] = set()
    for i, entry in enumerate(body.configs):
        if not entry.name or not entry.path:
            raise FakeApiError.of("MALFORMED_REQUEST", f"configs[{i}]: empty name or path")
        kind = str(getattr(entry.value_data_type, "value", entry.value_data_type))
        if kind not in allowed:
            raise FakeApiError.of("MALFORMED_REQUEST",
                                  f"configs[{i}].valueDataType must be one of {allowed}")
        if entry.name in seen:
            raise FakeApiError.of("MALFORMED_REQUEST", f"configs[{i}]: name {entry.name!r} "
                                                       "appears twice")
        seen.add(entry.name)


def _create(c: RequestContext) -> Any:
    return MetadataConfigOps(c.store).create(c.user, c.ds, c.body)


def _list(c: RequestContext) -> Any:
    return MetadataConfigOps(c.store).list(c.user, c.ds)


def _get(c: RequestContext) -> Any:
    return MetadataConfigOps(c.store).get(c.user, c.ds, c.path("configurationId"))


def _update(c: RequestContext) -> Any:
    return MetadataConfigOps(c.store).update(c.user, c.ds, c.path("configurationId"), c.body)


ROUTES: Final = [
    OperationRoute(op.CREATE_META_DATA_CONFIGURATION, _create, ConfigurationSetRequest, 201),
    OperationRoute(op.GET_META_DATA_CONFIGURATIONS, _list),
    OperationRoute(op.GET_META_DATA_CONFIGURATION_BY_ID, _get),
    OperationRoute(op.UPDATE_META_DATA_CONFIGURATION_BY_ID, _update, ConfigurationSetRequest),
]
"""The metadata configuration routes, as ``_app.py`` mounts them."""
