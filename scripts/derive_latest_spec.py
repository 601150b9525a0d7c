"""Derive ``spec/latest/lightly-api-latest.yaml`` from lightly 1.5.20's generated models.

A development-time tool, never run by the tests (they read only the vendored YAML). It needs
the ``lightly==1.5.20`` package importable, without its torch stack, in a scratch environment
(not the project's test dependencies)::

    python3.11 -m venv /tmp/lightly-ref
    /tmp/lightly-ref/bin/pip install --no-deps lightly==1.5.20   # or the wheel file
    /tmp/lightly-ref/bin/pip install pydantic python-dateutil urllib3 aenum pyyaml
    /tmp/lightly-ref/bin/python scripts/derive_latest_spec.py > spec/latest/lightly-api-latest.yaml

(An unpacked copy of the package works too: put the directory holding ``lightly/`` first on
``PYTHONPATH``.) The output is OpenAPI 3.0.3 ``components.schemas`` for every body the 30 seed
operations send or receive, in their newest shape, plus ``x-operation-bodies`` naming which
schema each operation sends and receives. String ``pattern``s come from the models' validators;
descriptions are not carried over.
"""

from __future__ import annotations

import enum
import inspect
import re
import sys
import typing
from typing import Any

import yaml

#: operation -> (request body, response body); ``[X]`` is an array of X.
OPERATIONS: dict[str, tuple[str | None, str | None]] = {
    "trigger_sampling_by_id": ("SamplingCreateRequest", "AsyncTaskData"),
    "get_datasource_by_dataset_id": (None, "DatasourceConfig"),
    "update_datasource_by_dataset_id": ("DatasourceConfig", None),
    "verify_datasource_by_dataset_id": (None, "DatasourceConfigVerifyData"),
    "get_datasource_processed_until_timestamp_by_dataset_id": (
        None, "DatasourceProcessedUntilTimestampResponse"),
    "update_datasource_processed_until_timestamp_by_dataset_id": (
        "DatasourceProcessedUntilTimestampRequest", None),
    "get_list_of_raw_samples_from_datasource_by_dataset_id": (None, "DatasourceRawSamplesData"),
    "create_or_update_prediction_by_sample_id": ("[PredictionSingleton]", "CreateEntityResponse"),
    "get_prediction_by_sample_id": (None, "[PredictionSingleton]"),
    "get_predictions_by_dataset_id": (None, "[[PredictionSingleton]]"),
    "create_or_update_prediction_task_schema_by_dataset_id": (
        "PredictionTaskSchema", "CreateEntityResponse"),
    "get_prediction_task_schema_by_task_name": (None, "PredictionTaskSchema"),
    "get_prediction_task_schemas_by_dataset_id": (None, "PredictionTaskSchemas"),
    "create_initial_tag_by_dataset_id": ("InitialTagCreateRequest", "CreateEntityResponse"),
    "create_tag_by_dataset_id": ("TagCreateRequest", "CreateEntityResponse"),
    "delete_tag_by_tag_id": (None, None),
    "export_tag_to_label_box_data_rows": (None, "[LabelBoxDataRow]"),
    "export_tag_to_label_studio_tasks": (None, "[LabelStudioTask]"),
    "get_filenames_by_tag_id": (None, "[string]"),
    "get_tag_by_tag_id": (None, "TagData"),
    "get_tags_by_dataset_id": (None, "[TagData]"),
    "perform_tag_arithmetics": ("TagArithmeticsRequest", "TagArithmeticsResponse"),
    "perform_tag_arithmetics_bitmask": ("TagArithmeticsRequest", "TagBitMaskResponse"),
    "update_tag_by_tag_id": ("TagUpdateRequest", None),
    "upsize_tags_by_dataset_id": ("TagUpsizeRequest", "CreateEntityResponse"),
    # polled after a sampling (session.jobs), and every error answer
    "get_job_status_by_id": (None, "JobStatusData"),
    "(any error)": (None, "ApiErrorResponse"),
}
#: The 2021 Samples operations moved to other paths in the newest API: out of scope here.
OUT_OF_SCOPE = ["get_sample_by_id", "get_sample_image_read_url_by_id",
                "get_sample_image_write_url_by_id", "get_samples_by_dataset_id",
                "update_sample_by_id"]


def main() -> None:
    from lightly.openapi_generated.swagger_client import models

    deriver = _Deriver(models)
    bodies: dict[str, dict[str, str]] = {}
    for operation, (request, response) in OPERATIONS.items():
        entry = {}
        for role, name in (("request", request), ("response", response)):
            if name is not None:
                deriver.root(name.strip("[]"))
                entry[role] = name
        bodies[operation] = entry
    document = {
        "openapi": "3.0.3",
        "info": {
            "title": "Lightly API: newest body shapes of the seed operations",
            "version": "lightly 1.5.20",
            "description": "Derived by scripts/derive_latest_spec.py from the generated models "
                           "of lightly==1.5.20; see spec/latest/NOTES.md.",
        },
        "paths": {},
        "x-operation-bodies": bodies,
        "x-out-of-scope": OUT_OF_SCOPE,
        "components": {"schemas": dict(sorted(deriver.schemas.items()))},
    }
    yaml.safe_dump(document, sys.stdout, sort_keys=False, width=100)


