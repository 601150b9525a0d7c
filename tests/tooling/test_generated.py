"""Derived source is derived: the checked-in operation declarations are what
``scripts/generate.py`` makes of the vendored descriptions, and they say what the API says;
the sync twins are what it makes of the async resources' source."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from lightly_async import _operations as op
from lightly_async._operation import SAME, Operation

ROOT = Path(__file__).resolve().parents[2]


def test_generate_check_passes_when_the_declarations_match_the_descriptions() -> None:
    done = subprocess.run([sys.executable, "scripts/generate.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_generate_check_fails_and_names_the_file_when_a_declaration_drifts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    text = generate.operations_module()
    drifted = tmp_path / "_operations.py"
    drifted.write_text(text.replace("/tags/{tagId}/filenames", "/tags/{tagId}/names"))
    original = generate.OPERATIONS
    generate.OPERATIONS = drifted
    try:
        assert generate.main(["--check"]) == 1
    finally:
        generate.OPERATIONS = original
    err = capsys.readouterr().err
    assert f"out of date: {drifted}" in err
    assert "+    group='TagsApi'," not in err  # the diff shows the changed path only
    assert "/tags/{tagId}/filenames" in err


def test_every_operation_of_the_newest_description_is_declared_once() -> None:
    spec = yaml.safe_load((ROOT / "spec" / "latest" / "lightly-api-latest.yaml").read_text())
    described = {(o["operationId"], m.upper(), p) for p, item in spec["paths"].items()
                 for m, o in item.items() if m in ("get", "put", "post", "delete", "patch")}
    declared = {(o.name, o.method, o.path) for o in op.ALL}
    assert declared == described
    assert len(op.ALL) == len({o.name for o in op.ALL}) == 137


def test_the_seed_era_paths_are_those_of_the_seed_description() -> None:
    moved = {o.name: o.seed_path for o in op.ALL if o.seed_path not in (SAME,)}
    assert moved == {
        "get_sample_by_id": "/users/datasets/{datasetId}/samples/{sampleId}",
        "get_samples_by_dataset_id": "/users/datasets/{datasetId}/samples",
        "update_sample_by_id": "/users/datasets/{datasetId}/samples/{sampleId}",
        "get_sample_image_read_url_by_id":
            "/users/datasets/{datasetId}/samples/{sampleId}/readurl",
        "get_sample_image_write_url_by_id":
            "/users/datasets/{datasetId}/samples/{sampleId}/writeurl",
        "export_tag_to_label_box_data_rows":
            "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelBoxDataRows",
        "export_tag_to_label_studio_tasks":
            "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelStudioTasks",
        "get_samples_partial_by_dataset_id": None,
        "export_tag_to_label_box_v4_data_rows": None,
    }


@pytest.mark.parametrize(("api", "expected"), [
    ("latest", "/v1/datasets/d%2F1/predictions/tasks/my%20task"),
    ("seed", "/v1/datasets/d%2F1/predictions/tasks/my%20task"),
])
def test_path_for_fills_and_percent_encodes_every_parameter(api: str, expected: str) -> None:
    path = op.GET_PREDICTION_TASK_SCHEMA_BY_TASK_NAME.path_for(
        api, datasetId="d/1", taskName="my task")
    assert path == expected


def test_path_for_refuses_an_operation_the_seed_era_lacks() -> None:
    with pytest.raises(LookupError, match="not in the seed era's API"):
        op.EXPORT_TAG_TO_LABEL_BOX_V4_DATA_ROWS.path_for("seed", datasetId="d", tagId="t")
    assert isinstance(op.GET_SAMPLE_BY_ID, Operation)
    assert op.GET_SAMPLE_BY_ID.path_for("seed", datasetId="d", sampleId="s") == (
        "/users/datasets/d/samples/s")


def test_the_operations_page_names_the_calls_the_resources_make() -> None:
    page = (ROOT / "docs" / "operations.md").read_text()
    table = page.split("written by `nox -s generate`")[1].split("end of the generated table")[0]
    rows = {line.split(" | ")[0].lstrip("| ").split(" ")[0]: line for line in table.splitlines()
            if line.startswith("| ") and " | `" in line}
    assert len(rows) == 137
    assert "`ds.tags.get`" in rows["get_tag_by_tag_id"]
    assert "`ds.predictions.upsert`" in rows["create_or_update_prediction_by_sample_id"]
    assert "`ds.predictions.upsert_many`" in rows["create_or_update_prediction_by_sample_id"]
    assert "(the seed era: `/users/datasets/{datasetId}/samples`)" in rows[
        "get_samples_by_dataset_id"]
    assert "(the seed era: none)" in rows["export_tag_to_label_box_v4_data_rows"]
    assert "`session.runs.list`" in rows["get_docker_runs"]
    assert "`ds.runs.info`" in rows["get_docker_run_by_scheduled_id"]
    assert rows["get_docker_license_information"].endswith("| — |")  # not covered yet


def _generator() -> Any:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return generate


def test_the_sync_twins_module_is_what_the_generator_writes_from_the_async_resources() -> None:
    generate = _generator()
    module = ROOT / "src" / "lightly_async" / "sync" / "_generated.py"
    assert module == generate.SYNC_GENERATED  # `--check` covers it (the test below)
    text = generate.sync_module()
    assert module.read_text() == text
    # a coroutine is handed to the runner, a pager wrapped in the sync one
    assert "        return self._runner.call(self._aio.get, tag_id)\n" in text
    assert ("        return OffsetPager(self._runner, self._aio.list(page_size=page_size, "
            "shared=shared))\n") in text
    # the session's properties: a value as it is, a resource in its sync twin
    assert "        return self._aio.retry_policy\n" in text
    assert "        return Datasets(self._runner, self._aio.datasets)\n" in text
    assert "def aclose(" not in text
    assert "def limiter(" not in text
    # what warns or is an async context manager is left to the hand-written subclasses
    assert "def export_label_box(" not in text
    assert "def export_label_box_v4(" in text
    assert "def new_raw_samples(" not in text
    for left in ("Datasource.new_raw_samples", "Tags.export_label_box", "Tags.file_names"):
        assert f"* ``{left}``: " in text


def test_a_changed_async_signature_makes_the_check_fail_on_the_sync_twins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    generate = _generator()
    resources = tmp_path / "resources"
    shutil.copytree(generate.RESOURCES, resources)
    tags = resources / "tags.py"
    source = tags.read_text()
    old = "    async def get(self, tag_id: str) -> TagData:\n"
    assert old in source
    tags.write_text(source.replace(
        old, "    async def get(self, tag_id: str, *, fresh: bool = False) -> TagData:\n"))
    monkeypatch.setattr(generate, "RESOURCES", resources)
    assert generate.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "out of date: src/lightly_async/sync/_generated.py" in err
    assert "+    def get(self, tag_id: str, *, fresh: bool = False) -> TagData:" in err
    assert "+        return self._runner.call(self._aio.get, tag_id, fresh=fresh)" in err
    assert "_operations.py" not in err  # the declarations did not change


def test_the_generator_refuses_a_sync_docstring_that_would_speak_of_awaiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    generate = _generator()
    resources = tmp_path / "resources"
    shutil.copytree(generate.RESOURCES, resources)
    tags = resources / "tags.py"
    tags.write_text(tags.read_text().replace('"""One tag."""', '"""One tag, once awaited."""'))
    monkeypatch.setattr(generate, "RESOURCES", resources)
    with pytest.raises(SystemExit, match=r"Tags\.get: its docstring .* speaks of awaiting"):
        generate.sync_module()
