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


def _first_contact(call_async: float, call_sync: float) -> dict[str, Any]:
    """Figures of benchmarks/bench_first.py's shape (official: 0.5 s for the one call)."""
    return {
        "one_call": {"median_s": {"lightly_async": call_async, "lightly_async (sync)": call_sync,
                                  "official": 0.5, "python -c pass": 0.02},
                     "min_s": {}, "runs": 7},
        "cold_page": {"median_s": {"lightly_async": 0.12, "official": 0.24},
                      "min_s": {}, "process_median_s": {"lightly_async": 0.35, "official": 2.1},
                      "runs": 7, "rows": 10_000},
    }


def test_the_one_call_and_cold_page_rows_carry_their_goals_as_ratios(
        results: dict[str, Any]) -> None:
    figures = {**results, "first": _first_contact(call_async=0.2, call_sync=0.3)}
    figures["goals"] = run.goals(figures)
    rows = {g["benchmark"].split(":")[0]: g for g in figures["goals"]}

    one_async, one_sync = (rows["8. One call, whole process (async)"],
                           rows["8. One call, whole process (sync facade)"])
    assert (one_async["met"], one_sync["met"]) == (True, False)  # 0.4x and 0.6x official
    assert one_async["floor"] == 0.02
    cold = rows["7. Page, cold"]
    assert cold["met"] is None
    assert cold["goal"] == run.NO_GOAL
    assert cold["speedup_vs_official"] == pytest.approx(2.0)
    assert cold["floor"] == rows["7. Page, warm"]["ours"]  # ours ÷ floor: cold over warm

    text = run.render(figures)
    assert "| 8. One call, whole process (async): <= 0.5x official | 0.40x | met |" in text
    assert ("| 8. One call, whole process (sync facade): <= 0.5x official | 0.60x | "
            "**not met** |") in text
    import_s = rows["5. Import (whole process, median)"]["ours"]
    assert (f"| 5. Import (whole process, median): <= 150 ms | {import_s * 1e3:.0f} ms "
            f"({import_s / 0.150:.2f}x the budget) |") in text
    assert f"| {cold['benchmark']} | 120.0 ms | 240.0 ms |" in text
    assert (f"| {run.NO_GOAL} | — |") in text
    assert ("7. Page, cold: the whole process to the first page, import included: "
            "lightly_async 350.0 ms, official 2.10 s.") in text
    section = run.readme_section(figures)
    assert run.ROWS["8"] in section


def test_saved_figures_from_before_the_first_contact_rows_still_render(
        results: dict[str, Any]) -> None:
    old = {k: v for k, v in results.items() if k != "first"}
    names = [g["benchmark"] for g in run.goals(old)]
    assert not any(name.startswith(("8.", "7. Page, cold")) for name in names)
    assert "| benchmark |" in run.render({**old, "goals": run.goals(old)})
