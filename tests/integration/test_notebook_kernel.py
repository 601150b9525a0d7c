"""examples/notebook.py executed cell by cell in a real Jupyter kernel (nbclient + ipykernel),
against a fake served on loopback: top-level ``await``, a bulk call whose progress bar is an
ipywidgets widget (not tqdm's "IProgress not found" text fallback), and the sync facade inside
the kernel's running event loop."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from lightly_async.testing import FakeLightly

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
pytest.importorskip("ipykernel", reason="ipykernel is in the test extra")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "notebook.py"
WIDGET = "application/vnd.jupyter.widget-view+json"


def _notebook() -> object:
    cells: list[list[str]] = []
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() == "# %%":
            cells.append([])
        elif cells:
            cells[-1].append(line)
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("\n".join(cell).strip()) for cell in cells])


def test_notebook_example_runs_in_a_jupyter_kernel_with_a_widget_progress_bar(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLightly()
    dataset_id = fake.create_dataset("nb", [f"img_{i:02d}.jpg" for i in range(30)])
    nb = _notebook()
    with fake.serve_in_thread() as base_url:
        monkeypatch.setenv("LIGHTLY_TOKEN", fake.token)
        monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
        monkeypatch.setenv("LIGHTLY_DATASET_ID", dataset_id)
        # The kernel is started as `python -m ipykernel_launcher`: this interpreter's python.
        monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}"
                                   f"{os.environ.get('PATH', '')}")
        import anyio

        anyio.run(_create_initial_tag, fake, dataset_id)
        client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                         startup_timeout=120)
        client.execute()
    outputs = [out for cell in nb.cells for out in cell.outputs]  # type: ignore[attr-defined]
    text = "".join(out.get("text", "") for out in outputs if out["output_type"] == "stream")
    assert "first-ten [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" in text
    assert "BulkResult(ok=True, succeeded=30, failed=0, not_attempted=0)" in text
    assert "tags: ['first-ten', 'initial-tag']" in text
    assert "IProgress not found" not in text
    assert any(WIDGET in out.get("data", {}) for out in outputs
               if out["output_type"] == "display_data")
    assert {t.name for t in fake.tags(dataset_id)} == {"initial-tag", "first-ten"}


async def _create_initial_tag(fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        await session.dataset(dataset_id).tags.create_initial()
