"""The Dask recipe of docs/ray.md, run as written (the block after ``<!-- recipe: dask -->``)
with Dask's processes scheduler against the fake in its own process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from fake_process import FakeProcess
from test_pipeline import _new_version

from lightly_async import LightlySession

pd = pytest.importorskip("pandas", reason="the Dask recipe needs pandas")
pytest.importorskip("dask.dataframe", reason="the Dask recipe needs dask")

DOC = Path(__file__).resolve().parents[2] / "docs" / "ray.md"


def recipe(marker: str) -> str:
    """The first ```python block after ``<!-- recipe: marker -->`` in docs/ray.md."""
    text = DOC.read_text(encoding="utf-8")
    after = text.split(f"<!-- recipe: {marker} -->", 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_dask_recipe_uploads_every_row_and_reports_each_outcome(
    config: Any, fake_server: FakeProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIGHTLY_TOKEN", fake_server.token)  # the workers read it
    namespace: dict[str, Any] = {"__name__": "docs_ray_dask_recipe"}
    exec(compile(recipe("dask"), str(DOC), "exec"), namespace)
    version = _new_version(fake_server, 20)
    ids = fake_server.sample_ids
    unknown = "b" * 24
    frame = pd.DataFrame({"sample_id": [*ids, unknown],
                          "category_id": [i % 3 for i in range(len(ids) + 1)],
                          "score": [0.75] * (len(ids) + 1)})
    outcomes = namespace["upload_with_dask"](frame, config, fake_server.dataset_id, version)
    assert len(outcomes) == len(ids) + 1
    by_key = outcomes.set_index("key")
    assert by_key.loc[ids, "ok"].all()
    assert set(by_key.loc[ids, "status"]) == {"succeeded"}
    assert (by_key.loc[unknown, "ok"], by_key.loc[unknown, "error_type"],
            by_key.loc[unknown, "status_code"]) == (False, "NotFoundError", 404)

    async def stored() -> list[Any]:
        async with LightlySession(fake_server.token, base_url=fake_server.base_url) as s:
            return await s.dataset(fake_server.dataset_id).predictions.list(
                prediction_uuid_timestamp=version)

    listed = anyio.run(stored)
    assert [p[0].category_id for p in listed] == [i % 3 for i in range(len(ids))]