class _Deriver:
    def __init__(self, models: Any) -> None:
        self.models = models
        self.schemas: dict[str, Any] = {}

    def root(self, name: str) -> None:
        if name != "string":
            self.ref(getattr(self.models, name))

    def ref(self, cls: type) -> dict[str, str]:
        name = cls.__name__
        if name not in self.schemas:
            self.schemas[name] = {}  # reserve: recursive models
            self.schemas[name] = self.enum(cls) if issubclass(cls, enum.Enum) else self.model(cls)
        return {"$ref": f"#/components/schemas/{name}"}

    @staticmethod
    def enum(cls: type[enum.Enum]) -> dict[str, Any]:
        return {"type": "string", "enum": [m.value for m in cls]}

    def model(self, cls: Any) -> dict[str, Any]:
        one_of = getattr(sys.modules[cls.__module__], _one_of_constant(cls), None)
        if one_of is not None:
            return self.union(cls, one_of)
        properties: dict[str, Any] = {}
        required: list[str] = []
        extra = False
        for name, field in cls.__fields__.items():
            if name == "additional_properties":
                extra = True
                continue
            schema = self.type(field.outer_type_)
            pattern = _pattern(cls, name)
            if pattern is not None and schema.get("type") == "string":
                schema["pattern"] = pattern
            if field.allow_none:
                schema = _nullable(schema)
            properties[field.alias] = schema
            if field.required:
                required.append(field.alias)
        out: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            out["required"] = required
        if extra:
            out["additionalProperties"] = True
        return out

    def union(self, cls: Any, members: list[str]) -> dict[str, Any]:
        """A oneOf by ``type``: the tag values come from the model's ``from_json``."""
        source = inspect.getsource(cls.from_json)
        mapping: dict[str, str] = {}
        for tag, member in re.findall(
                r'_data_type == "([^"]+)":\s*\n\s*instance\.actual_instance = (\w+)\.from_json',
                source):
            if tag != member:  # the generator also accepts class names as tags: skip those
                mapping[tag] = f"#/components/schemas/{member}"
        refs = [self.ref(getattr(self.models, m)) for m in members]
        out: dict[str, Any] = {"oneOf": refs}
        if mapping:
            out["discriminator"] = {"propertyName": "type",
                                    "mapping": dict(sorted(mapping.items()))}
            for member in members:  # each member's `type` holds only its own tags
                tags = sorted(t for t, ref in mapping.items() if ref.endswith(f"/{member}"))
                self.schemas[member]["properties"]["type"]["enum"] = tags
        return out

    def type(self, tp: Any) -> dict[str, Any]:
        origin = typing.get_origin(tp)
        if origin is typing.Union:
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            schemas = [self.type(a) for a in members]
            kinds = {s.get("type") for s in schemas}
            if kinds <= {"number", "integer"} and "number" in kinds:
                return _merge_numbers(schemas)
            return {"oneOf": schemas}
        if origin in (list, typing.List):  # noqa: UP006 (the models use typing.List)
            return {"type": "array", "items": self.type(typing.get_args(tp)[0])}
        if origin in (dict, typing.Dict):  # noqa: UP006
            return {"type": "object", "additionalProperties": True}
        if tp is Any or tp is object:
            return {}
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum) or hasattr(tp, "__fields__"):
                return self.ref(tp)
            if issubclass(tp, bool) or tp.__name__ == "StrictBool":  # pydantic's is an int
                return {"type": "boolean"}
            if issubclass(tp, int):
                return _bounds({"type": "integer"}, tp)
            if issubclass(tp, float):
                return _bounds({"type": "number"}, tp)
            if issubclass(tp, str):
                out: dict[str, Any] = {"type": "string"}
                if getattr(tp, "min_length", None):
                    out["minLength"] = tp.min_length
                return out
            if issubclass(tp, list):  # conlist(...)
                out = {"type": "array", "items": self.type(tp.item_type)}
                if getattr(tp, "min_items", None) is not None:
                    out["minItems"] = tp.min_items
                if getattr(tp, "max_items", None) is not None:
                    out["maxItems"] = tp.max_items
                return out
        raise TypeError(f"no JSON schema for {tp!r}")


def _pattern(cls: Any, field: str) -> str | None:
    """The regular expression a field's generated validator checks, if any."""
    for validator in cls.__validators__.get(field, []):
        found = re.search(r're\.match\(r"(.+)", value\)', inspect.getsource(validator.func))
        if found:
            return found.group(1)
    return None


def _one_of_constant(cls: type) -> str:
    return re.sub(r"\W", "", cls.__name__).upper() + "_ONE_OF_SCHEMAS"


def _bounds(schema: dict[str, Any], tp: Any) -> dict[str, Any]:
    for attr, key in (("ge", "minimum"), ("le", "maximum")):
        value = getattr(tp, attr, None)
        if value is not None:
            schema[key] = value
    return schema


def _merge_numbers(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """``Union[confloat(...), conint(...)]`` (same bounds): a JSON number."""
    out = dict(next(s for s in schemas if s.get("type") == "number"))
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema or "oneOf" in schema:
        return {"allOf": [schema], "nullable": True} if "$ref" in schema else {
            **schema, "nullable": True}
    return {**schema, "nullable": True}


if __name__ == "__main__":
    main()
