"""The newest API's differences from the seed contract, for ``FakeLightly(api="latest")``.

The newest public description of the API is lightly 1.5.20's. The client's models carry the
fields and variants of both contracts, so the fake parses every body with them (the strict
converter still refuses keys neither contract knows); this module says what only the newest
API has (:func:`newest_only`, refused with ``api="seed"``) and re-renders the seed answers in
the newest shapes (:func:`tag_json`, :func:`verify_json`, :func:`task_schemas_json`,
:func:`datasource_json`, :func:`error_json`).
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from lightly_async._constraints import OneOf
from lightly_async._convert.wire_names import wire_name

__all__ = [
    "API_MODES",
    "DATASOURCE_PURPOSES",
    "DEFAULT_PURPOSE",
    "check_api",
    "datasource_json",
    "error_json",
    "newest_only",
    "tag_json",
    "task_schemas_json",
    "verify_json",
]

API_MODES: Final = ("seed", "latest")
"""``FakeLightly(api=...)``: the seed contract or the newest public API (the default)."""

DATASOURCE_PURPOSES: Final = OneOf("DatasourcePurpose", ("INPUT_OUTPUT", "INPUT", "LIGHTLY"))
DEFAULT_PURPOSE: Final = "INPUT_OUTPUT"


def check_api(api: str) -> str:
    """``api`` if it names a mode, else a ``ValueError`` listing them."""
    if api not in API_MODES:
        raise ValueError(f"api must be one of {', '.join(map(repr, API_MODES))}, got {api!r}")
    return api


# -- what the seed contract lacks ---------------------------------------------------------------
_NEWEST_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "InitialTagCreateRequest": ("run_id",),
    "TagCreateRequest": ("run_id",),
    "TagUpdateRequest": ("update_creator", "bit_mask_data", "changes"),
    "TagUpsizeRequest": ("run_id",),
    "TagArithmeticsRequest": ("run_id",),
    "DatasourceConfigS3": ("id", "purpose", "s3_server_side_encryption_kms_key"),
    "DatasourceConfigGCS": ("id", "purpose"),
    "DatasourceConfigAzure": ("id", "purpose"),
    "DatasourceConfigLOCAL": ("id", "purpose", "web_server_location"),
    "DatasourceConfigLIGHTLY": ("id", "purpose"),
    "PredictionSingletonKeypointDetection": ("bbox",),
    "PredictionSingletonInstanceSegmentation": ("bbox", "probabilities"),
    "SampleData": ("type", "dataset_id", "file_name", "exif", "index", "created_at",
                   "last_modified_at", "meta_data", "custom_meta_data", "video_frame_data",
                   "crop_data"),
}
"""Per request model: the fields only the newest API has (the client's models carry both)."""

_NEWEST_CLASSES: Final = frozenset({
    "DatasourceConfigS3DelegatedAccess", "DatasourceConfigOBS",
    "PredictionSingletonSemanticSegmentation",
})
"""Union variants only the newest API has."""


def newest_only(value: Any) -> list[str]:
    """The newest-only parts of a parsed request body (the seed contract refuses them)."""
    if isinstance(value, list):
        return [part for item in value for part in newest_only(item)]
    if not attrs.has(type(value)):
        return []
    names = [c.__name__ for c in type(value).__mro__]
    if _NEWEST_CLASSES.intersection(names):
        return [f"type {getattr(value, 'type', names[0])!r}"]
    fields = {f for name in names for f in _NEWEST_FIELDS.get(name, ())}
    by_name = attrs.fields_dict(type(value))
    found = [wire_name(by_name[f]) for f in sorted(fields) if getattr(value, f, None) is not None]
    # and inside: the seed's sample update wraps a SampleData
    return found + [part for a in attrs.fields(type(value)) if a.name not in fields
                    for part in newest_only(getattr(value, a.name))]


# -- answers ------------------------------------------------------------------------------------
def tag_json(seed: dict[str, Any], history: list[dict[str, Any]], run_id: str | None) -> Any:
    """A ``TagData`` answer: ``changes`` as the list of change entries, ``runId``."""
    out = {k: v for k, v in seed.items() if k != "changes"}
    if history:
        out["changes"] = history
    if run_id is not None:
        out["runId"] = run_id
    return out


def verify_json(flags: tuple[bool, bool, bool, bool]) -> dict[str, Any]:
    """A ``DatasourceConfigVerifyData`` answer with ``canOverwrite`` and per-check errors."""
    names = ("canRead", "canWrite", "canList", "canOverwrite")
    out: dict[str, Any] = dict(zip(names, flags, strict=True))
    errors = {name: f"{name} check failed (set by FakeLightly.set_verify)"
              for name, ok in zip(names, flags, strict=True) if not ok}
    if errors:
        out["errors"] = errors
    return out


def task_schemas_json(version: int, schemas: list[Any]) -> dict[str, Any]:
    """A ``PredictionTaskSchemas`` answer."""
    return {"predictionUUIDTimestamp": version, "schemas": schemas}


def datasource_json(seed: dict[str, Any], purpose: str | None) -> dict[str, Any]:
    """A ``DatasourceConfig`` answer: ``purpose`` always present (required in the newest API)."""
    return {**seed, "purpose": purpose or DEFAULT_PURPOSE}


def error_json(code: str, message: str, request_id: str) -> dict[str, Any]:
    """An ``ApiErrorResponse`` in the newest shape."""
    return {"code": code, "error": message, "requestId": request_id}
