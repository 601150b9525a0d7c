"""The first-contact rows of `nox -s bench` run (`benchmarks/bench_first.py`): each script,
in a fresh process and configured by the environment alone, fetches the tag or the page from
a server on loopback, and a wrong answer fails the benchmark. Timings are not asserted.

The fake (``benchmarks/_fake_server.py``, its own process) stands in for the benchmarks'
canned-answer server here: that one needs httptools, which only ``nox -s bench`` installs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))  # the benchmarks import their siblings by their bare names

import _common  # noqa: E402
import bench_first  # noqa: E402

ROWS = 40


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, Any]]:
    with _common.server_process("_fake_server.py", "--samples", "3", "--raw-rows", str(ROWS),
                                "--page-size", str(ROWS)) as info:
        assert info["base_url"].startswith("http://127.0.0.1:")
        yield info


def test_every_one_call_script_fetches_the_tag_in_a_process_of_its_own(
        server: dict[str, Any]) -> None:
    figures = bench_first.one_call(server, runs=1)  # raises unless each printed the tag's id
    assert set(figures["median_s"]) == set(bench_first.ONE_CALL)
    assert all(seconds > 0 for seconds in figures["median_s"].values())
    assert figures["runs"] == 1


def test_both_cold_page_scripts_get_the_first_page(server: dict[str, Any]) -> None:
    figures = bench_first.cold_page(server, runs=1, rows=ROWS)  # raises on a wrong row count
    assert set(figures["median_s"]) == set(figures["process_median_s"]) == set(
        bench_first.COLD_PAGE)
    for name, seconds in figures["median_s"].items():
        assert 0 < seconds < figures["process_median_s"][name]  # timed inside the process
    assert figures["rows"] == ROWS


def test_a_page_of_the_wrong_size_fails_the_benchmark(server: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match=f"got {ROWS} rows, not {ROWS + 1}"):
        bench_first.cold_page(server, runs=1, rows=ROWS + 1)


def test_the_scripts_see_only_the_token_and_the_server_of_the_lightly_variables(
        server: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTLY_API", "latest")
    monkeypatch.setenv("LIGHTLY_TOKEN", "someone-elses")
    env = bench_first.environment(server)
    assert {k: v for k, v in env.items() if k.startswith("LIGHTLY_")} == {
        "LIGHTLY_TOKEN": server["token"], "LIGHTLY_SERVER_LOCATION": server["base_url"],
        "LIGHTLY_DID_VERSION_CHECK": "True"}
