"""Custom metadata of a dataset's samples and its configurations (lightly 1.5.20's
``upload_custom_metadata``, ``create_custom_metadata_config`` and the
``MetaDataConfigurationsApi``).

Custom metadata is a sample's ``custom_meta_data`` JSON; a configuration tells the web app
which of its fields to show and how to read them.
"""

from __future__ import annotations

import builtins
from collections.abc import Hashable, Iterable, Mapping
from functools import partial
from typing import Any

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async.bulk import BulkResult, run_bulk
from lightly_async.errors import InvalidInputError, NameNotFoundError
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.metadata import (
    ConfigurationData,
    ConfigurationEntry,
    ConfigurationSetRequest,
    ConfigurationValueDataType,
)
from lightly_async.models.samples import SampleData, SampleUpdateRequest
from lightly_async.progress import ProgressArg, check_progress
from lightly_async.resources._base import DatasetResource

__all__ = ["FILE_NAMES_PAGE_SIZE", "Metadata", "MetadataConfigs"]

FILE_NAMES_PAGE_SIZE = 25_000
"""Samples asked for per page when matching file names (what lightly 1.5.20 uses)."""


class MetadataConfigs(DatasetResource):
    """``dataset.metadata.configs``: how the web app reads the custom metadata."""

    __slots__ = ()

    async def create(
        self, name: str, configs: Iterable[ConfigurationEntry | Mapping[str, Any]]
    ) -> ConfigurationData:
        """Create a configuration (lightly 1.5.20's ``create_custom_metadata_config``) and
        return it as stored (a second request). Each entry is a :class:`ConfigurationEntry`
        or a dict ``{name, path, defaultValue, valueDataType}`` (snake_case keys also
        accepted)."""
        if not isinstance(name, str) or not name:
            raise InvalidInputError("name", f"must be a non-empty string, got {name!r:.80}")
        if isinstance(configs, str | bytes | Mapping) or not isinstance(configs, Iterable):
            raise InvalidInputError("configs", "must be a list of configuration entries")
        entries = [_entry(f"configs[{i}]", e) for i, e in enumerate(configs)]
        body = ConfigurationSetRequest(name=name, configs=entries)
        created = await self._call(op.CREATE_META_DATA_CONFIGURATION, cast=CreateEntityResponse,
                                   json_body=self._dump(body), replay_safe=False)
        return await self.get(created.id)

    async def get(self, configuration_id: str) -> ConfigurationData:
        """One configuration."""
        configuration_id = check.object_id("configuration_id", configuration_id)
        return await self._call(op.GET_META_DATA_CONFIGURATION_BY_ID, cast=ConfigurationData,
                                configurationId=configuration_id)

    async def list(self) -> builtins.list[ConfigurationData]:
        """Every configuration of the dataset."""
        return await self._call(op.GET_META_DATA_CONFIGURATIONS,
                                cast=builtins.list[ConfigurationData])


class Metadata(DatasetResource):
    """``dataset.metadata``: custom metadata of the samples, and its configurations."""

    __slots__ = ()

    @property
    def configs(self) -> MetadataConfigs:
        """The dataset's custom metadata configurations."""
        return MetadataConfigs(self._session, self._dataset_id)

    async def upload(
        self,
        custom_metadata: Mapping[str, Any],
        *,
        concurrency: int | None = None,
        progress: ProgressArg = None,
    ) -> BulkResult[str, str]:
        """Set the samples' custom metadata from a COCO-style dict, one update per sample
        (lightly 1.5.20's ``upload_custom_metadata``); returns each file name's outcome.

        The dict::

            {"images": [{"file_name": "a.jpg", "id": 0}, ...],
             "metadata": [{"image_id": 0, "weather": "sunny", ...}, ...]}

        Each ``metadata`` entry (whole, ``image_id`` included, as 1.5.20 stores it) becomes
        the ``custom_meta_data`` of the sample whose file name its image has. The result is
        keyed by file name (``results``: the sample id); a file name no sample of the
        dataset has is reported as that item's :class:`NameNotFoundError` in ``failed``,
        the others still uploaded. A malformed dict (missing keys, an ``image_id`` no image
        has, duplicate ids) raises :class:`InvalidInputError` before any request.
        Needs the newest API (``api="latest"``): the seed era's has no custom metadata.
        """
        plan = _plan(custom_metadata)
        if concurrency is not None:
            check.positive_int("concurrency", concurrency)
        check_progress(progress)
        if self._session.api == "seed":
            raise InvalidInputError("custom_metadata",
                                    'custom metadata is not in the seed API (api="seed")')
        samples = await self._session.dataset(self._dataset_id).samples.list(
            mode="fileNames", page_size=FILE_NAMES_PAGE_SIZE)
        sample_ids = _ids_by_file_name(samples)
        known = {name: meta for name, meta in plan.items() if name in sample_ids}
        result: BulkResult[str, str] = await run_bulk(
            self._session,
            ((name, partial(self._set, sample_ids[name], meta)) for name, meta in known.items()),
            concurrency=concurrency, progress=progress, description="custom metadata")
        for name in plan.keys() - known.keys():
            result.failed[name] = NameNotFoundError("sample", name, by="with file name")
        return result

    async def _set(self, sample_id: str, meta: dict[str, Any]) -> str:
        body = SampleUpdateRequest(custom_meta_data=meta)
        await self._call(op.UPDATE_SAMPLE_BY_ID, json_body=self._dump(body), sampleId=sample_id)
        return sample_id


