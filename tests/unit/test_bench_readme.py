"""`nox -s bench` writes its latest run into benchmarks/README.md (benchmarks/run.py).

The figures go between two markers and nothing outside them changes, so the hand-written
notes survive every run; the committed README shows the committed results.json.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))  # run.py imports its sibling modules by their bare names
_spec = importlib.util.spec_from_file_location("benchmarks_run", BENCH / "run.py")
assert _spec is not None
assert _spec.loader is not None
run: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    figures: dict[str, Any] = json.loads((BENCH / "results.json").read_text())
    return figures


def test_the_committed_readme_shows_the_committed_results(
        results: dict[str, Any], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text((BENCH / "README.md").read_text())
    run.write_readme(results, readme)
    assert readme.read_text() == (BENCH / "README.md").read_text(), (
        "benchmarks/README.md is stale: python benchmarks/run.py --readme-from "
        "benchmarks/results.json")


def test_the_section_holds_every_row_and_its_explanation(results: dict[str, Any]) -> None:
    section = run.readme_section(results)
    for goal in results["goals"]:
        assert f"| {goal['benchmark']} |" in section
        assert run.ROWS[goal["benchmark"].split(".")[0]] in section
    assert section.index("| benchmark |") < section.index("What each row measures")


def test_only_the_text_between_the_markers_changes(results: dict[str, Any],
                                                   tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Notes\n\nabove\n\n{run.BEGIN}\nold figures\n{run.END}\n\nbelow\n")
    run.write_readme(results, readme)
    text = readme.read_text()
    assert "old figures" not in text
    assert text.startswith("# Notes\n\nabove\n\n" + run.BEGIN)
    assert text.endswith(run.END + "\n\nbelow\n")
    assert text.count(run.BEGIN) == text.count(run.END) == 1
    run.write_readme(results, readme)  # a second run replaces, never appends
    assert readme.read_text() == text


def test_a_readme_without_markers_gets_the_section_appended_and_a_missing_one_is_made(
        results: dict[str, Any], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Hand-written\n")
    run.write_readme(results, readme)
    assert readme.read_text().startswith("# Hand-written\n\n" + run.BEGIN)
    missing = tmp_path / "new" / "README.md"
    missing.parent.mkdir()
    run.write_readme(results, missing)
    assert missing.read_text().startswith("# Benchmarks\n\n" + run.BEGIN)
    assert "| benchmark |" in missing.read_text()
