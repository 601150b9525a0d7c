"""Derive ``spec/latest/`` (the API description and its manifest) from lightly 1.5.20.

A development-time tool, never run by the tests (they read only the files it writes). It needs
the ``lightly==1.5.20`` package importable, without its torch stack, in a scratch environment
(not the project's test dependencies)::

    python3.11 -m venv /tmp/lightly-ref
    /tmp/lightly-ref/bin/pip install --no-deps lightly==1.5.20   # or the wheel file
    /tmp/lightly-ref/bin/pip install pydantic python-dateutil urllib3 aenum pyyaml
    /tmp/lightly-ref/bin/python scripts/derive_latest_spec.py

(An unpacked copy of the package works too: put the directory holding ``lightly/`` first on
``PYTHONPATH``.) It writes, deterministically (everything sorted):

* ``spec/latest/lightly-api-latest.yaml``: OpenAPI 3.0.3. ``paths`` holds every operation of
  the generated API classes (``api/*.py``), read from each ``*_with_http_info`` method: the
  ``call_api('/path', 'METHOD', ...)`` call, the path/query/body parameters and their pydantic
  annotations, ``_response_types_map``, the ``Accept``/``Content-Type`` lists, the auth settings,
  and ``deprecated`` where the method warns ``DeprecationWarning``. ``components.schemas`` holds
  every generated model (the exported ones and any an operation reaches): field aliases,
  required/optional, defaults, ``Optional`` as ``nullable``, strict types, numeric bounds,
  ``minLength``, ``minItems``/``maxItems``, enums, string ``pattern``s (from the models'
  validators) and the
  ``oneOf`` unions with their tags (``type``, ``version``). Model descriptions are not carried
  over; operation and parameter descriptions are. ``x-operation-bodies`` names the request and
  response schema of each seed operation (``[X]`` is an array of X; the tests' spec checker
  reads it), ``x-seed-renamed`` the seed operations 1.5.20 names otherwise.
* ``spec/latest/manifest.json``: per API class its operation ids, the totals, the deprecated
  operations, the enums and unions.

``--check`` writes nothing and fails if the files on disk differ from what would be written.
"""

from __future__ import annotations

import argparse
import ast
import enum
import http
import inspect
import json
import re
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "spec" / "latest"
SPEC = OUT / "lightly-api-latest.yaml"
MANIFEST = OUT / "manifest.json"
PACKAGE = "lightly.openapi_generated.swagger_client"

#: The seed operations (and ``get_job_status_by_id``, which ``session.jobs`` polls) -> (request
#: body, response body); ``[X]`` is an array of X. Written to ``x-operation-bodies``; each entry
#: is checked against the operation derived from the generated code.
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
    "get_job_status_by_id": (None, "JobStatusData"),
    "(any error)": (None, "ApiErrorResponse"),
}
#: Seed operations the generated client names otherwise (seed name -> 1.5.20 operation id).
RENAMED = {"get_prediction_by_sample_id": "get_predictions_by_sample_id"}
#: The 2021 Samples operations: the spec checker keeps the seed contract's bodies for their
#: seed-era ``/users/...`` paths (their newest paths are in ``paths`` like every operation).
OUT_OF_SCOPE = ["get_sample_by_id", "get_sample_image_read_url_by_id",
                "get_sample_image_write_url_by_id", "get_samples_by_dataset_id",
                "update_sample_by_id"]

#: Where the generated code lost a type: ``List[List]`` (the generator drops the inner type of
#: nested arrays). The inner type is the one ``create_or_update_prediction_by_sample_id`` sends.
RESPONSE_OVERRIDES = {("get_predictions_by_dataset_id", "200"): "List[List[PredictionSingleton]]"}

