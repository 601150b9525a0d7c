"""Every public method and property of the async API has a sync twin with the same signature.

The walk starts at ``lightly_async.LightlySession`` and follows every property or method
whose return annotation names a resource class (``dataset()`` -> ``Dataset``, ``.tags`` ->
``Tags``, ``.jobs`` -> ``Jobs``, …) or a pager (``list_raw_samples()`` -> ``RawSamplesPager``,
``datasets.list()`` -> ``DatasetPager``), so a resource or method added to the async API fails
here until ``lightly_async.sync`` mirrors it. Parameters must agree in name, kind, default and
annotation. Only the names in ``NOT_MIRRORED`` are exempt, each with the reason a user would
accept.
"""

from __future__ import annotations

import inspect
import typing
from functools import cached_property
from typing import Any

import pytest

import lightly_async as la
from lightly_async import resources, sync

NOT_MIRRORED = {
    # async-only by nature, each with its sync counterpart named:
    ("LightlySession", "aclose"): "close()",
    ("LightlySession", "limiter"): "an anyio limiter of the session's own loop; unusable "
                                   "from another thread",
}
# The constructor's keyword arguments that are sync-only (which loop runs the async core).
SYNC_ONLY_PARAMETERS = {"backend"}


def _public(cls: type) -> list[str]:
    return sorted(n for n in dir(cls) if not n.startswith("_"))


def _getter(attr: Any) -> Any:
    if isinstance(attr, property):
        return attr.fget
    if isinstance(attr, cached_property):
        return attr.func
    return attr


def _returned_class(fn: Any, namespace: Any) -> type | None:
    annotation = inspect.signature(fn).return_annotation
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    found = getattr(namespace, name, None)
    if found is None:  # a pager alias of the defining module (RawSamplesPager = Pager[...])
        alias = getattr(fn, "__globals__", {}).get(name)
        origin = typing.get_origin(alias)
        if isinstance(origin, type) and origin.__module__.startswith("lightly_async."):
            found = origin
    else:
        found = typing.get_origin(found) or found  # DatasetPager = OffsetPager[DatasetData]
    return found if isinstance(found, type) else None


def _parameters(fn: Any) -> list[tuple[str, Any, Any, Any]]:
    return [(p.name, p.kind, p.default, p.annotation)
            for p in inspect.signature(fn).parameters.values()]


def _walk(aio_cls: type, sync_cls: type, problems: list[str], seen: set[type]) -> None:
    if aio_cls in seen:
        return
    seen.add(aio_cls)
    if hasattr(aio_cls, "__aiter__") and not hasattr(sync_cls, "__iter__"):
        problems.append(f"sync {sync_cls.__name__} is not iterable")
    for name in _public(aio_cls):
        key = (aio_cls.__name__, name)
        if key in NOT_MIRRORED:
            continue
        if not hasattr(sync_cls, name):
            problems.append(f"{aio_cls.__name__}.{name} has no twin in lightly_async.sync")
            continue
        aio_attr = _getter(inspect.getattr_static(aio_cls, name))
        sync_attr = _getter(inspect.getattr_static(sync_cls, name))
        if not callable(aio_attr):
            continue
        if inspect.iscoroutinefunction(sync_attr):
            problems.append(f"sync {sync_cls.__name__}.{name} is async")
        is_method = not isinstance(inspect.getattr_static(aio_cls, name),
                                   property | cached_property)
        if is_method and _parameters(aio_attr) != _parameters(sync_attr):
            problems.append(f"{aio_cls.__name__}.{name}{inspect.signature(aio_attr)} != "
                            f"sync {inspect.signature(sync_attr)}")
        aio_next = _returned_class(aio_attr, resources)
        if aio_next is not None:
            sync_next = _returned_class(sync_attr, sync)
            if sync_next is None:
                problems.append(f"sync {sync_cls.__name__}.{name} returns no sync resource")
            else:
                _walk(aio_next, sync_next, problems, seen)


def test_every_async_method_and_resource_has_a_sync_twin_with_the_same_signature() -> None:
    problems: list[str] = []
    seen: set[type] = set()
    _walk(la.LightlySession, sync.LightlySession, problems, seen)
    assert problems == []
    # The walk reached every resource class the async API exports.
    assert {cls.__name__ for cls in seen} >= {
        "LightlySession", "Pager", "OffsetPager", *(n for n in resources.__all__ if isinstance(
            getattr(resources, n), type))}


def test_the_sync_constructor_names_only_async_keywords_and_passes_newer_ones_through() -> None:
    aio = inspect.signature(la.LightlySession.__init__).parameters
    mirrored = inspect.signature(sync.LightlySession.__init__).parameters
    named = set(mirrored) - SYNC_ONLY_PARAMETERS - {"options"}
    assert named <= set(aio)  # nothing stale
    assert {"self", "token", "base_url", "timeout", "transport"} <= named
    # Keywords the async session gains later (in parallel work) reach it through **options.
    assert mirrored["options"].kind is inspect.Parameter.VAR_KEYWORD
    # Keywords left unset are not sent, so the async session's own defaults apply.
    assert all(p.default is la.NOT_GIVEN for n, p in mirrored.items()
               if n not in {"self", "token", "options", *SYNC_ONLY_PARAMETERS})


def test_unknown_keywords_reach_the_async_constructor_and_fail_there() -> None:
    with pytest.raises(TypeError, match="no_such_option"):
        sync.LightlySession("token", no_such_option=1)


def test_the_walk_notices_a_missing_twin_and_a_changed_signature() -> None:
    members = {n: inspect.getattr_static(sync.Tags, n) for n in _public(sync.Tags)}
    del members["delete"]
    members["get"] = lambda self, tag_id, extra=None: None
    problems: list[str] = []
    _walk(resources.Tags, type("Drifted", (), members), problems, set())
    assert problems[0] == "Tags.delete has no twin in lightly_async.sync"
    assert problems[1].startswith("Tags.get(self, tag_id: 'str') -> 'TagData' != sync")
    assert len(problems) == 2


def test_the_walk_notices_a_changed_annotation_and_a_pager_that_lost_a_method() -> None:
    members = {n: inspect.getattr_static(sync.Samplings, n) for n in _public(sync.Samplings)}

    def trigger(self: Any, embedding_id: str, *, new_tag_name: str, method: Any,
                config: Any = None, preselected_tag_id: Any = None, query_tag_id: Any = None,
                score_type: Any = None, row_count: Any = None) -> Any: ...

    members["trigger"] = trigger
    problems: list[str] = []
    _walk(resources.Samplings, type("Drifted", (), members), problems, set())
    assert len(problems) == 1
    assert problems[0].startswith("Samplings.trigger(self, embedding_id: 'str | "
                                  "DatasetEmbeddingData'")

    from lightly_async._offset_pager import OffsetPager

    pager = {n: inspect.getattr_static(sync.OffsetPager, n) for n in ("page_size", "pages")}
    problems = []
    _walk(OffsetPager, type("DriftedPager", (), pager), problems, set())
    assert problems == ["sync DriftedPager is not iterable",
                        "OffsetPager.collect has no twin in lightly_async.sync"]
