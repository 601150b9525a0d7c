"""docs/migrating.md's table covers every public method of lightly 1.5.20's ``ApiWorkflowClient``,
and every lightly_async call it names exists.

The methods are listed from the installed 1.5.20 (``inspect``: public = not starting with
``_``, the mixins' methods included, properties apart), never from a list kept here. A call
named in the table (a code span's ``session.…``, ``ds.…`` or ``la.…`` chain) is resolved
attribute by attribute against real objects: ``session`` is a ``LightlySession`` of the facade
the column is about (async or ``lightly_async.sync``), ``ds`` is ``session.dataset(id)``, ``la``
is ``lightly_async``; nothing is requested (the session talks to an in-process fake it never
calls).
"""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lightly_async
from lightly_async import sync
from lightly_async.testing import FakeLightly

OFFICIAL_VERSION = "1.5.20"
DOC = Path(__file__).resolve().parents[2] / "docs" / "migrating.md"
HEADER = "| 1.5.20 method | lightly_async (async) | `lightly_async.sync` | differences |"
PROPERTIES_HEADER = "| 1.5.20 property | lightly_async |"
NO_EQUIVALENT = "No equivalent:"
DEPRECATED = "Deprecated in 1.5.20"
CHAIN = re.compile(r"(?<![\w.])(session|ds|la)((?:\.[A-Za-z_]\w*)+)(\()?")
DATASET_ID = "5f0c1c6e2a9b4c1d8e7f6a5b"

os.environ["LIGHTLY_DID_VERSION_CHECK"] = "True"  # importing lightly.api then asks no server


def _official_version() -> str | None:
    try:
        return importlib.metadata.version("lightly")
    except importlib.metadata.PackageNotFoundError:
        return None


pytestmark = pytest.mark.skipif(
    _official_version() != OFFICIAL_VERSION,
    reason=f"needs lightly=={OFFICIAL_VERSION} (`nox -s tests` installs it)")


def _table(header: str) -> list[list[str]]:
    lines = DOC.read_text().splitlines()
    start = lines.index(header) + 2  # the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def _name(cell: str) -> str:
    match = re.fullmatch(r"`(\w+)`", cell)
    assert match, f"the first column names one method in backticks, got {cell!r}"
    return match.group(1)


ROWS = {_name(row[0]): row for row in _table(HEADER)} if DOC.exists() else {}