METHOD_ORDER = ("get", "put", "post", "patch", "delete")
ERROR = "ApiErrorResponse"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail if the files differ from what would be written")
    args = parser.parse_args()

    import importlib

    models = importlib.import_module(f"{PACKAGE}.models")
    apis = importlib.import_module(f"{PACKAGE}.api")
    configuration = importlib.import_module(f"{PACKAGE}.configuration")

    deriver = _Deriver(models)
    operations = [op for cls in _api_classes(apis) for op in _operations(cls, deriver)]
    exported = [obj for _, obj in sorted(vars(models).items())
                if isinstance(obj, type) and obj.__module__.startswith(f"{PACKAGE}.models.")]
    for cls in exported:
        deriver.ref(cls)
    bodies = _operation_bodies(operations)

    paths: dict[str, dict[str, Any]] = {}
    for op in sorted(operations, key=lambda o: (o.path, METHOD_ORDER.index(o.method))):
        paths.setdefault(op.path, {})[op.method] = op.openapi()
    tags = sorted({op.tag for op in operations})
    document = {
        "openapi": "3.0.3",
        "info": {
            "title": "Lightly API (newest public description)",
            "version": "lightly 1.5.20",
            "description": "Derived by scripts/derive_latest_spec.py from the generated client "
                           "of lightly==1.5.20; see spec/latest/NOTES.md.",
        },
        "servers": [{"url": "https://api.lightly.ai"}],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "x-operation-bodies": bodies,
        "x-out-of-scope": OUT_OF_SCOPE,
        "x-seed-renamed": RENAMED,
        "components": {
            "securitySchemes": _security_schemes(configuration),
            "schemas": dict(sorted(deriver.schemas.items())),
        },
    }
    schemas = deriver.schemas
    enums = sorted(n for n, s in schemas.items() if "enum" in s)
    unions = sorted(n for n, s in schemas.items() if "oneOf" in s)
    manifest = {
        "source": "lightly==1.5.20 (lightly/openapi_generated/swagger_client)",
        "description": "spec/latest/lightly-api-latest.yaml",
        "totals": {
            "api_classes": len(tags),
            "operations": len(operations),
            "deprecated_operations": sum(op.deprecated for op in operations),
            "paths": len(paths),
            "schemas": len(schemas),
            "model_classes": len(schemas) - len(enums),
            "enums": len(enums),
            "unions": len(unions),
            "exported_models": len(exported),
        },
        "api_classes": {t: {"count": sum(op.tag == t for op in operations),
                            "operations": sorted(op.operation_id for op in operations
                                                 if op.tag == t)} for t in tags},
        "deprecated_operations": sorted(op.operation_id for op in operations if op.deprecated),
        "enums": enums,
        "unions": unions,
        "not_exported_but_reachable": sorted(set(schemas) - {c.__name__ for c in exported}),
    }
    spec_text = yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)
    manifest_text = json.dumps(manifest, indent=1) + "\n"
    if args.check:
        stale = [p.name for p, text in ((SPEC, spec_text), (MANIFEST, manifest_text))
                 if not p.is_file() or p.read_text() != text]
        if stale:
            raise SystemExit(f"out of date: {', '.join(stale)}")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    SPEC.write_text(spec_text)
    MANIFEST.write_text(manifest_text)
    print(f"wrote {len(operations)} operations of {len(tags)} API classes, {len(schemas)} "
          f"schemas ({len(enums)} enums, {len(unions)} unions) to {OUT.relative_to(ROOT)}",
          file=sys.stderr)


def _api_classes(apis: Any) -> list[type]:
    return [obj for name, obj in sorted(vars(apis).items())
            if isinstance(obj, type) and name.endswith("Api")]


def _security_schemes(configuration: Any) -> dict[str, Any]:
    """From ``Configuration.auth_settings``: a bearer token and query-string API keys."""
    source = inspect.getsource(configuration.Configuration.auth_settings)
    out: dict[str, Any] = {}
    for name, body in re.findall(r"auth\['(\w+)'\] = \{(.*?)\}", source, re.S):
        fields = dict(re.findall(r"'(\w+)': '([^']*)'", body))
        if fields["type"] == "bearer":
            out[name] = {"type": "http", "scheme": "bearer", "bearerFormat": fields["format"]}
        else:
            out[name] = {"type": "apiKey", "in": fields["in"], "name": fields["key"]}
    return dict(sorted(out.items()))


