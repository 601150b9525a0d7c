"""The declarations carry the whole operation, and what is written elsewhere agrees with them.

``_operations`` (generated from the vendored descriptions) declares each operation's method,
path, query parameters, body and answer types. The resources name the answer they decode
(``cast=``) and the fake the body it parses: both are checked here against the declaration,
so a resource decoding the wrong model or a fake parsing the wrong body fails a test instead
of drifting. Query parameters are checked where they are sent: the fake answers 400 to one
the operation does not declare (see ``test_fake_refuses_an_undeclared_query_parameter``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import httpx2
import pytest

from lightly_async import _operations as op
from lightly_async import models
from lightly_async._operation import Operation
from lightly_async.testing import FakeLightly
from lightly_async.testing._app import GROUPS

RESOURCES = Path(__file__).resolve().parents[2] / "src" / "lightly_async" / "resources"

#: (resource file, operation) -> why its ``cast=`` differs from the declared answer.
CAST_DIFFERS = {
    ("predictions.py", "GET_PREDICTION_TASK_SCHEMAS_BY_DATASET_ID"):
        "a private model reading the list the answer wraps",
    ("samples.py", "UPDATE_SAMPLE_BY_ID"):
        "the seed era's server answers the updated sample; the newest answers no body",
    ("samples.py", "GET_SAMPLE_IMAGE_WRITE_URL_BY_ID"):
        "the seed era's server wraps the URL in an object (InlineResponse200)",
}


def _casts() -> list[tuple[str, int, str, str | None]]:
    """(file, line, operation constant, cast source) of every ``self._call(op.X, ...)``."""
    found = []
    for source in sorted(RESOURCES.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "_call" and node.args
                    and isinstance(node.args[0], ast.Attribute)
                    and isinstance(node.args[0].value, ast.Name)
                    and node.args[0].value.id == "op"):
                cast = next((ast.unparse(k.value) for k in node.keywords if k.arg == "cast"),
                            None)
                found.append((source.name, node.lineno, node.args[0].attr, cast))
    return found


def test_every_resource_call_names_a_declared_operation_when_read() -> None:
    calls = _casts()
    assert len(calls) > 40  # the scan finds the calls (a broken scan would find none)
    unknown = [(f, line, name) for f, line, name, _ in calls
               if not isinstance(getattr(op, name, None), Operation)]
    assert unknown == []


def test_resource_decodes_the_declared_answer_type_when_it_names_a_cast() -> None:
    mismatched = []
    for file, line, name, cast in _casts():
        declared: Operation = getattr(op, name)
        if cast is None or (file, name) in CAST_DIFFERS:
            continue
        named = cast.replace("builtins.", "")
        if named == "PlainText":  # a text/plain answer, decoded as ``str``
            named = "str"
        if named != declared.answer:
            mismatched.append(f"{file}:{line} {name}: cast={named}, declared {declared.answer}")
    assert mismatched == []


def test_every_listed_cast_difference_is_still_a_difference_when_read() -> None:
    """The allowance list above cannot outlive the differences it explains."""
    seen = {(file, name) for file, _, name, cast in _casts()
            if cast is not None and cast.replace("builtins.", "") not in (
                getattr(op, name).answer, "PlainText")}
    assert set(CAST_DIFFERS) <= seen


#: (operation, the dialect its route serves) -> why the fake parses another body.
BODY_DIFFERS = {
    ("update_sample_by_id", "seed"): "the seed era's handler parses the seed's InlineObject",
    ("create_dataset", None): "DatasetCreateBody: DatasetCreateRequest with ``type`` optional",
}


def test_fake_parses_the_declared_body_type_when_a_route_takes_a_body() -> None:
    mismatched = []
    for group in GROUPS:
        for route in group.ROUTES:
            declared = route.operation.body
            if route.body is None or declared is None or declared.startswith("list["):
                continue  # a list body is parsed element by element by its handler
            if (route.operation.name, route.api) in BODY_DIFFERS:
                continue
            model = getattr(models, declared, None)
            same = route.body == model or (
                isinstance(route.body, type) and isinstance(model, type)
                and issubclass(route.body, model))  # a fake-side subclass adds checks
            if not same:
                mismatched.append(f"{route.operation.name}: parses {route.body}, "
                                  f"declared {declared}")
    assert mismatched == []


def test_operation_lists_its_path_parameters_in_order_when_asked() -> None:
    assert op.GET_TAG_BY_TAG_ID.path_params == ("datasetId", "tagId")
    assert op.GET_DATASETS.path_params == ()


def test_declarations_carry_query_body_and_answer_when_the_api_has_them() -> None:
    assert "fileNameFormat" in op.EXPORT_TAG_TO_BASIC_FILENAMES.query
    assert op.CREATE_TAG_BY_DATASET_ID.body == "TagCreateRequest"
    assert op.CREATE_TAG_BY_DATASET_ID.answer == "CreateEntityResponse"
    assert op.GET_TAGS_BY_DATASET_ID.answer == "list[TagData]"
    assert op.DELETE_TAG_BY_TAG_ID.body is None
    assert op.DELETE_TAG_BY_TAG_ID.answer is None
    # the seed era's parameters are declared too: its samples listing takes ``mode``
    assert "mode" in op.GET_SAMPLES_BY_DATASET_ID.query


@pytest.mark.asyncio
@pytest.mark.parametrize("api", ["latest", "seed"])
async def test_fake_refuses_an_undeclared_query_parameter_when_a_client_sends_one(
    api: str,
) -> None:
    fake = FakeLightly(api=api)
    headers = {"Authorization": f"Bearer {fake.token}"}
    async with httpx2.AsyncClient(transport=fake.transport(), base_url="http://fake") as client:
        ok = await client.get("/v1/datasets", headers=headers)
        bad = await client.get("/v1/datasets", params={"pagesize": "5"}, headers=headers)
    assert ok.status_code == 200
    assert bad.status_code == 400
    assert "pagesize" in bad.text
