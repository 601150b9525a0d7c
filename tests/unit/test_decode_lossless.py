"""Newest-shaped bodies decode, and decode losslessly.

``tests/data/latest/`` holds a body per schema (per union variant) that the client's operations
send or receive (the seed operations and those beyond the seeds), in the newest API's shape
(lightly 1.5.20's generated models): every optional field filled, and a minimal variant.
``scripts/make_latest_corpus.py`` wrote them from ``spec/latest/``. Each must decode with the
session's fast decoder and with the detailed converter into the right class, and unstructuring
the model must give back the body exactly: the same keys, and values of the same JSON type (an
int sent as a number stays an int).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from lightly_async import _operations as op
from lightly_async._convert import get_converter, get_decoder
from lightly_async.models import (
    ApiErrorResponse,
    AsyncTaskData,
    CreateDockerWorkerRegistryEntryRequest,
    CreateEntityResponse,
    DatasetCreateRequest,
    DatasetData,
    DatasetEmbeddingData,
    DatasetUpdateRequest,
    DatasourceConfig,
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLIGHTLY,
    DatasourceConfigLOCAL,
    DatasourceConfigOBS,
    DatasourceConfigS3,
    DatasourceConfigS3DelegatedAccess,
    DatasourceConfigVerifyData,
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    DatasourceRawSamplesData,
    DockerRunData,
    DockerRunScheduledCreateRequest,
    DockerRunScheduledData,
    DockerWorkerConfigOmniV2CreateRequest,
    DockerWorkerConfigOmniV3CreateRequest,
    DockerWorkerConfigOmniV4CreateRequest,
    DockerWorkerConfigOmniVXCreateRequest,
    DockerWorkerConfigV0Data,
    DockerWorkerConfigV2Data,
    DockerWorkerConfigV3Data,
    DockerWorkerConfigV4Data,
    DockerWorkerConfigVXData,
    DockerWorkerRegistryEntryData,
    InitialTagCreateRequest,
    JobStatusData,
    LabelBoxDataRow,
    LabelBoxV4DataRow,
    LabelStudioTask,
    PredictionSingleton,
    PredictionSingletonClassification,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    PredictionSingletonSemanticSegmentation,
    PredictionTaskSchema,
    PredictionTaskSchemas,
    SamaTask,
    SampleData,
    SampleUpdateRequest,
    SamplingCreateRequest,
    TagArithmeticsRequest,
    TagArithmeticsResponse,
    TagBitMaskResponse,
    TagCreateRequest,
    TagData,
    TagUpdateRequest,
    TagUpsizeRequest,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "latest"

#: corpus schema -> what the client decodes it as
CASTS: dict[str, Any] = {
    "ApiErrorResponse": ApiErrorResponse,
    "AsyncTaskData": AsyncTaskData,
    "CreateDockerWorkerRegistryEntryRequest": CreateDockerWorkerRegistryEntryRequest,
    "CreateEntityResponse": CreateEntityResponse,
    "DatasetCreateRequest": DatasetCreateRequest,
    "DatasetData": DatasetData,
    "DatasetEmbeddingData": DatasetEmbeddingData,
    "DatasetUpdateRequest": DatasetUpdateRequest,
    "DatasourceConfig": DatasourceConfig,
    "DatasourceConfigVerifyData": DatasourceConfigVerifyData,
    "DatasourceProcessedUntilTimestampRequest": DatasourceProcessedUntilTimestampRequest,
    "DatasourceProcessedUntilTimestampResponse": DatasourceProcessedUntilTimestampResponse,
    "DatasourceRawSamplesData": DatasourceRawSamplesData,
    # the predictions and metadata listings: the raw listing's shape, one class for all three
    "DatasourceRawSamplesMetadataData": DatasourceRawSamplesData,
    "DatasourceRawSamplesPredictionsData": DatasourceRawSamplesData,
    "DockerRunData": DockerRunData,
    "DockerRunScheduledCreateRequest": DockerRunScheduledCreateRequest,
    "DockerRunScheduledData": DockerRunScheduledData,
    "DockerWorkerConfigOmniVXCreateRequest": DockerWorkerConfigOmniVXCreateRequest,
    "DockerWorkerConfigVXData": DockerWorkerConfigVXData,
    "DockerWorkerRegistryEntryData": DockerWorkerRegistryEntryData,
    "InitialTagCreateRequest": InitialTagCreateRequest,
    "JobStatusData": JobStatusData,
    "LabelBoxDataRow": LabelBoxDataRow,
    "LabelBoxV4DataRow": LabelBoxV4DataRow,
    "LabelStudioTask": LabelStudioTask,
    "PredictionSingleton": PredictionSingleton,
    "PredictionTaskSchema": PredictionTaskSchema,
    "PredictionTaskSchemas": PredictionTaskSchemas,
    "SamaTask": SamaTask,
    "SampleData": SampleData,
    "SampleDataModes": SampleData,  # the partial listing's rows: one class for both
    "SampleUpdateRequest": SampleUpdateRequest,
    "SamplingCreateRequest": SamplingCreateRequest,
    "TagArithmeticsRequest": TagArithmeticsRequest,
    "TagArithmeticsResponse": TagArithmeticsResponse,
    "TagBitMaskResponse": TagBitMaskResponse,
    "TagCreateRequest": TagCreateRequest,
    "TagData": TagData,
    "TagUpdateRequest": TagUpdateRequest,
    "TagUpsizeRequest": TagUpsizeRequest,
}

#: union cases (schema, "<tag>" of "<tag>.<mode>") -> the class they decode to (not a fallback)
VARIANTS: dict[tuple[str, str], type] = {
    **{("DatasourceConfig", tag): cls for tag, cls in {
        "AZURE": DatasourceConfigAzure, "GCS": DatasourceConfigGCS,
        "LIGHTLY": DatasourceConfigLIGHTLY, "LOCAL": DatasourceConfigLOCAL,
        "OBS": DatasourceConfigOBS, "S3": DatasourceConfigS3,
        "S3DelegatedAccess": DatasourceConfigS3DelegatedAccess}.items()},
    **{("PredictionSingleton", tag): cls for tag, cls in {
        "CLASSIFICATION": PredictionSingletonClassification,
        "INSTANCE_SEGMENTATION": PredictionSingletonInstanceSegmentation,
        "KEYPOINT_DETECTION": PredictionSingletonKeypointDetection,
        "OBJECT_DETECTION": PredictionSingletonObjectDetection,
        "SEMANTIC_SEGMENTATION": PredictionSingletonSemanticSegmentation}.items()},
    **{("DockerWorkerConfigOmniVXCreateRequest", tag): cls for tag, cls in {
        "V2": DockerWorkerConfigOmniV2CreateRequest, "V3": DockerWorkerConfigOmniV3CreateRequest,
        "V4": DockerWorkerConfigOmniV4CreateRequest}.items()},
    **{("DockerWorkerConfigVXData", tag): cls for tag, cls in {
        "V0": DockerWorkerConfigV0Data, "V2": DockerWorkerConfigV2Data,
        "V3": DockerWorkerConfigV3Data, "V4": DockerWorkerConfigV4Data}.items()},
    ("TagArithmeticsResponse", "CreateEntityResponse"): CreateEntityResponse,
    ("TagArithmeticsResponse", "TagBitMaskResponse"): TagBitMaskResponse,
}


#: Request fields the client always sends (schema -> {key: value when the body lacks it}):
#: ``DatasetCreateRequest.type`` defaults to Images, as lightly's own client sends it
#: (models/datasets.py), so a body without it comes back with it.
ALWAYS_SENT: dict[str, dict[str, Any]] = {"DatasetCreateRequest": {"type": "Images"}}


def _corpus() -> list[tuple[str, str, Any]]:
    cases = []
    for path in sorted(CORPUS.glob("*.json")):
        document = json.loads(path.read_text())
        cases.extend((document["schema"], case, body)
                     for case, body in document["cases"].items())
    return cases


CASES = _corpus()


def assert_same_json(actual: Any, expected: Any, path: str = "$") -> None:
    """Equal as JSON, recursively, types included: 1 and 1.0 differ, True and 1 differ."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        missing = expected.keys() - actual.keys()
        assert not missing, f"{path}: keys lost in decoding: {sorted(missing)}"
        extra = actual.keys() - expected.keys()
        assert not extra, f"{path}: keys added by decoding: {sorted(extra)}"
        for key, value in expected.items():
            assert_same_json(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: {actual!r} is not an array"
        assert len(actual) == len(expected), f"{path}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same_json(a, e, f"{path}[{i}]")
    else:
        same = type(actual) is type(expected) and actual == expected
        assert same, (f"{path}: {actual!r} ({type(actual).__name__}) != {expected!r} "
                      f"({type(expected).__name__})")


def test_the_corpus_covers_every_schema_the_client_decodes() -> None:
    assert {schema for schema, _, _ in CASES} == set(CASTS)
    modes = {case.rsplit(".", 1)[-1] for _, case, _ in CASES}
    assert modes == {"full", "minimal"}


def _named_in_resources() -> set[str]:
    """Every ``op.NAME`` the resources' source names (the operations the client sends)."""
    found: set[str] = set()
    for source in (ROOT / "src" / "lightly_async" / "resources").glob("*.py"):
        found |= set(re.findall(r"\bop\.([A-Z0-9_]+)\b", source.read_text()))
    return found


def _named(schema: Any) -> set[str]:
    """The component a body schema names (an array's: its items'), if any."""
    while isinstance(schema, dict) and schema.get("type") == "array":
        schema = schema["items"]
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    return {ref.rsplit("/", 1)[1]} if ref else set()


def test_the_corpus_holds_every_body_of_the_operations_the_client_calls() -> None:
    """The seed operations' bodies (``x-operation-bodies``) and the newest description's
    request and answer bodies of every operation of ``spec/beyond-seeds.yaml`` and of every
    operation a resource sends (``op.X`` in the resources' source: the Lightly Worker's too)."""
    yaml = pytest.importorskip("yaml")
    latest = yaml.safe_load((ROOT / "spec" / "latest" / "lightly-api-latest.yaml").read_text())
    beyond = yaml.safe_load((ROOT / "spec" / "beyond-seeds.yaml").read_text())
    expected = {name.strip("[]") for entry in latest["x-operation-bodies"].values()
                for name in entry.values()} - {"string"}
    sent = {o.name for o in op.ALL if o.name.upper() in _named_in_resources()}
    operations = [latest["paths"][path][method] for path, item in beyond["paths"].items()
                  for method in ("get", "put", "post", "delete", "patch") if method in item]
    operations += [o for item in latest["paths"].values() for m, o in item.items()
                   if isinstance(o, dict) and o.get("operationId") in sent]
    for operation in operations:
        for part in [operation.get("requestBody", {}), *operation["responses"].values()]:
            expected |= _named(part.get("content", {}).get("application/json", {}).get(
                "schema"))
    assert expected >= {"DatasetData", "DatasetEmbeddingData", "DatasetCreateRequest",
                        "SampleData", "SampleDataModes", "LabelBoxV4DataRow",
                        "DockerWorkerConfigOmniVXCreateRequest", "DockerRunData"}
    assert {schema for schema, _, _ in CASES} == expected


@pytest.mark.parametrize(("schema", "case", "body"), CASES,
                         ids=[f"{s}-{c}" for s, c, _ in CASES])
@pytest.mark.parametrize("converter", ["decoder", "detailed"])
def test_a_newest_body_decodes_losslessly(
    schema: str, case: str, body: Any, converter: str
) -> None:
    conv = get_decoder() if converter == "decoder" else get_converter()
    cast = CASTS[schema]
    value = conv.structure(json.loads(json.dumps(body)), cast)
    variant = VARIANTS.get((schema, case.rsplit(".", 1)[0]))
    assert type(value) is (variant or cast)
    back = json.loads(json.dumps(get_converter().unstructure(value, unstructure_as=cast)))
    assert_same_json(back, {**ALWAYS_SENT.get(schema, {}), **body})


@pytest.mark.parametrize(("actual", "expected"), [
    ({"a": 1.0}, {"a": 1}), ({"a": 1}, {"a": True}), ({}, {"a": None}), ({"a": [1]}, {"a": [1, 2]}),
    ({"a": "0x1"}, {"a": "0x01"}), ({"a": 1, "b": 2}, {"a": 1}),
])
def test_the_lossless_comparison_notices_any_difference(actual: Any, expected: Any) -> None:
    with pytest.raises(AssertionError):
        assert_same_json(actual, expected)


def _instances(value: Any) -> list[Any]:
    """Every attrs instance in a decoded value, depth first."""
    if attrs.has(type(value)):
        found = [value]
        for field in attrs.fields(type(value)):
            found += _instances(getattr(value, field.name))
        return found
    if isinstance(value, list | tuple):
        return [inner for item in value for inner in _instances(item)]
    if isinstance(value, dict):
        return [inner for item in value.values() for inner in _instances(item)]
    return []


@pytest.mark.parametrize(("schema", "case", "body"), CASES,
                         ids=[f"{s}-{c}" for s, c, _ in CASES])
def test_the_decoder_builds_what_init_builds(schema: str, case: str, body: Any) -> None:
    """The decoder fills slots without ``__init__``: each instance must equal ``__init__``'s."""
    fast = get_decoder().structure(json.loads(json.dumps(body)), CASTS[schema])
    detailed = get_converter().structure(json.loads(json.dumps(body)), CASTS[schema])
    assert fast == detailed
    for instance in _instances(fast):
        cls = type(instance)
        values = {f.name: getattr(instance, f.name) for f in attrs.fields(cls)}  # all slots set
        rebuilt = cls(**values)
        assert rebuilt == instance
        assert repr(rebuilt) == repr(instance)
        assert _hash_or_error(rebuilt) == _hash_or_error(instance)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(instance, attrs.fields(cls)[0].name, None)


def _hash_or_error(value: Any) -> Any:
    try:
        return hash(value)
    except TypeError as exc:  # a frozen model holding a list or dict
        return str(exc)


def test_every_model_is_built_from_its_slots() -> None:
    """The fast path applies to every model; a model it cannot take would fall back silently."""
    import lightly_async.models as models
    from lightly_async._convert import _slot_setters

    classes = [obj for obj in vars(models).values() if isinstance(obj, type) and attrs.has(obj)]
    assert len(classes) > 40
    assert [cls.__name__ for cls in classes if _slot_setters(cls) is None] == []


def test_a_model_with_an_init_hook_is_built_through_init() -> None:
    from lightly_async._convert import make_converter

    @attrs.frozen(kw_only=True)
    class Hooked:
        name: str
        size: int = 0

        def __attrs_post_init__(self) -> None:
            if self.size < 0:
                raise ValueError("negative size")

    @attrs.frozen(kw_only=True)
    class Checked:
        size: int = attrs.field(validator=attrs.validators.ge(0))

    decoder = make_converter(detailed=False)
    assert decoder.structure({"name": "a"}, Hooked) == Hooked(name="a")
    assert decoder.structure([{"name": "a", "size": 2}], list[Hooked]) == [Hooked(name="a", size=2)]
    with pytest.raises(ValueError, match="negative size"):
        decoder.structure([{"name": "a", "size": -1}], list[Hooked])
    with pytest.raises(ValueError, match="must be >= 0"):
        decoder.structure([{"size": -1}], list[Checked])
