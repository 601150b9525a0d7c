"""`nox -s docs` fails when the built API reference lacks a public name or shows reST
(scripts/check_docs_reference.py, run on the built site; here on small hand-made sites)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import lightly_async
import lightly_async.errors
import lightly_async.models
import lightly_async.sync
import lightly_async.testing

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_docs_reference.py"
_spec = importlib.util.spec_from_file_location("check_docs_reference", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
check: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

MODULES = [lightly_async, lightly_async.sync, lightly_async.models, lightly_async.errors,
           lightly_async.testing]


def _site(tmp_path: Path, leave_out: str = "", extra: str = "") -> Path:
    """A site whose pages hold an anchor for every public name, but ``leave_out``;
    the top level keeps only what is neither a model nor an error, as the real page does."""
    elsewhere = {*lightly_async.models.__all__, *lightly_async.errors.__all__}
    # every documented module, read from its source as the script reads it (``lightly_async.ray``
    # is documented too, though importing it needs the ``ray`` extra)
    for module_name, (source, page) in check.MODULES.items():
        names = [n for n in check.public_names(source)
                 if module_name != "lightly_async" or n not in elsewhere]
        html = "".join(f'<h2 id="{module_name}.{n}">{n}</h2>' for n in names
                       if f"{module_name}.{n}" != leave_out)
        path = tmp_path / "api" / page / "index.html"
        path.parent.mkdir(parents=True)
        path.write_text(html + extra)
    return tmp_path


def test_the_script_reads_the_same_public_names_as_the_modules() -> None:
    for module in MODULES:
        source = check.MODULES[module.__name__][0]
        assert check.public_names(source) == list(module.__all__)


def test_a_complete_reference_passes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert check.missing(site) == []
    assert check.leftover_rest(site) == []


@pytest.mark.parametrize("name", ["lightly_async.BitMask", "lightly_async.sync.Pager",
                                  "lightly_async.models.TagData",
                                  "lightly_async.errors.APIError",
                                  "lightly_async.testing.FakeLightly"])
def test_a_missing_entry_is_named(tmp_path: Path, name: str) -> None:
    missing = check.missing(_site(tmp_path, leave_out=name))
    assert name in missing
    if name in ("lightly_async.models.TagData", "lightly_async.errors.APIError"):
        # documented once, on its module's page: the top-level name is missing with it
        assert f"lightly_async.{name.rsplit('.', 1)[1]}" in missing


@pytest.mark.parametrize("html", ["<p>see :class:<code>APIError</code></p>",
                                  "<p>resume like this::</p>"])
def test_leftover_rest_is_named(tmp_path: Path, html: str) -> None:
    assert check.leftover_rest(_site(tmp_path, extra=html))