class _Operation:
    """One generated operation, read from its ``*_with_http_info`` method."""

    def __init__(self, cls: type, name: str, deriver: _Deriver) -> None:
        self.tag, self.operation_id = cls.__name__, name
        method = getattr(cls, f"{name}_with_http_info")
        func = inspect.unwrap(method)
        node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
        assert isinstance(node, ast.FunctionDef)
        facts = _Facts(node)
        self.path, self.method = facts.path, facts.method.lower()
        self.deprecated = facts.deprecated
        self.description = _description(inspect.getdoc(getattr(cls, name)) or "")
        self.parameters: list[dict[str, Any]] = []
        self.request: dict[str, Any] | None = None
        self.request_name: str | None = None
        signature = inspect.signature(func)
        named = [p for p in signature.parameters.values()
                 if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD]
        assert [p.name for p in named] == facts.all_params, (name, facts.all_params)
        for param in named:
            tp, description = _unannotate(param.annotation)
            required = param.default is inspect.Parameter.empty
            schema = deriver.type(_unoptional(tp))
            if param.name == facts.body:
                self.request = {"required": required,
                                "content": {ct: {"schema": schema} for ct in facts.consumes}}
                self.request_name = _body_name(schema)
                continue
            where, key = ("path", facts.path_params[param.name]) if (
                param.name in facts.path_params) else ("query", facts.query_params[param.name])
            default = _default(description, schema, deriver.schemas)
            if default is not None:  # (siblings of a $ref are ignored in OpenAPI 3.0)
                schema = {"allOf": [schema], "default": default} if "$ref" in schema else {
                    **schema, "default": default}
            out: dict[str, Any] = {"name": key, "in": where}
            if description:
                out["description"] = description.strip()
            out["required"] = required or where == "path"
            if description.lower().startswith("deprecated"):
                out["deprecated"] = True
            if schema.get("type") == "array":
                assert facts.collection_formats.get(key) == "multi", (name, key)
                out["style"], out["explode"] = "form", True
            out["schema"] = schema
            self.parameters.append(out)
        for param_name in (*facts.path_params, *facts.query_params):
            assert param_name in facts.all_params, (name, param_name)
        self.responses: dict[str, Any] = {}
        self.response_name: str | None = None
        types = dict(facts.response_types)
        for (op, status), tp in RESPONSE_OVERRIDES.items():
            if op == name:
                types[status] = tp
        for status, tp in sorted(types.items()):
            phrase = http.HTTPStatus(int(status)).phrase
            if tp == ERROR:
                self.responses[status] = {"description": phrase, "content": {
                    "application/json": {"schema": deriver.ref(getattr(deriver.models, ERROR))}}}
                continue
            schema = deriver.response_type(tp, vars(sys.modules[cls.__module__]))
            content = {ct: {"schema": {"type": "string", "format": "binary"}
                            if tp == "bytearray" and ct != "application/json" else schema}
                       for ct in facts.produces if tp != "bytearray" or ct != "application/json"}
            self.responses[status] = {"description": phrase, "content": content}
            self.response_name = _body_name(schema)
        if not any(s.startswith("2") for s in self.responses):
            # the generator lists no status for an answer without a body
            self.responses["2XX"] = {"description": "Success (no body)"}
        self.security = [{scheme: []} for scheme in facts.auth]

    def openapi(self) -> dict[str, Any]:
        out: dict[str, Any] = {"operationId": self.operation_id, "tags": [self.tag]}
        if self.description:
            out["description"] = self.description
        if self.deprecated:
            out["deprecated"] = True
        if self.parameters:
            out["parameters"] = self.parameters
        if self.request is not None:
            out["requestBody"] = self.request
        out["responses"] = self.responses
        out["security"] = self.security
        return out


def _operations(cls: type, deriver: _Deriver) -> list[_Operation]:
    names = sorted(n[: -len("_with_http_info")] for n in vars(cls)
                   if n.endswith("_with_http_info"))
    return [_Operation(cls, name, deriver) for name in names]