def _plan(custom_metadata: object) -> dict[str, dict[str, Any]]:
    """file name -> its metadata entry, the dict checked whole."""
    if not isinstance(custom_metadata, Mapping):
        raise InvalidInputError("custom_metadata", "must be a dict with 'images' and 'metadata'")
    for key in ("images", "metadata"):
        if not isinstance(custom_metadata.get(key), list):
            raise InvalidInputError(f"custom_metadata[{key!r}]", "must be a list")
    names: dict[Hashable, str] = {}
    for i, image in enumerate(custom_metadata["images"]):
        where = f"custom_metadata['images'][{i}]"
        if not isinstance(image, Mapping) or "file_name" not in image or "id" not in image:
            raise InvalidInputError(where, "must be a dict with 'file_name' and 'id'")
        file_name, image_id = image["file_name"], image["id"]
        if not isinstance(file_name, str) or not file_name:
            raise InvalidInputError(f"{where}['file_name']", f"must be a non-empty string, got "
                                                             f"{file_name!r:.80}")
        if not isinstance(image_id, Hashable) or image_id in names:
            raise InvalidInputError(f"{where}['id']", f"must be a unique id, got {image_id!r:.80}")
        names[image_id] = file_name
    plan: dict[str, dict[str, Any]] = {}
    for i, meta in enumerate(custom_metadata["metadata"]):
        where = f"custom_metadata['metadata'][{i}]"
        if not isinstance(meta, Mapping) or "image_id" not in meta:
            raise InvalidInputError(where, "must be a dict with 'image_id'")
        image_id = meta["image_id"]
        file_name = names.get(image_id) if isinstance(image_id, Hashable) else None
        if file_name is None:
            raise InvalidInputError(f"{where}['image_id']",
                                    f"no image has the id {image_id!r:.80}")
        if file_name in plan:
            raise InvalidInputError(f"{where}['image_id']",
                                    f"a second metadata entry for {file_name!r}")
        plan[file_name] = dict(meta)
    return plan


def _ids_by_file_name(samples: Iterable[SampleData]) -> dict[str, str]:
    return {s.file_name: s.id for s in samples if s.file_name is not None}


def _entry(where: str, entry: object) -> ConfigurationEntry:
    fields: dict[str, Any]
    if isinstance(entry, ConfigurationEntry):
        fields = {"name": entry.name, "path": entry.path, "default_value": entry.default_value,
                  "value_data_type": entry.value_data_type}
    elif isinstance(entry, Mapping):
        aliases = {"defaultValue": "default_value", "valueDataType": "value_data_type"}
        fields = {aliases.get(str(k), str(k)): v for k, v in entry.items()}
        unknown = sorted(set(fields) - {"name", "path", "default_value", "value_data_type"})
        if unknown:
            raise InvalidInputError(where, f"unknown keys {unknown}")
        for key in ("name", "path", "default_value", "value_data_type"):
            if key not in fields:
                raise InvalidInputError(where, f"lacks {key!r}")
    else:
        raise InvalidInputError(where, f"must be a ConfigurationEntry or a dict, got "
                                       f"{entry!r:.80}")
    for key in ("name", "path"):
        if not isinstance(fields[key], str) or not fields[key]:
            raise InvalidInputError(f"{where}.{key}", f"must be a non-empty string, got "
                                                      f"{fields[key]!r:.80}")
    return ConfigurationEntry(
        name=fields["name"], path=fields["path"], default_value=fields["default_value"],
        value_data_type=check.enum_value(f"{where}.value_data_type", fields["value_data_type"],
                                         ConfigurationValueDataType))
