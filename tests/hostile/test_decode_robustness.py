"""Decoding answers: every body the spec allows decodes; a broken one raises DecodeError only.

Bodies are generated with hypothesis-jsonschema from the response schemas of both contracts,
``spec/seed/lightly-api.yaml`` and the newest API's ``spec/latest/lightly-api-latest.yaml``
(``$ref`` inlined, OpenAPI ``nullable`` turned into JSON Schema's ``null`` type; objects may
carry extra keys, as newer servers send; ``[X]`` is an array of X) and answered by a
mock transport to the real resource method, so each one runs the whole pipeline: send, status
mapping, JSON parsing, structuring with the shared converter. A corrupted body (a key dropped,
a value of the wrong type, truncated or non-JSON, absurdly nested) must either still decode
(the client is lenient where DESIGN.md says so: unknown keys, SampleData fields besides ``_id``)
or raise ``DecodeError``; never ``KeyError``, ``TypeError``, ``AttributeError``, ``RecursionError``…
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightly_async import DecodeError, LightlySession, _http
from lightly_async.models import (
    CreateEntityResponse,
    DatasourceRawSamplesData,
    LabelBoxDataRow,
    LabelStudioTask,
    PredictionTaskSchema,
    SampleData,
    TagBitMaskResponse,
    TagData,
)
from lightly_async.testing._transports import mock_transport

hypothesis_jsonschema = pytest.importorskip("hypothesis_jsonschema")
yaml = pytest.importorskip("yaml")

_ROOT = Path(__file__).resolve().parents[2]
SPECS = {"seed": _ROOT / "spec" / "seed" / "lightly-api.yaml",
         "latest": _ROOT / "spec" / "latest" / "lightly-api-latest.yaml"}

ID = "0123456789abcdef01234567"
# Both contracts now (19 bodies, was 10): 40 examples each keeps the file's run time bounded.
EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

Call = Callable[[LightlySession], Awaitable[Any]]


async def _first_page(s: LightlySession) -> Any:
    async for page in s.dataset(ID).datasource.list_raw_samples().pages():
        return page
    raise AssertionError("the pager yielded no page")


#: "spec:schema" -> (the resource call that decodes it, a check that the value is the body's)
OPERATIONS: dict[str, tuple[Call, Callable[[Any, Any], None]]] = {}


def _operation(
    seed: str | None, call: Call, *, latest: str | None = ""
) -> Callable[[Callable[[Any, Any], None]], None]:
    """Register a body: by its seed-spec schema name and its newest one (default: the same)."""
    def register(check: Callable[[Any, Any], None]) -> None:
        for spec, name in (("seed", seed), ("latest", seed if latest == "" else latest)):
            if name is not None:
                OPERATIONS[f"{spec}:{name}"] = (call, check)
    return register


@_operation("TagData", lambda s: s.dataset(ID).tags.get(ID))
def _tag(value: Any, body: Any) -> None:
    assert isinstance(value, TagData)
    assert (value.id, value.name, value.tot_size) == (body["id"], body["name"], body["totSize"])
    assert value.bit_mask_data.to_hex() == hex(int(body["bitMaskData"], 16))


@_operation("SampleData", lambda s: s.dataset(ID).samples.get(ID), latest=None)  # path moved
def _sample(value: Any, body: Any) -> None:
    assert isinstance(value, SampleData)
    assert value.id == body["_id"]


@_operation("DatasourceConfig", lambda s: s.dataset(ID).datasource.get())
def _datasource(value: Any, body: Any) -> None:
    assert (value.type, value.full_path) == (body["type"], body["fullPath"])


@_operation("DatasourceRawSamplesData", _first_page)
def _raw_page(value: Any, body: Any) -> None:
    assert isinstance(value, DatasourceRawSamplesData)
    assert [r.file_name for r in value.data] == [r.get("fileName") for r in body["data"]]


@_operation("PredictionSingletons",
            lambda s: s.dataset(ID).predictions.get(ID, prediction_uuid_timestamp=1),
            latest="[PredictionSingleton]")
def _singletons(value: Any, body: Any) -> None:
    assert [(p.type, p.task_name, p.category_id) for p in value] == [
        (p["type"], p["taskName"], p["categoryId"]) for p in body]


@_operation("DatasourceConfigVerifyData", lambda s: s.dataset(ID).datasource.verify())
def _verify(value: Any, body: Any) -> None:
    assert (value.can_read, value.can_write, value.can_list) == (
        body["canRead"], body["canWrite"], body["canList"])
    assert value.can_overwrite is body.get("canOverwrite")


@_operation(None, lambda s: s.dataset(ID).predictions.list_task_schemas(),
            latest="PredictionTaskSchemas")
def _task_schemas(value: Any, body: Any) -> None:
    assert [(t.name, len(t.categories)) for t in value] == [
        (t["name"], len(t["categories"])) for t in body["schemas"]]


@_operation("PredictionTaskSchema", lambda s: s.dataset(ID).predictions.get_task_schema(
    "task", prediction_uuid_timestamp=1))
def _task_schema(value: Any, body: Any) -> None:
    assert isinstance(value, PredictionTaskSchema)
    assert (value.name, len(value.categories)) == (body["name"], len(body["categories"]))


@_operation("LabelStudioTasks", lambda s: s.dataset(ID).tags.export_label_studio(ID),
            latest="[LabelStudioTask]")
def _label_studio(value: Any, body: Any) -> None:
    assert all(isinstance(t, LabelStudioTask) for t in value)
    assert [(t.id, t.data.image) for t in value] == [(t["id"], t["data"]["image"]) for t in body]


@_operation("LabelBoxDataRows", lambda s: s.dataset(ID).tags.export_label_box(ID),
            latest="[LabelBoxDataRow]")
def _label_box(value: Any, body: Any) -> None:
    assert all(isinstance(r, LabelBoxDataRow) for r in value)
    assert [r.external_id for r in value] == [r["externalId"] for r in body]


@_operation("TagArithmeticsResponse",
            lambda s: s.dataset(ID).tags.arithmetics(ID, ID, "UNION"))
def _arithmetics(value: Any, body: Any) -> None:
    if isinstance(value, CreateEntityResponse):
        assert value.id == body["id"]
    else:
        assert isinstance(value, TagBitMaskResponse)
        assert value.bit_mask_data.to_hex() == hex(int(body["bitMaskData"], 16))


# -- the spec as JSON Schema ------------------------------------------------------------------
_DROP = {"description", "example", "discriminator", "format", "readOnly", "deprecated"}
#: What an integer ``format`` allows (the decoder refuses a number field's integer past int64
#: that a float would round).
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _json_schema(key: str) -> dict[str, Any]:
    spec, name = key.split(":", 1)
    schemas = yaml.safe_load(SPECS[spec].read_text())["components"]["schemas"]
    if name.startswith("["):
        return {"type": "array", "items": _json_schema(f"{spec}:{name[1:-1]}")}

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return convert(schemas[node["$ref"].rsplit("/", 1)[1]])
        out = {k: convert(v) for k, v in node.items()
               if k not in _DROP and not k.startswith("x-")}
        if node.get("format") in _INT_RANGES:  # JSON Schema has no formats: as bounds
            low, high = _INT_RANGES[node["format"]]
            out["minimum"] = max(out.get("minimum", low), low)
            out["maximum"] = min(out.get("maximum", high), high)
        if out.pop("nullable", False):
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
        return out

    converted: dict[str, Any] = convert(schemas[name])
    return converted


_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {}


def bodies(name: str) -> st.SearchStrategy[Any]:
    if name not in _STRATEGIES:
        strategy = hypothesis_jsonschema.from_schema(_json_schema(name))
        if name.endswith(":DatasourceRawSamplesData"):
            # The pager refuses "more pages" without a cursor to get them by (DecodeError by
            # design: it would loop forever); the schema cannot say that.
            strategy = strategy.filter(lambda b: b["cursor"] or not b["hasMore"])
        _STRATEGIES[name] = strategy
    return _STRATEGIES[name]


# -- running one answer through the pipeline --------------------------------------------------
def _answer(call: Call, content: bytes, status: int = 200) -> Any:
    """Run ``call`` against a server answering ``content`` to everything."""

    def handler(request: Any) -> Any:
        return _http.Response(status, content=content,
                              headers={"content-type": "application/json"})

    async def main() -> Any:
        async with LightlySession(token="t", base_url="https://api.test", max_retries=0,
                                  transport=mock_transport(handler)) as session:
            return await call(session)

    return anyio.run(main)


def _decodes_or_raises_decode_error(call: Call, content: bytes) -> None:
    try:
        _answer(call, content)
    except DecodeError as exc:
        if _pager_refuses(json.loads(content)) and exc.message == _PAGER_REFUSAL:
            return  # the pager's own DecodeError (no request context: no request failed)
        problems = [exc.status_code != 200, exc.method not in {"GET", "POST"}]
        if any(problems):
            raise AssertionError(f"DecodeError with wrong context: {exc!r}") from exc


_PAGER_REFUSAL = "page says hasMore=true but carries no cursor"


def _pager_refuses(body: Any) -> bool:
    """A raw-samples page the pager must refuse: more pages, but no cursor to get them by.

    A corruption can make one (``cursor`` replaced by ``""``); following it would loop.
    """
    return (isinstance(body, dict) and body.get("hasMore") is True
            and body.get("cursor") == "")


# -- the tests --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPERATIONS))
@EXAMPLES
@given(data=st.data())
def test_every_body_the_spec_allows_decodes_when_answered(name: str, data: st.DataObject) -> None:
    body = data.draw(bodies(name), label="body")
    call, check = OPERATIONS[name]
    value = _answer(call, json.dumps(body).encode())
    check(value, body)


def _corrupt(body: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """``body`` with one key dropped or one value replaced by a value of another type."""
    body = copy.deepcopy(body)
    spots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            spots.extend((node, k) for k in node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            spots.extend((node, i) for i in range(len(node)))
            for v in node:
                walk(v)

    walk(body)
    wrong = st.sampled_from([None, True, -1, 2.5, "", "zz", [], {}, [None], {"a": 1}])
    if not spots:
        return draw(wrong)
    container, key = draw(st.sampled_from(spots))
    if isinstance(container, dict) and draw(st.booleans()):
        del container[key]
    else:
        container[key] = draw(wrong)
    return body


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@EXAMPLES
@given(data=st.data())
def test_a_corrupted_body_raises_decode_error_only_when_a_value_is_dropped_or_mistyped(
    name: str, data: st.DataObject
) -> None:
    body = _corrupt(data.draw(bodies(name), label="body"), data.draw)
    _decodes_or_raises_decode_error(OPERATIONS[name][0], json.dumps(body).encode())


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@EXAMPLES
@given(data=st.data())
def test_a_truncated_or_garbled_body_raises_decode_error_when_it_is_not_json(
    name: str, data: st.DataObject
) -> None:
    text = json.dumps(data.draw(bodies(name), label="body")).encode()
    cut = data.draw(st.integers(0, max(0, len(text) - 1)), label="cut")
    garbage = data.draw(st.binary(max_size=8), label="garbage")
    content = text[:cut] + garbage if cut or garbage else b"{"
    try:
        json.loads(content)
    except ValueError:
        pass
    else:
        return  # the cut happened to leave valid JSON (e.g. "12" of "123"): covered above
    with pytest.raises(DecodeError, match="not JSON"):
        _answer(OPERATIONS[name][0], content)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@pytest.mark.parametrize("content", [
    b"", b"null", b"42", b'"text"', b"true", b"[1, 2]", b'{"unexpected": {}}',
    b"NaN", b"<html>502 Bad Gateway</html>", b"\xff\xfe\x00", b"[" * 100_000,
    b'{"a":' * 50_000, b"[" * 100_000 + b"]" * 100_000,
], ids=lambda content: f"{content[:12]!r}..{len(content)}B")
def test_a_body_of_the_wrong_shape_raises_decode_error_when_answered(
    name: str, content: bytes
) -> None:
    with pytest.raises(DecodeError) as caught:
        _answer(OPERATIONS[name][0], content)
    assert caught.value.status_code == 200
    assert caught.value.url is not None


@pytest.mark.parametrize("status", [400, 404, 429, 503])
@pytest.mark.parametrize("content", [b"[" * 100_000, b"NaN", b"\xff", b'{"code": {"x": 1}}'],
                         ids=lambda content: f"{content[:12]!r}..{len(content)}B")
def test_an_error_answer_maps_to_its_status_error_when_its_body_is_garbage(
    status: int, content: bytes
) -> None:
    from lightly_async.errors import APIStatusError, status_error_class

    with pytest.raises(APIStatusError) as caught:
        _answer(OPERATIONS["seed:TagData"][0], content, status=status)
    assert type(caught.value) is status_error_class(status)
    assert caught.value.status_code == status
