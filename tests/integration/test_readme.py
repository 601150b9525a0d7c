"""Every ```python block of README.md and of the docs pages (docs/**/*.md) runs, as a
newcomer would run it.

Each block is its own program, run in a fresh interpreter with ``LIGHTLY_TOKEN``,
``LIGHTLY_SERVER_LOCATION`` and ``LIGHTLY_DATASET_ID`` pointing at a fresh fake seeded exactly
as ``lightly-async fake serve`` seeds it (what the README tells a reader to start). A block
defining ``test_…`` functions is a test file and runs under pytest. A block opts out only with
a first line ``# not run by the README test: <reason>``, and the reason must be there.
New blocks and new pages are picked up without touching this file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lightly_async.cli import _fake
from lightly_async.testing import FakeLightly

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
OPT_OUT = re.compile(r"#\s*not run by the README test:(.*)")
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
TIMEOUT = 180  # seconds per snippet: a hung snippet fails instead of stalling the suite


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


BLOCKS = [(f"{page.relative_to(ROOT)}:{line}", code)
          for page in _pages() for line, code in _blocks(page)]
RUN = [(where, code) for where, code in BLOCKS
       if not OPT_OUT.match(code.splitlines()[0] if code.strip() else "")]
"""The blocks that run (an opted-out block is not a program of this project: it needs the
official client, say)."""


def test_the_readme_stays_short_the_guides_live_in_docs() -> None:
    size = len(README.read_bytes())
    assert size <= 20_000, f"README.md is {size:,} bytes (at most 20,000): move a section to docs/"


def test_the_readme_has_python_snippets_and_every_opt_out_says_why() -> None:
    assert len(_blocks(README)) >= 4  # quickstart, bulk upload, the two workflows
    assert len(RUN) >= 10  # with the guides' snippets: none was lost moving them
    for where, code in BLOCKS:
        first = code.splitlines()[0] if code.strip() else ""
        opt_out = OPT_OUT.match(first)
        if opt_out:
            assert opt_out.group(1).strip(), f"{where}: opt-out without a reason"


@pytest.mark.parametrize(("where", "code"), RUN, ids=[where for where, _ in RUN])
def test_snippet_runs_against_a_fake_seeded_like_fake_serve(
        where: str, code: str, tmp_path: Path) -> None:
    fake = FakeLightly()
    dataset_id = _fake.seed(fake, 20)
    is_test_file = re.search(r"^(async )?def test_", code, re.MULTILINE) is not None
    name = re.sub(r"\W", "_", where.removesuffix(".md").replace(".md:", "_"))
    script = tmp_path / (f"test_{name}.py" if is_test_file else f"{name}.py")
    script.write_text(code)
    with fake.serve_in_thread() as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")} | {
            "LIGHTLY_TOKEN": fake.token, "LIGHTLY_SERVER_LOCATION": base_url,
            "LIGHTLY_DATASET_ID": dataset_id, "LIGHTLY_API": fake.api}
        argv = ([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
                if is_test_file else [sys.executable, script.name])
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"{where}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    if is_test_file:
        assert re.search(r"\b[1-9]\d* passed\b", done.stdout), done.stdout
    assert "Traceback" not in done.stderr
    assert "ok=False" not in done.stdout  # a bulk snippet that printed a failed BulkResult