class _Facts(ast.NodeVisitor):
    """What a generated ``*_with_http_info`` method does, read from its syntax tree."""

    def __init__(self, node: ast.FunctionDef) -> None:
        self.path = self.method = ""
        self.all_params: list[str] = []
        self.path_params: dict[str, str] = {}  # python name -> wire name
        self.query_params: dict[str, str] = {}
        self.body: str | None = None
        self.response_types: dict[str, str] = {}
        self.auth: list[str] = []
        self.produces: list[str] = []
        self.consumes: list[str] = []
        self.collection_formats: dict[str, str] = {}
        self.deprecated = False
        self.visit(node)
        assert self.path, node.name
        assert self.method, node.name

    def visit_Assign(self, node: ast.Assign) -> None:
        target, value = node.targets[0], node.value
        name = ast.unparse(target)
        if name == "_all_params":
            self.all_params = ast.literal_eval(value)
        elif name == "_response_types_map":
            self.response_types = ast.literal_eval(value)
        elif name == "_auth_settings":
            self.auth = ast.literal_eval(value)
        elif name == "_body_params" and isinstance(value, ast.Subscript):
            self.body = ast.literal_eval(value.slice)
        elif name.startswith("_path_params[") and isinstance(value, ast.Subscript):
            assert isinstance(target, ast.Subscript)
            self.path_params[ast.literal_eval(value.slice)] = ast.literal_eval(target.slice)
        elif name.startswith("_collection_formats["):
            assert isinstance(target, ast.Subscript)
            self.collection_formats[ast.literal_eval(target.slice)] = ast.literal_eval(value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = ast.unparse(node.func)
        if func == "_query_params.append":
            (pair,) = node.args
            assert isinstance(pair, ast.Tuple)
            wire = ast.literal_eval(pair.elts[0])
            params = {ast.literal_eval(n.slice) for n in ast.walk(pair.elts[1])
                      if isinstance(n, ast.Subscript) and ast.unparse(n.value) == "_params"}
            (python_name,) = params
            self.query_params[python_name] = wire
        elif func == "self.api_client.call_api":
            self.path, self.method = (ast.literal_eval(a) for a in node.args[:2])
        elif func == "self.api_client.select_header_accept":
            self.produces = ast.literal_eval(node.args[0])
        elif func == "self.api_client.select_header_content_type":
            self.consumes = ast.literal_eval(node.args[0])
        elif func == "warnings.warn":
            self.deprecated = "DeprecationWarning" in ast.unparse(node)
        elif func.startswith(("_form_params", "_files")):
            raise AssertionError(f"form parameters are not described: {ast.unparse(node)}")
        self.generic_visit(node)


def _description(doc: str) -> str:
    """The generated docstring's description (between the title and "This method makes")."""
    lines = doc.splitlines()[1:]
    text = []
    for line in lines:
        if line.startswith("This method makes"):
            break
        text.append(line.replace("# noqa: E501", "").strip())
    return " ".join(t for t in text if t)


def _unannotate(annotation: Any) -> tuple[Any, str]:
    """``Annotated[T, Field(description=...)]`` -> (T, description)."""
    if typing.get_origin(annotation) is typing.Annotated:
        tp, *extras = typing.get_args(annotation)
        descriptions = [getattr(e, "description", None) for e in extras]
        return tp, next((d for d in descriptions if d), "")
    return annotation, ""


def _unoptional(tp: Any) -> Any:
    if typing.get_origin(tp) is typing.Union:
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return tp


def _default(description: str, schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """A default the generated code states only in prose: "Defaults to X", "By default ... X"."""
    found = re.search(r"(?:Defaults to|By default this is set to) (\w+)", description)
    if found is None:
        return None
    word = found.group(1)
    target = schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
    if target.get("type") == "boolean" and word in ("true", "false"):
        return word == "true"
    if word in target.get("enum", []):
        return word
    raise AssertionError(f"a default this script cannot type: {description!r}")


def _body_name(schema: dict[str, Any]) -> str | None:
    """A schema -> the ``x-operation-bodies`` notation (``X``, ``[X]``, ``string``)."""
    if "$ref" in schema:
        return str(schema["$ref"].rsplit("/", 1)[1])
    if schema.get("type") == "array":
        inner = _body_name(schema["items"])
        return None if inner is None else f"[{inner}]"
    if schema == {"type": "string"}:
        return "string"
    return None


def _operation_bodies(operations: list[_Operation]) -> dict[str, dict[str, str]]:
    by_id = {op.operation_id: op for op in operations}
    bodies: dict[str, dict[str, str]] = {}
    for name, (request, response) in OPERATIONS.items():
        entry = {}
        if name != "(any error)":
            op = by_id[RENAMED.get(name, name)]
            derived = (op.request_name, op.response_name)
            assert derived == (request, response), (name, derived, (request, response))
        for role, body in (("request", request), ("response", response)):
            if body is not None:
                entry[role] = body
        bodies[name] = entry
    return bodies


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
            if field.default is not None and not field.required:
                default = field.default
                schema = {"allOf": [schema], "default": default.value} if "$ref" in schema else {
                    **schema, "default": default.value if isinstance(default, enum.Enum)
                    else default}
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
        """A oneOf by a tag property (``type``, ``version``): the property and the tag values come
        from the model's ``from_json``."""
        source = inspect.getsource(cls.from_json)
        found = re.search(r'_data_type = json\.loads\(json_str\)\.get\("(\w+)"\)', source)
        mapping: dict[str, str] = {}
        for tag, member in re.findall(
                r'_data_type == "([^"]+)":\s*\n\s*instance\.actual_instance = (\w+)\.from_json',
                source):
            if tag != member:  # the generator also accepts class names as tags: skip those
                mapping[tag] = f"#/components/schemas/{member}"
        module = sys.modules[cls.__module__]
        refs = [self.ref(getattr(module, m)) for m in members]
        out: dict[str, Any] = {"oneOf": refs}
        if mapping:
            assert found is not None, cls
            key = found.group(1)
            out["discriminator"] = {"propertyName": key,
                                    "mapping": dict(sorted(mapping.items()))}
            for member in members:  # each member's tag property holds only its own tags
                tags = sorted(t for t, ref in mapping.items() if ref.endswith(f"/{member}"))
                prop = self.schemas[member]["properties"][key]
                if "$ref" in prop:  # an enum of every tag: narrowed to this member's
                    prop = self.schemas[member]["properties"][key] = {"type": "string"}
                assert prop.get("type") == "string", (member, key, prop)
                prop["enum"] = tags
        return out

    def response_type(self, name: str, namespace: dict[str, Any]) -> dict[str, Any]:
        """A ``_response_types_map`` type name (``List[X]``, ``str``, a model in ``namespace``,
        the API module's globals) -> a schema."""
        if name.startswith("List[") and name.endswith("]"):
            return {"type": "array", "items": self.response_type(name[5:-1], namespace)}
        if name in ("str", "bytearray"):
            return {"type": "string"}
        if name == "object":
            return {}
        return self.ref(namespace[name])

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