def _calls(cell: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """Every ``root.a.b(`` chain in the cell's code spans: (root, attributes, is_called)."""
    found = []
    for span in re.findall(r"`([^`]+)`", cell):
        for root, dotted, paren in CHAIN.findall(span):
            found.append((root, tuple(dotted.lstrip(".").split(".")), bool(paren)))
    return found


def _official() -> tuple[list[str], list[str], set[str]]:
    """(methods, properties, deprecated methods) of the installed ApiWorkflowClient."""
    from lightly.api import ApiWorkflowClient

    methods, properties, deprecated = [], [], set()
    for name in dir(ApiWorkflowClient):
        if name.startswith("_"):
            continue
        attribute = inspect.getattr_static(ApiWorkflowClient, name)
        if isinstance(attribute, property):
            properties.append(name)
            continue
        function = getattr(ApiWorkflowClient, name)
        assert callable(function), name
        methods.append(name)
        if "DeprecationWarning" in inspect.getsource(function):
            deprecated.add(name)
    return methods, properties, deprecated


def test_the_table_lists_every_public_method_of_the_installed_client_once() -> None:
    methods, _, _ = _official()
    assert len(methods) == 92  # 1.5.20's count: a different release would need a new table
    names = [_name(row[0]) for row in _table(HEADER)]
    assert len(names) == len(set(names)), "a method has two rows"
    missing = sorted(set(methods) - set(names))
    assert not missing, f"not in docs/migrating.md: {missing}"
    unknown = sorted(set(names) - set(methods))
    assert not unknown, f"not methods of ApiWorkflowClient {OFFICIAL_VERSION}: {unknown}"


def test_the_properties_are_listed_apart() -> None:
    _, properties, _ = _official()
    listed = [_name(row[0]) for row in _table(PROPERTIES_HEADER)]
    assert sorted(listed) == sorted(properties) == ["dataset_id", "dataset_type"]


def test_deprecated_rows_are_exactly_the_methods_that_warn_in_1_5_20() -> None:
    _, _, deprecated = _official()
    marked = {name for name, row in ROWS.items() if DEPRECATED in row[3]}
    assert marked == deprecated
    for name in deprecated:  # a deprecated method still names what replaces it
        assert _calls(ROWS[name][1]), name


@pytest.mark.parametrize("method", sorted(ROWS))
def test_every_method_has_a_call_in_both_facades_or_a_one_line_reason(method: str) -> None:
    row = ROWS[method]
    assert len(row) == 4, f"{method}: {len(row)} cells"
    _, async_cell, sync_cell, differences = row
    if async_cell == "—":
        assert sync_cell == "—", method
        assert differences.startswith(NO_EQUIVALENT), method
        assert len(differences) > len(NO_EQUIVALENT) + 20, f"{method}: the reason is missing"
        assert DEPRECATED not in differences
    else:
        assert _calls(async_cell), f"{method}: no lightly_async call named"
        assert _calls(sync_cell), f"{method}: no lightly_async.sync call named"
        assert NO_EQUIVALENT not in differences, method
        assert "await" not in sync_cell, method
        assert "async " not in sync_cell, method


@pytest.fixture(scope="module")
def roots() -> Iterator[dict[str, dict[str, Any]]]:
    fake = FakeLightly(api="latest")
    aio = lightly_async.LightlySession(fake.token, transport=fake.transport())
    blocking = sync.LightlySession(fake.token, transport=fake.transport())
    try:
        yield {
            "async": {"session": aio, "ds": aio.dataset(DATASET_ID), "la": lightly_async},
            "sync": {"session": blocking, "ds": blocking.dataset(DATASET_ID),
                     "la": lightly_async},
        }
    finally:
        blocking.close()


CALLS = sorted({(facade, root, attrs, called)
                for row in ROWS.values()
                for facade, cell in (("async", row[1]), ("sync", row[2]),
                                     ("async", row[3]), ("sync", row[3]))
                for root, attrs, called in _calls(cell)})
"""Every call of the two facades' columns, and those the differences name (in both facades)."""


def test_the_table_names_calls_to_check() -> None:
    assert len(CALLS) > 100
    assert ("sync", "session", ("datasets", "create_unique"), True) in CALLS


@pytest.mark.parametrize(("facade", "root", "attrs", "called"), CALLS,
                         ids=[f"{f}:{r}.{'.'.join(a)}{'()' if c else ''}" for f, r, a, c in CALLS])
def test_every_call_the_table_names_exists(
        roots: dict[str, dict[str, Any]], facade: str, root: str, attrs: tuple[str, ...],
        called: bool) -> None:
    obj = roots[facade][root]
    path = root
    for attr in attrs:
        assert hasattr(obj, attr), f"{facade}: {path} has no attribute {attr!r}"
        obj = getattr(obj, attr)
        path += f".{attr}"
    if called:
        assert callable(obj), f"{facade}: {path} is not callable"
    if facade == "sync" and called and root != "la":
        assert not inspect.iscoroutinefunction(obj), f"sync: {path} is a coroutine function"


COLLECTED = sorted({(facade, match.group(1))
                    for row in ROWS.values()
                    for facade, cell in (("async", row[1]), ("sync", row[2]))
                    for span in re.findall(r"`([^`]+)`", cell)
                    for match in re.finditer(r"\b((?:session|ds)(?:\.\w+)+)\([^()]*\)\.collect\(",
                                             span)})
"""``x.method(…).collect()`` in the table: the method must return something with ``collect``."""


@pytest.mark.parametrize(("facade", "chain"), COLLECTED)
def test_collect_is_only_called_on_what_has_it(
        roots: dict[str, dict[str, Any]], facade: str, chain: str) -> None:
    root, *attrs = chain.split(".")
    obj = roots[facade][root]
    for attr in attrs:
        obj = getattr(obj, attr)
    returned = inspect.signature(obj).return_annotation
    if isinstance(returned, str):
        namespace = vars(inspect.getmodule(inspect.unwrap(obj)))
        returned = eval(returned.split("[")[0], namespace)  # a class name of that module
    assert hasattr(returned, "collect"), f"{facade}: {chain}(…) returns {returned!r}"


def test_the_table_has_collect_calls_to_check() -> None:
    assert ("async", "session.datasets.list") in COLLECTED
