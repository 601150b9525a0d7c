"""The Lightly Worker registry and its configs (``session.workers``).

A Lightly Worker is a container the user runs on their own machine; it registers under a name
and takes the scheduled runs whose ``runs_on`` labels it has. Operations of lightly 1.5.20's
``DockerApi``, used as its ``ApiWorkflowClient`` did.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Mapping
from typing import Any

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._worker_config import config_from
from lightly_async.errors import InvalidInputError
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.docker import (
    CreateDockerWorkerRegistryEntryRequest,
    Creator,
    DockerWorkerConfigOmniV4CreateRequest,
    DockerWorkerConfigOmniVXCreateRequest,
    DockerWorkerConfigV3Lightly,
    DockerWorkerConfigV4,
    DockerWorkerConfigV4Docker,
    DockerWorkerConfigVXData,
    DockerWorkerRegistryEntryData,
    DockerWorkerType,
    SelectionConfigV4,
)
from lightly_async.resources._base import Resource

__all__ = ["Workers", "build_config"]

_WORKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9 _-]+")

WorkerConfigArg = DockerWorkerConfigV4Docker | Mapping[str, Any] | None
LightlyConfigArg = DockerWorkerConfigV3Lightly | Mapping[str, Any] | None
SelectionConfigArg = SelectionConfigV4 | Mapping[str, Any] | None


class Workers(Resource):
    """``session.workers``: register, list, get and delete workers; store run configs."""

    __slots__ = ()

    async def register(self, name: str, *, labels: Iterable[str] = ()) -> str:
        """Register a worker; returns its id. A name already registered gives the existing
        worker's id (the server's rule, as with lightly 1.5.20)."""
        if not isinstance(name, str) or len(name) < 3 or not _WORKER_NAME.fullmatch(name):
            raise InvalidInputError("name", "must be 3+ letters, digits, spaces, '_' or '-', "
                                            f"starting with a letter or digit, got {name!r}")
        body = CreateDockerWorkerRegistryEntryRequest(
            name=name, worker_type=DockerWorkerType.FULL, labels=_labels("labels", labels),
            creator=Creator.USER_PIP)
        created = await self._call(op.REGISTER_DOCKER_WORKER, cast=CreateEntityResponse,
                                   json_body=self._dump(body), replay_safe=True)
        return created.id

    async def list(self) -> builtins.list[DockerWorkerRegistryEntryData]:
        """Every worker registered by the user."""
        return await self._call(op.GET_DOCKER_WORKER_REGISTRY_ENTRIES,
                                cast=builtins.list[DockerWorkerRegistryEntryData])

    async def get(self, worker_id: str) -> DockerWorkerRegistryEntryData:
        """One registered worker."""
        return await self._call(op.GET_DOCKER_WORKER_REGISTRY_ENTRY_BY_ID,
                                cast=DockerWorkerRegistryEntryData,
                                workerId=check.object_id("worker_id", worker_id))

    async def delete(self, worker_id: str) -> None:
        """Remove a worker from the registry."""
        await self._call(op.DELETE_DOCKER_WORKER_REGISTRY_ENTRY_BY_ID,
                         workerId=check.object_id("worker_id", worker_id))

    async def create_config(
        self,
        worker_config: WorkerConfigArg = None,
        lightly_config: LightlyConfigArg = None,
        selection_config: SelectionConfigArg = None,
    ) -> str:
        """Store a worker config (V4) and return its id.

        Each part is a model (``DockerWorkerConfigV4Docker``, ``DockerWorkerConfigV3Lightly``,
        ``SelectionConfigV4``) or a snake_case dict, checked before anything is sent (an
        unknown key is an :class:`InvalidInputError` suggesting the closest valid one).
        """
        config = build_config(worker_config, lightly_config, selection_config)
        body = DockerWorkerConfigOmniV4CreateRequest(config=config, creator=Creator.USER_PIP)
        created = await self._call(
            op.CREATE_DOCKER_WORKER_CONFIG_VX, cast=CreateEntityResponse,
            json_body=self._dump(body, DockerWorkerConfigOmniVXCreateRequest), replay_safe=False)
        return created.id

    async def get_config(self, config_id: str) -> DockerWorkerConfigVXData:
        """A stored config, whatever its version (V0, V2, V3, V4; a newer one is kept as
        ``DockerWorkerConfigVXDataUnknown``)."""
        config: DockerWorkerConfigVXData = await self._call(
            op.GET_DOCKER_WORKER_CONFIG_VXBY_ID, cast=DockerWorkerConfigVXData,
            configId=check.object_id("config_id", config_id))
        return config


def build_config(
    worker_config: WorkerConfigArg = None,
    lightly_config: LightlyConfigArg = None,
    selection_config: SelectionConfigArg = None,
) -> DockerWorkerConfigV4:
    """The V4 config of the three parts (models or snake_case dicts), checked."""
    return DockerWorkerConfigV4(
        worker_type=DockerWorkerType.FULL,
        docker=None if worker_config is None else config_from(
            "docker", worker_config, DockerWorkerConfigV4Docker),
        lightly=None if lightly_config is None else config_from(
            "lightly", lightly_config, DockerWorkerConfigV3Lightly),
        selection=None if selection_config is None else config_from(
            "selection", selection_config, SelectionConfigV4),
    )


def _labels(field: str, labels: Iterable[str]) -> builtins.list[str]:
    if isinstance(labels, str | bytes):
        raise InvalidInputError(field, "must be a list of labels, not one string")
    out = builtins.list(labels)
    for label in out:
        if not isinstance(label, str) or not label:
            raise InvalidInputError(field, f"each label must be a non-empty string, got {label!r}")
    return out
